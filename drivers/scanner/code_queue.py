"""Codes handed from a scanner's reading thread to the kiosk, forgotten when the scanner closes."""

from __future__ import annotations

import queue

from kiosk.driver_api import ResidentCode


class ScannedCodes:
    """A queue of codes read but not taken yet; they may be personal data, so closing drops them."""

    def __init__(self) -> None:
        self._codes: queue.Queue[ResidentCode] = queue.Queue()

    def put(self, code: ResidentCode) -> None:
        """A code was read."""
        self._codes.put(code)

    def take(self, timeout: float) -> ResidentCode | None:
        """The next code, or None when none comes within `timeout`."""
        try:
            return self._codes.get(timeout=timeout)
        except queue.Empty:
            return None

    def empty(self) -> bool:
        """Whether no code is waiting."""
        return self._codes.empty()

    def forget(self) -> None:
        """Drop every code not taken."""
        while not self._codes.empty():
            self._codes.get_nowait()
