"""The online services desk, touch by touch, against the real platform simulator on loopback.

No Kivy: the journey's views are what the screens would show. Device work runs at once (the
`make_kiosk` fixture's background), so each touch's answer is on screen when the call returns.
"""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from kiosk.appliance import Kiosk
from kiosk.desk import desk as desk_module
from kiosk.desk.pages import (
    BookedPage,
    CasePage,
    ChoicePage,
    ConsentPage,
    DocumentPage,
    EntryPage,
    FacePage,
    FailurePage,
    Paper,
    ServiceListPage,
    TablePage,
)
from kiosk.journey import Screen
from kiosk.platform.service_flow import identity_from_card_file
from kiosk.platform.simulator import PlatformSimulator
from tests.conftest import wait_for

CARDS = Path(__file__).resolve().parents[2] / "config" / "demo" / "cards"
#: A day the simulator's halls take appointments (a Wednesday), and "today" the day before.
BOOKING_DAY = date(2026, 12, 9)
#: A demo case (kiosk/platform/sim_data.py).
CASE = "WH2026110700001"


@pytest.fixture
def kiosk(make_kiosk: Callable[..., Kiosk], simulator: PlatformSimulator) -> Kiosk:
    built = make_kiosk({"platform": simulator.kiosk_settings()})
    built.desk._today = lambda: BOOKING_DAY.replace(day=8)
    return built


def page(kiosk: Kiosk) -> Any:
    return kiosk.journey.view.desk


def identify(kiosk: Kiosk, card: str = "resident.json") -> None:
    kiosk.session.identify(identity_from_card_file(CARDS / card))


def type_case(kiosk: Kiosk, case_no: str, query_code: str) -> None:
    """On the case entry: the case number, then the query code, key by key."""
    for char in case_no:
        kiosk.desk.type_text(char)
    kiosk.desk.focus("query_code")
    for char in query_code:
        kiosk.desk.type_text(char)


def start(kiosk: Kiosk, service_id: str) -> None:
    """Wake the kiosk, open the services and choose one."""
    if not kiosk.session.active:
        kiosk.journey.wake()
    kiosk.desk.open_services()
    assert kiosk.journey.view.screen is Screen.SERVICES
    kiosk.desk.choose(service_id)


def test_the_services_are_listed_in_the_platforms_order_with_what_each_needs(
    kiosk: Kiosk, simulator: PlatformSimulator
) -> None:
    simulator.services.remove("lic.list")
    simulator.services.insert(0, simulator.services.pop(simulator.services.index("case.progress")))
    kiosk.journey.wake()
    assert "services" in kiosk.journey.view.tasks
    kiosk.desk.open_services()
    listed: ServiceListPage = page(kiosk)
    ids = [tile.service.id for tile in listed.tiles]
    assert ids == simulator.services and "lic.list" not in ids
    needs = {tile.service.id: tile.needs for tile in listed.tiles}
    assert needs["case.progress"] == "" and needs["si.records"] == desk_module.NEEDS["card"]
    assert needs["hf.account"] == desk_module.NEEDS["face"]


def test_contributions_after_consent_then_the_platform_session_ends_with_the_visit(
    kiosk: Kiosk, simulator: PlatformSimulator
) -> None:
    kiosk.journey.wake()
    identify(kiosk)
    start(kiosk, "si.records")
    consent: ConsentPage = page(kiosk)
    assert kiosk.journey.view.screen is Screen.CONSENT and not consent.face
    assert simulator.live_sessions() == 0  # nothing is sent before the resident agrees
    kiosk.desk.agree()
    table: TablePage = page(kiosk)
    assert kiosk.journey.view.screen is Screen.QUERY and kiosk.journey.view.personal
    assert len(table.rows) == 36  # 12 months x 3 insurances
    assert table.rows[0][0] == "2026-11" and table.rows[0][3] == "¥544.00"
    assert dict(table.note_values)["first"] == "2025-12"
    assert simulator.live_sessions() == 1
    kiosk.journey.back()
    kiosk.desk.choose("si.records")  # consent holds for the visit
    assert kiosk.journey.view.screen is Screen.QUERY
    kiosk.journey.finish()
    assert simulator.live_sessions() == 0
    assert kiosk.journey.view.screen is Screen.ATTRACT and kiosk.desk._resident is None


