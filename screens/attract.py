"""The attract screen: what the kiosk shows while nobody uses it."""

from __future__ import annotations

from typing import Any

from kivy.app import App

from screens.base import KioskScreen


class AttractScreen(KioskScreen):
    """Anywhere on the screen wakes the kiosk; the waking touch does nothing else."""

    def on_touch_down(self, touch: Any) -> bool:
        touch.grab(self)
        return True

    def on_touch_up(self, touch: Any) -> bool:
        if touch.grab_current is self:
            touch.ungrab(self)
            App.get_running_app().kiosk.journey.wake()
        return True
