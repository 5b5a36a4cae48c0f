"""Identifying by a resident's code (居民码, an electronic certificate) shown to the kiosk's scanner.

While the identify screen shows, a watch reads the codes held to the scanner: a resident code
identifies the resident (the platform knows who holds it; the kiosk keeps the code in the session
only), anything else gets a sentence saying what to show instead.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kiosk.bus import EventBus
from kiosk.events import IdentityReadFailed, Navigated
from kiosk.i18n import N_
from kiosk.journey import Screen
from kiosk.records import CardKind, ResidentCode
from kiosk.scanning import ScreenScan
from kiosk.session import ResidentSession

log = logging.getLogger(__name__)

#: What a resident is told when the code shown is not one the kiosk can use (message id).
NOT_A_RESIDENT_CODE = N_(
    "This is not a resident code. Please show your resident code or e-certificate, or ask at the counter."
)


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
    """Reads resident codes from the scanner while the identify screen shows."""

    def __init__(
        self,
        codes: ResidentCodes,
        scan: Callable[[float], ResidentCode | None],
        bus: EventBus,
        showing: Callable[[], bool],
    ) -> None:
        self._codes = codes
        self._bus = bus
        self._scan = ScreenScan("resident codes", scan, showing, self._on_code)
        bus.subscribe(Navigated, self._on_navigated)

    def _on_navigated(self, event: Navigated) -> None:
        if event.screen is Screen.IDENTIFY:
            self._scan.start()

    def _on_code(self, code: ResidentCode) -> None:
        verdict = self._codes.accept(code)
        if verdict.recognised:
            log.info("resident identified by a resident code")
        else:
            self._bus.publish(IdentityReadFailed(CardKind.RESIDENT_CODE, verdict.message))
