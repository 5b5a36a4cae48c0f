"""Touches on the online services' screens reach the desk, against the real platform simulator:
a case typed on the keypad and rated, an appointment chosen, booked, printed and cancelled, a
table and a document printed, a failed print tried again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageFilter

from kiosk.barcodes import decode_image
from kiosk.desk.pages import BookedPage, CasePage, DocumentPage, Paper
from kiosk.journey import Screen
from kiosk.platform.service_flow import identity_from_card_file
from kiosk.platform.simulator import PlatformSimulator
from screens.pilot import UiPilot

pytestmark = pytest.mark.ui

CARDS = Path(__file__).resolve().parents[2] / "config" / "demo" / "cards"
#: A day the simulator's halls take appointments (a Wednesday); "today" is the day before.
BOOKING_DAY = date(2026, 12, 9)


@pytest.fixture
def ui(make_ui: Callable[..., UiPilot], simulator: PlatformSimulator) -> UiPilot:
    """A visit on home at a kiosk that transacts through the simulator."""
    pilot = make_ui(overrides={"platform": simulator.kiosk_settings()})
    pilot.app.kiosk.desk._today = lambda: BOOKING_DAY.replace(day=8)
    pilot.tap_center()
    pilot.on(Screen.HOME)
    return pilot


def identify(ui: UiPilot, card: str = "resident.json") -> None:
    ui.app.kiosk.session.identify(identity_from_card_file(CARDS / card))


def start(ui: UiPilot, service_id: str) -> None:
    """Open a service as its tile would (the tiles are another screen's)."""
    desk = ui.app.kiosk.desk
    desk.open_services()
    ui.on(Screen.SERVICES)
    desk.choose(service_id)


def agree(ui: UiPilot) -> None:
    """Consent as its screen's button would (another screen's)."""
    ui.on(Screen.CONSENT)
    ui.app.kiosk.desk.agree()


def page(ui: UiPilot) -> Any:
    return ui.app.kiosk.journey.view.desk


def key(ui: UiPilot, char: str) -> Any:
    return next(k for k in ui.widget(Screen.ENTRY, "keypad").children if getattr(k, "key", None) == char)


def field(ui: UiPilot, name: str) -> Any:
    return next(box for box in ui.widget(Screen.ENTRY, "fields").children if box.key == name)


def choice(ui: UiPilot, value: str) -> Any:
    return next(button for button in ui.widget(Screen.CHOOSE, "choices").children if button.value == value)


def type_on_keypad(ui: UiPilot, text: str) -> None:
    for char in text:
        ui.tap(key(ui, char))


def test_a_case_typed_on_the_keypad_then_rated(ui: UiPilot) -> None:
    start(ui, "case.progress")
    ui.on(Screen.ENTRY)
    type_on_keypad(ui, "WH2026110700001")
    ui.until(lambda: field(ui, "case_no").value == "WH2026110700001", what="the case number typed")
    ui.tap(field(ui, "query_code"))
    ui.until(lambda: ui.widget(Screen.ENTRY, "keypad").cols == 3, what="the digits keypad")
    assert field(ui, "query_code").active and not field(ui, "case_no").active
    type_on_keypad(ui, "4829134")
    ui.tap(ui.widget(Screen.ENTRY, "erase"))
    ui.until(lambda: field(ui, "query_code").value == "482913", what="the last digit erased")
    ui.tap(ui.widget(Screen.ENTRY, "submit"))
    ui.on(Screen.CASE)
    case: CasePage = page(ui)
    assert case.case.status in ui.texts() and case.case.case_no in ui.texts()
    assert [row.done for row in reversed(ui.widget(Screen.CASE, "stages").children)] == [True] * 4
    ui.tap(ui.widget(Screen.CASE, "rate"))
    ui.on(Screen.RATING)
    assert ui.app.kiosk.journey.view.rating.case_no == "WH2026110700001"  # type: ignore[union-attr]


def test_an_appointment_chosen_booked_printed_and_cancelled_by_touch(ui: UiPilot) -> None:
    identify(ui)
    start(ui, "appt.book")
    for value in ("HALL-WH", "si.counter", BOOKING_DAY.isoformat()):
        ui.on(Screen.CHOOSE)
        ui.until(lambda v=value: any(b.value == v for b in ui.widget(Screen.CHOOSE, "choices").children))
        ui.tap(choice(ui, value))
    ui.until(lambda: getattr(page(ui), "step", "") == "slot", what="the slots of the day")
    ui.on(Screen.CHOOSE)
    ui.tap(choice(ui, "2026-12-09T10:00"))
    agree(ui)
    ui.on(Screen.BOOKED)
    booked: BookedPage = page(ui)
    assert booked.appointment.appointment_no in ui.texts() and "10:00" in ui.texts()

    ui.tap(ui.widget(Screen.BOOKED, "print"))
    ui.on(Screen.PRINT_DONE)
    assert "打印完成，请从出纸口取走预约凭条。" in ui.texts()
    ui.tap(ui.widget(Screen.PRINT_DONE, "header").ids.back)
    ui.on(Screen.BOOKED)

    ui.tap(ui.widget(Screen.BOOKED, "cancel"))
    ui.tap(ui.widget(Screen.BOOKED, "cancel_yes"))
    ui.until(lambda: isinstance(page(ui), BookedPage) and page(ui).cancelled, what="the cancelling")
    ui.on(Screen.BOOKED)
    ui.frames(3)
    assert "这个预约已取消" in ui.texts()


def test_a_table_printed_from_its_screen(ui: UiPilot) -> None:
    identify(ui)
    start(ui, "si.records")
    agree(ui)
    ui.on(Screen.QUERY)
    screen = ui.screen(Screen.QUERY)
    assert screen.page_count > 1 and "2026-11" in ui.texts()
    ui.tap(ui.widget(Screen.QUERY, "next"))
    assert screen.page_number == 2
    ui.tap(ui.widget(Screen.QUERY, "print"))
    ui.on(Screen.PRINT_DONE)
    assert ui.app.kiosk.journey.view.paper is Paper.TABLE
    assert "打印完成，请从出纸口取走表格。" in ui.texts()
    ui.tap(ui.widget(Screen.PRINT_DONE, "back"))
    ui.on(Screen.QUERY)
    assert screen.page_number == 2  # where the resident was


def test_a_document_read_by_phone_and_a_failed_print_tried_again(ui: UiPilot, tmp_path: Path) -> None:
    identify(ui)
    start(ui, "si.certificate")
    agree(ui)
    ui.on(Screen.DOCUMENT)
    document: DocumentPage = page(ui)
    picture = Image.open(ui.shot(tmp_path / "document.png"))
    scale = 640 / max(picture.size)  # a phone at arm's length
    seen = picture.resize((round(picture.width * scale), round(picture.height * scale)))
    codes = decode_image(seen.filter(ImageFilter.GaussianBlur(0.8)), ["qrcode"])
    assert [code.data for code in codes] == [document.document.verify_url]

    printer = ui.app.kiosk.devices.printer
    printer.reasons = ("media-jam",)  # type: ignore[attr-defined]
    ui.tap(ui.widget(Screen.DOCUMENT, "print"))
    ui.on(Screen.PRINT_FAILED)
    assert ui.widget(Screen.PRINT_FAILED, "code").data == ""  # no guide's QR for a document
    printer.reasons = ()  # type: ignore[attr-defined]
    ui.tap(ui.widget(Screen.PRINT_FAILED, "retry"))
    ui.on(Screen.PRINT_DONE)
    assert ui.app.kiosk.journey.view.paper is Paper.DOCUMENT
    assert "打印完成，请从出纸口取走您的文件。" in ui.texts()
