"""Checks of the machine around the devices: disk, clock, sync freshness, catalogue, fonts, display,
touch."""

from __future__ import annotations

import importlib.metadata
import shutil
import sqlite3
from collections.abc import Callable, Mapping
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kiosk.demo import FILL_CATALOGUE, demo_site_keys, shows_demo_content
from kiosk.doctor.check import Check, Status
from kiosk.fonts import FontMissing, find_cjk_font
from kiosk.paths import catalogue_path
from kiosk.settings.schema import KioskMode, KioskSection
from kiosk.sync.state import SyncStatus

#: Free space under the data dir below which printing and syncing are at risk, and stop.
DISK_WARN_BYTES = 1024**3
DISK_FAIL_BYTES = 200 * 1024**2
#: The package whose metadata dates this release on this machine.
DISTRIBUTION = "weihai-kiosk"
#: A clock this far before this release was installed has lost its time (dead RTC battery, no
#: NTP): TUF metadata and printouts' dates would be wrong. A lost clock is years out; a day allows
#: an install on a clock running a little fast.
INSTALL_SLACK = timedelta(days=1)
#: A clock this far behind the newest successful sync has gone backwards.
CLOCK_SLACK = timedelta(minutes=5)

DiskUsage = Callable[[Path], tuple[int, int]]


def _disk_usage(path: Path) -> tuple[int, int]:
    usage = shutil.disk_usage(path)
    return usage.free, usage.total


def check_disk(data: Path, usage: DiskUsage = _disk_usage) -> Check:
    """Free space on the file system of the data dir (or its nearest existing parent)."""
    where = data
    while not where.exists() and where != where.parent:
        where = where.parent
    free, total = usage(where)
    detail = f"{_size(free)} free of {_size(total)} on {data}"
    if free < DISK_FAIL_BYTES:
        return Check("disk", Status.FAIL, True, f"{detail} (below {_size(DISK_FAIL_BYTES)}: free space)")
    if free < DISK_WARN_BYTES:
        return Check("disk", Status.WARN, True, f"{detail} (below {_size(DISK_WARN_BYTES)}: free space soon)")
    return Check("disk", Status.OK, True, detail)


def release_installed_at(name: str = DISTRIBUTION) -> datetime | None:
    """When this release was built and installed here: when its package metadata was written.

    No year to bump by hand: every install dates itself. None when the package is not installed
    (a bare source tree): the clock is then compared with the last sync only.
    """
    try:
        files = importlib.metadata.distribution(name).files or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for file in files:
        if file.name in {"METADATA", "PKG-INFO"}:  # a wheel's (pip), or a source tree's (setuptools)
            try:
                return datetime.fromtimestamp(Path(str(file.locate())).stat().st_mtime, UTC)
            except OSError:
                return None
    return None


def check_clock(now: datetime, last_success: str | None, installed_at: datetime | None) -> Check:
    """The clock is not before this release was installed, nor behind the newest successful sync."""
    shown = f"{now:%Y-%m-%d %H:%M:%S %Z}".strip()
    if installed_at is not None and now < installed_at - INSTALL_SLACK:
        return Check(
            "clock",
            Status.FAIL,
            True,
            f"clock says {shown}, before this release was installed ({installed_at:%Y-%m-%d %H:%M %Z}): "
            "set the time, check NTP",
        )
    if last_success and now < datetime.fromisoformat(last_success) - CLOCK_SLACK:
        return Check(
            "clock",
            Status.WARN,
            True,
            f"clock says {shown}, before the last successful sync at {last_success}: check NTP",
        )
    return Check("clock", Status.OK, True, f"clock says {shown}")


def check_sync(repo_url: str, status: SyncStatus | None, offline_after_hours: float, now: datetime) -> Check:
    """The last successful sync is newer than sync.offline_after_hours; ok when sync is off."""
    if not repo_url:
        return Check("sync", Status.OK, False, "sync not configured (sync.repo_url is empty)")
    if status is None or status.last_success is None:
        error = f"; last error: {status.last_error}" if status and status.last_error else ""
        return Check("sync", Status.WARN, False, f"never synced from {repo_url}{error}")
    hours = (now - datetime.fromisoformat(status.last_success)).total_seconds() / 3600
    detail = f"last success {status.last_success} ({hours:.1f} h ago)"
    if hours > offline_after_hours:
        error = f"; last error: {status.last_error}" if status.last_error else ""
        return Check(
            "sync",
            Status.WARN,
            False,
            f"{detail}, older than sync.offline_after_hours = {offline_after_hours:g}{error}",
        )
    return Check("sync", Status.OK, False, detail)


