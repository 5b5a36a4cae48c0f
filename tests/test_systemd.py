from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd is installed by make test")
@pytest.mark.parametrize("unit", sorted(path.name for path in (ROOT / "systemd").glob("*.*")))
def test_unit_passes_systemd_analyze_verify(tmp_path: Path, unit: str) -> None:
    # The units point at the appliance's install path; verify them against this checkout's venv.
    kiosk = Path(sys.executable).with_name("kiosk")
    for path in (ROOT / "systemd").glob("*.*"):
        text = path.read_text(encoding="utf-8")
        (tmp_path / path.name).write_text(
            text.replace("/opt/kiosk/.venv/bin/kiosk", str(kiosk)), encoding="utf-8"
        )
    result = subprocess.run(
        ["systemd-analyze", "verify", str(tmp_path / unit)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == ""
