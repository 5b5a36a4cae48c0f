"""An unprovisioned appliance through the real UI: no greeting, no printout, no voice switch; each
says what the resident can do instead."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kiosk.journey import Screen
from screens.driver import UiDriver
from tests.screens.test_identify_ui import start_identity
from tests.screens.test_journey_ui import open_first_guide

pytestmark = pytest.mark.ui

APPLIANCE = {"kiosk": {"mode": "appliance"}}
PRINTER_OUT = "打印机暂时无法使用。"
QR_INSTEAD = "您可以改用二维码把清单带到手机上，或到服务大厅咨询台咨询。"


@pytest.fixture
def appliance(make_ui: Callable[..., UiDriver]) -> UiDriver:
    return make_ui(overrides=APPLIANCE)


def test_the_card_readers_are_out_of_order_and_the_help_desk_is_named(appliance: UiDriver) -> None:
    ui = appliance
    start_identity(ui)
    ui.tap_center()
    ui.on(Screen.HOME)
    ui.tap(ui.widget(Screen.HOME, "identify"))
    ui.on(Screen.IDENTIFY)
    ui.frames(4)
    assert "两个读卡器暂时都无法使用。需要识别身份，请到服务大厅咨询台咨询。" in ui.texts()
    ui.frames(10)  # the readers' watchers keep polling: still nobody is greeted
    assert ui.current == Screen.IDENTIFY.value and ui.app.kiosk.session.identity is None


def test_printing_is_offered_as_unavailable_with_the_qr_code_instead(appliance: UiDriver) -> None:
    ui = appliance
    open_first_guide(ui)
    warning = f"{PRINTER_OUT} {QR_INSTEAD}"
    ui.until(lambda: warning in ui.texts(), what="the printer warning on the guide")
    ui.tap(ui.widget(Screen.GUIDE_DETAIL, "print"))
    ui.on(Screen.PRINT_FAILED)
    texts = ui.texts()
    assert PRINTER_OUT in texts and "打印完成，请从出纸口取走材料清单。" not in texts
    assert any("扫描下方二维码" in text for text in texts)
    assert ui.widget(Screen.PRINT_FAILED, "code").data  # the QR code to take the checklist home


@pytest.mark.parametrize(("mode", "offered"), [("appliance", False), ("development", True)])
def test_voice_guidance_is_offered_only_with_a_speaker_in_service(
    make_ui: Callable[..., UiDriver], mode: str, offered: bool
) -> None:
    ui = make_ui(overrides={"kiosk": {"mode": mode}})
    ui.tap_center()
    ui.on(Screen.HOME)
    texts = ui.texts()
    assert ("语音播报" in texts) is offered  # the home tile
    assert any(text.startswith("语音：") for text in texts) is offered  # the switch in the header
    assert (ui.widget(Screen.HOME, "voice_tile").parent is not None) is offered
    assert ui.widget(Screen.HOME, "voice").disabled is not offered
