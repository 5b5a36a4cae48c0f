"""Drives the real UI frame by frame, offscreen: simulated touches in, screenshots and text out.

The tour and the UI tests use it; both go through Kivy's real window, input and render pipeline,
only the main loop is pumped here instead of by `App.run()`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from kivy.animation import Animation
from kivy.app import App
from kivy.base import EventLoop
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.uix.label import Label
from kivy.uix.recycleview import RecycleView
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from kiosk.journey import Screen
from screens.app import KioskApp
from screens.environment import drawing_surface
from screens.touch import tap, tap_at, window_center


class UiTimeout(AssertionError):
    """The UI did not reach the state a step waited for."""


class UiPilot:
    """One KioskApp attached to the window, advanced one frame at a time.

    With `draw_every_frame` False, frames run the clock, input and layout but render only when a
    picture is taken (`shot`): on a software renderer drawing a full window costs far more than
    everything else in a frame, and a walk that only pictures its stops need not see the frames
    between them. The UI tests that look at the window keep the default.
    """

    def __init__(
        self, app: KioskApp, size: tuple[int, int] | None = None, *, draw_every_frame: bool = True
    ) -> None:
        self.draw_every_frame = draw_every_frame
        EventLoop.ensure_window()
        self.window: Any = EventLoop.window
        if size is not None:
            self.window.size = size
        surface = drawing_surface()
        shown = tuple(self.window.system_size)
        if surface is not None and (shown[0] > surface[0] or shown[1] > surface[1]):
            raise RuntimeError(
                f"the window is {shown[0]}x{shown[1]} but draws into a {surface[0]}x{surface[1]} "
                "surface, allocated once when it opened: everything beyond it would be garbage; "
                "name every size the process shows in prepare_kivy(resizes_to=...)"
            )
        self.app = app
        App._running_app = app
        app.root = app.build()
        self.window.add_widget(app.root)
        self.frames(3)

    def close(self) -> None:
        """Detach the app from the window and release what it scheduled."""
        for child in list(self.window.children):
            self.window.remove_widget(child)
        # Dispatch (not call) on_stop: KV's `app` proxy forgets the app only on that event.
        self.app.dispatch("on_stop")
        App._running_app = None

    # -- time --------------------------------------------------------------------------------

    def frames(self, count: int = 1) -> None:
        """Run `count` frames: clock callbacks, input, layout, drawing (see `draw_every_frame`)."""
        for _ in range(count):
            if self.draw_every_frame:
                EventLoop.idle()
            else:
                frame_without_drawing()

    def draw(self) -> None:
        """Run a frame that renders the window, whether or not anything changed since the last."""
        self.window.canvas.ask_update()
        EventLoop.idle()

    def until(self, condition: Callable[[], bool], timeout: float = 30.0, what: str = "") -> None:
        """Run frames until `condition` holds, then a few more so that the result is drawn.

        The timeout is generous: on a loaded machine a frame of the offscreen window can take a
        second; a condition that holds returns at once whatever the timeout.
        """
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise UiTimeout(f"timed out waiting for {what or condition} (on {self.current})")
            self.frames()
        self.frames(4)

    def on(self, screen: Screen, timeout: float = 30.0) -> None:
        """Wait until `screen` shows and its transition is over."""
        manager = self.app.root
        self.until(lambda: manager.current == screen.value, timeout, what=f"screen {screen.value}")
        # Now and then (under load, while a device thread publishes) the fade's animation never gets
        # its first clock tick and the transition stays active for good; a 0.15 s fade that has not
        # ended in two seconds is ended here, so that a walk measures the screen, not that stall.
        try:
            self.until(lambda: not manager.transition.is_active, 2.0, what=f"the fade to {screen.value}")
        except UiTimeout:
            manager.transition.stop()
            self.frames(4)

    # -- looking -------------------------------------------------------------------------------

    @property
    def current(self) -> str:
        """The name of the screen showing."""
        return str(self.app.root.current)

    def screen(self, name: Screen) -> Any:
        """The screen widget called `name`."""
        return self.app.root.get_screen(name.value)

    def widget(self, screen: Screen, widget_id: str) -> Widget:
        """A widget by its KV id anywhere in the screen's tree."""
        for widget in self.screen(screen).walk(restrict=True):
            ids = getattr(widget, "ids", {})
            if widget_id in ids:
                found: Widget = ids[widget_id]
                return found
        raise LookupError(f"no widget {widget_id!r} on {screen.value}")

    def texts(self, root: Widget | None = None) -> list[str]:
        """Every non-empty text shown in `root` (the current screen by default) and overlays."""
        roots = [root] if root is not None else [self.app.root.current_screen, *self._overlays()]
        return [
            widget.text
            for top in roots
            for widget in top.walk(restrict=True)
            if isinstance(widget, Label) and widget.text and widget.opacity > 0
        ]

    def shot(self, path: Path) -> Path:
        """Save the window, at rest, as a PNG at `path`."""
        self.settle_scroll_bars()
        if not self.draw_every_frame:
            self.draw()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        written = Path(self.window.screenshot(name=str(path)))
        written.replace(path)
        return path

    def settle_scroll_bars(self) -> None:
        """Show every scroll bar as it rests, not halfway through its fade.

        Kivy lights a scroll view's bar whenever its content moves or is laid out, and fades it
        half a second later over half a second: a picture taken then would depend on how fast
        the machine reached it. A resident who stops scrolling sees the resting bar; so does the
        picture. (Kivy 2.3's own steps, in `ScrollView.update_from_scroll`, without the fade.)
        """
        for top in self.window.children:
            for widget in top.walk(restrict=True):
                if isinstance(widget, ScrollView) and widget._bind_inactive_bar_color_ev is not None:
                    widget._bind_inactive_bar_color_ev.cancel()
                    widget._bind_inactive_bar_color()
                    Animation.cancel_all(widget, "_bar_color")
                    widget._bar_color = widget.bar_inactive_color
        self.frames()

    # -- touching ------------------------------------------------------------------------------

    def tap(self, target: Widget) -> None:
        """Scroll `target` into view as a resident would, tap its middle and let the UI react."""
        self.scroll_into_view(target)
        tap(target)
        self.frames(2)

    def scroll_into_view(self, target: Widget) -> None:
        """Scroll every scroll view holding `target` until it shows (large text pushes things down)."""
        parent = target.parent
        while parent is not None and parent is not self.window:
            # A recycle view lays out only the rows in view (Kivy's Factory may load it under a second
            # module name, so its `viewclass` tells it apart too).
            if isinstance(parent, ScrollView) and not (
                isinstance(parent, RecycleView) or hasattr(parent, "viewclass")
            ):
                _, view_bottom = parent.to_window(parent.x, parent.y)
                _, view_top = parent.to_window(parent.right, parent.top)
                _, bottom = target.to_window(target.x, target.y)
                _, top = target.to_window(target.right, target.top)
                below, above = view_bottom - bottom, top - view_top
                if below > 0 or above > 0:
                    _, step = parent.convert_distance_to_scroll(0, below if below > 0 else above)
                    moved = parent.scroll_y - step if below > 0 else parent.scroll_y + step
                    parent.scroll_y = min(1.0, max(0.0, moved))
                    self.frames(2)
            parent = parent.parent

    def tap_center(self) -> None:
        """Tap the middle of the window."""
        tap_at(*window_center())
        self.frames(2)

    def _overlays(self) -> Iterator[Widget]:
        for child in self.window.children:
            if child is not self.app.root:
                yield child


def frame_without_drawing() -> None:
    """One frame of Kivy's loop (`EventLoop.idle`) without its drawing: the clock's callbacks (at
    the same frame rate), input, KV rules and layout, exactly as `idle` runs them."""
    Clock.tick()
    EventLoop.dispatch_input()
    Builder.sync()
    Clock.tick_draw()
    Builder.sync()
