"""The serial SAM protocol of second-generation ID card readers: frames and card text, bytes in, records out.

Nothing here touches a port. The transport (`serial_reader`) and the simulator (`pty_sim`) both build
and parse frames with these functions, so what the tests prove about one holds for the other.
The protocol and the card layouts, as gathered from public SAM implementations, are described in
docs/protocols/idcard-serial.md.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from datetime import date
from enum import Enum

from kiosk.driver_api import NATIONS, CardType, IdCard, ascii_digits

#: Every frame, in both directions, starts with these five bytes.
PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
#: The longest frame a reader sends (a read with fingerprint is 2,321 bytes); a longer announced
#: length can only be noise that happened to look like a preamble.
MAX_LENGTH = 4096
#: An answer carries at least SW1 SW2 SW3 and the checksum.
MIN_ANSWER_LENGTH = 4
TEXT_LENGTH = 256
PHOTO_LENGTH = 1024


class Command(Enum):
    """The commands a host sends to the SAM, as (CMD, PARA)."""

    RESET_SAM = (0x10, 0xFF)
    SAM_STATUS = (0x11, 0xFF)
    SAM_ID = (0x12, 0xFF)
    FIND_CARD = (0x20, 0x01)
    SELECT_CARD = (0x20, 0x02)
    READ_BASIC = (0x30, 0x01)
    READ_WITH_FINGERPRINT = (0x30, 0x10)
    READ_APPENDED_ADDRESS = (0x30, 0x03)


#: SW3 status codes and what they mean, for technicians' messages.
STATUS_MEANINGS: dict[int, str] = {
    0x90: "success",
    0x9F: "find card succeeded",
    0x91: "no content for this item",
    0x10: "checksum error in the data the SAM received",
    0x11: "length error in the data the SAM received",
    0x21: "command error",
    0x23: "command not permitted",
    0x24: "unrecognised error",
    0x31: "card failed to authenticate the SAM",
    0x32: "SAM failed to authenticate the card",
    0x33: "information verification error",
    0x40: "unrecognised card type",
    0x41: "read failed",
    0x47: "get-random failed",
    0x60: "SAM self-test failed",
    0x66: "SAM not authorised",
    0x80: "find card failed (no card)",
    0x81: "select card failed",
}
SUCCESS = 0x90
FOUND = 0x9F
NO_CONTENT = 0x91
NO_CARD = 0x80
SELECT_FAILED = 0x81
#: The SAM received our frame with a bad checksum: the command may be sent again.
RECEIVE_CHECKSUM_ERROR = 0x10


def status_meaning(sw3: int) -> str:
    """What an SW3 status code means, e.g. 0x80 -> "find card failed (no card)"."""
    return STATUS_MEANINGS.get(sw3, "unknown status")


GENDERS: dict[str, str] = {"0": "未知", "1": "男", "2": "女", "9": "未说明"}

#: What the validity end says on a card valid for life.
LONG_TERM = "长期"


class FrameError(ValueError):
    """A frame or a record inside it does not follow the protocol."""


class MalformedRecord(FrameError):
    """An answer arrived intact but its card data cannot be a real card (bad lengths, bad dates)."""


@dataclass(frozen=True)
class Answer:
    """One frame from the SAM: its three status words and its data."""

    sw1: int
    sw2: int
    sw3: int
    data: bytes

    @property
    def meaning(self) -> str:
        """What SW3 says, in words."""
        return status_meaning(self.sw3)


@dataclass(frozen=True)
class CorruptFrame:
    """A frame whose checksum did not match: framing held, content cannot be trusted."""

    length: int


def checksum(body: bytes) -> int:
    """XOR of the length bytes through the byte before the checksum."""
    value = 0
    for byte in body:
        value ^= byte
    return value


def _frame(payload: bytes) -> bytes:
    body = struct.pack(">H", len(payload) + 1) + payload
    return PREAMBLE + body + bytes([checksum(body)])


def build_command(command: Command, data: bytes = b"") -> bytes:
    """The frame a host sends: preamble, length, CMD, PARA, data, checksum."""
    cmd, para = command.value
    return _frame(bytes([cmd, para]) + data)


def build_answer(sw3: int, data: bytes = b"", sw1: int = 0, sw2: int = 0) -> bytes:
    """The frame a SAM sends (the simulator answers with it; tests build frames from the spec)."""
    return _frame(bytes([sw1, sw2, sw3]) + data)


def parse_command(frame: bytes) -> tuple[Command | None, bytes]:
    """The command and data of a host frame (the simulator's side); None for an unknown command."""
    if len(frame) < 10 or not frame.startswith(PREAMBLE):
        raise FrameError("not a command frame")
    length = (frame[5] << 8) | frame[6]
    if len(frame) != 7 + length or checksum(frame[5:-1]) != frame[-1]:
        raise FrameError("command frame length or checksum is wrong")
    pair = (frame[7], frame[8])
    command = next((c for c in Command if c.value == pair), None)
    return command, frame[9:-1]


class FrameReader:
    """Finds answer frames in a byte stream that may carry noise, torn frames and bad checksums.

    Feed it whatever the port gave; it returns each complete frame as an `Answer` or, when the
    checksum fails, a `CorruptFrame`. `wanted()` says how many bytes complete the frame under way, so
    a transport reads exactly the announced length and never waits for more than it was promised.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()

    def reset(self) -> None:
        """Forget any partial frame (a new command begins)."""
        self._buffer.clear()

    def wanted(self) -> int:
        """The number of bytes that would complete the next frame (at least 1)."""
        self._resynchronise()
        if len(self._buffer) < 7:
            return 7 - len(self._buffer)
        return 7 + self._announced() - len(self._buffer)

    def expected_total(self) -> int | None:
        """The length of the frame under way, preamble included, once its length bytes arrived."""
        self._resynchronise()
        return 7 + self._announced() if len(self._buffer) >= 7 else None

    def feed(self, data: bytes) -> list[Answer | CorruptFrame]:
        """Take bytes from the port; return the frames they completed, in order."""
        self._buffer.extend(data)
        frames: list[Answer | CorruptFrame] = []
        while True:
            self._resynchronise()
            if len(self._buffer) < 7:
                return frames
            length = self._announced()
            if len(self._buffer) < 7 + length:
                return frames
            body = bytes(self._buffer[5 : 7 + length])
            del self._buffer[: 7 + length]
            if checksum(body[:-1]) != body[-1]:
                frames.append(CorruptFrame(length))
            else:
                frames.append(Answer(body[2], body[3], body[4], body[5:-1]))

    def _announced(self) -> int:
        # Two unsigned bytes, big-endian: 0x80 and above is a large length, never a negative one.
        return (self._buffer[5] << 8) | self._buffer[6]

    def _resynchronise(self) -> None:
        """Drop noise until the buffer starts with a preamble and a plausible length."""
        while self._buffer:
            start = self._buffer.find(PREAMBLE)
            if start < 0:
                # Keep a tail that may be the start of a preamble split across reads.
                keep = next(
                    (
                        n
                        for n in range(min(4, len(self._buffer)), 0, -1)
                        if PREAMBLE.startswith(self._buffer[-n:])
                    ),
                    0,
                )
                del self._buffer[: len(self._buffer) - keep]
                return
            del self._buffer[:start]
            if len(self._buffer) < 7:
                return
            if MIN_ANSWER_LENGTH <= self._announced() <= MAX_LENGTH:
                return
            del self._buffer[:1]  # a preamble with an impossible length: noise, look further


# -- card text ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Form:
    """What a machine-read field may hold (matched whole, after its padding is stripped)."""

    pattern: re.Pattern[str]
    meaning: str


def _form(pattern: str, meaning: str) -> _Form:
    # Character classes spelled [0-9] and [A-Z], never \d or isdigit(): a chip that holds '²' or '３'
    # there is damaged or forged, and must not become a number (or a crash) further on.
    return _Form(re.compile(pattern, re.ASCII), meaning)


_CODE = _form("[0-9]?", "a one-digit code 0-9")
_NATION_CODE = _form("(?:[0-9]{2})?", "a two-digit code 0-9")
_ID_NUMBER = _form("[0-9]{17}[0-9Xx]", "an 18-character ID number (digits 0-9, the last may be X)")
_PERMIT_NUMBER = _form("[A-Z]{3}[0-9]{12}", "a permit number of 3 letters A-Z and 12 digits 0-9")
_COUNT = _form("[0-9]{0,2}", "a count in digits 0-9")
_PASS_NUMBER = _form("[0-9A-Z]*", "letters A-Z and digits 0-9")
_COUNTRY = _form("(?:[A-Z]{3})?", "a three-letter country code A-Z")
_AUTHORITY_CODE = _form("[0-9]*", "an authority code in digits 0-9")


@dataclass(frozen=True)
class Field:
    """One field of a text block layout: where it lies and what it may hold."""

    name: str
    offset: int
    size: int
    #: What the field may hold: a form, "date" (YYYYMMDD in 0-9, checked when parsed), or None for
    #: free text (names, addresses) and fields the kiosk does not use (a field it ignores must not
    #: spoil a read).
    form: _Form | str | None = None

    @property
    def where(self) -> str:
        """The field and its bytes in the text block, for a technician's message."""
        return f"{self.name.replace('_', ' ')} (bytes {self.offset}-{self.offset + self.size - 1})"


_RESIDENT = (
    Field("name", 0, 30),
    Field("gender", 30, 2, _CODE),
    Field("nation", 32, 4, _NATION_CODE),
    Field("birth_date", 36, 16, "date"),
    Field("address", 52, 70),
    Field("id_number", 122, 36, _ID_NUMBER),
    Field("issuer", 158, 30),
    Field("valid_from", 188, 16, "date"),
    Field("valid_until", 204, 16, "date"),
)
_HK_MO_TW = (
    *(f for f in _RESIDENT if f.name != "nation"),
    Field("pass_number", 220, 18, _PASS_NUMBER),
    Field("issue_count", 238, 4, _COUNT),
)
_FOREIGN_2017 = (
    Field("english_name", 0, 120),
    Field("gender", 120, 2, _CODE),
    Field("id_number", 122, 30, _PERMIT_NUMBER),
    Field("nationality", 152, 6, _COUNTRY),
    Field("name", 158, 30),
    Field("valid_from", 188, 16, "date"),
    Field("valid_until", 204, 16, "date"),
    Field("birth_date", 220, 16, "date"),
    Field("card_version", 236, 4),
    Field("issuer", 240, 8, _AUTHORITY_CODE),
)
_FOREIGN_2023 = (
    Field("name", 0, 30),
    Field("gender", 30, 2, _CODE),
    Field("issue_count", 32, 4, _COUNT),
    Field("birth_date", 36, 16, "date"),
    Field("english_name", 52, 70),
    Field("id_number", 122, 36, _ID_NUMBER),
    Field("valid_from", 188, 16, "date"),
    Field("valid_until", 204, 16, "date"),
    Field("english_name_more", 220, 22),
    Field("nationality", 242, 6, _COUNTRY),
)
#: The text layout of each document, by the flag character at byte 248 (space: resident card).
LAYOUTS: dict[str, tuple[Field, ...]] = {
    " ": _RESIDENT,
    "J": _HK_MO_TW,
    "I": _FOREIGN_2017,
    "Y": _FOREIGN_2023,
}
_FLAG_OFFSET = 248
_CARD_TYPES: dict[str, CardType] = {" ": "resident", "J": "hk_mo_tw"}


def document_flag(text: bytes) -> str:
    """The document type flag of a text block: " " resident, "J", "I" or "Y"."""
    flag = text[_FLAG_OFFSET : _FLAG_OFFSET + 2].decode("utf-16-le", errors="replace")
    return " " if flag in {" ", "\x00", "0"} else flag


def _fields(text: bytes, layout: tuple[Field, ...]) -> dict[str, str]:
    values: dict[str, str] = {}
    for f in layout:
        try:
            value = text[f.offset : f.offset + f.size].decode("utf-16-le", errors="strict").strip(" \x00")
        except UnicodeDecodeError as error:
            raise MalformedRecord(f"{f.where} is not UCS-2 text") from error
        # The value itself stays out of the message: it is personal data, and messages reach logs.
        if isinstance(f.form, _Form) and not f.form.pattern.fullmatch(value):
            raise MalformedRecord(f"{f.where} is not {f.form.meaning}")
        values[f.name] = value
    return values


def _date(value: str, what: str, long_term_allowed: bool = False) -> date | None:
    if not value:
        return None
    if value == LONG_TERM and long_term_allowed:
        return None
    if len(value) != 8 or not ascii_digits(value):
        raise MalformedRecord(f"{what} is not a date YYYYMMDD in digits 0-9")
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError as error:
        raise MalformedRecord(f"{what} is not a calendar date") from error


def parse_text(text: bytes, photo_wlt: bytes = b"", appended_address: str = "") -> IdCard:
    """The card in a 256-byte UCS-2 text block, laid out by the document type it carries.

    Raises MalformedRecord, and nothing else, for any block that cannot be a real card.
    """
    if len(text) != TEXT_LENGTH:
        raise MalformedRecord(f"text block is {len(text)} bytes, expected {TEXT_LENGTH}")
    try:
        return _card(text, photo_wlt, appended_address)
    except MalformedRecord:
        raise
    except Exception as error:  # a card nobody foresaw costs one read, never the reader's thread
        # Only the kind of error: its text may quote a field, and field values are personal data.
        raise MalformedRecord(f"text block could not be parsed ({type(error).__name__})") from error


def _card(text: bytes, photo_wlt: bytes, appended_address: str) -> IdCard:
    flag = document_flag(text)
    layout = LAYOUTS.get(flag)
    if layout is None:
        raise MalformedRecord(f"unknown document type flag {flag!r}")
    values = _fields(text, layout)
    gender = values.get("gender", "")
    count = values.get("issue_count", "")
    nation = values.get("nation", "")
    english = values.get("english_name", "") + values.get("english_name_more", "")
    return IdCard(
        _CARD_TYPES.get(flag, "foreign_permanent"),
        values["name"] or english,
        GENDERS.get(gender, gender),
        values["id_number"],
        birth_date=_date(values["birth_date"], "birth date"),
        nation=NATIONS.get(nation, nation) if flag == " " else None,
        address=values.get("address", ""),
        # The 2023 card's authority field is reserved: its issuer is not on the chip.
        issuer=values.get("issuer", ""),
        valid_from=_date(values["valid_from"], "validity start"),
        valid_until=_date(values["valid_until"], "validity end", long_term_allowed=True),
        appended_address=appended_address,
        english_name=english,
        nationality=values.get("nationality", ""),
        pass_number=values.get("pass_number", ""),
        issue_count=int(count) if count else None,
        photo_wlt=photo_wlt,
    )


def build_text(card: IdCard, flag: str = " ") -> bytes:
    """The 256-byte text block a card of this type carries (the simulator's and the tests' side)."""
    layout = LAYOUTS[flag]
    genders = {v: k for k, v in GENDERS.items()}
    nations = {v: k for k, v in NATIONS.items()}

    def day(value: date | None, long_term: bool = False) -> str:
        if value is None:
            return LONG_TERM if long_term else ""
        return value.strftime("%Y%m%d")

    english = card.english_name
    values = {
        "name": card.name,
        "gender": genders.get(card.sex, card.sex),
        "nation": nations.get(card.nation or "", card.nation or ""),
        "birth_date": day(card.birth_date),
        "address": card.address,
        "id_number": card.id_number,
        "issuer": card.issuer,
        "valid_from": day(card.valid_from),
        "valid_until": day(card.valid_until, long_term=True),
        "pass_number": card.pass_number,
        "issue_count": "" if card.issue_count is None else f"{card.issue_count:02d}",
        "english_name": english[:35] if flag == "Y" else english,
        "english_name_more": english[35:] if flag == "Y" else "",
        "nationality": card.nationality,
        "card_version": "20" if flag == "I" else "",
    }
    text = bytearray(" ".encode("utf-16-le") * (TEXT_LENGTH // 2))
    for f in layout:
        encoded = values[f.name].encode("utf-16-le")
        if len(encoded) > f.size:
            raise ValueError(f"{f.name} does not fit in {f.size} bytes")
        text[f.offset : f.offset + len(encoded)] = encoded
    text[_FLAG_OFFSET : _FLAG_OFFSET + 2] = flag.encode("utf-16-le")
    return bytes(text)


@dataclass(frozen=True)
class BasicRead:
    """The parts of a read answer: text block, WLT photo, and fingerprint when asked for."""

    text: bytes
    photo_wlt: bytes
    fingerprint: bytes = b""


def parse_read(data: bytes, with_fingerprint: bool = False) -> BasicRead:
    """Split the data of a read answer (30 01, or 30 10 with fingerprint) by its announced lengths."""
    header = 6 if with_fingerprint else 4
    if len(data) < header:
        raise MalformedRecord("read answer is shorter than its length header")
    text_length, photo_length = struct.unpack(">HH", data[:4])
    fingerprint_length = struct.unpack(">H", data[4:6])[0] if with_fingerprint else 0
    if len(data) != header + text_length + photo_length + fingerprint_length:
        raise MalformedRecord(
            f"read answer has {len(data) - header} data bytes, its header announces "
            f"{text_length}+{photo_length}+{fingerprint_length}"
        )
    text_end = header + text_length
    photo_end = text_end + photo_length
    return BasicRead(data[header:text_end], data[text_end:photo_end], data[photo_end:])


def build_read_data(text: bytes, photo_wlt: bytes) -> bytes:
    """The data of a 30 01 answer (the simulator's side)."""
    return struct.pack(">HH", len(text), len(photo_wlt)) + text + photo_wlt


def parse_appended_address(data: bytes) -> str:
    """The appended address (追加住址) of a 30 03 answer."""
    try:
        return data.decode("utf-16-le").strip(" \x00")
    except UnicodeDecodeError as error:
        raise MalformedRecord("appended address is not UCS-2") from error


def format_sam_id(data: bytes) -> str:
    """The SAM id as printed on readers: 05.01-20101105-0012345678-1234567890 style."""
    if len(data) < 16:
        raise MalformedRecord(f"SAM id answer has {len(data)} bytes, expected 16")
    first, second, third = struct.unpack("<III", data[4:16])
    return f"{data[0]:02d}.{data[2]:02d}-{first}-{second:09d}-{third:09d}"