def test_declining_sends_nothing(kiosk: Kiosk, simulator: PlatformSimulator) -> None:
    kiosk.journey.wake()
    identify(kiosk)
    start(kiosk, "si.records")
    kiosk.desk.decline()
    assert kiosk.journey.view.screen is Screen.SERVICES
    assert simulator.live_sessions() == 0


def test_the_housing_fund_needs_a_picture_of_the_face(kiosk: Kiosk, simulator: PlatformSimulator) -> None:
    kiosk.journey.wake()
    identify(kiosk, "sscard.json")
    start(kiosk, "hf.account")
    consent: ConsentPage = page(kiosk)
    assert consent.face and consent.sends == (desk_module.SENDS_CARD, desk_module.SENDS_FACE)
    kiosk.desk.agree()
    assert kiosk.journey.view.screen is Screen.FACE
    kiosk.desk.use_picture()  # nothing taken yet: nothing happens
    assert kiosk.journey.view.screen is Screen.FACE
    kiosk.desk.take_picture()
    taken: FacePage = page(kiosk)
    assert taken.picture is not None and Image.open(io.BytesIO(taken.picture)).format == "JPEG"
    kiosk.desk.use_picture()
    table: TablePage = page(kiosk)
    assert kiosk.journey.view.screen is Screen.QUERY
    assert table.rows[0] == ("Balance", "¥35,820.50")
    assert kiosk.desk._resident is not None and kiosk.desk._resident.level == "face"
    kiosk.journey.back()
    assert kiosk.journey.view.screen is Screen.SERVICES  # consent and face are steps, not stops
    kiosk.desk.choose("hf.certificate")  # the face session serves the next face service too
    assert kiosk.journey.view.screen is Screen.DOCUMENT


def test_a_face_the_platform_does_not_match_is_refused_in_its_own_words(
    kiosk: Kiosk, simulator: PlatformSimulator
) -> None:
    simulator.gateway.reject_faces = True
    kiosk.journey.wake()
    identify(kiosk)
    start(kiosk, "hf.account")
    kiosk.desk.agree()
    kiosk.desk.take_picture()
    kiosk.desk.use_picture()
    failed: FailurePage = page(kiosk)
    assert kiosk.journey.view.screen is Screen.SERVICE_FAILED
    assert failed.as_given and failed.message and not failed.retry
    assert any("\u4e00" <= char <= "\u9fff" for char in failed.message)  # the platform's Chinese words


def test_a_camera_that_fails_says_so_and_lets_the_resident_try_again(kiosk: Kiosk) -> None:
    kiosk.devices.camera.fail_next(1)  # type: ignore[attr-defined]  # the simulated camera
    kiosk.journey.wake()
    identify(kiosk)
    start(kiosk, "hf.account")
    kiosk.desk.agree()
    kiosk.desk.take_picture()
    failed: FacePage = page(kiosk)
    assert failed.picture is None and failed.message == desk_module.CAMERA_FAILED and not failed.taking
    kiosk.desk.take_picture()
    assert page(kiosk).picture is not None and not page(kiosk).message


def test_without_a_camera_the_face_services_say_so(
    make_kiosk: Callable[..., Kiosk], simulator: PlatformSimulator
) -> None:
    kiosk = make_kiosk({"platform": simulator.kiosk_settings(), "devices": {"camera": {"driver": "none"}}})
    kiosk.journey.wake()
    identify(kiosk)
    start(kiosk, "hf.account")
    kiosk.desk.agree()
    failed: FailurePage = page(kiosk)
    assert kiosk.journey.view.screen is Screen.SERVICE_FAILED and failed.message == desk_module.CAMERA_OUT
    assert simulator.live_sessions() == 0


