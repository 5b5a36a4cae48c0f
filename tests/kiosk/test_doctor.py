"""The doctor's checks with injected values: disk, sync freshness, clock, display, touch, timeouts."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kiosk.doctor import Check, Status, overall, report_json, report_table, run_bounded, run_checks
from kiosk.doctor.report import CheckEnvironment
from kiosk.doctor.system import (
    DISK_FAIL_BYTES,
    DISK_WARN_BYTES,
    check_catalogue,
    check_clock,
    check_disk,
    check_display,
    check_sync,
    check_touch,
    release_installed_at,
)
from kiosk.guides import Catalogue, load_demo_if_empty
from kiosk.paths import catalogue_path
from kiosk.settings import LoadedSettings
from kiosk.sync.state import SyncStatus

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
REPO = "https://fleet.example/repo"


def usage(free: int) -> Callable[[Path], tuple[int, int]]:
    return lambda _: (free, 100 * 1024**3)


def test_disk_space_thresholds(tmp_path: Path) -> None:
    assert check_disk(tmp_path, usage(DISK_WARN_BYTES + 1)).status is Status.OK
    warn = check_disk(tmp_path, usage(DISK_WARN_BYTES - 1))
    assert warn.status is Status.WARN and str(tmp_path) in warn.detail
    fail = check_disk(tmp_path / "not" / "yet", usage(DISK_FAIL_BYTES - 1))
    assert fail.status is Status.FAIL and fail.critical and "free" in fail.detail


def test_sync_freshness_against_offline_after_hours() -> None:
    def status(hours_ago: float, error: str | None = None) -> SyncStatus:
        at = (NOW - timedelta(hours=hours_ago)).isoformat()
        return SyncStatus(last_success=at, last_error=error, last_error_at=at if error else None)

    off = check_sync("", None, 24, NOW)
    assert off.status is Status.OK and "not configured" in off.detail
    assert check_sync(REPO, status(2), 24, NOW).status is Status.OK
    stale = check_sync(REPO, status(30, "repository unreachable"), 24, NOW)
    assert stale.status is Status.WARN and not stale.critical
    assert "30.0 h ago" in stale.detail and "repository unreachable" in stale.detail
    never = check_sync(REPO, None, 24, NOW)
    assert never.status is Status.WARN and "never synced" in never.detail


def test_clock_sanity() -> None:
    installed = NOW - timedelta(days=30)
    assert check_clock(NOW, None, installed).status is Status.OK
    past = check_clock(datetime(2001, 1, 1, tzinfo=UTC), None, installed)
    assert past.status is Status.FAIL and "2001-01-01" in past.detail
    assert "before this release was installed (2026-10-28 12:00 UTC)" in past.detail
    # A day's slack for an install on a clock running a little fast; a lost clock is years out.
    assert check_clock(installed - timedelta(hours=23), None, installed).status is Status.OK
    assert check_clock(installed - timedelta(hours=25), None, installed).status is Status.FAIL
    assert check_clock(datetime(2001, 1, 1, tzinfo=UTC), None, None).status is Status.OK  # no floor known
    behind = check_clock(NOW, (NOW + timedelta(days=2)).isoformat(), installed)
    assert behind.status is Status.WARN and "last successful sync" in behind.detail


def test_the_clock_floor_is_when_this_release_was_installed_not_a_year_written_in_the_code(
    make_settings: Callable[..., LoadedSettings], tmp_path: Path
) -> None:
    installed = release_installed_at()
    assert installed is not None and installed <= datetime.now(UTC)  # the test's own install
    assert release_installed_at("no-such-kiosk-package") is None
    settings = make_settings().settings
    # The doctor's default machine dates this release from its package metadata: two days before
    # that the clock is lost, whatever year it is.
    lost = CheckEnvironment(now=lambda: installed - timedelta(days=2), timeout=5)
    clock = next(check for check in run_checks(settings, tmp_path / "data", lost) if check.name == "clock")
    assert clock.status is Status.FAIL and "before this release was installed" in clock.detail
    fine = CheckEnvironment(now=lambda: installed + timedelta(minutes=1), timeout=5)
    clock = next(check for check in run_checks(settings, tmp_path / "data", fine) if check.name == "clock")
    assert clock.status is Status.OK


def test_display_and_touch(tmp_path: Path) -> None:
    assert check_display({"WAYLAND_DISPLAY": "wayland-0"}).status is Status.OK
    assert check_display({"SDL_VIDEODRIVER": "offscreen"}).status is Status.OK
    assert check_display({}).status is Status.WARN
    assert check_touch(tmp_path).status is Status.WARN
    (tmp_path / "event0").touch()
    touch = check_touch(tmp_path)
    assert touch.status is Status.OK and "1 input devices" in touch.detail


def test_a_hung_check_fails_within_its_timeout() -> None:
    release = threading.Event()

    def hang() -> Check:
        release.wait(30)
        return Check("x", Status.OK, True, "")

    check = run_bounded("id_reader", True, hang, timeout=0.2)
    release.set()
    assert check.status is Status.FAIL and "no answer within 0.2 s" in check.detail


def test_a_check_that_raises_fails_with_the_cause() -> None:
    def broken() -> Check:
        raise OSError("port vanished")

    check = run_bounded("scanner", True, broken, timeout=1)
    assert check.status is Status.FAIL and "port vanished" in check.detail


def test_simulators_on_a_healthy_machine_are_all_ok(
    make_settings: Callable[..., LoadedSettings], tmp_path: Path
) -> None:
    (tmp_path / "input").mkdir()
    (tmp_path / "input" / "event3").touch()
    machine = CheckEnvironment(
        environ={"DISPLAY": ":0"},
        now=lambda: NOW,
        disk_usage=usage(DISK_WARN_BYTES * 4),
        input_dir=tmp_path / "input",
        installed_at=lambda: NOW - timedelta(days=30),
    )
    (tmp_path / "data").mkdir()
    catalogue = Catalogue.open(catalogue_path(tmp_path / "data"))
    load_demo_if_empty(catalogue)
    catalogue.close()
    checks = run_checks(make_settings().settings, tmp_path / "data", machine)
    names = "id_reader sscard_reader printer scanner speaker camera"
    names += " disk clock sync platform ratings fleet catalogue site font display touch"
    assert [c.name for c in checks] == names.split()
    assert all(c.status is Status.OK for c in checks), checks
    assert "simulated" in checks[0].detail
    assert overall(checks) is Status.OK


def test_only_a_critical_failure_fails_the_whole() -> None:
    warn = Check("sync", Status.FAIL, False, "x")
    assert overall([warn]) is Status.WARN
    assert overall([warn, Check("printer", Status.FAIL, True, "y")]) is Status.FAIL


def test_json_shape_and_table() -> None:
    checks = [
        Check("printer", Status.FAIL, True, "CUPS queue 'k' paused"),
        Check("sync", Status.OK, False, "x"),
    ]
    report = json.loads(report_json(checks, "k-1", NOW))
    assert report == {
        "kiosk_id": "k-1",
        "checked_at": "2026-11-27T12:00:00+00:00",
        "status": "fail",
        "checks": [
            {"name": "printer", "status": "fail", "critical": True, "detail": "CUPS queue 'k' paused"},
            {"name": "sync", "status": "ok", "critical": False, "detail": "x"},
        ],
    }
    lines = report_table(checks).splitlines()
    assert lines[0].split() == ["CHECK", "STATUS", "CRITICAL", "DETAIL"]
    assert lines[1].index("FAIL") == lines[2].index("OK") == lines[0].index("STATUS")
    assert lines[-1].startswith("overall: FAIL")


def test_catalogue_guides_and_what_was_set_aside(tmp_path: Path) -> None:
    missing = check_catalogue(tmp_path, "development")
    assert missing.status is Status.WARN and "no catalogue yet" in missing.detail
    path = catalogue_path(tmp_path)
    path.write_bytes(b"not a database" * 300)
    unreadable = check_catalogue(tmp_path, "development")
    assert unreadable.status is Status.WARN and "sets it aside at its next start" in unreadable.detail
    assert path.read_bytes().startswith(b"not a database")  # the doctor only reads

    Catalogue.open(path).close()  # set aside, an empty one in its place
    empty = check_catalogue(tmp_path, "development")
    assert empty.status is Status.WARN and "0 guides" in empty.detail and "set aside" in empty.detail
    for aside in tmp_path.glob("guides.db.unusable-*"):
        aside.unlink()
    assert "no guide until a sync" in check_catalogue(tmp_path, "development").detail
    catalogue = Catalogue.open(path)
    loaded = load_demo_if_empty(catalogue)
    catalogue.close()
    served = check_catalogue(tmp_path, "development")
    assert served.status is Status.OK and served.detail.startswith(f"{loaded} guides in ") and loaded > 100
    assert not served.critical
