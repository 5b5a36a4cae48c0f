"""The platform's answers parsed into records: bytes in, records out, or `BadAnswer` saying what is wrong.

Pure functions over what the gateway sent (the HTTP adapter only moves bytes): any JSON, however
wrong, ends in a record, a `PlatformRefused` (the envelope's business refusal) or a `BadAnswer`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar, cast, get_args

from kiosk.platform.port import BadAnswer, PlatformRefused
from kiosk.platform.records import (
    Appointment,
    Case,
    Contribution,
    Document,
    HousingFundAccount,
    Level,
    Licence,
    PlatformSession,
    Service,
    ServiceKind,
    SessionLevel,
    Slot,
    Stage,
)

log = logging.getLogger(__name__)

_T = TypeVar("_T")


def envelope_data(body: bytes) -> Any:
    """The `data` of an envelope `{"code": "0", "msg": ..., "data": ...}`; a refusal raises
    `PlatformRefused` with the platform's own message."""
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise BadAnswer(f"the answer is not JSON: {type(error).__name__}") from error
    if not isinstance(document, dict) or "code" not in document:
        raise BadAnswer("the answer is not the gateway's envelope (an object with a code)")
    code = document["code"]
    if not isinstance(code, str) or not code:
        raise BadAnswer("the envelope's code is not a string")
    message = document.get("msg", "")
    if not isinstance(message, str):
        raise BadAnswer("the envelope's msg is not a string")
    if code != "0":
        raise PlatformRefused(code, message)
    if "data" not in document:
        raise BadAnswer("the envelope has no data")
    return document["data"]


def envelope_refusal(body: bytes) -> tuple[str, str] | None:
    """The (code, msg) of an error answer's envelope (401s carry one), None when it has none."""
    try:
        envelope_data(body)
    except PlatformRefused as refusal:
        return refusal.code, refusal.message
    except BadAnswer:
        return None
    return None


def services(data: Any) -> list[Service]:
    """The answer of `GET /v1/services`: a list of services, in the platform's order."""
    items = _typed(data, list, "services")
    parsed = [_service(_typed(item, dict, f"services[{index}]"), index) for index, item in enumerate(items)]
    first: dict[str, Service] = {}
    for service in parsed:
        if service.id in first:  # one slip in the list must not take every service away
            log.warning("services: %s is listed twice; the first is kept", service.id)
        else:
            first[service.id] = service
    return list(first.values())


def _service(item: Mapping[str, Any], index: int) -> Service:
    where = f"services[{index}]"
    return Service(
        id=_text(item, "id", where),
        name=_text(item, "name", where),
        name_en=_text(item, "name_en", where),
        level=_choice(item, "level", Level, where),
        kind=_choice(item, "kind", ServiceKind, where),
    )


def session(data: Any, now: float) -> PlatformSession:
    """The answer of `POST /v1/auth/session`; `now` is the monotonic clock when it arrived."""
    item = _typed(data, dict, "session")
    expires_in = _field(item, "expires_in", int, "session")
    if isinstance(expires_in, bool) or expires_in <= 0:
        raise BadAnswer("session.expires_in: must be a positive number of seconds")
    return PlatformSession(
        resident_token=_text(item, "token", "session"),
        level=_choice(item, "level", SessionLevel, "session"),
        expires=now + expires_in,
    )


def case(data: Any) -> Case:
    """The answer of `GET /v1/cases/{case_no}`."""
    item = _typed(data, dict, "case")
    stages = _field(item, "stages", list, "case")
    return Case(
        case_no=_text(item, "case_no", "case"),
        service_name=_text(item, "service_name", "case"),
        status=_text(item, "status", "case"),
        stages=tuple(_stage(stage, index) for index, stage in enumerate(stages)),
        rateable=_field(item, "rateable", bool, "case"),
    )


def _stage(value: Any, index: int) -> Stage:
    where = f"case.stages[{index}]"
    item = _typed(value, dict, where)
    at = item.get("at")
    if at is not None and not isinstance(at, str):
        raise BadAnswer(f"{where}.at: expected a string or null, got {_json_type(at)}")
    return Stage(name=_text(item, "name", where), at=at or None, done=_field(item, "done", bool, where))