def test_a_certificate_is_delivered_checked_and_printed_as_delivered(kiosk: Kiosk) -> None:
    kiosk.journey.wake()
    identify(kiosk)
    start(kiosk, "si.certificate")
    kiosk.desk.agree()
    document: DocumentPage = page(kiosk)
    assert kiosk.journey.view.screen is Screen.DOCUMENT and not document.problem
    assert document.document.content.startswith(b"%PDF") and document.document.verify_url
    kiosk.desk.print_page()
    view = kiosk.journey.view
    assert view.screen is Screen.PRINT_DONE and view.paper is Paper.DOCUMENT
    printer = kiosk.devices.printer
    paper = printer.output / printer.completed_files()[-1]  # type: ignore[attr-defined]  # the sim's paper
    assert paper.read_bytes() == document.document.content  # as delivered, byte for byte


def test_a_document_with_too_many_pages_is_not_offered_for_printing(
    make_kiosk: Callable[..., Kiosk], simulator: PlatformSimulator
) -> None:
    simulator.document_pages = 500
    kiosk = make_kiosk({"platform": simulator.kiosk_settings()})
    kiosk.journey.wake()
    identify(kiosk)
    start(kiosk, "si.certificate")
    kiosk.desk.agree()
    document: DocumentPage = page(kiosk)
    assert document.document.pages == 500 and document.problem == desk_module.TOO_MANY_PAGES
    kiosk.desk.print_page()
    assert kiosk.journey.view.screen is Screen.DOCUMENT  # nothing printed
    assert kiosk.devices.printer.completed_files() == []  # type: ignore[attr-defined]


def test_a_licence_is_chosen_given_a_purpose_and_delivered(kiosk: Kiosk) -> None:
    kiosk.journey.wake()
    identify(kiosk)
    start(kiosk, "lic.print")
    kiosk.desk.agree()
    licences: ChoicePage = page(kiosk)
    assert licences.step == "licence"
    assert [choice.label for choice in licences.choices] == ["机动车驾驶证", "学位证书"]
    kiosk.desk.pick(licences.choices[0].value)
    purposes: ChoicePage = page(kiosk)
    assert purposes.step == "purpose"
    kiosk.desk.pick(purposes.choices[1].value)
    document: DocumentPage = page(kiosk)
    assert kiosk.journey.view.screen is Screen.DOCUMENT and document.document.content.startswith(b"%PDF")


def test_a_case_by_its_number_and_query_code_then_rated(kiosk: Kiosk, simulator: PlatformSimulator) -> None:
    start(kiosk, "case.progress")
    entry: EntryPage = page(kiosk)
    assert kiosk.journey.view.screen is Screen.ENTRY and entry.active == "case_no"
    kiosk.desk.submit()
    assert page(kiosk).message == desk_module.FILL_IN
    type_case(kiosk, "wh2026110700001", "4829134")
    kiosk.desk.erase()
    assert [field.value for field in page(kiosk).fields] == ["WH2026110700001", "482913"]
    kiosk.desk.submit()
    case: CasePage = page(kiosk)
    assert kiosk.journey.view.screen is Screen.CASE
    assert case.case.status == "已办结" and case.case.rateable and len(case.case.stages) == 4
    assert simulator.live_sessions() == 0  # a case needs no resident session


def test_a_wrong_query_code_is_refused_in_the_platforms_words(kiosk: Kiosk) -> None:
    start(kiosk, "case.progress")
    type_case(kiosk, "WH2026110700001", "000000")
    kiosk.desk.submit()
    failed: FailurePage = page(kiosk)
    assert kiosk.journey.view.screen is Screen.SERVICE_FAILED and failed.as_given and not failed.retry
    kiosk.journey.back()
    assert kiosk.journey.view.screen is Screen.ENTRY  # what was typed is still there to correct


