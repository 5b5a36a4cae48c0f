"""An in-memory code scanner: codes are shown to it by the demo or a test."""

from __future__ import annotations

from drivers.scanner.code_queue import ScannedCodes
from kiosk.driver_api import DriverContext, ResidentCode, ScannerSection


class SimCodeScanner:
    """Returns the codes shown to it, in order. Implements kiosk.ports.CodeScanner."""

    def __init__(self, section: ScannerSection, context: DriverContext) -> None:
        self._codes = ScannedCodes()

    def show(self, code: ResidentCode) -> None:
        """Hold a code in front of the scanner."""
        self._codes.put(code)

    def scan(self, timeout: float) -> ResidentCode | None:
        """The next code shown, or None when none comes within `timeout`."""
        return self._codes.take(timeout)

    def close(self) -> None:
        """Forget codes not scanned yet (they are personal data)."""
        self._codes.forget()
