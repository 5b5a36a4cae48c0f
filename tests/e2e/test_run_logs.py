"""`kiosk run` started as kiosk.service starts it writes only JSON lines to stderr (journald)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from tests.e2e.test_watchdog import wait_for

#: The installed command, as kiosk.service runs it.
KIOSK = str(Path(sys.executable).with_name("kiosk"))


def test_kiosk_run_with_json_logging_writes_only_json_lines(tmp_path: Path) -> None:
    journal = tmp_path / "stderr.log"
    env = {key: value for key, value in os.environ.items() if key not in {"DISPLAY", "WAYLAND_DISPLAY"}}
    env.update(
        NOTIFY_SOCKET=str(tmp_path / "notify"),
        KIOSK_DATA_DIR=str(tmp_path / "data"),
        KIOSK__LOGGING__FORMAT="json",  # as systemd/kiosk.service sets it
    )
    with (
        socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as receiver,
        journal.open("wb") as stderr,
    ):
        receiver.bind(env["NOTIFY_SOCKET"])
        ui = subprocess.Popen(
            [KIOSK, "run"], env=env, stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True
        )
        try:
            wait_for(receiver, "READY=1", 60)
            ui.send_signal(signal.SIGTERM)
            assert ui.wait(timeout=20) == 0
        finally:
            if ui.poll() is None:
                os.killpg(ui.pid, signal.SIGKILL)
                ui.wait(10)
    lines = journal.read_text(encoding="utf-8").splitlines()
    assert any("running offscreen" in line for line in lines)  # it logged, so lines were checked
    for line in lines:
        entry = json.loads(line)
        assert entry.keys() >= {"time", "level", "logger", "message", "session"}, line
        assert entry["session"] is None, line  # nobody touched the screen
