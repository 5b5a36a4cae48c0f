"""The UI's part in the fleet channel: the screenshot it takes on its own thread, the fleet's blank
that a touch does not wake, and ScreenBlanked whenever the screen goes black or comes back."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image

from kiosk.events import ScreenBlanked, ScreenBlankRequested
from kiosk.journey import Screen
from screens.pilot import UiPilot
from screens.touch import tap_at

pytestmark = pytest.mark.ui


def blanked(ui: UiPilot) -> list[bool]:
    seen: list[bool] = []
    ui.app.kiosk.bus.subscribe(ScreenBlanked, lambda event: seen.append(event.blank))
    return seen


def test_the_screenshot_is_taken_on_the_ui_thread_and_is_the_window(ui: UiPilot) -> None:
    capture = ui.app.kiosk.screen_capture
    assert capture is not None  # the app registered it
    taken: dict[str, Any] = {}
    worker = threading.Thread(target=lambda: taken.update(png=capture.capture_png(20)))
    worker.start()
    ui.until(lambda: not worker.is_alive(), what="the screenshot")
    picture = Image.open(io.BytesIO(taken["png"]))
    assert picture.format == "PNG" and picture.size == tuple(int(value) for value in ui.window.size)
    assert len(picture.convert("RGB").getcolors(maxcolors=1_000_000) or []) > 20  # the attract screen


def test_a_screenshot_times_out_when_the_ui_thread_does_not_run(ui: UiPilot) -> None:
    capture = ui.app.kiosk.screen_capture
    assert capture is not None
    with pytest.raises(TimeoutError):
        capture.capture_png(0.3)  # asked from this, the UI's thread: nobody takes it meanwhile
    ui.frames(2)


def test_the_quiet_times_blank_and_its_waking_are_announced(make_ui: Callable[..., UiPilot]) -> None:
    ui = make_ui(overrides={"display": {"blank_after_minutes": 1}})
    seen = blanked(ui)
    app = ui.app
    app.blanking._last_activity -= 61
    app._blank_when_due()
    ui.frames(4)
    assert app.blank_screen is not None and app.blank_screen.parent is not None
    tap_at(*ui.window.center)
    ui.frames(6)
    assert app.blank_screen.parent is None
    assert seen == [True, False]


def test_the_fleets_blank_stays_under_a_touch_until_the_fleets_unblank(ui: UiPilot) -> None:
    seen = blanked(ui)
    app = ui.app
    app.kiosk.bus.publish(ScreenBlankRequested(True))
    ui.until(lambda: app.blank_screen is not None and app.blank_screen.parent is not None, what="black")
    tap_at(*ui.window.center)
    ui.frames(6)
    assert app.blank_screen is not None and app.blank_screen.parent is not None  # a touch does not wake it
    assert not app.kiosk.session.active
    app.kiosk.bus.publish(ScreenBlankRequested(False))
    ui.until(lambda: app.blank_screen is not None and app.blank_screen.parent is None, what="back")
    assert seen == [True, False]
    assert ui.current == Screen.ATTRACT.value
    ui.tap_center()
    ui.on(Screen.HOME)
