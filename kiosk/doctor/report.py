"""All the checks of a kiosk in order, and the report for people (a table) and machines (JSON)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from kiosk.devices import DriverContext
from kiosk.doctor import devices, fleet, online, services, system
from kiosk.doctor.check import Check, Status, overall, run_bounded
from kiosk.paths import state_path
from kiosk.settings import Settings
from kiosk.sync.state import SyncState, SyncStatus

#: Seconds any single check may take before it counts as hung.
CHECK_TIMEOUT = 10.0


@dataclass(frozen=True)
class CheckEnvironment:
    """What the checks read from the machine; tests give their own values."""

    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    now: Callable[[], datetime] = system.utc_now
    #: When this release was installed here: a clock before it has lost its time.
    installed_at: Callable[[], datetime | None] = system.release_installed_at
    disk_usage: system.DiskUsage | None = None
    input_dir: Path = Path("/dev/input")
    timeout: float = CHECK_TIMEOUT


def run_checks(settings: Settings, data: Path, machine: CheckEnvironment | None = None) -> list[Check]:
    """Every check of this kiosk, each bounded by the machine's timeout, in a stable order."""
    machine = machine or CheckEnvironment()
    now = machine.now()
    sync_status = _sync_status(data)
    usage = machine.disk_usage
    probes = _device_probes(settings, data, machine)
    probes += [
        ("disk", True, lambda: system.check_disk(data, usage) if usage else system.check_disk(data)),
        (
            "clock",
            True,
            lambda: system.check_clock(
                now, sync_status.last_success if sync_status else None, machine.installed_at()
            ),
        ),
        (
            "sync",
            False,
            lambda: system.check_sync(
                settings.sync.repo_url, sync_status, settings.sync.offline_after_hours, now
            ),
        ),
        ("platform", False, lambda: online.check_platform(settings.platform)),
        ("ratings", False, lambda: online.check_ratings(data)),
        ("fleet", False, lambda: fleet.check_fleet(settings.fleet, settings.kiosk.id, data)),
        (
            "catalogue",
            settings.kiosk.mode == "appliance",  # residents find no guide on an appliance without one
            lambda: system.check_catalogue(data, settings.kiosk.mode),
        ),
        # Critical only on an appliance: its printouts and its fleet reports would name the demo.
        ("site", settings.kiosk.mode == "appliance", lambda: system.check_site(settings.kiosk)),
        ("font", True, system.check_font),
        ("display", False, lambda: system.check_display(machine.environ)),
        ("touch", False, lambda: system.check_touch(machine.input_dir)),
    ]
    return [run_bounded(name, critical, probe, machine.timeout) for name, critical, probe in probes]


def device_checks(settings: Settings, data: Path, machine: CheckEnvironment | None = None) -> list[Check]:
    """The checks of the configured devices and the daemons they need (what provisioning tests)."""
    machine = machine or CheckEnvironment()
    probes = _device_probes(settings, data, machine)
    return [run_bounded(name, critical, probe, machine.timeout) for name, critical, probe in probes]


def _device_probes(
    settings: Settings, data: Path, machine: CheckEnvironment
) -> list[tuple[str, bool, Callable[[], Check]]]:
    context = DriverContext(data_dir=data, kiosk_id=settings.kiosk.id)
    configured = settings.devices
    mode = settings.kiosk.mode
    probes: list[tuple[str, bool, Callable[[], Check]]] = [
        ("id_reader", True, lambda: devices.check_id_reader(configured.id_reader, context, mode)),
        (
            "sscard_reader",
            True,
            lambda: devices.check_sscard_reader(configured.sscard_reader, context, mode),
        ),
        ("printer", True, lambda: devices.check_printer(configured.printer, context, mode)),
        ("scanner", True, lambda: devices.check_scanner(configured.scanner, context, mode)),
        ("speaker", True, lambda: devices.check_speaker(configured.speaker, context, mode)),
        ("camera", True, lambda: devices.check_camera(configured.camera, context, mode)),
    ]
    if configured.printer.driver == "cups":
        server = configured.printer.driver_setting("server")
        probes.append(("cups", True, lambda: services.check_cups(server, machine.environ)))
    if configured.sscard_reader.driver == "pcsc":
        probes.append(("pcscd", True, lambda: services.check_pcscd(machine.environ)))
    return probes


def _sync_status(data: Path) -> SyncStatus | None:
    """The stored sync status; None when the kiosk never synced (the doctor creates no database)."""
    path = state_path(data)
    if not path.exists():
        return None
    state = SyncState(path)
    try:
        return state.status()
    finally:
        state.close()


def report_json(checks: Sequence[Check], kiosk_id: str, checked_at: datetime) -> str:
    """The machines' report: the overall status and every check."""
    return json.dumps(
        {
            "kiosk_id": kiosk_id,
            "checked_at": checked_at.isoformat(timespec="seconds"),
            "status": str(overall(checks)),
            "checks": [check.as_json() for check in checks],
        },
        ensure_ascii=False,
        indent=2,
    )


def report_table(checks: Sequence[Check]) -> str:
    """The people's report: aligned columns, status words, a critical mark, and the overall line."""
    rows = [("CHECK", "STATUS", "CRITICAL", "DETAIL")]
    rows += [(c.name, c.status.upper(), "yes" if c.critical else "no", c.detail) for c in checks]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)) + "  " + row[3]
        for row in rows
    ]
    verdict = overall(checks)
    summary = {
        Status.OK: "all checks ok",
        Status.WARN: "working, with warnings",
        Status.FAIL: "a critical check failed: the kiosk cannot serve residents",
    }[verdict]
    return "\n".join([*lines, "", f"overall: {verdict.upper()} ({summary})"])
