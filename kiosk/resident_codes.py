"""Identifying by a resident's code (居民码, an electronic certificate) shown to the kiosk's scanner.

While the identify screen shows, a watch reads the codes held to the scanner: a resident code
identifies the resident (the platform knows who holds it; the kiosk keeps the code in the session
only), anything else gets a sentence saying what to show instead.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kiosk.bus import EventBus
from kiosk.events import IdentityReadFailed, Navigated
from kiosk.i18n import N_
from kiosk.journey import Screen
from kiosk.records import CardKind, ResidentCode
from kiosk.session import ResidentSession

log = logging.getLogger(__name__)

#: What a resident is told when the code shown is not one the kiosk can use (message id).
NOT_A_RESIDENT_CODE = N_(
    "This is not a resident code. Please show your resident code or e-certificate, or ask at the counter."
)
#: Seconds each wait for a code lasts (the watch ends soon after the identify screen does).
POLL = 0.5


@dataclass(frozen=True)
class CodeVerdict:
    """Whether a scanned code is a resident code; if not, the sentence (message id) to show."""

    recognised: bool
    message: str = ""


class ResidentCodes:
    """Recognises resident codes by the configured patterns and keeps them in the session only."""

    def __init__(self, patterns: Sequence[str], session: ResidentSession) -> None:
        self._patterns = [re.compile(pattern) for pattern in patterns]
        self._session = session

    def matches(self, code: ResidentCode) -> bool:
        """Whether the code's text matches one of the resident-code patterns."""
        return any(pattern.fullmatch(code.data) for pattern in self._patterns)

    def accept(self, code: ResidentCode) -> CodeVerdict:
        """Identify the resident by a resident code (held by the session, never elsewhere); refuse
        anything else with a sentence."""
        if not self.matches(code):
            return CodeVerdict(recognised=False, message=NOT_A_RESIDENT_CODE)
        self._session.identify(code)
        return CodeVerdict(recognised=True)


class ResidentCodeWatch:
    """Reads the scanner while the identify screen shows, on a thread of its own that ends with it."""

    def __init__(
        self,
        codes: ResidentCodes,
        scan: Callable[[float], ResidentCode | None],
        bus: EventBus,
        showing: Callable[[], bool],
    ) -> None:
        self._codes = codes
        self._scan = scan
        self._bus = bus
        self._showing = showing
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        bus.subscribe(Navigated, self._on_navigated)

    def _on_navigated(self, event: Navigated) -> None:
        if event.screen is not Screen.IDENTIFY:
            return
        with self._lock:  # one watch at a time, whichever thread announced the screen
            if self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(target=self._watch, name="kiosk-resident-codes", daemon=True)
            self._thread.start()

    def _watch(self) -> None:
        while self._showing():
            try:
                code = self._scan(POLL)
            except Exception as error:  # a scanner's failure ends the watch; the cards still work
                if self._showing():  # not when the kiosk closed its scanner under the watch
                    log.warning("scanner: resident codes not read (%s)", type(error).__name__)
                return
            if code is None or not self._showing():
                continue
            verdict = self._codes.accept(code)
            if verdict.recognised:
                log.info("resident identified by a resident code")
            else:
                self._bus.publish(IdentityReadFailed(CardKind.RESIDENT_CODE, verdict.message))
