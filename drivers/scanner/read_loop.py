"""What every scanner that reads on a thread of its own shares: the thread, its guard, the codes read."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable

from drivers.scanner.code_queue import ScannedCodes
from kiosk.driver_api import ResidentCode, ThreadGuard


class ThreadedScanner(ABC):
    """A kiosk.ports.CodeScanner whose device is read on its own thread, never the UI's.

    The thread runs `_run`, which hands one pass of reading (a frame looked at, the bytes waiting
    read) to `_read_until_closed`; each pass runs inside `guard`, so whatever a device or what it
    sends does costs that pass, not the thread. Codes go to `_codes` until the kiosk takes them.
    A subclass sets up its device, then calls `_start_reading`.
    """

    def __init__(self, thread_name: str) -> None:
        self._codes = ScannedCodes()
        self._stop = threading.Event()
        #: Keeps the thread reading whatever the device or what it sends does; counts the failures.
        self.guard = ThreadGuard("scanner", pause=lambda: 0.5, stop=self._stop)
        self._thread = threading.Thread(target=self._run, name=thread_name, daemon=True)

    def _start_reading(self) -> None:
        self._thread.start()

    def scan(self, timeout: float) -> ResidentCode | None:
        """The next code read, or None when none comes within `timeout`."""
        return self._codes.take(timeout)

    def close(self) -> None:
        """Stop reading, release the device, and forget codes not taken (personal data)."""
        self._stop.set()
        self._thread.join(timeout=2)
        self._release()
        self._codes.forget()

    def _read_until_closed(self, read_once: Callable[[], None]) -> None:
        while not self._stop.is_set():
            with self.guard:
                read_once()

    @abstractmethod
    def _run(self) -> None:
        """The reading thread: passes of `_read_until_closed` until close()."""

    @abstractmethod
    def _release(self) -> None:
        """Give the device back and drop what the reading kept; the thread was told to stop."""
