"""When the screen of an unused kiosk goes black, and the rule that waking it does nothing else."""

from __future__ import annotations

import time
from collections.abc import Callable


class ScreenBlanking:
    """Black after `minutes` on the attract screen without a touch; 0 minutes means never."""

    def __init__(self, minutes: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.minutes = minutes
        self._clock = clock
        self._last_activity = clock()
        self.blank = False

    def activity(self) -> None:
        """Somebody touched the screen, or a session just ended: the quiet time starts again."""
        self._last_activity = self._clock()

    def due(self, resident_present: bool) -> bool:
        """Whether the screen should go black now."""
        if self.minutes <= 0 or resident_present or self.blank:
            return False
        return self._clock() - self._last_activity >= self.minutes * 60

    def wake(self) -> None:
        """The waking touch: the screen comes back, and that touch does nothing else."""
        self.blank = False
        self.activity()
