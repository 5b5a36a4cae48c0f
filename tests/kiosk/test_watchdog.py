from __future__ import annotations

import os
import socket
from pathlib import Path

from kiosk.watchdog import Liveness, SystemdNotifier, feed_watchdog
from tests.conftest import FakeClock


def listening(path: Path) -> socket.socket:
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    receiver.bind(str(path))
    receiver.settimeout(1)
    return receiver


def test_messages_reach_the_notify_socket(tmp_path: Path) -> None:
    with listening(tmp_path / "notify") as receiver:
        notifier = SystemdNotifier({"NOTIFY_SOCKET": str(tmp_path / "notify"), "WATCHDOG_USEC": "30000000"})
        assert notifier.ping_interval == 15
        notifier.ready("showing the attract screen")
        notifier.ping()
        assert receiver.recv(256) == b"READY=1\nSTATUS=showing the attract screen"
        assert receiver.recv(256) == b"WATCHDOG=1"


def test_abstract_socket_names_and_other_processes_watchdogs() -> None:
    name = f"kiosk-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as receiver:
        receiver.bind("\0" + name)
        receiver.settimeout(1)
        SystemdNotifier({"NOTIFY_SOCKET": "@" + name}).notify("STATUS=x")
        assert receiver.recv(64) == b"STATUS=x"
    # Neither this process nor its parent: above the kernel's largest pid (2**22).
    other = SystemdNotifier({"NOTIFY_SOCKET": "@x", "WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "4194305"})
    assert other.ping_interval is None  # the watchdog is for another process
    assert not other.takes_over


def test_the_watchdog_of_the_parent_compositor_is_taken_over(tmp_path: Path) -> None:
    """systemd's main process is cage, the UI its child: the UI feeds the watchdog."""
    with listening(tmp_path / "notify") as receiver:
        environ = {
            "NOTIFY_SOCKET": str(tmp_path / "notify"),
            "WATCHDOG_USEC": "30000000",
            "WATCHDOG_PID": str(os.getppid()),
        }
        notifier = SystemdNotifier(environ)
        assert notifier.takes_over and notifier.ping_interval == 15
        notifier.ping()
        assert receiver.recv(256) == b"WATCHDOG=1"
    mine = SystemdNotifier({**environ, "WATCHDOG_PID": str(os.getpid())})
    assert mine.ping_interval == 15 and not mine.takes_over  # started by systemd itself


def test_without_systemd_nothing_is_sent() -> None:
    notifier = SystemdNotifier({})
    assert not notifier.enabled and notifier.ping_interval is None
    notifier.ready()  # no socket, no error


def test_a_stalled_screen_stops_the_pings(tmp_path: Path, clock: FakeClock) -> None:
    with listening(tmp_path / "notify") as receiver:
        notifier = SystemdNotifier({"NOTIFY_SOCKET": str(tmp_path / "notify")})
        liveness = Liveness(max_stall=10, clock=clock)
        clock.advance(9)
        assert feed_watchdog(notifier, liveness)
        assert receiver.recv(64) == b"WATCHDOG=1"
        clock.advance(2)
        assert not feed_watchdog(notifier, liveness)  # 11 s without a frame
        liveness.frame_drawn()
        assert feed_watchdog(notifier, liveness)


def test_json_log_lines_for_journald() -> None:
    import json
    import logging

    from kiosk.log import JsonFormatter

    record = logging.LogRecord(
        "kiosk.session", logging.INFO, __file__, 1, "session %s ended: %s", ("ab12cd34", "idle"), None
    )
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "session ab12cd34 ended: idle"
    assert (
        entry["level"] == "INFO" and entry["logger"] == "kiosk.session" and entry["time"].endswith("+00:00")
    )
