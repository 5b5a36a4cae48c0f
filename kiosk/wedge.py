"""Recognising a keyboard-wedge (HID) scanner: a fast burst of keystrokes ending in Enter.

A wedge scanner types its code as a keyboard would, a few milliseconds per key, then Enter. A
person types tens of times slower. Keys are held back for at most `max_gap` seconds; a burst that
ends in Enter is a scanned code, anything slower is handed back as typing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

ENTER = "\n"


@dataclass(frozen=True, repr=False)
class WedgeInput:
    """What a key (or the passing of time) produced: a scanned code, typed text, or nothing yet."""

    code: str = ""
    typed: str = ""

    def __repr__(self) -> str:
        # The code may be a resident's: show its length, not its text.
        return f"WedgeInput(code={len(self.code)} chars, typed={len(self.typed)} chars)"


class WedgeRecogniser:
    """Splits a stream of keys into scanned codes and a person's typing. Pure; the clock is injected."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        max_gap: float = 0.035,
        min_length: int = 4,
    ) -> None:
        self._clock = clock
        self.max_gap = max_gap
        self.min_length = min_length
        self._burst = ""
        self._last = 0.0

    def key(self, char: str) -> WedgeInput:
        """Feed one key: a printable character, or ENTER."""
        now = self._clock()
        slow = bool(self._burst) and now - self._last > self.max_gap
        typed = self._burst if slow else ""
        burst = "" if slow else self._burst
        self._last = now
        if char == ENTER:
            self._burst = ""
            if len(burst) >= self.min_length:
                return WedgeInput(code=burst, typed=typed)
            return WedgeInput(typed=typed + burst + ENTER)
        self._burst = burst + char
        return WedgeInput(typed=typed)

    def tick(self) -> WedgeInput:
        """Release keys held back longer than `max_gap`: no scanner pauses that long mid-code."""
        if self._burst and self._clock() - self._last > self.max_gap:
            typed, self._burst = self._burst, ""
            return WedgeInput(typed=typed)
        return WedgeInput()
