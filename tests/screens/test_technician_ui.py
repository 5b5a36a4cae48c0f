"""Technician mode by touch: the hidden gesture, the PIN pad and its lock, the tests, restart, exit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.journey import Screen
from kiosk.technician import hash_pin
from kiosk.technician.console import Mode
from screens.attract import AttractScreen
from screens.pilot import UiPilot
from screens.touch import SimulatedTouch, tap_at
from screens.tour import DEMO_CARD, long_press_corner, type_pin

pytestmark = pytest.mark.ui

PIN = "246810"
PIN_HASH = hash_pin(PIN)


@pytest.fixture(autouse=True)
def quick_long_press(monkeypatch: pytest.MonkeyPatch) -> None:
    # The gesture is the same; only the hold is shorter, so the suite does not wait 3 s a test.
    monkeypatch.setattr(AttractScreen, "long_press_seconds", 0.3)


@pytest.fixture
def tech_ui(make_ui: Callable[..., UiPilot]) -> UiPilot:
    return make_ui(overrides={"technician": {"pin_hash": PIN_HASH, "max_pin_attempts": 3}})


def audit_actions(ui: UiPilot) -> list[str]:
    return [entry.action for entry in ui.app.kiosk.technician.records.entries()]


def test_a_short_touch_in_the_corner_wakes_the_kiosk_as_usual(tech_ui: UiPilot) -> None:
    tech_ui.on(Screen.ATTRACT)
    tap_at(tech_ui.window.width - 40, tech_ui.window.height - 40)
    tech_ui.on(Screen.HOME)
    assert tech_ui.app.kiosk.technician.mode is Mode.CLOSED


def test_a_long_press_elsewhere_only_wakes(tech_ui: UiPilot) -> None:
    tech_ui.on(Screen.ATTRACT)
    touch = SimulatedTouch(40, 40)  # the bottom-left corner
    touch.press()
    tech_ui.frames(30)
    touch.release()
    tech_ui.on(Screen.HOME)
    assert tech_ui.app.kiosk.technician.mode is Mode.CLOSED


def test_wrong_pins_lock_the_pad_and_say_until_when(tech_ui: UiPilot) -> None:
    kiosk = tech_ui.app.kiosk
    tech_ui.on(Screen.ATTRACT)
    long_press_corner(tech_ui)
    # The long press woke nothing: no resident session began under the PIN pad.
    assert not kiosk.session.active
    assert "请输入运维密码" in tech_ui.texts()
    type_pin(tech_ui, "1357", submit=False)
    assert "* * * *" in tech_ui.texts() and not any("1357" in text for text in tech_ui.texts())
    tech_ui.tap(tech_ui.widget(Screen.TECHNICIAN_PIN, "clear"))
    type_pin(tech_ui, "000000")
    assert "密码错误。再错 2 次运维模式将被锁定。" in tech_ui.texts()
    type_pin(tech_ui, "111111")
    type_pin(tech_ui, "222222")
    texts = tech_ui.texts()
    assert any(text.startswith("密码错误次数过多，运维模式已锁定至 ") for text in texts), texts
    assert tech_ui.widget(Screen.TECHNICIAN_PIN, "pad").disabled
    type_pin(tech_ui, PIN)  # the pad takes nothing while locked, not even the right PIN
    assert tech_ui.current == Screen.TECHNICIAN_PIN.value and kiosk.technician.mode is Mode.PIN
    assert audit_actions(tech_ui) == ["pin_wrong", "pin_wrong", "pin_wrong", "locked"]
    tech_ui.tap(tech_ui.widget(Screen.TECHNICIAN_PIN, "back"))
    tech_ui.on(Screen.ATTRACT)
    assert audit_actions(tech_ui) == ["pin_wrong", "pin_wrong", "pin_wrong", "locked", "pin_cancelled"]


def test_the_right_pin_opens_technician_mode_and_a_test_runs(tech_ui: UiPilot, tmp_path: Path) -> None:
    kiosk = tech_ui.app.kiosk
    technician = kiosk.technician
    technician.card_wait = 5.0
    tech_ui.on(Screen.ATTRACT)
    long_press_corner(tech_ui)
    type_pin(tech_ui, PIN)
    tech_ui.on(Screen.TECHNICIAN)
    tech_ui.until(lambda: bool(technician.checks) and not technician.running, what="device checks")
    texts = "\n".join(tech_ui.texts())
    assert "设备状态" in texts and "printer" in texts and "simulated (printer.sim driver)" in texts
    kiosk.devices.id_reader.slot.place(DEMO_CARD)  # type: ignore[attr-defined]
    tech_ui.tap(tech_ui.widget(Screen.TECHNICIAN, "test_id_card"))
    tech_ui.until(lambda: "id_card" in technician.results and not technician.running, what="card test")
    texts = "\n".join(tech_ui.texts())
    assert "身份证阅读器: 身份证读取成功：居民身份证，校验位正确。" in texts
    assert DEMO_CARD.name not in texts and DEMO_CARD.id_number not in texts
    tech_ui.tap(tech_ui.widget(Screen.TECHNICIAN, "test_print"))
    tech_ui.until(lambda: "print" in technician.results and not technician.running, what="test page")
    assert any("测试页已打印" in text for text in tech_ui.texts())
    tech_ui.shot(tmp_path / "technician.png")
    tech_ui.tap(tech_ui.widget(Screen.TECHNICIAN, "exit"))
    tech_ui.on(Screen.ATTRACT)
    assert technician.mode is Mode.CLOSED
    assert audit_actions(tech_ui) == ["opened", "device_status", "device_test", "print_test_page", "exit"]
    # Back on attract, a touch wakes the kiosk for a resident again.
    tech_ui.tap_center()
    tech_ui.on(Screen.HOME)


def test_restart_ui_stops_the_app_after_auditing(tech_ui: UiPilot, monkeypatch: pytest.MonkeyPatch) -> None:
    stops: list[list[str]] = []
    monkeypatch.setattr(tech_ui.app, "stop", lambda *_: stops.append(audit_actions(tech_ui)))
    tech_ui.on(Screen.ATTRACT)
    long_press_corner(tech_ui)
    type_pin(tech_ui, PIN)
    tech_ui.on(Screen.TECHNICIAN)
    tech_ui.tap(tech_ui.widget(Screen.TECHNICIAN, "restart"))
    tech_ui.until(lambda: bool(stops), what="app.stop")
    assert stops[0][-1] == "restart_ui"
    assert tech_ui.app.kiosk.technician.restart_requested


def test_without_a_pin_the_pad_says_so(make_ui: Callable[..., UiPilot]) -> None:
    ui = make_ui()
    ui.on(Screen.ATTRACT)
    long_press_corner(ui)
    assert "本终端未设置运维密码，无法进入运维模式；请用 kiosk provision 设置。" in ui.texts()
    assert ui.widget(Screen.TECHNICIAN_PIN, "pad").disabled


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_technician_screen_fits_landscape_and_portrait(
    make_ui: Callable[..., UiPilot], size: tuple[int, int]
) -> None:
    ui = make_ui(size, overrides={"technician": {"pin_hash": PIN_HASH}})
    ui.on(Screen.ATTRACT)
    long_press_corner(ui)
    type_pin(ui, PIN)
    ui.on(Screen.TECHNICIAN)
    for name in ("test_id_card", "test_sscard", "test_print", "test_scan", "sync", "restart", "exit"):
        button = ui.widget(Screen.TECHNICIAN, name)
        left, bottom = button.to_window(button.x, button.y)
        assert left >= 0 and bottom >= 0, name
        assert left + button.width <= size[0] and bottom + button.height <= size[1], name


def test_kiosk_run_exits_non_zero_after_a_restart_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import screens.environment
    from kiosk.cli import main
    from screens import cli as ui_command
    from screens.app import KioskApp

    (tmp_path / "kiosk.toml").write_text(f'[technician]\npin_hash = "{PIN_HASH}"\n')
    monkeypatch.setenv("KIOSK_CONFIG", str(tmp_path / "kiosk.toml"))
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path / "data"))
    # This process's Kivy window and logging stay as the suite set them up.
    monkeypatch.setattr(screens.environment, "prepare_kivy", lambda *_args, **_kwargs: False)
    monkeypatch.setattr(ui_command, "configure_logging", lambda *_args: None)

    def technician_restarts(app: KioskApp) -> None:
        # What the technician's touches do, without a main loop: gesture, PIN, restart.
        app.kiosk.technician.begin()
        app.kiosk.technician.submit_pin(PIN)
        app.kiosk.technician.restart_ui()

    monkeypatch.setattr(KioskApp, "run", technician_restarts)
    result = CliRunner().invoke(main, ["run", "--windowed"])
    assert result.exit_code == ui_command.EXIT_RESTART_UI == 75, result.output
