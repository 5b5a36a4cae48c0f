"""What the platform answers, as the kiosk holds it: plain frozen values, in memory only.

The fields follow the gateway contract (docs/platform.md). Nothing here is ever written to a file
or a log: a `Document`'s bytes and a `PlatformSession`'s token leave no repr behind them either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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

    case_no: str
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


__all__ = ["Case", "Document", "Level", "PlatformSession", "Service", "ServiceKind", "SessionLevel", "Stage"]
