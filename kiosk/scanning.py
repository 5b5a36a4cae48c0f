"""Reading the code scanner while one screen shows: on a thread of its own, one at a time.

The identify screen reads resident codes (kiosk.resident_codes), the case entry reads receipts
(kiosk.desk): each starts a `ScreenScan` when its screen shows; the scan ends soon after the
screen does (within one `POLL`), and starting it again while it runs does nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from kiosk.records import ResidentCode

log = logging.getLogger(__name__)

#: Seconds each wait for a code lasts: how long a scan may outlive its screen.
POLL = 0.5


class ScreenScan:
    """Hands each code shown to the scanner to `on_code` while `showing()` holds."""

    def __init__(
        self,
        name: str,
        scan: Callable[[float], ResidentCode | None],
        showing: Callable[[], bool],
        on_code: Callable[[ResidentCode], None],
    ) -> None:
        self._name = name
        self._scan = scan
        self._showing = showing
        self._on_code = on_code
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Read the scanner from now on while the screen shows (nothing when already reading)."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(target=self._run, name=f"kiosk-{self._name}", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while self._showing():
            try:
                code = self._scan(POLL)
            except Exception as error:  # a scanner's failure ends the reading; typing and cards work
                if self._showing():  # not when the kiosk closed its scanner under the reading
                    log.warning("scanner: %s not read (%s)", self._name, type(error).__name__)
                return
            if code is not None and self._showing():
                self._on_code(code)


__all__ = ["POLL", "ScreenScan"]
