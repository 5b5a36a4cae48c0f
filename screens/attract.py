"""The attract screen: what the kiosk shows while nobody uses it.

Technician mode opens from here by a hidden gesture: a finger held still for `long_press_seconds`
in the top-right corner (where the clock is). A short touch there wakes the kiosk like a touch
anywhere else; the long press wakes nothing, and opens the PIN pad while the finger is still down.
A resident who taps, swipes or rests a palm elsewhere never meets it; one who holds the corner
for three seconds sees a PIN pad with a way back.
"""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.metrics import dp

from screens.base import KioskScreen

#: The corner's side (a square in the top-right), and how far the finger may drift while held.
CORNER = dp(160)
DRIFT = dp(40)


class AttractScreen(KioskScreen):
    """Anywhere on the screen wakes the kiosk; the waking touch does nothing else."""

    #: How long the finger rests on the corner to open technician mode.
    long_press_seconds = 3.0

    def on_touch_down(self, touch: Any) -> bool:
        touch.grab(self)
        if self._in_corner(touch):
            touch.ud["technician_press"] = Clock.schedule_once(
                lambda _dt: self._open_technician(touch), self.long_press_seconds
            )
        return True

    def on_touch_move(self, touch: Any) -> bool:
        press = touch.ud.get("technician_press")
        if press is not None and abs(touch.x - touch.ox) + abs(touch.y - touch.oy) > DRIFT:
            press.cancel()  # a swipe is not a long press
        return True

    def on_touch_up(self, touch: Any) -> bool:
        if touch.grab_current is self:
            touch.ungrab(self)
            press = touch.ud.pop("technician_press", None)
            if press is not None:
                press.cancel()
            if not touch.ud.get("technician_opened"):
                App.get_running_app().kiosk.journey.wake()
        return True

    def _in_corner(self, touch: Any) -> bool:
        return bool(touch.x >= self.right - CORNER and touch.y >= self.top - CORNER)

    def _open_technician(self, touch: Any) -> None:
        touch.ud["technician_opened"] = True
        App.get_running_app().kiosk.technician.begin()
