"""An unprovisioned appliance through the real UI: no greeting, no printout, no voice switch, no demo
guides or notices; each says what the resident can do instead."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.journey import Screen
from screens.pilot import UiPilot
from tests.kiosk.test_appliance_content import fill_catalogue
from tests.screens.test_identify_ui import start_identity
from tests.screens.test_journey_ui import open_first_guide

pytestmark = pytest.mark.ui

APPLIANCE = {"kiosk": {"mode": "appliance"}}
PRINTER_OUT = "打印机暂时无法使用。"
QR_INSTEAD = "您可以改用二维码把清单带到手机上，或到服务大厅咨询台咨询。"


NO_GUIDES = "本机暂时还没有办事指南，请到服务大厅咨询台咨询办理。"
#: What leads to guides on home, in Chinese: tiles, headings, counts.
BROWSING = ("查找办事指南", "按部门查找", "刷卡识别身份", "打印", "选择部门")


@pytest.fixture
def appliance(make_ui: Callable[..., UiPilot]) -> UiPilot:
    """An unprovisioned appliance whose catalogue a sync has filled."""
    ui = make_ui(overrides=APPLIANCE)
    fill_catalogue(ui.app.kiosk.catalogue)
    return ui


def test_a_never_synced_appliance_says_the_guides_are_not_here_yet(
    make_ui: Callable[..., UiPilot], tmp_path: Path
) -> None:
    ui = make_ui(overrides=APPLIANCE)
    assert ui.app.kiosk.catalogue.count() == 0  # never the demo guides
    ui.frames(4)
    assert ui.screen(Screen.ATTRACT).notice_text == ""  # never the demo notices ("your ID card works here")
    assert not any("查办事指南" in text for text in ui.texts())  # no promise of guides there are none of
    ui.shot(tmp_path / "attract-no-demo.png")
    ui.tap_center()
    ui.on(Screen.HOME)
    texts = ui.texts()
    assert NO_GUIDES in texts
    assert not any(word in texts for word in BROWSING) and not any("项服务" in text for text in texts)
    assert "服务评价" in texts  # what still works is offered
    ui.shot(tmp_path / "home-no-guides.png")
    ui.tap(ui.widget(Screen.HOME, "language_tile"))
    ui.until(lambda: "Find a guide" not in ui.texts() and "Rate our service" in ui.texts(), what="English")
    assert (
        "The service guides are not available at this kiosk yet. Please ask at 服务大厅咨询台." in ui.texts()
    )


def test_an_appliance_without_card_readers_offers_no_card_on_home(appliance: UiPilot) -> None:
    ui = appliance
    start_identity(ui)
    ui.tap_center()
    ui.on(Screen.HOME)
    texts = ui.texts()
    assert "刷卡识别身份" not in texts and "查找办事指南" in texts and NO_GUIDES not in texts
    assert ui.widget(Screen.HOME, "identify").parent is None
    ui.frames(10)  # the readers' watchers keep polling: still nobody is greeted
    assert ui.current == Screen.HOME.value and ui.app.kiosk.session.identity is None


def test_the_identify_screen_says_only_what_to_do_when_both_readers_are_out(
    appliance: UiPilot, tmp_path: Path
) -> None:
    ui = appliance
    ui.tap_center()
    ui.on(Screen.HOME)
    ui.app.kiosk.journey.open_identify()  # as when both readers went while the resident was there
    ui.on(Screen.IDENTIFY)
    ui.frames(4)
    texts = ui.texts()
    assert "两个读卡器暂时都无法使用。需要识别身份，请到服务大厅咨询台咨询。" in texts
    assert not any("请将" in text or "卡任选其一" in text for text in texts), texts
    assert not any(ui.widget(Screen.IDENTIFY, picture).opacity for picture in ("id_picture", "ss_picture"))
    ui.shot(tmp_path / "identify-both-out.png")


def test_printing_is_offered_as_unavailable_with_the_qr_code_instead(appliance: UiPilot) -> None:
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
    make_ui: Callable[..., UiPilot], mode: str, offered: bool
) -> None:
    ui = make_ui(overrides={"kiosk": {"mode": mode}})
    ui.tap_center()
    ui.on(Screen.HOME)
    texts = ui.texts()
    assert ("语音播报" in texts) is offered  # the home tile
    assert any(text.startswith("语音：") for text in texts) is offered  # the switch in the header
    assert (ui.widget(Screen.HOME, "voice_tile").parent is not None) is offered
    assert ui.widget(Screen.HOME, "voice").disabled is not offered