def document(data: Any) -> Document:
    """A document answer `{"document": {...}}`, its bytes decoded and checked against its sha256."""
    item = _typed(_field(_typed(data, dict, "answer"), "document", dict, "answer"), dict, "document")
    encoded = _text(item, "content_base64", "document", allow_empty=True)
    try:
        content = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as error:
        raise BadAnswer("document.content_base64: not base64") from error
    expected = _text(item, "sha256", "document").lower()
    if not hmac.compare_digest(hashlib.sha256(content).hexdigest(), expected):
        raise BadAnswer("document: the file does not match its sha256 digest (damaged or altered)")
    pages = _field(item, "pages", int, "document")
    if isinstance(pages, bool) or pages < 1:
        raise BadAnswer("document.pages: must be a positive number")
    return Document(
        file_name=_text(item, "file_name", "document"),
        media_type=_text(item, "media_type", "document"),
        content=content,
        sha256=expected,
        verify_code=_text(item, "verify_code", "document", allow_empty=True),
        verify_url=_text(item, "verify_url", "document", allow_empty=True),
        pages=pages,
    )


def rating_accepted(data: Any) -> None:
    """The answer of `POST /v1/ratings`: `{"accepted": true}`, else BadAnswer."""
    if _field(_typed(data, dict, "rating"), "accepted", bool, "rating") is not True:
        raise BadAnswer("rating: the platform did not accept the rating")


def contributions(data: Any, first: str, last: str) -> list[Contribution]:
    """The answer of `GET /v1/si/records?from=first&to=last`: `{"records": [...]}`, in the platform's
    order; a month outside first..last is a BadAnswer (an answer about another period)."""
    rows = _field(_typed(data, dict, "si.records"), "records", list, "si.records")
    parsed = []
    for index, row in enumerate(rows):
        where = f"si.records.records[{index}]"
        item = _typed(row, dict, where)
        month = _matching(item, "month", MONTH, "YYYY-MM", where)
        if not first <= month <= last:
            raise BadAnswer(f"{where}.month: {month} is outside {first}..{last}")
        parsed.append(
            Contribution(
                month=month,
                insurance=_text(item, "insurance", where),
                base=_amount(item, "base", where),
                paid=_amount(item, "paid", where),
                employer=_text(item, "employer", where, allow_empty=True),
            )
        )
    return parsed


def housing_fund(data: Any) -> HousingFundAccount:
    """The answer of `GET /v1/hf/account`."""
    item = _typed(data, dict, "hf.account")
    return HousingFundAccount(
        account_no=_text(item, "account_no", "hf.account"),
        balance=_amount(item, "balance", "hf.account"),
        monthly_deposit=_amount(item, "monthly_deposit", "hf.account"),
        state=_text(item, "state", "hf.account"),
        employer=_text(item, "employer", "hf.account", allow_empty=True),
        opened=_day(item, "opened", "hf.account"),
    )


def licences(data: Any) -> list[Licence]:
    """The answer of `GET /v1/licences`: `{"licences": [...]}`, in the platform's order."""
    rows = _field(_typed(data, dict, "licences"), "licences", list, "licences")
    parsed = []
    for index, row in enumerate(rows):
        where = f"licences[{index}]"
        item = _typed(row, dict, where)
        if "valid_until" not in item:
            raise BadAnswer(f"{where}.valid_until: missing (null when valid without limit)")
        until = item["valid_until"]
        parsed.append(
            Licence(
                id=_text(item, "id", where),
                name=_text(item, "name", where),
                number=_text(item, "number", where),
                issuer=_text(item, "issuer", where),
                issued=_day(item, "issued", where),
                valid_until=None if until is None else _day(item, "valid_until", where),
            )
        )
    if len({licence.id for licence in parsed}) != len(parsed):
        raise BadAnswer("licences: a licence id is listed twice")
    return parsed


