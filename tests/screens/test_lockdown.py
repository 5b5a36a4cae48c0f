from __future__ import annotations

from collections.abc import Callable

import pytest
from kivy.base import EventLoop

from kiosk.journey import Screen
from screens.driver import UiDriver
from screens.touch import tap_at

pytestmark = pytest.mark.ui


def test_a_black_screen_is_woken_by_a_touch_that_does_nothing_else(make_ui: Callable[..., UiDriver]) -> None:
    ui = make_ui(overrides={"display": {"blank_after_minutes": 1}})
    app = ui.app
    app.blanking._last_activity -= 61  # a minute of quiet on the attract screen
    app._blank_when_due()
    ui.frames(4)
    assert app.blank_screen is not None and app.blank_screen.parent is not None
    tap_at(*ui.window.center)  # where "touch to start" would wake the kiosk
    ui.frames(6)
    assert app.blank_screen.parent is None
    assert ui.current == Screen.ATTRACT.value  # woken, nothing more
    assert not app.kiosk.session.active
    ui.tap_center()
    ui.on(Screen.HOME)


def test_a_locked_kiosk_refuses_to_close_and_has_no_settings_panel(ui: UiDriver) -> None:
    ui.app.locked = True
    assert EventLoop.window.dispatch("on_request_close") is True
    assert ui.app.open_settings() is False
    ui.app.locked = False
    assert not EventLoop.window.dispatch("on_request_close")


def test_rotation_and_touch_calibration_come_from_the_settings(make_settings: Callable[..., object]) -> None:
    from kivy.config import Config

    from screens.environment import apply_mounting

    display = make_settings(
        {"display": {"rotation": 90, "touch_swap_xy": True, "touch_invert_y": True}}
    ).settings.display  # type: ignore[attr-defined]
    before = (Config.get("graphics", "rotation"), Config.getdefault("input", "touch", ""))
    mouse = Config.get("input", "mouse")
    try:
        apply_mounting(display, touch_screen=True)
        assert Config.get("graphics", "rotation") == "90"
        assert Config.get("input", "touch") == "probesysfs,provider=hidinput,param=swap_xy=1,param=invert_y=1"
        # The compositor's pointer copy of each touch is ignored while the panel's touch is down.
        assert "disable_on_activity" in Config.get("input", "mouse").split(",")
    finally:
        Config.set("input", "mouse", mouse)
        Config.set("graphics", "rotation", before[0])
        if before[1]:
            Config.set("input", "touch", before[1])
        else:
            Config.remove_option("input", "touch")
