"""A resident step's deadline, and the watch that holds a connection to it.

requests' timeouts bound each socket operation, not a whole answer: a gateway that sends one byte
every second never trips them. The watch shuts the connection's socket down when the step's time is
up, which wakes a blocked read wherever it is (the status line, the headers or the body).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Deadline:
    """The end of one step on the monotonic clock: every attempt and every wait fits inside it."""

    seconds: float
    clock: Callable[[], float] = time.monotonic
    end: float = field(init=False)

    def __post_init__(self) -> None:
        self.end = self.clock() + self.seconds

    def remaining(self) -> float:
        """Seconds left, never negative."""
        return max(0.0, self.end - self.clock())

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0


class SocketWatch:
    """Shuts a socket down at the deadline unless disarmed first (one watch per attempt)."""

    def __init__(self, deadline: Deadline) -> None:
        self._deadline = deadline
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._socket: socket.socket | None = None
        self.fired = False

    def arm(self, sock: socket.socket | None) -> None:
        """Watch `sock` from now until `disarm` (called as the request goes out)."""
        if sock is None:
            return
        with self._lock:
            self._socket = sock
            if self._timer is None:
                self._timer = threading.Timer(self._deadline.remaining(), self._fire)
                self._timer.daemon = True
                self._timer.start()

    def disarm(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = None
            self._socket = None

    def _fire(self) -> None:
        with self._lock:
            if self._socket is None:
                return
            self.fired = True
            with contextlib.suppress(OSError):  # already closed: nothing is blocked on it
                self._socket.shutdown(socket.SHUT_RDWR)


#: The watch of the attempt running on this thread, which the connection arms (kiosk.platform.transport).
current_watch = threading.local()


__all__ = ["Deadline", "SocketWatch", "current_watch"]
