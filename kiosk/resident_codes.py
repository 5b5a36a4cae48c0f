"""Telling a resident's code (居民码, an electronic certificate) from any other code shown to the kiosk."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from kiosk.i18n import N_
from kiosk.records import ResidentCode
from kiosk.session import ResidentSession

#: What a resident is told when the code shown is not one the kiosk can use (message id).
NOT_A_RESIDENT_CODE = N_(
    "This is not a resident code. Please show your resident code or e-certificate, or ask at the counter."
)
#: The session key a recognised resident code is kept under (personal data: the session only).
SESSION_KEY = "resident_code"


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
        """Keep a resident code in the session (never elsewhere); refuse anything else with a sentence."""
        if not self.matches(code):
            return CodeVerdict(recognised=False, message=NOT_A_RESIDENT_CODE)
        self._session.keep_personal(SESSION_KEY, code)
        return CodeVerdict(recognised=True)
