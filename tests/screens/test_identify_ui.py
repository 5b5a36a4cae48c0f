"""Identifying by card through the real UI: pictures, greeting with masked identity, removal, outages."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kiosk.events import DeviceBack, DeviceLost
from kiosk.identity import ReaderWatch
from kiosk.journey import Screen
from kiosk.records import IdCard
from screens.pilot import UiPilot

pytestmark = pytest.mark.ui

CARD = IdCard("resident", "演示居民", "女", "371002199001010023", birth_date=date(1990, 1, 1))


def start_identity(ui: UiPilot) -> None:
    ui.app.kiosk.identity.watch = ReaderWatch(poll=0.02, read=0.5, retry=0.05)
    ui.app.kiosk.start()


def test_identify_greets_with_a_masked_identity_and_removal_ends_it(ui: UiPilot) -> None:
    start_identity(ui)
    ui.tap_center()
    ui.on(Screen.HOME)
    ui.tap(ui.widget(Screen.HOME, "identify"))  # one touch from home
    ui.on(Screen.IDENTIFY)
    texts = ui.texts()
    assert "请将身份证平放在读卡区，不要移动。" in texts
    assert "请将社保卡芯片朝上、芯片一端朝前插入卡槽。" in texts

    ui.app.kiosk.devices.id_reader.slot.place(CARD)
    ui.on(Screen.IDENTIFIED)
    ui.frames(2)
    texts = ui.texts()
    assert "您好，演***" in texts
    assert "证件号码：3710**********0023" in texts
    assert not any("演示居民" in text or "371002199001010023" in text for text in texts)
    assert "居民身份证换领" in texts  # a service that needs identity

    ui.app.kiosk.devices.id_reader.slot.lift()
    ui.on(Screen.IDENTIFY)
    ui.frames(2)
    assert "卡片已取走，您的信息已从本机清除。" in ui.texts()


def test_an_unavailable_reader_is_explained_on_the_identify_screen(ui: UiPilot, tmp_path: Path) -> None:
    ui.tap_center()
    ui.on(Screen.HOME)
    ui.tap(ui.widget(Screen.HOME, "identify"))
    ui.on(Screen.IDENTIFY)
    ui.app.kiosk.bus.publish(DeviceLost("sscard_reader", reason="pcscd down"))
    ui.until(lambda: "社保卡读卡器暂时无法使用，请改用身份证。" in ui.texts(), what="unavailable note")
    texts = ui.texts()
    # Told to use the ID card, never to insert a card the reader cannot read.
    assert (
        "请将身份证平放在读卡区，不要移动。" in texts
        and "两种卡任选其一。您的信息只保留到您取走卡片为止。" not in texts
    )
    assert "请将社保卡芯片朝上、芯片一端朝前插入卡槽。" not in texts
    assert ui.widget(Screen.IDENTIFY, "ss_picture").opacity == 0
    ui.shot(tmp_path / "identify-sscard-out.png")
    ui.app.kiosk.bus.publish(DeviceBack("sscard_reader"))
    ui.until(lambda: "社保卡读卡器暂时无法使用，请改用身份证。" not in ui.texts(), what="note gone")
