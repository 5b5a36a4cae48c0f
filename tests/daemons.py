"""Real daemons for tests (cupsd, pcscd, mosquitto, ...): started by the test session, stopped by PID.

Usage, in a conftest:

    @pytest.fixture(scope="session")
    def cupsd(tmp_path_factory):
        with Daemon("cupsd", ["/usr/sbin/cupsd", "-f", "-c", conf], ready=lambda: ...) as daemon:
            yield daemon
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType

import pytest


class DaemonFailed(RuntimeError):
    """The daemon exited or never became ready; the message carries the end of its output and of
    the log files it writes its reasons to (cupsd says why it stopped only in its error_log)."""


class Daemon:
    """One daemon process: started, waited on until `ready()` is true, stopped by its PID."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        ready: Callable[[], bool],
        log: Path,
        *,
        env: dict[str, str] | None = None,
        timeout: float = 20.0,
        own_logs: Sequence[Path] = (),
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.ready = ready
        self.log = log
        #: Log files the daemon writes itself, besides its stdout and stderr (`log`).
        self.own_logs = list(own_logs)
        self.env = env
        self.timeout = timeout
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        """The PID of the running daemon."""
        assert self.process is not None, f"{self.name} is not running"
        return self.process.pid

    def start(self) -> Daemon:
        """Start the daemon and wait until it answers."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                self.argv,
                stdout=output,
                stderr=subprocess.STDOUT,
                env={**os.environ, **(self.env or {})},
                start_new_session=True,
            )
        deadline = time.monotonic() + self.timeout
        while not self.ready():
            if self.process.poll() is not None:
                raise DaemonFailed(f"{self.name} exited with {self.process.returncode}:\n{self.tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise DaemonFailed(f"{self.name} not ready after {self.timeout} s:\n{self.tail()}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        """Stop the daemon (TERM, then KILL) and wait for it."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)

    def restart(self) -> None:
        """Stop and start again (a daemon that went away and came back)."""
        self.stop()
        self.start()

    def tail(self, lines: int = 20) -> str:
        """The last lines of its output and of each of its own log files, each under its path."""
        parts = []
        for path in (self.log, *self.own_logs):
            text = path.read_text(errors="replace").splitlines()[-lines:] if path.exists() else []
            parts.append(f"--- {path} ({'last lines' if text else 'empty or missing'})")
            parts.extend(text)
        return "\n".join(parts)

    def __enter__(self) -> Daemon:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


def port_open(port: int, host: str = "127.0.0.1") -> Callable[[], bool]:
    """A readiness check: something accepts TCP connections on host:port."""

    def check() -> bool:
        with socket.socket() as probe:
            probe.settimeout(0.2)
            return probe.connect_ex((host, port)) == 0

    return check


def free_port() -> int:
    """A TCP port on loopback that nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def require_executable(path: str) -> str:
    """The executable's path; fails the test (never skips it) when make test should have installed it."""
    found = shutil.which(path) or (path if os.access(path, os.X_OK) else None)
    if found is None:
        pytest.fail(f"{path} is missing: scripts/install-deps installs it (run make test)")
    return found


def serve_directory(directory: Path, log: Path) -> tuple[Daemon, str]:
    """A real HTTP server (python -m http.server) for `directory` on a free loopback port."""
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "http.server",
        str(port),
        "--bind",
        "127.0.0.1",
        "--directory",
        str(directory),
    ]
    return Daemon("http.server", argv, ready=port_open(port), log=log), f"http://127.0.0.1:{port}"
