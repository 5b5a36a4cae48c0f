"""A resident's service on the platform, as the kiosk runs it, whatever shows it (a screen, a command).

Two steps. `plan` checks what was asked before the platform hears of the resident: the service is
one the platform offers and the kiosk knows how to run, its parameters are all there and well
formed, and a card was read when the service needs one. `run` then opens the resident's platform
session when the service needs one (level `card` or `face`), makes the call, and closes the session
in every case, on success and on failure alike.

Results stay in memory (`Outcome`); nothing here writes a file. Log lines name the service, the
step and the kind of failure: never the resident's name, numbers, amounts or documents.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from kiosk.platform.answers import MONTH, SLOT
from kiosk.platform.port import PlatformError, ServicePlatform
from kiosk.platform.records import Document, PlatformSession, Service
from kiosk.records.identity import CardType, IdCard, Identity, SocialSecurityCard

log = logging.getLogger(__name__)


class ServiceRequestError(ValueError):
    """What was asked cannot be run: a service not offered, a missing or malformed parameter, no card."""


class CardFileError(ValueError):
    """A card file that cannot be read as an ID card or a social security card."""


@dataclass(frozen=True)
class Outcome:
    """What a service gave the resident: records (`value`) or documents, held in memory only."""

    service: Service
    #: A record, a list of records, or None (documents, a cancellation).
    value: object = field(default=None, repr=False)
    documents: tuple[Document, ...] = ()


@dataclass(frozen=True)
class _Flow:
    required: tuple[str, ...]
    optional: tuple[str, ...]
    call: Callable[[ServicePlatform, PlatformSession | None, Mapping[str, str]], object]
    #: True when the call answers documents (certificate, licence print).
    documents: bool = False


@dataclass(frozen=True)
class Plan:
    """A service checked and ready to run: the service as offered, its parameters, who asks."""

    service: Service
    params: Mapping[str, str] = field(repr=False)
    identity: Identity | None = field(repr=False)
    face_jpeg: bytes | None = field(default=None, repr=False)

    @property
    def needs_session(self) -> bool:
        """True when the resident must be identified to the platform first (level card or face)."""
        return self.service.level != "none"


def _session(session: PlatformSession | None) -> PlatformSession:
    if session is None:  # plan() refuses a service needing a card without one
        raise ServiceRequestError("this service needs a resident session")
    return session


def default_months(today: date) -> tuple[str, str]:
    """The last 12 full months ("YYYY-MM"): the month before today's and the 11 before it."""
    last = today.year * 12 + today.month - 2  # months since year 0, counted from 0
    first = last - 11
    return f"{first // 12:04d}-{first % 12 + 1:02d}", f"{last // 12:04d}-{last % 12 + 1:02d}"


def _months(params: Mapping[str, str], today: date) -> tuple[str, str]:
    """`from`/`to`, each defaulting to the last 12 full months."""
    first, last = default_months(today)
    return params.get("from", first), params.get("to", last)


#: Each service the kiosk knows how to run, by id: its parameters and its call. The platform decides
#: which of them are offered. The months (`from`, `to`) are filled in by plan() when not given.
_FLOWS: dict[str, _Flow] = {
    "si.records": _Flow((), ("from", "to"), lambda p, s, a: p.si_records(_session(s), a["from"], a["to"])),
    "si.certificate": _Flow(
        (),
        ("from", "to"),
        lambda p, s, a: p.certificate(_session(s), "si.certificate", {"from": a["from"], "to": a["to"]}),
        documents=True,
    ),
    "hf.account": _Flow((), (), lambda p, s, a: p.hf_account(_session(s))),
    "hf.certificate": _Flow(
        (), (), lambda p, s, a: p.certificate(_session(s), "hf.certificate", {}), documents=True
    ),
    "re.certificate": _Flow(
        ("kind",),
        (),
        lambda p, s, a: p.certificate(_session(s), "re.certificate", {"kind": a["kind"]}),
        documents=True,
    ),
    "lic.list": _Flow((), (), lambda p, s, a: p.licences(_session(s))),
    "lic.print": _Flow(
        ("licence", "purpose"),
        (),
        lambda p, s, a: p.print_licence(_session(s), a["licence"], a["purpose"]),
        documents=True,
    ),
    "case.progress": _Flow(
        ("case_no", "query_code"), (), lambda p, s, a: p.case(a["case_no"], a["query_code"])
    ),
    "appt.slots": _Flow(
        ("hall", "service", "date"),
        (),
        lambda p, s, a: p.appointment_slots(a["hall"], a["service"], date.fromisoformat(a["date"])),
    ),
    "appt.book": _Flow(
        ("hall", "service", "slot"),
        (),
        lambda p, s, a: p.book_appointment(_session(s), a["hall"], a["service"], a["slot"]),
    ),
    "appt.cancel": _Flow(
        ("appointment",), (), lambda p, s, a: p.cancel_appointment(_session(s), a["appointment"])
    ),
}