def test_an_appointment_is_chosen_booked_after_the_card_and_cancelled(
    kiosk: Kiosk, simulator: PlatformSimulator
) -> None:
    start(kiosk, "appt.book")
    halls: ChoicePage = page(kiosk)
    assert halls.step == "hall" and halls.choices[0].label == "威海市政务服务中心（演示）"
    kiosk.desk.pick("HALL-WH")
    assert page(kiosk).step == "counter"
    kiosk.desk.pick("si.counter")
    days: ChoicePage = page(kiosk)
    assert days.step == "day" and days.choices[0].value == BOOKING_DAY.isoformat()
    kiosk.desk.pick(BOOKING_DAY.isoformat())
    slots: ChoicePage = page(kiosk)
    assert slots.step == "slot" and len(slots.choices) == 12
    assert all(choice.enabled for choice in slots.choices)
    kiosk.desk.pick(slots.choices[2].value)
    assert kiosk.journey.view.screen is Screen.IDENTIFY  # booking is in the resident's name
    identify(kiosk)
    assert kiosk.journey.view.screen is Screen.CONSENT
    kiosk.desk.agree()
    booked: BookedPage = page(kiosk)
    assert kiosk.journey.view.screen is Screen.BOOKED
    assert booked.appointment.slot == "2026-12-09T10:00" and booked.appointment.hall_name.startswith("威海市")
    assert booked.cancellable and not booked.cancelled
    kiosk.desk.cancel_appointment()
    assert page(kiosk).cancelled
    # The slot is free again.
    kiosk.journey.home()
    kiosk.desk.open_services()
    kiosk.desk.choose("appt.slots")
    for value in ("HALL-WH", "si.counter", BOOKING_DAY.isoformat()):
        kiosk.desk.pick(value)
    assert all(choice.enabled for choice in page(kiosk).choices)


def test_a_slot_taken_meanwhile_is_refused_in_the_platforms_words(kiosk: Kiosk) -> None:
    kiosk.journey.wake()
    identify(kiosk)
    start(kiosk, "appt.book")
    for value in ("HALL-WH", "si.counter", BOOKING_DAY.isoformat()):
        kiosk.desk.pick(value)
    slot = page(kiosk).choices[0].value
    platform = kiosk.desk._platform
    session = platform.open_session("id_card", "371002196507070011", "演示长者")
    platform.book_appointment(session, "HALL-WH", "si.counter", slot)  # someone else, elsewhere
    kiosk.desk.pick(slot)
    kiosk.desk.agree()
    failed: FailurePage = page(kiosk)
    assert kiosk.journey.view.screen is Screen.SERVICE_FAILED and failed.as_given


def test_a_platform_that_is_down_is_said_plainly_and_try_again_works(
    kiosk: Kiosk, simulator: PlatformSimulator
) -> None:
    kiosk.journey.wake()
    identify(kiosk)
    simulator.down = "503"
    start(kiosk, "si.records")
    kiosk.desk.agree()
    failed: FailurePage = page(kiosk)
    assert kiosk.journey.view.screen is Screen.SERVICE_FAILED
    assert failed.message == desk_module.UNREACHABLE and failed.retry and not failed.as_given
    simulator.down = None
    kiosk.desk.retry()
    assert kiosk.journey.view.screen is Screen.QUERY


def test_a_hanging_platform_costs_at_most_the_timeout(
    make_kiosk: Callable[..., Kiosk], simulator: PlatformSimulator
) -> None:
    import time

    kiosk = make_kiosk({"platform": {**simulator.kiosk_settings(), "timeout": 1}})
    start(kiosk, "case.progress")
    type_case(kiosk, "WH2026110700001", "482913")
    simulator.slow = 5
    began = time.monotonic()
    kiosk.desk.submit()
    took = time.monotonic() - began
    failed: FailurePage = page(kiosk)
    assert failed.message == desk_module.TOO_SLOW and failed.retry
    assert took < 3, took


