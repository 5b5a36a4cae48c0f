"""The kiosk's resident calls against the platform simulator: social insurance records, the housing
fund, licences and appointments, as a resident at the kiosk would make them. The simulator's answers
fix the field names the contract left loose; these tests hold the adapter to them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from kiosk.platform.gateway import HttpGateway
from kiosk.platform.port import BadAnswer, PlatformRefused
from kiosk.platform.records import PlatformSession
from kiosk.platform.signing import Signer
from kiosk.platform.sim_data import HALLS, RESIDENTS, SLOT_TIMES
from kiosk.platform.simulator import DEMO_PAAS_ID, DEMO_TOKEN, PlatformSimulator

CARDS = Path(__file__).resolve().parents[2] / "config" / "demo" / "cards"
RESIDENT = json.loads((CARDS / "resident.json").read_text(encoding="utf-8"))
ELDER = json.loads((CARDS / "resident_long_term.json").read_text(encoding="utf-8"))
NOBODY = json.loads((CARDS / "foreign_2017.json").read_text(encoding="utf-8"))
FACE = b"\xff\xd8\xff\xe0 a face"
MONDAY = date(2026, 12, 14)


@pytest.fixture
def platform(simulator: PlatformSimulator) -> Iterator[HttpGateway]:
    gateway = HttpGateway(simulator.url, Signer(DEMO_PAAS_ID, DEMO_TOKEN), timeout=3)
    yield gateway
    gateway.close()


def session(platform: HttpGateway, card: dict[str, str], *, face: bool = False) -> PlatformSession:
    return platform.open_session("id_card", card["id_number"], card["name"], face_jpeg=FACE if face else None)


def test_social_insurance_records_come_by_month_with_decimal_amounts(platform: HttpGateway) -> None:
    records = platform.si_records(session(platform, RESIDENT), "2022-06", "2022-07")
    assert [(record.month, record.insurance) for record in records] == [
        ("2022-06", "职工基本养老保险"),
        ("2022-06", "职工基本医疗保险"),
        ("2022-06", "失业保险"),
        ("2022-07", "职工基本养老保险"),
        ("2022-07", "职工基本医疗保险"),
        ("2022-07", "失业保险"),
    ]
    assert [record.base for record in records] == [Decimal("5200.00")] * 3 + [Decimal("6800.00")] * 3
    assert [record.paid for record in records] == [
        Decimal("416.00"),
        Decimal("104.00"),
        Decimal("26.00"),
        Decimal("544.00"),
        Decimal("136.00"),
        Decimal("34.00"),
    ]
    assert sum(record.paid for record in records) == Decimal("1260.00")
    assert records[3].employer == "演示科技有限公司（虚构）"
    assert "6800" not in repr(records) and "演示科技" not in repr(records)


def test_a_resident_without_records_is_refused_with_the_platforms_message(platform: HttpGateway) -> None:
    with pytest.raises(PlatformRefused) as refused:
        platform.si_records(session(platform, NOBODY), "2026-01", "2026-11")
    assert refused.value.code == "NO_RECORD" and refused.value.message


def test_the_housing_fund_needs_a_face_session(platform: HttpGateway) -> None:
    with pytest.raises(PlatformRefused) as refused:
        platform.hf_account(session(platform, RESIDENT))
    assert refused.value.code == "FACE_REQUIRED" and refused.value.message
    account = platform.hf_account(session(platform, RESIDENT, face=True))
    assert (account.balance, account.monthly_deposit) == (Decimal("35820.50"), Decimal("1632.00"))
    assert (account.state, account.opened) == ("正常缴存", date(2019, 8, 1))
    assert "35820" not in repr(account) and "DEMO-HF" not in repr(account)
    with pytest.raises(PlatformRefused) as none_held:
        platform.hf_account(session(platform, ELDER, face=True))
    assert none_held.value.code == "NO_RECORD"


def test_a_licence_is_listed_then_printed_with_its_purpose(platform: HttpGateway) -> None:
    resident = session(platform, RESIDENT)
    licences = platform.licences(resident)
    assert [(licence.id, licence.name) for licence in licences] == [
        ("LIC-DEMO-0001", "机动车驾驶证"),
        ("LIC-DEMO-0002", "学位证书"),
    ]
    assert licences[0].valid_until == date(2031, 9, 1) and licences[1].valid_until is None
    document = platform.print_licence(resident, licences[0].id, "求职")
    assert document.content.startswith(b"%PDF") and document.pages >= 1 and document.verify_code
    with pytest.raises(PlatformRefused) as refused:  # someone else's licence
        platform.print_licence(session(platform, ELDER), licences[0].id, "求职")
    assert refused.value.code == "NOT_FOUND"


def test_a_printed_licence_whose_digest_is_wrong_is_a_bad_answer(
    simulator: PlatformSimulator, platform: HttpGateway
) -> None:
    resident = session(platform, RESIDENT)
    simulator.garbage = "digest"
    with pytest.raises(BadAnswer, match="sha256"):
        platform.print_licence(resident, "LIC-DEMO-0001", "求职")


def test_a_slot_is_booked_once_then_cancelled_and_free_again(platform: HttpGateway) -> None:
    hall = HALLS[0]
    service = next(iter(hall.services))
    slots = platform.appointment_slots(hall.id, service, MONDAY)
    assert [slot.start for slot in slots] == list(SLOT_TIMES) and all(slot.available for slot in slots)
    chosen = slots[1]

    resident, elder = session(platform, RESIDENT), session(platform, ELDER)
    booked = platform.book_appointment(resident, hall.id, service, chosen.slot)
    assert (booked.hall, booked.hall_name, booked.service, booked.slot) == (
        hall.id,
        hall.name,
        service,
        chosen.slot,
    )
    assert booked.appointment_no and booked.appointment_no not in repr(booked)
    assert not platform.appointment_slots(hall.id, service, MONDAY)[1].available

    with pytest.raises(PlatformRefused) as taken:
        platform.book_appointment(elder, hall.id, service, chosen.slot)
    assert taken.value.code == "SLOT_TAKEN" and taken.value.message
    with pytest.raises(PlatformRefused) as not_theirs:
        platform.cancel_appointment(elder, booked.appointment_no)
    assert not_theirs.value.code == "NOT_FOUND"

    platform.cancel_appointment(resident, booked.appointment_no)
    assert platform.appointment_slots(hall.id, service, MONDAY)[1].available
    with pytest.raises(PlatformRefused) as gone:
        platform.cancel_appointment(resident, booked.appointment_no)
    assert gone.value.code == "NOT_FOUND"


def test_a_weekend_has_no_slots_and_an_unknown_counter_is_not_found(platform: HttpGateway) -> None:
    assert platform.appointment_slots(HALLS[0].id, "si.counter", date(2026, 12, 13)) == []
    with pytest.raises(PlatformRefused) as refused:
        platform.appointment_slots(HALLS[1].id, "hf.counter", MONDAY)
    assert refused.value.code == "NOT_FOUND"


def test_a_call_after_the_session_closed_is_refused(platform: HttpGateway) -> None:
    resident = session(platform, RESIDENT)
    platform.close_session(resident)
    with pytest.raises(PlatformRefused) as refused:
        platform.licences(resident)
    assert refused.value.code == "SESSION_EXPIRED"


def test_the_demo_residents_are_the_simulators() -> None:
    known = {resident.id_number for resident in RESIDENTS}
    assert {RESIDENT["id_number"], ELDER["id_number"], NOBODY["id_number"]} <= known