def _is_day(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == len("YYYY-MM-DD")


#: How each checked parameter must look, and what it is called in a message.
_FORMATS: dict[str, tuple[Callable[[str], bool], str]] = {
    "from": (lambda value: bool(MONTH.fullmatch(value)), "a month YYYY-MM"),
    "to": (lambda value: bool(MONTH.fullmatch(value)), "a month YYYY-MM"),
    "date": (_is_day, "a day YYYY-MM-DD"),
    "slot": (lambda value: bool(SLOT.fullmatch(value)), "a slot YYYY-MM-DDTHH:MM"),
    "kind": (lambda value: value in {"holdings", "none_held"}, "holdings or none_held"),
}


def plan(
    offered: Sequence[Service],
    service_id: str,
    params: Mapping[str, str],
    identity: Identity | None,
    *,
    face_jpeg: bytes | None = None,
    today: date | None = None,
) -> Plan:
    """Check a request against the services offered; ServiceRequestError says what is wrong."""
    service = next((service for service in offered if service.id == service_id), None)
    if service is None:
        raise ServiceRequestError(f"{service_id!r} is not offered by the platform")
    flow = _FLOWS.get(service_id)
    if flow is None:
        raise ServiceRequestError(f"{service_id!r} is offered but this kiosk has no flow for it")
    missing = [key for key in flow.required if not params.get(key, "").strip()]
    if missing:
        raise ServiceRequestError(f"{service_id} needs --param {', '.join(f'{key}=...' for key in missing)}")
    unknown = sorted(set(params) - set(flow.required) - set(flow.optional))
    if unknown:
        allowed = ", ".join(flow.required + flow.optional) or "none"
        raise ServiceRequestError(
            f"{service_id} takes no parameter {', '.join(unknown)} (it takes: {allowed})"
        )
    for key, value in params.items():
        check, wanted = _FORMATS.get(key, (lambda _value: True, ""))
        if not check(value):
            raise ServiceRequestError(f"--param {key} must be {wanted}")
    if "from" in flow.optional:
        first, last = _months(params, today or date.today())
        if first > last:
            raise ServiceRequestError("--param from must not be after to")
        params = {**params, "from": first, "to": last}
    if service.level != "none" and identity is None:
        raise ServiceRequestError(f"{service_id} needs a resident's card (level {service.level})")
    return Plan(service, dict(params), identity, face_jpeg)


def gives_documents(service_id: str) -> bool:
    """True when the service answers documents to print (or, headless, to write)."""
    flow = _FLOWS.get(service_id)
    return flow is not None and flow.documents


def run(platform: ServicePlatform, checked: Plan) -> Outcome:
    """Run a checked request: session (when needed), call, and the session closed whatever happens."""
    flow = _FLOWS[checked.service.id]
    service_id = checked.service.id
    session: PlatformSession | None = None
    try:
        if checked.needs_session:
            session = _open(platform, checked)
            log.info("service %s: resident session opened (level %s)", service_id, session.level)
        value = flow.call(platform, session, checked.params)
    except PlatformError as error:
        log.info("service %s: %s", service_id, _failure(error))
        raise
    finally:
        if session is not None:
            _close(platform, session, service_id)
    if isinstance(value, Document):
        log.info("service %s: done, 1 document", service_id)
        return Outcome(checked.service, None, (value,))
    log.info("service %s: done", service_id)
    return Outcome(checked.service, value)


def _open(platform: ServicePlatform, checked: Plan) -> PlatformSession:
    identity = checked.identity
    assert identity is not None  # plan() checked it
    return open_resident_session(platform, identity, checked.face_jpeg)


def open_resident_session(
    platform: ServicePlatform, identity: Identity, face_jpeg: bytes | None = None
) -> PlatformSession:
    """Identify the resident to the platform as their card (or code) says; with `face_jpeg`, at
    the face level. Whatever shows the service (a screen, a command) opens sessions this way."""
    if isinstance(identity, IdCard):
        return platform.open_session("id_card", identity.id_number, identity.name, face_jpeg=face_jpeg)
    if isinstance(identity, SocialSecurityCard):
        return platform.open_session(
            "sscard", identity.ss_number, identity.name, card_no=identity.card_number, face_jpeg=face_jpeg
        )
    # A resident code: the platform knows who holds it; the kiosk has no number or name to send.
    return platform.open_session("resident_code", "", "", code=identity.data, face_jpeg=face_jpeg)


def _close(platform: ServicePlatform, session: PlatformSession, service_id: str) -> None:
    try:
        platform.close_session(session)
    except PlatformError as error:  # the platform ends it anyway when it expires
        log.warning("service %s: the resident session could not be closed (%s)", service_id, _failure(error))
    else:
        log.info("service %s: resident session closed", service_id)


def _failure(error: PlatformError) -> str:
    code = getattr(error, "code", None)
    return f"{type(error).__name__} {code}" if code else type(error).__name__


#: A card file's "document" and the ID card type it stands for (config/demo/cards/README.md).
_CARD_TYPES: dict[str, CardType] = {
    "resident": "resident",
    "hk_mo_tw": "hk_mo_tw",
    "foreign_2017": "foreign_permanent",
    "foreign_2023": "foreign_permanent",
}


def identity_from_card_file(path: Path) -> Identity:
    """The resident on a demo card file (config/demo/cards): an ID card, or a social security card
    when the file has the social security card's `card_id`."""
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CardFileError(f"{path}: cannot be read as a card file ({type(error).__name__})") from error
    if not isinstance(raw, dict):
        raise CardFileError(f"{path}: a card file is a JSON object")
    try:
        if "card_id" in raw:
            return SocialSecurityCard(
                card_id=str(raw["card_id"]),
                name=str(raw["name"]),
                ss_number=str(raw["ss_number"]),
                card_number=str(raw.get("card_number", "")),
            )
        return IdCard(
            _CARD_TYPES[str(raw.get("document", "resident"))],
            name=str(raw["name"]),
            sex=str(raw.get("sex", "")),
            id_number=str(raw["id_number"]),
        )
    except KeyError as error:
        raise CardFileError(f"{path}: the card file has no or an unknown {error}") from error


__all__ = [
    "CardFileError",
    "Outcome",
    "Plan",
    "ServiceRequestError",
    "default_months",
    "gives_documents",
    "identity_from_card_file",
    "open_resident_session",
    "plan",
    "run",
]