def test_lifting_the_card_clears_what_the_platform_said_and_closes_its_session(
    kiosk: Kiosk, simulator: PlatformSimulator
) -> None:
    kiosk.journey.wake()
    identify(kiosk)
    start(kiosk, "si.records")
    kiosk.desk.agree()
    assert kiosk.journey.view.screen is Screen.QUERY and simulator.live_sessions() == 1
    kiosk.session.drop_identity("card removed")
    assert kiosk.journey.view.screen is Screen.IDENTIFY
    assert kiosk.journey.view.identify.message
    assert not any(view.personal or view.screen is Screen.IDENTIFIED for view in kiosk.journey._stack)
    assert simulator.live_sessions() == 0
    identify(kiosk)
    assert kiosk.journey.view.screen is Screen.IDENTIFIED
    kiosk.desk.choose("si.records")
    assert kiosk.journey.view.screen is Screen.CONSENT  # a new card, a new consent


def test_idle_ends_the_platform_session(kiosk: Kiosk, simulator: PlatformSimulator, clock: Any) -> None:
    kiosk.journey.wake()
    identify(kiosk)
    start(kiosk, "si.records")
    kiosk.desk.agree()
    assert simulator.live_sessions() == 1
    clock.advance(kiosk.session.idle_seconds + kiosk.session.warning_seconds + 1)
    kiosk.session.tick()
    assert kiosk.journey.view.screen is Screen.ATTRACT and simulator.live_sessions() == 0


def test_the_identified_screen_lists_what_this_resident_can_do(kiosk: Kiosk) -> None:
    kiosk.journey.wake()
    kiosk.journey.open_identify()
    identify(kiosk)
    view = kiosk.journey.view
    assert view.screen is Screen.IDENTIFIED
    assert isinstance(view.desk, ServiceListPage) and view.desk.tiles[0].service.id == "si.records"


def test_a_kiosk_without_a_platform_offers_no_online_services(make_kiosk: Callable[..., Kiosk]) -> None:
    kiosk = make_kiosk()
    kiosk.journey.wake()
    assert "services" not in kiosk.journey.view.tasks
    kiosk.desk.open_services()
    listed: ServiceListPage = page(kiosk)
    assert listed.tiles == () and listed.problem == desk_module.NO_PLATFORM


def test_the_log_of_a_visit_names_no_resident(
    kiosk: Kiosk, caplog: pytest.LogCaptureFixture, simulator: PlatformSimulator
) -> None:
    caplog.set_level(logging.DEBUG)
    kiosk.journey.wake()
    identify(kiosk)
    start(kiosk, "si.records")
    kiosk.desk.agree()
    kiosk.journey.back()
    kiosk.desk.choose("lic.list")
    kiosk.journey.finish()
    text = caplog.text
    for personal in ("演示居民", "371002199001010023", "DEMO-DL-000001", "544.00", "6800"):
        assert personal not in text
    assert "resident platform session opened" in text


def test_a_query_and_an_appointment_slip_are_printed_in_chinese(kiosk: Kiosk) -> None:
    from tests.kiosk.test_service_papers import text

    kiosk.journey.wake()
    kiosk.journey.set_language("en")  # the resident reads English; the paper is for any counter
    identify(kiosk)
    start(kiosk, "si.records")
    kiosk.desk.agree()
    kiosk.desk.print_page()
    assert kiosk.journey.view.screen is Screen.PRINT_DONE and kiosk.journey.view.paper is Paper.TABLE
    printer = kiosk.devices.printer
    table = text((printer.output / printer.completed_files()[-1]).read_bytes())  # type: ignore[attr-defined]
    assert "缴费基数" in table and "社保缴费记录查询" in table and "¥544.00" in table
    kiosk.journey.home()
    kiosk.desk.open_services()
    kiosk.desk.choose("appt.book")
    for value in ("HALL-WH", "si.counter", BOOKING_DAY.isoformat()):
        kiosk.desk.pick(value)
    kiosk.desk.pick(page(kiosk).choices[0].value)
    booked: BookedPage = page(kiosk)
    kiosk.desk.print_page()
    assert kiosk.journey.view.paper is Paper.SLIP and kiosk.journey.view.screen is Screen.PRINT_DONE
    slip = text((printer.output / printer.completed_files()[-1]).read_bytes())  # type: ignore[attr-defined]
    assert booked.appointment.appointment_no in slip and "09:00" in slip


