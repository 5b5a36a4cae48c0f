"""The adapter's resident calls (social insurance records, housing fund, licences, appointments)
against the scripted gateway on loopback: what the kiosk sends, what it makes of refusals and bad
answers, which calls are retried, and what its logs and records never show."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from kiosk.platform.gateway import MAX_ANSWER_BYTES, RESIDENT_TOKEN, HttpGateway
from kiosk.platform.port import BadAnswer, PlatformRefused, PlatformUnavailable
from kiosk.platform.records import (
    Appointment,
    Contribution,
    HousingFundAccount,
    Licence,
    PlatformSession,
    Slot,
)
from kiosk.platform.signing import Signer
from tests.platform_gateway import GatewayServer, Reply, Request

SESSION = PlatformSession("resident-token-7", "face", expires=1e12)
RECORDS = {
    "from": "2026-10",
    "to": "2026-11",
    "records": [
        {
            "month": "2026-10",
            "insurance": "职工基本养老保险",
            "base": "6800.00",
            "paid": "544.00",
            "employer": "某公司",
        },
        {
            "month": "2026-11",
            "insurance": "失业保险",
            "base": "6800.00",
            "paid": "34.00",
            "employer": "某公司",
        },
    ],
}
ACCOUNT = {
    "account_no": "HF-0099887766",
    "balance": "35820.50",
    "monthly_deposit": "1632.00",
    "state": "正常缴存",
    "employer": "某公司",
    "opened": "2019-08-01",
}
LICENCES = {
    "licences": [
        {
            "id": "LIC-77",
            "name": "机动车驾驶证",
            "number": "DL-370102199001011234",
            "issuer": "交警支队",
            "issued": "2015-09-01",
            "valid_until": "2031-09-01",
        },
        {
            "id": "LIC-78",
            "name": "学位证书",
            "number": "DEG-1",
            "issuer": "某大学",
            "issued": "2012-07-01",
            "valid_until": None,
        },
    ]
}
DAY = date(2026, 12, 14)
SLOTS = {
    "hall": "HALL-1",
    "service": "si.counter",
    "date": "2026-12-14",
    "slots": [
        {"slot": "2026-12-14T09:00", "start": "09:00", "end": "09:30", "available": True},
        {"slot": "2026-12-14T09:30", "start": "09:30", "end": "10:00", "available": False},
    ],
}
BOOKED = {
    "appointment_no": "YY0012345678",
    "hall": "HALL-1",
    "hall_name": "政务服务中心",
    "address": "某路100号",
    "service": "si.counter",
    "service_name": "社保业务窗口",
    "slot": "2026-12-14T09:00",
}
PDF = b"%PDF-1.7\n% a licence\n%%EOF\n"
PRINTED = {
    "document": {
        "file_name": "lic-77.pdf",
        "media_type": "application/pdf",
        "content_base64": base64.b64encode(PDF).decode(),
        "sha256": hashlib.sha256(PDF).hexdigest(),
        "verify_code": "V-1",
        "verify_url": "https://verify.example/V-1",
        "pages": 1,
    }
}

Call = Callable[[HttpGateway], Any]
CALLS: dict[str, tuple[Call, dict[str, Any], bool]] = {
    # name: (the call, the data of a good answer, whether it is retried)
    "si records": (lambda gateway: gateway.si_records(SESSION, "2026-10", "2026-11"), RECORDS, True),
    "hf account": (lambda gateway: gateway.hf_account(SESSION), ACCOUNT, True),
    "licences": (lambda gateway: gateway.licences(SESSION), LICENCES, True),
    "print licence": (lambda gateway: gateway.print_licence(SESSION, "LIC-77", "求职"), PRINTED, False),
    "slots": (lambda gateway: gateway.appointment_slots("HALL-1", "si.counter", DAY), SLOTS, True),
    "book": (
        lambda gateway: gateway.book_appointment(SESSION, "HALL-1", "si.counter", "2026-12-14T09:00"),
        BOOKED,
        False,
    ),
    "cancel": (
        lambda gateway: gateway.cancel_appointment(SESSION, "YY0012345678"),
        {"cancelled": True, "appointment_no": "YY0012345678"},
        True,
    ),
}


def test_each_call_is_sent_as_the_contract_says_and_parsed() -> None:
    answers = {
        ("GET", "/v1/si/records"): RECORDS,
        ("GET", "/v1/hf/account"): ACCOUNT,
        ("GET", "/v1/licences"): LICENCES,
        ("POST", "/v1/licences/LIC-77/print"): PRINTED,
        ("GET", "/v1/appointments/slots"): SLOTS,
        ("POST", "/v1/appointments"): BOOKED,
        ("DELETE", "/v1/appointments/YY0012345678"): {"cancelled": True, "appointment_no": "YY0012345678"},
    }

    def answer(request: Request) -> Reply:
        return Reply.ok(answers[request.method, request.path])

    with GatewayServer(answer) as server:
        results = [call(server.gateway()) for call, _, _ in CALLS.values()]
    records, account, licences, document, slots, booked, cancelled = results
    assert records == [
        Contribution("2026-10", "职工基本养老保险", Decimal("6800.00"), Decimal("544.00"), "某公司"),
        Contribution("2026-11", "失业保险", Decimal("6800.00"), Decimal("34.00"), "某公司"),
    ]
    assert all(type(record.paid) is Decimal for record in records)
    assert account == HousingFundAccount(
        "HF-0099887766", Decimal("35820.50"), Decimal("1632.00"), "正常缴存", "某公司", date(2019, 8, 1)
    )
    assert licences[0] == Licence(
        "LIC-77", "机动车驾驶证", "DL-370102199001011234", "交警支队", date(2015, 9, 1), date(2031, 9, 1)
    )
    assert licences[1].valid_until is None
    assert document.content == PDF
    assert slots == [
        Slot("2026-12-14T09:00", "09:00", "09:30", True),
        Slot("2026-12-14T09:30", "09:30", "10:00", False),
    ]
    assert booked == Appointment(
        "YY0012345678",
        "HALL-1",
        "政务服务中心",
        "某路100号",
        "si.counter",
        "社保业务窗口",
        "2026-12-14T09:00",
    )
    assert cancelled is None

    sent = [(request.method, request.path, request.query) for request in server.requests]
    assert sent == [
        ("GET", "/v1/si/records", {"from": ["2026-10"], "to": ["2026-11"]}),
        ("GET", "/v1/hf/account", {}),
        ("GET", "/v1/licences", {}),
        ("POST", "/v1/licences/LIC-77/print", {}),
        (
            "GET",
            "/v1/appointments/slots",
            {"hall": ["HALL-1"], "service": ["si.counter"], "date": ["2026-12-14"]},
        ),
        ("POST", "/v1/appointments", {}),
        ("DELETE", "/v1/appointments/YY0012345678", {}),
    ]
    printed, booking = server.requests[3], server.requests[5]
    assert json.loads(printed.body) == {"purpose": "求职"}
    assert json.loads(booking.body) == {"hall": "HALL-1", "service": "si.counter", "slot": "2026-12-14T09:00"}
    assert all(request.signed for request in server.requests)
    # Every resident call carries the resident's token; the slots need no resident.
    assert [RESIDENT_TOKEN in request.headers for request in server.requests] == [
        True,
        True,
        True,
        True,
        False,
        True,
        True,
    ]


@pytest.mark.parametrize("name", list(CALLS))
def test_only_idempotent_calls_are_retried(name: str) -> None:
    call, _, retried = CALLS[name]
    with GatewayServer(lambda request: Reply(503, b"")) as server, pytest.raises(PlatformUnavailable):
        call(server.gateway(timeout=5))
    assert len(server.requests) == (3 if retried else 1)


@pytest.mark.parametrize("name", [name for name, (_, _, retried) in CALLS.items() if retried])
def test_a_5xx_then_an_answer_is_a_success_for_a_retried_call(name: str) -> None:
    call, good, _ = CALLS[name]
    replies = iter([Reply(502, b""), Reply.ok(good)])
    with GatewayServer(lambda request: next(replies)) as server:
        call(server.gateway(timeout=5))
    assert len(server.requests) == 2


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("si records", "NO_RECORD"),
        ("hf account", "FACE_REQUIRED"),
        ("licences", "SESSION_EXPIRED"),
        ("print licence", "NOT_FOUND"),
        ("slots", "NOT_FOUND"),
        ("book", "SLOT_TAKEN"),
        ("cancel", "NOT_FOUND"),
    ],
)
def test_a_business_refusal_is_platform_refused_with_its_message_and_not_retried(
    name: str, code: str
) -> None:
    call, _, _ = CALLS[name]
    reply = Reply.envelope(code, "这个时段已被预约，请选择其他时段。")
    with GatewayServer(lambda request: reply) as server, pytest.raises(PlatformRefused) as refused:
        call(server.gateway())
    assert (refused.value.code, refused.value.message) == (code, "这个时段已被预约，请选择其他时段。")
    assert len(server.requests) == 1


BROKEN: list[tuple[str, Any, str]] = [
    ("si records", {"records": [{**RECORDS["records"][0], "paid": 544.0}]}, "paid: expected a string"),
    ("si records", {"records": [{**RECORDS["records"][0], "base": "6,800.00"}]}, "base: not an amount"),
    ("si records", {"records": [{**RECORDS["records"][0], "base": "NaN"}]}, "base: not an amount"),
    ("si records", {"records": [{**RECORDS["records"][0], "month": "2025-01"}]}, "outside 2026-10..2026-11"),
    ("si records", [RECORDS["records"][0]], "si.records: expected an object"),
    ("hf account", {**ACCOUNT, "balance": "-1.00"}, "balance: not an amount"),
    ("hf account", {**ACCOUNT, "opened": "2019-02-30"}, "opened: not a calendar date"),
    ("licences", {"licences": [LICENCES["licences"][0]] * 2}, "listed twice"),
    ("licences", {"licences": [{**LICENCES["licences"][0], "valid_until": 2031}]}, "valid_until: expected"),
    (
        "licences",
        {
            "licences": [
                {key: value for key, value in LICENCES["licences"][1].items() if key != "valid_until"}
            ]
        },
        "valid_until: missing",
    ),
    ("print licence", {"document": {**PRINTED["document"], "sha256": "0" * 64}}, "sha256"),
    ("slots", {**SLOTS, "date": "2026-12-15"}, "not about 2026-12-14"),
    ("slots", {**SLOTS, "slots": [{**SLOTS["slots"][0], "slot": "2026-12-15T09:00"}]}, "not the day's 09:00"),
    ("slots", {**SLOTS, "slots": [{**SLOTS["slots"][0], "end": "08:30"}]}, "not after its start"),
    ("book", {**BOOKED, "appointment_no": ""}, "appointment_no: empty"),
    ("cancel", {"cancelled": False}, "did not cancel"),
]


@pytest.mark.parametrize(("name", "data", "reason"), BROKEN)
def test_a_bad_answer_says_which_field_and_is_not_retried(name: str, data: Any, reason: str) -> None:
    call, _, _ = CALLS[name]
    with GatewayServer(lambda request: Reply.ok(data)) as server, pytest.raises(BadAnswer, match=reason):
        call(server.gateway())
    assert len(server.requests) == 1


def test_a_printed_licence_may_be_larger_than_any_other_answer() -> None:
    content = b"%PDF-1.7\n" + b"x" * MAX_ANSWER_BYTES
    document = {**PRINTED["document"]}
    document["content_base64"] = base64.b64encode(content).decode()
    document["sha256"] = hashlib.sha256(content).hexdigest()
    with GatewayServer(lambda request: Reply.ok({"document": document})) as server:
        assert server.gateway().print_licence(SESSION, "LIC-77", "求职").content == content
    too_large = Reply.ok({**LICENCES, "padding": "x" * MAX_ANSWER_BYTES})
    with GatewayServer(lambda request: too_large) as server, pytest.raises(BadAnswer, match="too large"):
        server.gateway().licences(SESSION)


def test_wrong_arguments_are_refused_before_anything_is_sent() -> None:
    gateway = HttpGateway("http://127.0.0.1:1", Signer("p", "t"))
    for first, last in [("2026-1", "2026-11"), ("2026-11", "2026-10"), ("２０２６-01", "2026-02")]:
        with pytest.raises(ValueError, match="YYYY-MM"):
            gateway.si_records(SESSION, first, last)
    with pytest.raises(ValueError, match="purpose"):
        gateway.print_licence(SESSION, "LIC-77", "  ")
    with pytest.raises(ValueError, match="YYYY-MM-DDTHH:MM"):
        gateway.book_appointment(SESSION, "HALL-1", "si.counter", "09:00")


def test_slots_are_asked_for_a_day_even_given_a_datetime() -> None:
    with GatewayServer(lambda request: Reply.ok(SLOTS)) as server:
        slots = server.gateway().appointment_slots("HALL-1", "si.counter", datetime(2026, 12, 14, 15, 30))
    assert len(slots) == 2 and server.requests[0].query["date"] == ["2026-12-14"]


def test_logs_mask_appointment_and_licence_numbers_and_never_show_amounts(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def answer(request: Request) -> Reply:
        return {
            "/v1/si/records": Reply.ok(RECORDS),
            "/v1/hf/account": Reply.ok(ACCOUNT),
            "/v1/licences/LIC-7777777777/print": Reply.ok(PRINTED),
            "/v1/appointments/slots": Reply.ok(SLOTS),
            "/v1/appointments/YY0012345678": Reply.ok({"cancelled": True}),
        }[request.path]

    with GatewayServer(answer) as server:
        gateway = server.gateway()
        with caplog.at_level(logging.DEBUG):
            records = gateway.si_records(SESSION, "2026-10", "2026-11")
            account = gateway.hf_account(SESSION)
            gateway.print_licence(SESSION, "LIC-7777777777", "求职")
            gateway.appointment_slots("HALL-1", "si.counter", DAY)
            gateway.cancel_appointment(SESSION, "YY0012345678")
    text = caplog.text
    assert "POST /v1/licences/LIC-****77/print -> 200" in text
    assert "DELETE /v1/appointments/YY00****78 -> 200" in text
    assert "GET /v1/appointments/slots -> 200" in text
    for secret in ("LIC-7777777777", "YY0012345678", "6800", "35820", "求职", "resident-token-7", "HALL-1"):
        assert secret not in text
    licences = [
        Licence("LIC-77", "机动车驾驶证", "DL-370102199001011234", "交警支队", date(2015, 9, 1), None)
    ]
    shown = repr(records) + repr(account) + repr(licences) + repr(Appointment(**BOOKED))
    for personal in (
        "6800",
        "544",
        "35820",
        "1632",
        "某公司",
        "HF-0099887766",
        "2019",
        "YY0012345678",
        "DL-3701",
    ):
        assert personal not in shown