def check_site(kiosk: KioskSection) -> Check:
    """The kiosk's name and place are its own: an appliance still named "demo-0001" at the demo's
    site would print the demo's place on a resident's checklist and report as the demo to the fleet."""
    demo = demo_site_keys(kiosk)
    if not demo:
        return Check("site", Status.OK, False, f"{kiosk.id} at {kiosk.site_name}")
    keys = ", ".join(f"kiosk.{key}" for key in demo)
    if shows_demo_content(kiosk.mode):
        return Check("site", Status.OK, False, f"{kiosk.id} at {kiosk.site_name} ({keys}: the demo's)")
    detail = f"{keys} still the packaged demo value(s); set them with `sudo kiosk provision`"
    return Check("site", Status.FAIL, True, detail)


def check_catalogue(data: Path, mode: KioskMode) -> Check:
    """How many guides the kiosk serves, and any catalogue it had to set aside (see Catalogue.open).

    An appliance never falls back to the demo guides (kiosk.demo): with none of its own it fails,
    critically, since residents find no guide there; elsewhere an empty catalogue is a warning.
    Read only: the doctor neither creates nor migrates a catalogue.
    """
    path = catalogue_path(data)
    kept = path.parent.glob(f"{path.name}.unusable-*")
    aside = sorted(part for part in kept if not part.name.endswith(("-wal", "-shm")))
    count, problem = _guides_in(path)
    if count == 0 and not shows_demo_content(mode):
        why = problem or f"{path} is empty"
        detail = f"{why}: residents find no guide on this appliance; {FILL_CATALOGUE}"
        return Check("catalogue", Status.FAIL, True, detail)
    if problem:
        return Check("catalogue", Status.WARN, False, problem)
    detail = f"{count} guides in {path}"
    if aside:
        detail += f"; {len(aside)} unusable catalogue(s) set aside, the last {aside[-1].name}"
        return Check("catalogue", Status.WARN, False, detail)
    if count == 0:
        return Check("catalogue", Status.WARN, False, f"{detail}: residents find no guide until a sync")
    return Check("catalogue", Status.OK, False, detail)


def _guides_in(path: Path) -> tuple[int, str]:
    """How many guides the catalogue at `path` holds, and why none can be counted ("" when they can)."""
    if not path.exists():
        return 0, f"no catalogue yet at {path} (made at the first start)"
    try:
        # closing(): the technician screen runs the checks again and again inside the kiosk, and
        # sqlite3's own context manager ends a transaction, not the connection.
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as conn:
            (count,) = conn.execute("SELECT count(*) FROM guides").fetchone()
    except sqlite3.Error as error:
        return 0, f"{path} unreadable ({error}); the kiosk sets it aside at its next start"
    return int(count), ""


def check_font() -> Check:
    """A CJK font is installed: without it Chinese renders as boxes, on screen and on paper."""
    try:
        font = find_cjk_font()
    except FontMissing as error:
        return Check("font", Status.FAIL, True, str(error))
    return Check("font", Status.OK, True, f"{font.family} ({font.path})")


def check_display(environ: Mapping[str, str]) -> Check:
    """A display to show the UI on, or the kiosk configured to render offscreen."""
    for variable in ("WAYLAND_DISPLAY", "DISPLAY"):
        if environ.get(variable):
            return Check("display", Status.OK, False, f"{variable}={environ[variable]}")
    if environ.get("SDL_VIDEODRIVER") == "offscreen":
        return Check("display", Status.OK, False, "configured offscreen (SDL_VIDEODRIVER=offscreen)")
    return Check(
        "display",
        Status.WARN,
        False,
        "neither DISPLAY nor WAYLAND_DISPLAY is set: the UI would run offscreen (start the compositor)",
    )


def check_touch(input_dir: Path = Path("/dev/input")) -> Check:
    """Input event devices exist (a touch screen is one); names come from sysfs when readable."""
    events = sorted(input_dir.glob("event*"))
    if not events:
        return Check("touch", Status.WARN, False, f"no {input_dir}/event* devices: touch screen unplugged?")
    names = [_input_name(event.name) for event in events]
    touch = [name for name in names if "touch" in name.lower()]
    shown = f"; touch: {', '.join(touch)}" if touch else ""
    return Check("touch", Status.OK, False, f"{len(events)} input devices in {input_dir}{shown}")


def _input_name(event: str) -> str:
    try:
        return Path(f"/sys/class/input/{event}/device/name").read_text(encoding="utf-8").strip()
    except OSError:
        return event


def _size(count: int) -> str:
    if count >= 1024**3:
        return f"{count / 1024**3:.1f} GiB"
    return f"{count / 1024**2:.0f} MiB"


def utc_now() -> datetime:
    """The time checks compare against (a function, so tests can give their own)."""
    return datetime.now(UTC)
