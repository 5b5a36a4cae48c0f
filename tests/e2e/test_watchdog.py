"""A UI hung on purpose stops feeding the watchdog, and a restarted one feeds it again.

The test plays systemd's part of the protocol: it listens on NOTIFY_SOCKET, sets WATCHDOG_USEC,
and, like systemd with `WatchdogSec=` and `Restart=always`, kills the service when the pings stop
and starts it again.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

#: The real `kiosk` command, in a process that SIGUSR2 hangs (the kiosk itself has no such hook).
HANGING_KIOSK = [sys.executable, str(Path(__file__).with_name("hanging_ui.py"))]
WATCHDOG_SECONDS = 2.0


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[tuple[socket.socket, Path]]:
    path = tmp_path / "notify"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as receiver:
        receiver.bind(str(path))
        yield receiver, path


#: Stands in for cage: systemd's main process, which starts the UI, names itself in WATCHDOG_PID as
#: systemd does for the process it starts, and waits for the UI.
COMPOSITOR = (
    "import os, subprocess, sys; os.environ['WATCHDOG_PID'] = str(os.getpid()); "
    "sys.exit(subprocess.call(sys.argv[1:]))"
)


def start_ui(
    path: Path, tmp_path: Path, *, locked: bool = False, under_compositor: bool = False
) -> subprocess.Popen[bytes]:
    env = {key: value for key, value in os.environ.items() if key not in {"DISPLAY", "WAYLAND_DISPLAY"}}
    env.update(
        NOTIFY_SOCKET=str(path),
        WATCHDOG_USEC=str(int(WATCHDOG_SECONDS * 1_000_000)),
        KIOSK_DATA_DIR=str(tmp_path / "data"),
    )
    command = [*HANGING_KIOSK, "run"] if locked else [*HANGING_KIOSK, "run", "--windowed"]
    if under_compositor:
        command = [sys.executable, "-c", COMPOSITOR, *command]
    # Its own process group: a failing test kills the UI with its stand-in compositor.
    return subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )


def messages(receiver: socket.socket, seconds: float) -> list[str]:
    """Everything sent within `seconds`."""
    deadline = time.monotonic() + seconds
    seen: list[str] = []
    while (left := deadline - time.monotonic()) > 0:
        receiver.settimeout(left)
        try:
            seen.append(receiver.recv(512).decode())
        except TimeoutError:
            break
    return seen


def wait_for(receiver: socket.socket, prefix: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any(message.startswith(prefix) for message in messages(receiver, 0.5)):
            return
    raise AssertionError(f"no {prefix} within {seconds} s")


def test_a_hung_ui_stops_feeding_the_watchdog_and_a_restarted_one_feeds_it(
    notify_socket: tuple[socket.socket, Path], tmp_path: Path
) -> None:
    receiver, path = notify_socket
    ui = start_ui(path, tmp_path)
    try:
        wait_for(receiver, "READY=1", 60)
        assert messages(receiver, 3 * WATCHDOG_SECONDS).count("WATCHDOG=1") >= 3

        ui.send_signal(signal.SIGUSR2)  # the UI's main loop hangs
        messages(receiver, WATCHDOG_SECONDS / 2)  # pings already on their way
        assert "WATCHDOG=1" not in messages(receiver, 2 * WATCHDOG_SECONDS)
        assert ui.poll() is None  # the process lives on: only the watchdog can tell
        ui.send_signal(signal.SIGABRT)  # what systemd does when the watchdog fires
        ui.wait(10)
    finally:
        if ui.poll() is None:
            ui.kill()
            ui.wait(10)

    restarted = start_ui(path, tmp_path)
    try:
        wait_for(receiver, "READY=1", 60)
        assert messages(receiver, 2 * WATCHDOG_SECONDS).count("WATCHDOG=1") >= 2
    finally:
        restarted.terminate()
        restarted.wait(20)


def test_a_locked_kiosk_stops_cleanly_on_sigterm(
    notify_socket: tuple[socket.socket, Path], tmp_path: Path
) -> None:
    """systemd's stop (and a shutdown) sends SIGTERM: the kiosk that refuses every close still goes."""
    receiver, path = notify_socket
    ui = start_ui(path, tmp_path, locked=True)
    try:
        wait_for(receiver, "READY=1", 60)
        ui.send_signal(signal.SIGTERM)
        wait_for(receiver, "STOPPING=1", 20)
        assert ui.wait(timeout=20) == 0
    finally:
        if ui.poll() is None:
            ui.kill()
            ui.wait()


def test_under_the_compositor_the_ui_takes_the_watchdog_over(
    notify_socket: tuple[socket.socket, Path], tmp_path: Path
) -> None:
    """On the appliance systemd starts cage, so WATCHDOG_PID names cage, not the UI: the UI, cage's
    child, still feeds the watchdog, and stops feeding it when it hangs."""
    receiver, path = notify_socket
    compositor = start_ui(path, tmp_path, under_compositor=True)
    try:
        wait_for(receiver, "READY=1", 60)
        assert messages(receiver, 3 * WATCHDOG_SECONDS).count("WATCHDOG=1") >= 3
        children = Path(f"/proc/{compositor.pid}/task/{compositor.pid}/children").read_text().split()
        assert len(children) == 1
        ui = int(children[0])
        os.kill(ui, signal.SIGUSR2)  # the UI's main loop hangs
        messages(receiver, WATCHDOG_SECONDS / 2)  # pings already on their way
        assert "WATCHDOG=1" not in messages(receiver, 2 * WATCHDOG_SECONDS)
        os.kill(ui, signal.SIGABRT)  # what systemd does when the watchdog fires
        assert compositor.wait(timeout=20) != 0  # the compositor ends with its one application
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(compositor.pid, signal.SIGKILL)
        compositor.wait(10)
