"""A black screen for the quiet hours (or the fleet's `blank`); the touch that wakes it is swallowed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.graphics import Color, Rectangle
from kivy.uix.modalview import ModalView


class BlankScreen(ModalView):
    """Covers the whole window in black and takes every touch until one wakes the kiosk."""

    def __init__(
        self, on_wake: Callable[[], None], stays: Callable[[], bool] = lambda: False, **kwargs: Any
    ) -> None:
        super().__init__(auto_dismiss=False, size_hint=(1, 1), background_color=(0, 0, 0, 1), **kwargs)
        self._on_wake = on_wake
        #: Whether a touch must not wake it now (the fleet's `blank` stays until its `unblank`).
        self._stays = stays
        with self.canvas.before:
            Color(0, 0, 0, 1)
            self._cover = Rectangle(pos=self.pos, size=self.size)
        self.bind(pos=self._cover_window, size=self._cover_window)

    def on_touch_down(self, touch: Any) -> bool:
        touch.grab(self)
        return True

    def on_touch_up(self, touch: Any) -> bool:
        if touch.grab_current is self:
            touch.ungrab(self)
            if self._stays():
                return True
            self.dismiss(animation=False)
            self._on_wake()
        return True

    def on_touch_move(self, touch: Any) -> bool:
        return True

    def _cover_window(self, *_args: Any) -> None:
        self._cover.pos = self.pos
        self._cover.size = self.size
