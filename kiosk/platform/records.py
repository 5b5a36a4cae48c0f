"""What the platform answers, as the kiosk holds it: plain frozen values, in memory only.

The fields follow the gateway contract (docs/platform.md). Nothing here is ever written to a file
or a log: a `Document`'s bytes, a `PlatformSession`'s token, amounts, employers, account, licence
and appointment numbers leave no repr behind them either. Amounts are `Decimal`, never float.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

#: What a service needs of the resident: nothing, a read card, or a card and a live face.
Level = Literal["none", "card", "face"]
#: What a service does: shows a query, delivers a document, books a slot, follows a case.
ServiceKind = Literal["query", "document", "booking", "case"]
#: How the resident proved who they are when the platform session was opened.
SessionLevel = Literal["card", "face"]


@dataclass(frozen=True)
class Service:
    """One service the platform lets this kiosk offer (`GET /v1/services`), in the platform's order."""

    id: str
    name: str
    name_en: str
    level: Level
    kind: ServiceKind


@dataclass(frozen=True)
class PlatformSession:
    """A resident's session on the platform: the token sent as X-Resident-Token, until it expires."""

    resident_token: str = field(repr=False)
    level: SessionLevel
    #: When the platform stops accepting the token, on the kiosk's monotonic clock.
    expires: float


@dataclass(frozen=True)
class Stage:
    """One stage of a case (受理, 审查, 决定, 送达): when it happened, and whether it is done."""

    name: str
    #: When the stage happened (ISO-8601 as the platform gives it); None for a stage to come.
    at: str | None
    done: bool


@dataclass(frozen=True)
class Case:
    """A case a resident filed, as `GET /v1/cases/{case_no}` answers it."""

    case_no: str = field(repr=False)
    service_name: str
    status: str
    stages: tuple[Stage, ...]
    rateable: bool


@dataclass(frozen=True)
class Document:
    """An official document to print as delivered: its bytes were checked against `sha256`."""

    file_name: str
    media_type: str
    content: bytes = field(repr=False)
    sha256: str
    verify_code: str
    verify_url: str
    pages: int


@dataclass(frozen=True)
class Contribution:
    """One insurance's social-insurance contribution in one month (`GET /v1/si/records`), in yuan."""

    #: "YYYY-MM".
    month: str
    #: The insurance (险种), e.g. 职工基本养老保险.
    insurance: str
    base: Decimal = field(repr=False)
    #: What the resident paid (个人缴费).
    paid: Decimal = field(repr=False)
    employer: str = field(repr=False)


@dataclass(frozen=True)
class HousingFundAccount:
    """A resident's housing-fund account (`GET /v1/hf/account`); amounts in yuan."""

    account_no: str = field(repr=False)
    balance: Decimal = field(repr=False)
    monthly_deposit: Decimal = field(repr=False)
    #: As the platform words it, e.g. 正常缴存, 封存.
    state: str
    employer: str = field(repr=False)
    opened: date = field(repr=False)


@dataclass(frozen=True)
class Licence:
    """An electronic licence (电子证照) the resident holds (`GET /v1/licences`)."""

    #: The platform's id of the licence, used to print it.
    id: str = field(repr=False)
    #: What kind of licence it is, e.g. 机动车驾驶证.
    name: str
    #: The licence's own number (the driving licence number, ...).
    number: str = field(repr=False)
    issuer: str
    issued: date
    #: None: valid without limit (长期).
    valid_until: date | None


@dataclass(frozen=True)
class Slot:
    """A counter appointment time on one day (`GET /v1/appointments/slots`)."""

    #: What booking sends back: "YYYY-MM-DDTHH:MM".
    slot: str
    #: "HH:MM".
    start: str
    end: str
    available: bool


@dataclass(frozen=True)
class Appointment:
    """A booked counter appointment (`POST /v1/appointments`): its number cancels it."""

    appointment_no: str = field(repr=False)
    hall: str
    hall_name: str
    address: str
    service: str
    service_name: str
    slot: str


__all__ = [
    "Appointment",
    "Case",
    "Contribution",
    "Document",
    "HousingFundAccount",
    "Level",
    "Licence",
    "PlatformSession",
    "Service",
    "ServiceKind",
    "SessionLevel",
    "Slot",
    "Stage",
]
