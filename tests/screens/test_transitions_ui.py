"""The fade between screens keeps nothing the size of the window once the new screen shows."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator

import pytest
from kivy.base import EventLoop
from kivy.graphics import Fbo
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen, ScreenManager

from screens.transitions import Fade

pytestmark = pytest.mark.ui


@pytest.fixture
def manager() -> Iterator[ScreenManager]:
    EventLoop.ensure_window()
    manager = ScreenManager(transition=Fade(duration=0.05))
    for name in ("first", "second"):
        screen = Screen(name=name)
        screen.add_widget(Label(text=f"{name} 屏幕"))
        manager.add_widget(screen)
    EventLoop.window.add_widget(manager)
    yield manager
    EventLoop.window.remove_widget(manager)


def change_to(manager: ScreenManager, name: str) -> None:
    manager.current = name
    deadline = time.monotonic() + 30
    while manager.transition.is_active:
        assert time.monotonic() < deadline, "the fade never finished"
        EventLoop.idle()
    EventLoop.idle()


def live_frame_buffers() -> int:
    gc.collect()
    # type(), not isinstance(): earlier tests leave Kivy weak proxies whose widget is gone, and
    # isinstance() asks them for __class__, which raises ReferenceError.
    return sum(1 for thing in gc.get_objects() if type(thing) is Fbo)


def test_the_fade_lets_go_of_its_frame_buffers(manager: ScreenManager) -> None:
    before = live_frame_buffers()

    change_to(manager, "second")

    fade = manager.transition
    assert fade.fbo_in is None and fade.fbo_out is None and fade.render_ctx is None
    assert live_frame_buffers() == before
    # The screen shown is drawn by the manager itself again, not through a frame buffer.
    assert manager.current_screen.canvas in manager.canvas.children


def test_the_next_fade_still_runs(manager: ScreenManager) -> None:
    change_to(manager, "second")
    change_to(manager, "first")

    assert manager.current == "first" and manager.current_screen.parent is manager
    assert manager.transition.fbo_in is None
