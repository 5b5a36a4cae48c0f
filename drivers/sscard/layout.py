"""Social security cards (社会保障卡): the SSSE application, its APDUs and records, bytes in, records out.

Nothing here talks to a reader: `exchange` takes a `transmit` function, so the PC/SC driver and the
tests drive the same code. The application, its files, records and APDUs (LD/T 32-2015) are described
in docs/protocols/sscard.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from kiosk.driver_api import NATIONS, SocialSecurityCard

#: "sx1.sh.社会保障" in GBK: the application every social security card carries.
SSSE_AID = bytes.fromhex("7378312E73682EC9E7BBE1B1A3D5CF")

SW_OK = 0x9000
SW_SECURITY_NOT_SATISFIED = 0x6982
SW_NOT_ALLOWED = 0x6986
SW_FILE_NOT_FOUND = 0x6A82
SW_RECORD_NOT_FOUND = 0x6A83

STATUS_MEANINGS = {
    0x6982: "security status not satisfied",
    0x6986: "command not allowed",
    0x6A82: "file or application not found",
    0x6A83: "record not found",
    0x6D00: "instruction not supported",
}

Kind = Literal["an", "cn", "gbk", "date"]


@dataclass(frozen=True)
class Element:
    """One data element of a file: its tag, its length on the card and how it is encoded."""

    name: str
    sfi: int
    tag: int
    length: int
    kind: Kind


#: EF05, issuer data, and EF06, holder data: read record by record, addressed by tag.
ISSUER_FILE = 5
HOLDER_FILE = 6
ELEMENTS = (
    Element("card_id", ISSUER_FILE, 0x01, 16, "an"),
    Element("card_type", ISSUER_FILE, 0x02, 1, "an"),
    Element("spec_version", ISSUER_FILE, 0x03, 4, "an"),
    Element("issuer_org", ISSUER_FILE, 0x04, 12, "an"),
    Element("issued", ISSUER_FILE, 0x05, 4, "date"),
    Element("expires", ISSUER_FILE, 0x06, 4, "date"),
    Element("card_number", ISSUER_FILE, 0x07, 9, "an"),
    Element("ss_number", HOLDER_FILE, 0x08, 18, "an"),
    Element("name", HOLDER_FILE, 0x09, 30, "gbk"),
    Element("sex", HOLDER_FILE, 0x0A, 1, "an"),
    Element("nation", HOLDER_FILE, 0x0B, 1, "cn"),
    Element("birthplace", HOLDER_FILE, 0x0C, 3, "cn"),
    Element("birth_date", HOLDER_FILE, 0x0D, 4, "date"),
)

_SEXES = {"1": "男", "2": "女", "0": "未知", "9": "未说明"}


class CardError(Exception):
    """The card answered with a status word that ends the read; carries the status word."""

    def __init__(self, message: str, sw: int) -> None:
        super().__init__(message)
        self.sw = sw


class NotSocialSecurityCard(CardError):
    """The card has no SSSE application: it is some other smart card."""


class AccessRefused(CardError):
    """The card refuses to give the data out (69 82) without PSAM authentication or a PIN."""


class MalformedElement(ValueError):
    """A record came back but does not hold the element asked for, or cannot be decoded."""


Transmit = Callable[[bytes], tuple[bytes, int]]


def status_meaning(sw: int) -> str:
    """What a status word means, e.g. 0x6982 -> "security status not satisfied"."""
    return STATUS_MEANINGS.get(sw, "unexpected status")


def select_ssse() -> bytes:
    """SELECT by name of the SSSE application (found whether it sits in the MF or under a DDF)."""
    return bytes([0x00, 0xA4, 0x04, 0x00, len(SSSE_AID)]) + SSSE_AID


def read_record(element: Element) -> bytes:
    """READ RECORD of the record tagged `element.tag` in file SFI (P2 = SFI << 3: P1 is a tag)."""
    return bytes([0x00, 0xB2, element.tag, element.sfi << 3, element.length + 2])


def exchange(transmit: Transmit, apdu: bytes) -> tuple[bytes, int]:
    """Send an APDU and follow the card's T=0 replies: 61xx -> GET RESPONSE, 6Cxx -> resend with Le=xx."""
    data, sw = transmit(apdu)
    for _ in range(8):  # a card that keeps asking is broken; do not loop forever on it
        if sw >> 8 == 0x6C:
            data, sw = transmit(apdu[:4] + bytes([sw & 0xFF]))
        elif sw >> 8 == 0x61:
            more, sw = transmit(bytes([0x00, 0xC0, 0x00, 0x00, sw & 0xFF]))
            data += more
        else:
            break
    return data, sw