def test_a_case_is_rated_as_a_case(kiosk: Kiosk, simulator: PlatformSimulator) -> None:
    start(kiosk, "case.progress")
    type_case(kiosk, "WH2026110700001", "482913")
    kiosk.desk.submit()
    kiosk.desk.rate_case()
    view = kiosk.journey.view
    assert view.screen is Screen.RATING and view.rating is not None and view.guide is None
    assert view.rating.case_no == "WH2026110700001"


def test_a_receipts_code_held_to_the_scanner_opens_its_case(kiosk: Kiosk) -> None:
    from kiosk.records import ResidentCode

    start(kiosk, "case.progress")
    assert page(kiosk).scan
    scanner = kiosk.devices.scanner
    scanner.show(ResidentCode("qrcode", "https://example.invalid/case?x=1"))  # type: ignore[attr-defined]
    assert wait_for(lambda: page(kiosk).message == desk_module.NOT_A_RECEIPT)
    receipt = f"https://zwfw.example.invalid/case?case_no={CASE}&query_code=482913"
    scanner.show(ResidentCode("qrcode", receipt))  # type: ignore[attr-defined]
    assert wait_for(lambda: kiosk.journey.view.screen is Screen.CASE)
    assert page(kiosk).case.case_no == CASE


def test_receipts_are_read_by_their_case_number_and_query_code() -> None:
    from kiosk.desk.receipts import read_receipt

    assert read_receipt(f"case_no={CASE.lower()}&query_code=482913") == (CASE, "482913")
    assert read_receipt(f" https://a.invalid/c?query_code=482913&case_no={CASE} ") == (CASE, "482913")
    for other in ("", "RC:DEMO0000000000000001", f"case_no={CASE}", "case_no=WH1&query_code=482913"):
        assert read_receipt(other) is None
    assert read_receipt(f"case_no={CASE}&query_code=48a913") is None


def test_a_resident_code_shown_to_the_scanner_identifies_for_the_platforms_services(
    kiosk: Kiosk, simulator: PlatformSimulator
) -> None:
    from kiosk.records import ResidentCode

    kiosk.journey.wake()
    kiosk.journey.open_identify()
    scanner = kiosk.devices.scanner
    scanner.show(ResidentCode("ean13", "6901234567892"))  # type: ignore[attr-defined]
    assert wait_for(lambda: bool(kiosk.journey.view.identify.message))
    assert kiosk.session.identity is None
    scanner.show(ResidentCode("qrcode", "RC:DEMO0000000000000001"))  # type: ignore[attr-defined]
    assert wait_for(lambda: kiosk.journey.view.screen is Screen.IDENTIFIED)
    assert wait_for(lambda: isinstance(kiosk.journey.view.desk, ServiceListPage))
    kiosk.desk.choose("si.records")
    kiosk.desk.agree()
    table: TablePage = page(kiosk)
    assert kiosk.journey.view.screen is Screen.QUERY and table.rows[0][3] == "¥544.00"  # the demo resident's
    kiosk.journey.finish()
    assert simulator.live_sessions() == 0


@pytest.mark.parametrize(
    ("switch", "value", "left_open"),
    # Broken JSON answers the session's opening too: the kiosk never got a token to close it with,
    # and the platform ends it when it expires.
    [("refuse_signatures", True, 0), ("garbage", "json", 1), ("garbage", "digest", 0)],
    ids=["signature-refused", "broken-json", "wrong-digest"],
)
def test_a_platform_the_kiosk_cannot_trust_gets_a_plain_sentence_and_no_retry(  # noqa: PLR0917
    kiosk: Kiosk,
    simulator: PlatformSimulator,
    caplog: pytest.LogCaptureFixture,
    switch: str,
    value: object,
    left_open: int,
) -> None:
    kiosk.journey.wake()
    identify(kiosk)
    kiosk.desk.open_services()  # the list fetched while the platform still answers well
    kiosk.desk.choose("si.certificate")
    setattr(simulator, switch, value)
    kiosk.desk.agree()
    failed: FailurePage = page(kiosk)
    assert kiosk.journey.view.screen is Screen.SERVICE_FAILED
    assert failed.message == desk_module.NOT_WORKING and not failed.retry and not failed.as_given
    assert "service si.certificate" in caplog.text  # the technician's reason is in the log
    setattr(simulator, switch, False if switch == "refuse_signatures" else None)
    kiosk.journey.finish()
    assert simulator.live_sessions() == left_open


