"""A virtual social security card: answers the SSSE APDUs, and plugs into pcscd through vsmartcard's vpcd.

`SocialSecurityCardOS` is the card itself (pure: APDU bytes in, response bytes out). `insert_into_vpcd`
connects it to a vpcd reader with python3-virtualsmartcard's VirtualICC: starting the process
inserts the card, ending it removes the card. Debian installs that module outside every sys.path,
so it is added from its known place when missing.
"""

from __future__ import annotations

import json
import logging
import socket
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from drivers.card_files import CardFileError
from drivers.sscard.layout import ELEMENTS, HOLDER_FILE, SSSE_AID, Element, encode

#: Where Debian's python3-virtualsmartcard puts its package.
VIRTUALSMARTCARD_PATH = "/usr/lib/python3/site-packages/virtualsmartcard"
#: A T=0 card, direct convention (3B), no interface bytes, historical bytes "SSCARD".
ATR = bytes([0x3B, 0x06]) + b"SSCARD"

Padding = Literal["zero", "space", "none"]


@dataclass
class CardQuirks:
    """How this card differs from the next one, as cards of different issuers do."""

    #: Padding of text fields: zeros (the spec), spaces (some issuers), or none: records hold only
    #: their content, so a reader asking for the full length is told the right one (6C xx).
    padding: Padding = "zero"
    #: Answer 61 xx and hand the data out on GET RESPONSE, as T=0 cards do.
    t0: bool = False
    #: Refuse EF06 (holder data) with 69 82, as cards that need PSAM authentication do.
    refuse_holder: bool = False
    #: Carry no SSSE application at all: some other smart card (a bank card).
    not_ssse: bool = False


def load_sscard_values(path: Path) -> dict[str, str | date | None]:
    """The element values of a card file (config/demo/cards/sscard.json)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        values: dict[str, str | date | None] = {}
        for element in ELEMENTS:
            value = raw[element.name]
            values[element.name] = date.fromisoformat(value) if element.kind == "date" and value else value
    except (OSError, json.JSONDecodeError, ValueError) as error:
        raise CardFileError(f"{path}: {error}") from error
    except KeyError as error:
        raise CardFileError(f"{path}: missing field {error}") from error
    return values


class SocialSecurityCardOS:
    """The card's operating system: SELECT, READ RECORD by tag, GET RESPONSE."""

    def __init__(self, values: dict[str, str | date | None], quirks: CardQuirks | None = None) -> None:
        self.quirks = quirks or CardQuirks()
        self._records = {(e.sfi, e.tag): self._record(e, values.get(e.name)) for e in ELEMENTS}
        self._selected = False
        self._pending = b""

    def _record(self, element: Element, value: str | date | None) -> bytes:
        padding = b" " if self.quirks.padding == "space" else b"\x00"
        encoded = encode(element, value, padding)
        if self.quirks.padding == "none" and element.kind in {"an", "gbk"}:
            encoded = encoded.rstrip(b"\x00")
        return bytes([element.tag, len(encoded)]) + encoded

    def getATR(self) -> bytes:  # noqa: N802 - the name VirtualICC calls
        """The answer to reset."""
        return ATR

    def powerUp(self) -> None:  # noqa: N802
        """Power on: nothing selected yet."""
        self.reset()

    def powerDown(self) -> None:  # noqa: N802
        """Power off."""
        self.reset()

    def reset(self) -> None:
        """A reset forgets the selected application."""
        self._selected = False
        self._pending = b""

    def execute(self, apdu: bytes) -> bytes:
        """The response APDU (data and status word) to a command APDU."""
        if len(apdu) < 4:
            return b"\x67\x00"
        ins, p1, p2 = apdu[1], apdu[2], apdu[3]
        if ins == 0xA4 and p1 == 0x04:
            aid = apdu[5 : 5 + apdu[4]] if len(apdu) > 5 else b""
            if self.quirks.not_ssse or aid != SSSE_AID:
                return b"\x6a\x82"
            self._selected = True
            return self._answer(b"\x6f\x11\x84\x0f" + SSSE_AID)
        if ins == 0xC0:
            data, self._pending = self._pending, b""
            return (data + b"\x90\x00") if data else b"\x69\x85"
        if ins == 0xB2:
            return self._read_record(p1, p2, apdu[4] if len(apdu) > 4 else 0)
        return b"\x6d\x00"

    def _read_record(self, tag: int, p2: int, le: int) -> bytes:
        if not self._selected:
            return b"\x69\x86"
        sfi = p2 >> 3
        if sfi == HOLDER_FILE and self.quirks.refuse_holder:
            return b"\x69\x82"
        record = self._records.get((sfi, tag))
        if record is None:
            return b"\x6a\x83"
        if le != len(record):
            return bytes([0x6C, len(record)])
        return self._answer(record)

    def _answer(self, data: bytes) -> bytes:
        if self.quirks.t0:
            self._pending = data
            return bytes([0x61, len(data)])
        return data + b"\x90\x00"


def insert_into_vpcd(card: SocialSecurityCardOS, port: int, host: str = "127.0.0.1") -> Any:
    """Connect the card to vpcd (the card is inserted); returns the VirtualICC, whose run() serves it."""
    with socket.socket() as probe:
        probe.settimeout(2)
        if probe.connect_ex((host, port)) != 0:
            raise ConnectionError(f"vpcd does not listen on {host}:{port} (is pcscd running with vpcd?)")
    if VIRTUALSMARTCARD_PATH not in sys.path:
        sys.path.append(VIRTUALSMARTCARD_PATH)
    from virtualsmartcard.VirtualSmartcard import SmartcardOS, VirtualICC

    class VpcdCardOS(SmartcardOS):  # type: ignore[misc]
        """The social security card behind VirtualICC's socket."""

        def getATR(self) -> bytes:  # noqa: N802
            return card.getATR()

        def powerUp(self) -> None:  # noqa: N802
            card.powerUp()

        def powerDown(self) -> None:  # noqa: N802
            card.powerDown()

        def reset(self) -> None:
            card.reset()

        def execute(self, msg: bytes) -> bytes:
            return card.execute(msg)

    # VirtualICC logs every response APDU at INFO: personal data, so warnings only.
    icc = VirtualICC(None, "iso7816", host, port, logginglevel=logging.WARNING)
    logging.getLogger().setLevel(logging.WARNING)
    icc.os = VpcdCardOS()
    return icc
