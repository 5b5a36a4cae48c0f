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
from collections.abc import Mapping
from typing import Any, TypeVar, cast, get_args

from kiosk.platform.port import BadAnswer, PlatformRefused
from kiosk.platform.records import (
    Case,
    Document,
    Level,
    PlatformSession,
    Service,
    ServiceKind,
    SessionLevel,
    Stage,
)

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
    ids = [service.id for service in parsed]
    if len(set(ids)) != len(ids):
        raise BadAnswer("services: a service id is listed twice")
    return parsed


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


__all__ = ["case", "document", "envelope_data", "envelope_refusal", "rating_accepted", "services", "session"]