class Deferred:
    """A background that keeps device work until the test runs it: a slow platform, made exact."""

    def __init__(self) -> None:
        self.work: list[Callable[[], None]] = []

    def __call__(self, work: Callable[[], None]) -> None:
        self.work.append(work)

    def run(self) -> None:
        while self.work:
            self.work.pop(0)()


@pytest.fixture
def deferred_kiosk(make_kiosk: Callable[..., Kiosk], simulator: PlatformSimulator) -> tuple[Kiosk, Deferred]:
    later = Deferred()
    built = make_kiosk({"platform": simulator.kiosk_settings()}, background=later)
    built.desk._today = lambda: BOOKING_DAY.replace(day=8)
    return built, later


def started_query(kiosk: Kiosk, later: Deferred) -> None:
    """A resident identified, the list fetched, consent given: the query waits at the platform."""
    kiosk.journey.wake()
    identify(kiosk)
    later.run()  # the greeting's list of services
    kiosk.desk.choose("si.records")
    kiosk.desk.agree()
    assert kiosk.journey.view.screen is Screen.SERVICE_WAIT and later.work


def test_an_answer_that_comes_after_the_resident_left_reaches_nobody(
    deferred_kiosk: tuple[Kiosk, Deferred], simulator: PlatformSimulator
) -> None:
    kiosk, later = deferred_kiosk
    started_query(kiosk, later)
    kiosk.journey.finish()  # on the waiting screen
    kiosk.journey.wake()  # the next resident
    kiosk.session.identify(identity_from_card_file(CARDS / "resident_long_term.json"))
    later.run()  # the first resident's step ends now
    assert kiosk.journey.view.screen is Screen.IDENTIFIED
    assert kiosk.desk._resident is None and simulator.live_sessions() == 0  # opened late, closed at once
    kiosk.desk.choose("si.records")
    assert kiosk.journey.view.screen is Screen.CONSENT  # the next resident is asked, and served as themself


def test_lifting_the_card_during_a_step_drops_its_answer(
    deferred_kiosk: tuple[Kiosk, Deferred], simulator: PlatformSimulator
) -> None:
    kiosk, later = deferred_kiosk
    started_query(kiosk, later)
    kiosk.session.drop_identity("card removed")
    assert kiosk.journey.view.screen is Screen.IDENTIFY  # the waiting screen was the resident's
    later.run()
    assert kiosk.journey.view.screen is Screen.IDENTIFY
    assert not any(view.personal for view in kiosk.journey._stack)
    assert simulator.live_sessions() == 0


def test_another_card_ends_the_last_residents_part(kiosk: Kiosk, simulator: PlatformSimulator) -> None:
    kiosk.journey.wake()
    identify(kiosk)
    start(kiosk, "si.records")
    kiosk.desk.agree()
    assert kiosk.journey.view.screen is Screen.QUERY
    kiosk.session.identify(identity_from_card_file(CARDS / "resident_long_term.json"))  # the other reader
    assert kiosk.journey.view.screen is Screen.IDENTIFIED
    assert not any(view.personal for view in kiosk.journey._stack)
    assert simulator.live_sessions() == 0
    kiosk.desk.choose("si.records")
    assert kiosk.journey.view.screen is Screen.CONSENT


def test_a_platform_that_lists_nothing_says_so(kiosk: Kiosk, simulator: PlatformSimulator) -> None:
    simulator.services.clear()
    kiosk.journey.wake()
    kiosk.desk.open_services()
    listed: ServiceListPage = page(kiosk)
    assert listed.tiles == () and listed.problem == desk_module.NONE_OFFERED