def decode(element: Element, value: bytes) -> str | date | None:
    """The value of an element, its padding (spaces, zeros, or F nibbles for numbers) stripped."""
    if element.kind == "gbk":
        try:
            return value.rstrip(b"\x00 ").decode("gbk").strip()
        except UnicodeDecodeError as error:
            raise MalformedElement(f"{element.name} is not GBK text") from error
    if element.kind == "an":
        try:
            return value.rstrip(b"\x00 ").decode("ascii").strip()
        except UnicodeDecodeError as error:
            raise MalformedElement(f"{element.name} is not plain text") from error
    digits = value.hex().upper().rstrip("F")
    if element.kind == "cn":
        if not digits.isdigit() and digits:
            raise MalformedElement(f"{element.name} is not BCD")
        return digits
    if not digits or set(digits) == {"0"}:
        return None
    if len(digits) != 8 or not digits.isdigit():
        raise MalformedElement(f"{element.name} is not a BCD date")
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError as error:
        raise MalformedElement(f"{element.name} is not a calendar date") from error


def parse_record(element: Element, data: bytes) -> str | date | None:
    """The value inside a READ RECORD answer: tag, length, value."""
    if len(data) < 2 or data[0] != element.tag:
        raise MalformedElement(f"record for {element.name} does not start with tag {element.tag:02X}")
    length = data[1]
    if len(data) < 2 + length:
        raise MalformedElement(f"record for {element.name} announces {length} bytes, holds {len(data) - 2}")
    return decode(element, data[2 : 2 + length])


def encode(element: Element, value: str | date | None, padding: bytes = b"\x00") -> bytes:
    """The bytes of an element on the card (the virtual card's side), padded to its length."""
    if element.kind == "date":
        text = value.strftime("%Y%m%d") if isinstance(value, date) else "00000000"
        return bytes.fromhex(text)
    if element.kind == "cn":
        digits = str(value or "")
        return bytes.fromhex(digits.ljust(element.length * 2, "F"))
    raw = str(value or "").encode("gbk" if element.kind == "gbk" else "ascii")
    if len(raw) > element.length:
        raise ValueError(f"{element.name} does not fit in {element.length} bytes")
    return raw + padding * (element.length - len(raw))


def read_card(transmit: Transmit) -> SocialSecurityCard:
    """Select SSSE and read every element of EF05 and EF06 into a record."""
    _, sw = exchange(transmit, select_ssse())
    if sw == SW_FILE_NOT_FOUND:
        raise NotSocialSecurityCard(
            "the card has no social security application (SSSE): not a social security card", sw
        )
    if sw != SW_OK:
        raise CardError(
            f"selecting the social security application answered {sw:04X} ({status_meaning(sw)})", sw
        )
    values: dict[str, str | date | None] = {}
    for element in ELEMENTS:
        data, sw = exchange(transmit, read_record(element))
        if sw == SW_SECURITY_NOT_SATISFIED:
            raise AccessRefused(
                f"the card refuses to give out EF{element.sfi:02X} ({element.name}): 69 82 security status "
                "not satisfied (this issuer requires PSAM authentication or a PIN)",
                sw,
            )
        if sw != SW_OK:
            raise CardError(
                f"reading EF{element.sfi:02X} tag {element.tag:02X} ({element.name}) answered {sw:04X} "
                f"({status_meaning(sw)})",
                sw,
            )
        values[element.name] = parse_record(element, data)
    text = {k: v for k, v in values.items() if isinstance(v, str)}
    dates = {k: v for k, v in values.items() if isinstance(v, date)}
    nation = text.get("nation", "")

    return SocialSecurityCard(
        card_id=text.get("card_id", ""),
        name=text.get("name", ""),
        ss_number=text.get("ss_number", ""),
        card_type=text.get("card_type", ""),
        spec_version=text.get("spec_version", ""),
        issuer_org=text.get("issuer_org", ""),
        issued=dates.get("issued"),
        expires=dates.get("expires"),
        card_number=text.get("card_number", ""),
        sex=_SEXES.get(text.get("sex", ""), text.get("sex", "")),
        nation=NATIONS.get(nation.zfill(2), nation) if nation else None,
        birthplace=text.get("birthplace", ""),
        birth_date=dates.get("birth_date"),
    )