def slots(data: Any, day: date) -> list[Slot]:
    """The answer of `GET /v1/appointments/slots?date=day`: `{"date", "slots": [...]}` (none on a
    day without appointments); an answer about another day, or a slot not on it, is a BadAnswer."""
    item = _typed(data, dict, "slots")
    if _text(item, "date", "slots") != day.isoformat():
        raise BadAnswer(f"slots.date: the answer is not about {day.isoformat()}")
    parsed = []
    for index, row in enumerate(_field(item, "slots", list, "slots")):
        where = f"slots.slots[{index}]"
        slot = _typed(row, dict, where)
        start = _matching(slot, "start", CLOCK, "HH:MM", where)
        end = _matching(slot, "end", CLOCK, "HH:MM", where)
        if end <= start:
            raise BadAnswer(f"{where}: ends at {end}, not after its start {start}")
        if _text(slot, "slot", where) != f"{day.isoformat()}T{start}":
            raise BadAnswer(f"{where}.slot: not the day's {start}")
        parsed.append(Slot(slot["slot"], start, end, _field(slot, "available", bool, where)))
    if len({slot.slot for slot in parsed}) != len(parsed):
        raise BadAnswer("slots: a slot is listed twice")
    return parsed


def appointment(data: Any) -> Appointment:
    """The answer of `POST /v1/appointments`."""
    item = _typed(data, dict, "appointment")
    return Appointment(
        appointment_no=_text(item, "appointment_no", "appointment"),
        hall=_text(item, "hall", "appointment"),
        hall_name=_text(item, "hall_name", "appointment"),
        address=_text(item, "address", "appointment", allow_empty=True),
        service=_text(item, "service", "appointment"),
        service_name=_text(item, "service_name", "appointment"),
        slot=_matching(item, "slot", SLOT, "YYYY-MM-DDTHH:MM", "appointment"),
    )


def cancelled(data: Any) -> None:
    """The answer of `DELETE /v1/appointments/{no}`: `{"cancelled": true}`, else BadAnswer."""
    if _field(_typed(data, dict, "cancel"), "cancelled", bool, "cancel") is not True:
        raise BadAnswer("cancel: the platform did not cancel the appointment")


#: A month "YYYY-MM", a time of day "HH:MM", a slot "YYYY-MM-DDTHH:MM" (ASCII digits only: `\d`
#: would take any script's digits, and Decimal and int() would read them).
MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
CLOCK = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
SLOT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]")
#: An amount in yuan as the platform writes it: "6800.00". Never a JSON number (a float loses fen).
_AMOUNT = re.compile(r"[0-9]{1,13}(\.[0-9]{1,2})?")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _matching(item: Mapping[str, Any], key: str, pattern: re.Pattern[str], shape: str, where: str) -> str:
    value = _field(item, key, str, where)
    if not pattern.fullmatch(value):
        raise BadAnswer(f"{where}.{key}: not {shape}")
    return value


def _amount(item: Mapping[str, Any], key: str, where: str) -> Decimal:
    return Decimal(_matching(item, key, _AMOUNT, "an amount in yuan written as text (6800.00)", where))


def _day(item: Mapping[str, Any], key: str, where: str) -> date:
    value = _matching(item, key, _DAY, "a date YYYY-MM-DD", where)
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise BadAnswer(f"{where}.{key}: not a calendar date") from error


def _typed(value: Any, kind: type[_T], where: str) -> _T:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise BadAnswer(f"{where}: expected {_NAMES.get(kind, kind.__name__)}, got {_json_type(value)}")
    return value


def _field(item: Mapping[str, Any], key: str, kind: type[_T], where: str) -> _T:
    if key not in item:
        raise BadAnswer(f"{where}.{key}: missing")
    return _typed(item[key], kind, f"{where}.{key}")


def _text(item: Mapping[str, Any], key: str, where: str, *, allow_empty: bool = False) -> str:
    value = _field(item, key, str, where)
    if not value and not allow_empty:
        raise BadAnswer(f"{where}.{key}: empty")
    return value


def _choice(item: Mapping[str, Any], key: str, choices: Any, where: str) -> Any:
    allowed = get_args(choices)
    value = _field(item, key, str, where)
    if value not in allowed:
        raise BadAnswer(f"{where}.{key}: {value[:40]!r} is not one of {', '.join(allowed)}")
    return cast(Any, value)


_NAMES: dict[type, str] = {
    dict: "an object",
    list: "a list",
    str: "a string",
    int: "an integer",
    bool: "true or false",
}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)


__all__ = [
    "CLOCK",
    "MONTH",
    "SLOT",
    "appointment",
    "cancelled",
    "case",
    "contributions",
    "document",
    "envelope_data",
    "envelope_refusal",
    "housing_fund",
    "licences",
    "rating_accepted",
    "services",
    "session",
    "slots",
]