def test_a_cancelled_appointment_is_never_shown_booked_again(kiosk: Kiosk) -> None:
    kiosk.journey.wake()
    identify(kiosk)
    start(kiosk, "appt.book")
    for value in ("HALL-WH", "si.counter", BOOKING_DAY.isoformat()):
        kiosk.desk.pick(value)
    kiosk.desk.pick(page(kiosk).choices[0].value)
    kiosk.desk.agree()
    kiosk.desk.cancel_appointment()
    assert page(kiosk).cancelled
    kiosk.journey.back()
    assert kiosk.journey.view.screen is Screen.CHOOSE


def test_an_appointment_is_cancelled_by_its_number(kiosk: Kiosk) -> None:
    kiosk.journey.wake()
    identify(kiosk)
    platform = kiosk.desk._platform
    assert platform is not None
    session = platform.open_session("id_card", "371002199001010023", "演示居民")
    booked = platform.book_appointment(session, "HALL-WH", "si.counter", f"{BOOKING_DAY.isoformat()}T14:00")
    platform.close_session(session)
    start(kiosk, "appt.cancel")
    kiosk.desk.agree()
    assert kiosk.journey.view.screen is Screen.ENTRY
    for char in booked.appointment_no:
        kiosk.desk.type_text(char)
    kiosk.desk.submit()
    done: FailurePage = page(kiosk)
    assert kiosk.journey.view.screen is Screen.SERVICE_FAILED and done.done and not done.retry


def test_each_touch_of_print_is_a_paper_of_its_own(kiosk: Kiosk) -> None:
    kiosk.journey.wake()
    identify(kiosk)
    start(kiosk, "si.certificate")
    kiosk.desk.agree()
    for _copy in range(2):
        kiosk.desk.print_page()
        assert kiosk.journey.view.screen is Screen.PRINT_DONE
        kiosk.journey.back()
    assert len(kiosk.devices.printer.completed_files()) == 2  # type: ignore[attr-defined]


def test_a_rated_case_is_not_offered_for_rating_again(kiosk: Kiosk) -> None:
    from kiosk.records import RatingLevel

    start(kiosk, "case.progress")
    type_case(kiosk, CASE, "482913")
    kiosk.desk.submit()
    kiosk.desk.rate_case()
    flow = kiosk.journey.view.rating
    assert flow is not None
    flow.choose_level(RatingLevel.VERY_SATISFIED)
    kiosk.journey.submit_rating()
    kiosk.journey.back()
    assert kiosk.journey.view.screen is Screen.CASE and page(kiosk).rated


def test_the_receipts_are_read_again_when_the_entry_shows_again(kiosk: Kiosk) -> None:
    from kiosk.records import ResidentCode

    start(kiosk, "case.progress")
    type_case(kiosk, CASE, "000000")
    kiosk.desk.submit()  # refused: a wrong query code
    kiosk.journey.back()
    assert kiosk.journey.view.screen is Screen.ENTRY
    receipt = f"case_no={CASE}&query_code=482913"
    kiosk.devices.scanner.show(ResidentCode("qrcode", receipt))  # type: ignore[attr-defined]
    assert wait_for(lambda: kiosk.journey.view.screen is Screen.CASE)
    threads = [thread.name for thread in threading.enumerate() if thread.name == "kiosk-receipts"]
    assert len(threads) <= 1


def test_a_visit_that_rated_the_service_may_still_rate_a_case_once(kiosk: Kiosk) -> None:
    from kiosk.records import RatingLevel

    kiosk.journey.wake()
    kiosk.journey.open_rating()  # the service here, from home
    flow = kiosk.journey.view.rating
    assert flow is not None
    flow.choose_level(RatingLevel.SATISFIED)
    kiosk.journey.submit_rating()
    kiosk.journey.home()
    start(kiosk, "case.progress")
    type_case(kiosk, CASE, "482913")
    kiosk.desk.submit()
    assert not page(kiosk).rated
    kiosk.desk.rate_case()
    case_flow = kiosk.journey.view.rating
    assert case_flow is not None and not case_flow.already_rated and case_flow.case_no == CASE
