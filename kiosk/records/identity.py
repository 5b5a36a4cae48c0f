"""Identity documents read from cards. Personal data: held in memory by the session, nowhere else."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Literal

#: Which ID card document an IdCard is (CardKind, below, tells an ID card from a social security card).
CardType = Literal["resident", "hk_mo_tw", "foreign_permanent"]


class CardKind(StrEnum):
    """What identifies a resident here: the ID card, the social security card, or the resident
    code (居民码) shown to the scanner."""

    ID_CARD = "id_card"
    SSCARD = "sscard"
    RESIDENT_CODE = "resident_code"

    @property
    def reader(self) -> str:
        """The device that reads this kind of card, by its name in settings and device events."""
        return _READERS[self]


_READERS = {
    CardKind.ID_CARD: "id_reader",
    CardKind.SSCARD: "sscard_reader",
    CardKind.RESIDENT_CODE: "scanner",
}
#: The card readers, by device name ("id_reader", "sscard_reader").
CARD_READERS = frozenset({"id_reader", "sscard_reader"})


def mask_name(name: str) -> str:
    """Show only the first character of a name: 欧阳娜娜 -> 欧***."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def mask_number(number: str, head: int = 4, tail: int = 4) -> str:
    """Show only the ends of a document number: 3710**********0022."""
    if len(number) <= head + tail:
        return "*" * len(number)
    return number[:head] + "*" * (len(number) - head - tail) + number[-tail:]


@dataclass(frozen=True, repr=False)
class IdCard:
    """A second-generation resident ID card or a residence/permanent-residence card."""

    card_type: CardType
    name: str
    sex: str
    id_number: str
    birth_date: date | None = None
    nation: str | None = None
    address: str = ""
    issuer: str = ""
    valid_from: date | None = None
    #: None means 长期 (valid long-term).
    valid_until: date | None = None
    appended_address: str = ""
    english_name: str = ""
    nationality: str = ""
    pass_number: str = ""
    issue_count: int | None = None
    photo_wlt: bytes = field(default=b"", compare=False)

    def __repr__(self) -> str:
        # A record that reaches a log line or a traceback must not carry the resident's identity.
        return f"IdCard({self.card_type}, {mask_name(self.name)}, {mask_number(self.id_number)})"

    __str__ = __repr__


@dataclass(frozen=True, repr=False)
class SocialSecurityCard:
    """The issuer (EF05) and holder (EF06) data of a social security card."""

    card_id: str
    name: str
    ss_number: str
    card_type: str = ""
    spec_version: str = ""
    issuer_org: str = ""
    issued: date | None = None
    expires: date | None = None
    card_number: str = ""
    sex: str = ""
    nation: str | None = None
    birthplace: str = ""
    birth_date: date | None = None

    @property
    def region(self) -> str:
        """The issuing region (统筹区码): the first six characters of the card id."""
        return self.card_id[:6]

    def __repr__(self) -> str:
        return f"SocialSecurityCard({mask_name(self.name)}, {mask_number(self.ss_number)})"

    __str__ = __repr__


@dataclass(frozen=True, repr=False)
class ResidentCode:
    """A code a resident showed to the scanner (居民码, an e-certificate)."""

    symbology: str
    data: str

    def __repr__(self) -> str:
        return f"ResidentCode({self.symbology}, {len(self.data)} chars)"

    __str__ = __repr__


#: Who the resident is: a card read on this kiosk, or a resident code shown to its scanner (the
#: platform knows who holds the code; the kiosk knows no name or number of its own then).
Identity = IdCard | SocialSecurityCard | ResidentCode


def card_kind(identity: Identity) -> CardKind:
    """What `identity` was read from."""
    if isinstance(identity, IdCard):
        return CardKind.ID_CARD
    return CardKind.SSCARD if isinstance(identity, SocialSecurityCard) else CardKind.RESIDENT_CODE


def resident_name(identity: Identity) -> str:
    """The resident's name as read from their card; "" for a resident code (it carries none)."""
    return "" if isinstance(identity, ResidentCode) else identity.name
