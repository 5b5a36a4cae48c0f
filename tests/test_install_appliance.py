"""scripts/install-appliance, into a throwaway root: its plan, what it writes, and idempotence."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "install-appliance"
# Users, packages and services cannot be managed inside a throwaway root: those steps stay planned.
SYSTEM_STEPS = ("install Debian packages", "create the system user kiosk", "enable kiosk.service")


def install(root: Path, *options: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--root", str(root), *options],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.splitlines()


def planned(lines: list[str], verb: str) -> list[str]:
    return [line.split(None, 1)[1] for line in lines if line.startswith(verb)]


def test_the_dry_run_plans_everything_and_changes_nothing(tmp_path: Path) -> None:
    lines = install(tmp_path, "--dry-run")
    plan = planned(lines, "plan")
    assert any(step.startswith("install Debian packages: cage ") for step in plan)
    for expected in (
        "directory /var/lib/kiosk (mode 750, owner kiosk)",
        "copy the project to /opt/kiosk and install it into /opt/kiosk/.venv",
        "write /etc/systemd/system/kiosk.service (mode 644)",
        "write /etc/systemd/system/kiosk-sync.timer (mode 644)",
        "write /etc/systemd/journald.conf.d/kiosk.conf (mode 644)",
    ):
        assert expected in plan
    assert any("PreserveJobFiles No" in step for step in plan)
    assert list(tmp_path.iterdir()) == []


def test_installing_twice_changes_nothing_the_second_time(tmp_path: Path) -> None:
    install(tmp_path)
    assert (tmp_path / "etc/systemd/system/kiosk.service").read_bytes() == (
        ROOT / "systemd/kiosk.service"
    ).read_bytes()
    assert (tmp_path / "var/lib/kiosk").stat().st_mode & 0o777 == 0o750
    assert "PreserveJobFiles No" in (tmp_path / "etc/cups/cups-files.conf").read_text()
    assert (tmp_path / "opt/kiosk/kiosk/session.py").is_file()
    second = planned(install(tmp_path), "apply")
    assert all(step.startswith(SYSTEM_STEPS) for step in second), second
