"""The platform's answers parsed into records: from the contract's examples, broken ones, and any
JSON at all (which ends in a record, a refusal or a BadAnswer, never another exception)."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.platform import answers
from kiosk.platform.port import BadAnswer, PlatformRefused
from kiosk.platform.records import Stage

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
#: Values shaped like the records, with any field wrong or missing, to reach deeper than the first check.
FIELD = JSON | st.sampled_from(
    [
        *["", "x", "none", "card", "face", "query", "document", "SGVsbG8=", "0", True, 1, -1],
        # amounts, months, dates, times and slots, good and nearly good
        *["6800.00", "0.5", "-1.00", "1e3", "NaN", "Infinity", "１２.00", 6800.0, "2026-10", "2026-13"],
        *["2019-08-01", "2019-02-30", "09:00", "24:00", "2026-12-14T09:00", "2026-12-14"],
    ]
)
SERVICE_KEYS = ["id", "name", "name_en", "level", "kind"]
CASE_KEYS = ["case_no", "service_name", "status", "stages", "rateable"]
CONTRIBUTION_KEYS = ["month", "insurance", "base", "paid", "employer"]
ACCOUNT_KEYS = ["account_no", "balance", "monthly_deposit", "state", "employer", "opened"]
LICENCE_KEYS = ["id", "name", "number", "issuer", "issued", "valid_until"]
SLOT_KEYS = ["slot", "start", "end", "available"]
APPOINTMENT_KEYS = ["appointment_no", "hall", "hall_name", "address", "service", "service_name", "slot"]
DOCUMENT_KEYS = ["file_name", "media_type", "content_base64", "sha256", "verify_code", "verify_url", "pages"]


def _record(keys: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=dict.fromkeys(keys, FIELD))


PARSERS = {
    "services": (answers.services, st.lists(_record(SERVICE_KEYS), max_size=3)),
    "case": (
        answers.case,
        _record(CASE_KEYS).map(lambda case: case)
        | st.builds(
            lambda case, stages: {**case, "stages": stages},
            _record(CASE_KEYS),
            st.lists(_record(["name", "at", "done"]), max_size=3),
        ),
    ),
    "document": (answers.document, st.builds(lambda doc: {"document": doc}, _record(DOCUMENT_KEYS))),
    "session": (lambda data: answers.session(data, 0.0), _record(["token", "expires_in", "level"])),
    "rating": (answers.rating_accepted, _record(["accepted"])),
    "si records": (
        lambda data: answers.contributions(data, "2000-01", "2099-12"),
        st.builds(lambda rows: {"records": rows}, st.lists(_record(CONTRIBUTION_KEYS), max_size=3)),
    ),
    "hf account": (answers.housing_fund, _record(ACCOUNT_KEYS)),
    "licences": (
        answers.licences,
        st.builds(lambda rows: {"licences": rows}, st.lists(_record(LICENCE_KEYS), max_size=3)),
    ),
    "slots": (
        lambda data: answers.slots(data, date(2026, 12, 14)),
        st.builds(
            lambda day, rows: {"date": day, "slots": rows},
            st.sampled_from(["2026-12-14", "2026-12-15"]) | FIELD,
            st.lists(_record(SLOT_KEYS), max_size=3),
        ),
    ),
    "appointment": (answers.appointment, _record(APPOINTMENT_KEYS)),
    "cancel": (answers.cancelled, _record(["cancelled", "appointment_no"])),
}


@pytest.mark.parametrize("name", list(PARSERS))
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_any_data_ends_in_a_record_or_a_bad_answer(name: str, data: st.DataObject) -> None:
    parse, shaped = PARSERS[name]
    value = data.draw(JSON | shaped)
    with contextlib.suppress(BadAnswer):
        parse(value)


@settings(max_examples=300, deadline=None)
@given(body=st.binary(max_size=64) | JSON.map(lambda value: json.dumps(value).encode()))
def test_any_body_ends_in_data_a_refusal_or_a_bad_answer(body: bytes) -> None:
    with contextlib.suppress(BadAnswer, PlatformRefused):
        answers.envelope_data(body)


@settings(max_examples=200, deadline=None)
@given(
    code=st.text(min_size=1, max_size=12).filter(lambda code: code != "0"),
    msg=st.text(max_size=40),
    data=JSON,
)
def test_a_refusal_keeps_the_code_and_message_exactly(code: str, msg: str, data: Any) -> None:
    body = json.dumps({"code": code, "msg": msg, "data": data}, ensure_ascii=False).encode()
    with pytest.raises(PlatformRefused) as refused:
        answers.envelope_data(body)
    assert (refused.value.code, refused.value.message) == (code, msg)


def test_deeply_nested_json_is_a_bad_answer_not_a_recursion_error() -> None:
    with pytest.raises(BadAnswer):
        answers.envelope_data(b"[" * 100_000 + b"]" * 100_000)


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ([{"id": "a", "name": "n", "name_en": "e", "level": "root", "kind": "query"}], "services[0].level"),
        ([{"id": "a", "name": "n", "name_en": "e", "level": "none"}], "services[0].kind: missing"),
        ({"id": "a"}, "services: expected a list"),
    ],
)
def test_a_bad_service_list_says_which_field(data: Any, where: str) -> None:
    with pytest.raises(BadAnswer, match=where.replace("[", r"\[").replace("]", r"\]")):
        answers.services(data)


def test_a_service_listed_twice_is_offered_once_and_the_rest_stays(caplog: pytest.LogCaptureFixture) -> None:
    first = {"id": "a", "name": "first", "name_en": "e", "level": "none", "kind": "query"}
    other = {"id": "b", "name": "other", "name_en": "e", "level": "card", "kind": "query"}
    again = {**first, "name": "again"}
    assert [(s.id, s.name) for s in answers.services([first, other, again])] == [
        ("a", "first"),
        ("b", "other"),
    ]
    assert "a is listed twice" in caplog.text


def test_a_stage_to_come_has_no_time() -> None:
    case = answers.case(
        {
            "case_no": "WH1",
            "service_name": "s",
            "status": "受理",
            "stages": [
                {"name": "受理", "at": "2026-12-01T09:00:00+08:00", "done": True},
                {"name": "审查", "at": None, "done": False},
            ],
            "rateable": True,
        }
    )
    assert case.stages == (Stage("受理", "2026-12-01T09:00:00+08:00", True), Stage("审查", None, False))


def test_a_document_is_checked_against_its_digest_and_pages() -> None:
    content = b"%PDF-1.7 x"
    good = {
        "file_name": "f.pdf",
        "media_type": "application/pdf",
        "content_base64": base64.b64encode(content).decode(),
        "sha256": hashlib.sha256(content).hexdigest().upper(),
        "verify_code": "V1",
        "verify_url": "https://v.example/V1",
        "pages": 2,
    }
    assert answers.document({"document": good}).content == content
    for broken, reason in [
        ({"content_base64": "not base64!"}, "not base64"),
        ({"sha256": hashlib.sha256(b"other").hexdigest()}, "sha256"),
        ({"pages": 0}, "pages"),
        ({"pages": True}, "pages"),
    ]:
        with pytest.raises(BadAnswer, match=reason):
            answers.document({"document": {**good, **broken}})


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=12) | st.sampled_from(["6800.00", "0", "0.5", "１２", "1e3", "NaN", "-0", " 1"]))
def test_an_amount_is_text_of_ascii_digits_with_at_most_two_decimals_or_a_bad_answer(text: str) -> None:
    row = {"month": "2026-10", "insurance": "失业保险", "base": text, "paid": "1.00", "employer": ""}
    try:
        (record,) = answers.contributions({"records": [row]}, "2026-10", "2026-10")
    except BadAnswer:
        return
    whole, _, fen = text.partition(".")
    assert whole.isascii() and whole.isdigit() and (fen == "" or (fen.isdigit() and len(fen) <= 2))
    assert record.base == Decimal(text) and type(record.base) is Decimal


def test_amounts_are_decimal_to_the_fen() -> None:
    good = {
        "account_no": "A1",
        "balance": "35820.50",
        "monthly_deposit": "0.10",
        "state": "正常缴存",
        "employer": "",
        "opened": "2019-08-01",
    }
    account = answers.housing_fund(good)
    assert account.balance == Decimal("35820.50") and account.monthly_deposit * 3 == Decimal("0.30")
    for number in (35820.5, 35820, "35820.505", ""):
        with pytest.raises(BadAnswer, match="balance"):
            answers.housing_fund({**good, "balance": number})
