from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from kivy.base import EventLoop

from kiosk.journey import Screen
from screens.pilot import UiPilot
from screens.touch import tap_at

pytestmark = pytest.mark.ui


def test_a_black_screen_is_woken_by_a_touch_that_does_nothing_else(make_ui: Callable[..., UiPilot]) -> None:
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


def test_a_locked_kiosk_refuses_to_close_and_has_no_settings_panel(ui: UiPilot) -> None:
    ui.app.locked = True
    assert EventLoop.window.dispatch("on_request_close") is True
    assert ui.app.open_settings() is False
    ui.app.locked = False
    assert not EventLoop.window.dispatch("on_request_close")


#: Keys people try to leave a kiosk with: (Kivy keycode, modifiers, what it is).
LEAVING_KEYS = [
    (27, [], "Escape"),
    (285, ["alt"], "Alt+F4"),
    (113, ["ctrl"], "Ctrl+Q"),
    (119, ["ctrl"], "Ctrl+W"),
    (113, ["meta"], "Super+Q"),
    (282, [], "F1 (Kivy's settings panel)"),
    (319, [], "Menu"),
    (101, ["ctrl"], "Ctrl+E (Kivy's inspector)"),
    (99, ["ctrl"], "Ctrl+C"),
    (9, ["alt"], "Alt+Tab"),
    (8, ["ctrl", "alt"], "Ctrl+Alt+Backspace"),
    (127, ["ctrl", "alt"], "Ctrl+Alt+Delete"),
    (283, ["ctrl", "alt"], "Ctrl+Alt+F2"),
]


def press(window: Any, key: int, modifiers: list[str]) -> None:
    """A key as SDL delivers it: key down, then the keyboard event unless key down consumed it."""
    if not window.dispatch("on_key_down", key, 0, None, modifiers):
        window.dispatch("on_keyboard", key, 0, None, modifiers)
    window.dispatch("on_key_up", key, 0)


@pytest.mark.parametrize("exit_on_escape", ["0", "1"], ids=["as-configured", "escape-exit-turned-on"])
def test_no_key_combination_leaves_a_locked_kiosk(
    ui: UiPilot, monkeypatch: pytest.MonkeyPatch, exit_on_escape: str
) -> None:
    # Kivy leaves by stopTouchApp() and Window.close(): record those instead of losing the one
    # window the UI tests share. With Escape's exit turned on by mistake, the lock still holds.
    import kivy.core.window as kivy_window
    from kivy.config import Config

    left: list[str] = []
    monkeypatch.setattr(kivy_window, "stopTouchApp", lambda: left.append("stopTouchApp"))
    monkeypatch.setattr(ui.window, "close", lambda: left.append("Window.close"))
    before = Config.get("kivy", "exit_on_escape")
    Config.set("kivy", "exit_on_escape", exit_on_escape)
    ui.app.locked = True
    ui.app._install_settings_keys(ui.window)  # F1 and Escape bindings, as App.run() makes them
    try:
        ui.tap_center()
        ui.on(Screen.HOME)
        status = EventLoop.status  # "idle": the tests pump the loop themselves
        for key, modifiers, name in LEAVING_KEYS:
            press(ui.window, key, modifiers)
            ui.frames(2)
            assert left == [], f"{name} left the kiosk"
            assert ui.current == Screen.HOME.value, f"{name} moved the kiosk to {ui.current}"
            assert ui.app._app_settings is None, f"{name} built Kivy's settings panel"
            assert ui.window.children == [ui.app.root], f"{name} opened {ui.window.children}"
            assert EventLoop.status == status, f"{name} stopped the event loop"
        assert ui.app.kiosk.session.active
    finally:
        ui.window.unbind(on_keyboard=ui.app._on_keyboard_settings)
        Config.set("kivy", "exit_on_escape", before)


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
