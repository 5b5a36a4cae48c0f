"""scripts/with-platform-sim (what `make run PLATFORM=sim` runs): the kiosk's command runs against the
platform simulator, and the simulator is gone afterwards, however the command ended."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from kiosk.platform.sim_data import halls_settings
from tests.daemons import free_port

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "with-platform-sim"
KIOSK = str(Path(sys.executable).with_name("kiosk"))


def _env(tmp_path: Path) -> dict[str, str]:
    site = tmp_path / "kiosk.toml"
    site.write_text("", encoding="utf-8")  # no site settings of this machine's: only the script's
    return {
        **os.environ,
        "KIOSK_CONFIG": str(site),
        "KIOSK_DATA_DIR": str(tmp_path / "data"),
        "PLATFORM_SIM_PORT": str(free_port()),
        "PLATFORM_SIM_LOG": str(tmp_path / "platform-sim.log"),
    }


def _simulator_pid(output: str) -> int:
    found = re.search(r"platform simulator on http://127\.0\.0\.1:\d+ \(pid (\d+),", output)
    assert found, f"the script did not name the simulator's PID:\n{output}"
    return int(found[1])


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_kiosk_platform_check_passes_against_the_simulator_and_the_simulator_is_stopped(
    tmp_path: Path,
) -> None:
    result = subprocess.run(
        [str(SCRIPT), KIOSK, "platform", "check"],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert result.returncode == 0, output
    assert result.stdout.startswith("ok: the gateway accepted a signed call"), output
    assert _gone(_simulator_pid(result.stderr)), output


def test_the_commands_exit_status_is_kept_and_the_simulator_is_stopped(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(SCRIPT), "sh", "-c", "exit 3"],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 3, result.stderr
    assert _gone(_simulator_pid(result.stderr)), result.stderr


def test_ctrl_c_stops_the_command_and_the_simulator(tmp_path: Path) -> None:
    output = tmp_path / "output"
    with output.open("w") as sink:
        script = subprocess.Popen(
            [str(SCRIPT), "sleep", "60"],
            env=_env(tmp_path),
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as a terminal's foreground job
        )
    deadline = time.monotonic() + 30
    while "platform simulator on" not in output.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    pid = _simulator_pid(output.read_text())
    os.killpg(script.pid, signal.SIGINT)  # what Ctrl-C does: the whole foreground group
    assert script.wait(timeout=30) == 130, output.read_text()
    assert _gone(pid), output.read_text()


def test_the_kiosk_gets_the_simulators_halls_for_appointments(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(SCRIPT), KIOSK, "config", "show", "--json"],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["platform"]["halls"] == halls_settings()
