"""Simulated touches that go through Kivy's real input pipeline, for the tour and the UI tests."""

from __future__ import annotations

import itertools
from typing import Any

from kivy.base import EventLoop
from kivy.input.motionevent import MotionEvent
from kivy.uix.widget import Widget

_ids = itertools.count(1)


class SimulatedTouch(MotionEvent):
    """A finger at window coordinates (x, y), dispatched as if the touch screen had reported it."""

    def __init__(self, x: float, y: float) -> None:
        window = EventLoop.window
        position = {"x": x / max(window.width - 1, 1), "y": y / max(window.height - 1, 1)}
        super().__init__("simulated", next(_ids), position, is_touch=True, type_id="touch")

    def depack(self, args: dict[str, float]) -> None:
        self.sx = args["x"]
        self.sy = args["y"]
        self.profile = ["pos"]
        super().depack(args)

    def press(self) -> None:
        """Finger down."""
        EventLoop._dispatch_input("begin", self)

    def release(self) -> None:
        """Finger up."""
        EventLoop._dispatch_input("end", self)


def tap_at(x: float, y: float) -> SimulatedTouch:
    """Press and release at window coordinates; the events are processed on the next frame."""
    touch = SimulatedTouch(x, y)
    touch.press()
    touch.release()
    return touch


def tap(widget: Widget) -> SimulatedTouch:
    """Tap the centre of `widget`, wherever it sits in the window."""
    x, y = widget.to_window(*widget.center)
    return tap_at(x, y)


def window_center() -> tuple[float, float]:
    """The middle of the window."""
    window: Any = EventLoop.window
    return window.width / 2, window.height / 2
