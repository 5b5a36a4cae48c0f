"""The card text parser under fuzz: any text block gives a card whose numbers are 0-9, or MalformedRecord.

Found by fuzzing (issue 13): '²' passed `str.isdigit()` and then failed `int()` with a plain
ValueError, which killed the reader's thread; '３' and '٣' passed both and became numbers.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import date
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from drivers.idcard import protocol
from drivers.idcard.card_file import load_id_card
from kiosk.nations import NATIONS
from kiosk.records import IdCard
from tests.drivers.idcard_frames import ISSUE_13_FRAME

CARDS = Path(__file__).parents[2] / "config" / "demo" / "cards"
#: Each document layout and a real-looking card written in it.
DOCUMENTS = {
    " ": "resident",
    "J": "hk_mo_tw",
    "I": "foreign_2017",
    "Y": "foreign_2023",
}

#: Digits that are not 0-9: superscripts and circled numbers (category No: isdigit() yes, int() no),
#: Arabic-Indic and full-width digits (category Nd: int() takes them).
UNICODE_DIGITS = "²⁵①٣３𝟗०"
#: What no card may carry in a number field, as str.isdigit() would miss it.
NOT_ASCII_DIGITS = st.characters(categories=["Nd", "No"]).filter(lambda c: not c.isascii())


@functools.cache
def text_block(flag: str) -> bytes:
    simulated = load_id_card(CARDS / f"{DOCUMENTS[flag]}.json")
    return protocol.build_text(simulated.card, simulated.flag)


class Spot(NamedTuple):
    """A field of the text block, as the specification places it."""

    name: str
    offset: int
    size: int


_DATES = [Spot("birth_date", 36, 16), Spot("valid_from", 188, 16), Spot("valid_until", 204, 16)]
_CITIZEN = [Spot("gender", 30, 2), Spot("id_number", 122, 36), *_DATES]
#: Every field that holds a code, a number or a date, by layout (the reference's tables).
NUMBER_FIELDS: dict[str, list[Spot]] = {
    " ": [*_CITIZEN, Spot("nation", 32, 4)],
    "J": [*_CITIZEN, Spot("pass_number", 220, 18), Spot("issue_count", 238, 4)],
    "I": [
        Spot("gender", 120, 2),
        Spot("id_number", 122, 30),
        Spot("nationality", 152, 6),
        Spot("valid_from", 188, 16),
        Spot("valid_until", 204, 16),
        Spot("birth_date", 220, 16),
        Spot("issuer", 240, 8),  # the issuing authority's code
    ],
    "Y": [*_CITIZEN, Spot("issue_count", 32, 4), Spot("nationality", 242, 6)],
}


def with_field(text: bytes, field: Spot, value: str) -> bytes:
    """`text` with one field's content replaced (padded with spaces, as cards are)."""
    encoded = value.ljust(field.size // 2).encode("utf-16-le")[: field.size]
    return text[: field.offset] + encoded + text[field.offset + field.size :]


def assert_machine_fields_ascii(card: IdCard) -> None:
    """A parsed card carries no number that is not made of 0-9."""
    for value in (card.id_number, card.pass_number, card.nationality):
        assert value.isascii(), value
    assert card.issue_count is None or isinstance(card.issue_count, int)
    assert card.sex in protocol.GENDERS.values() or re.fullmatch("[0-9]?", card.sex, re.ASCII)
    assert (
        card.nation in {None, ""} or card.nation in NATIONS.values() or re.fullmatch("[0-9]{2}", card.nation)
    )
    for day in (card.birth_date, card.valid_from, card.valid_until):
        assert day is None or isinstance(day, date)
    if card.card_type == "foreign_permanent" and not card.id_number[:1].isdigit():
        assert re.fullmatch(r"[A-Z]{3}[0-9]{12}", card.id_number, re.ASCII)
    else:
        assert re.fullmatch(r"[0-9]{17}[0-9Xx]", card.id_number, re.ASCII)


def parse_or_malformed(text: bytes) -> IdCard | protocol.MalformedRecord:
    """The only two outcomes allowed; a MalformedRecord from the parser's last-resort net counts as a
    miss too (it keeps the kiosk running, but the fuzz must find no field the checks forgot)."""
    try:
        card = protocol.parse_text(text)
    except protocol.MalformedRecord as error:
        refused = error
    else:
        assert isinstance(card, IdCard)
        assert_machine_fields_ascii(card)
        return card
    assert "could not be parsed" not in str(refused), repr(refused.__cause__)
    return refused


def test_the_minimal_frame_of_issue_13_is_a_malformed_record_not_a_value_error() -> None:
    (answer,) = protocol.FrameReader().feed(ISSUE_13_FRAME)
    assert isinstance(answer, protocol.Answer)
    read = protocol.parse_read(answer.data)
    # Before: ValueError from int('²'), which no caller expects from the parser.
    with pytest.raises(protocol.MalformedRecord):
        protocol.parse_text(read.text, read.photo_wlt)


@pytest.mark.parametrize("digit", UNICODE_DIGITS)
@pytest.mark.parametrize(
    ("flag", "field"),
    [(flag, field) for flag in DOCUMENTS for field in NUMBER_FIELDS[flag]],
    ids=lambda v: v.name if isinstance(v, Spot) else repr(v),
)
def test_a_unicode_digit_in_any_number_field_is_refused(flag: str, field: Spot, digit: str) -> None:
    text = text_block(flag)
    value = text[field.offset : field.offset + field.size].decode("utf-16-le").strip()
    # The field as written, with its first character (or the whole field, if empty) made the digit.
    changed = digit + value[1:] if value else digit
    with pytest.raises(protocol.MalformedRecord, match=field.name.replace("_", " ").split()[0]):
        protocol.parse_text(with_field(text, field, changed))


def test_the_messages_never_quote_the_field() -> None:
    text = text_block(" ")
    field = Spot("id_number", 122, 36)
    with pytest.raises(protocol.MalformedRecord) as raised:
        protocol.parse_text(with_field(text, field, "37100219900101002３"))
    assert "371002" not in str(raised.value)
    assert str(raised.value) == (
        "id number (bytes 122-157) is not an 18-character ID number (digits 0-9, the last may be X)"
    )


@st.composite
def damaged_number_fields(draw: st.DrawFn) -> tuple[bytes, bool]:
    """A real card's text block with one number field rewritten; whether a non-0-9 digit went in."""
    flag = draw(st.sampled_from(sorted(DOCUMENTS)))
    field = draw(st.sampled_from(NUMBER_FIELDS[flag]))
    text = text_block(flag)
    original = text[field.offset : field.offset + field.size].decode("utf-16-le").strip()
    alphabet = st.one_of(
        st.sampled_from("0123456789 X长期"), st.sampled_from(UNICODE_DIGITS), NOT_ASCII_DIGITS
    )
    insert = draw(st.text(alphabet, min_size=1, max_size=field.size // 2))
    position = draw(st.integers(0, len(original)))
    value = (original[:position] + insert + original[position:])[: field.size // 2]
    if draw(st.booleans()):
        value = insert  # the whole field replaced, not only a part of it
    unicode_digit = any(unicodedata.category(c) in {"Nd", "No"} and not c.isascii() for c in value)
    return with_field(text, field, value), unicode_digit


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_number_fields())
def test_unicode_digits_in_number_fields_give_a_card_of_ascii_numbers_or_a_malformed_record(
    damaged: tuple[bytes, bool],
) -> None:
    text, unicode_digit = damaged
    outcome = parse_or_malformed(text)
    if unicode_digit:
        assert isinstance(outcome, protocol.MalformedRecord)


@st.composite
def text_blocks(draw: st.DrawFn) -> bytes:
    """A text block of any layout (or none) whose every field is drawn from a mix of characters."""
    flag = draw(st.sampled_from([*sorted(DOCUMENTS), "Q", "\x00", "0"]))
    text = bytearray(" ".encode("utf-16-le") * (protocol.TEXT_LENGTH // 2))
    alphabet = st.one_of(
        st.sampled_from("0123456789 XHJ"), st.sampled_from(UNICODE_DIGITS), NOT_ASCII_DIGITS, st.characters()
    )
    for field in NUMBER_FIELDS.get(flag, NUMBER_FIELDS[" "]):
        # 18 characters at most: the longest number; longer free text adds time, not cases.
        value = draw(st.text(alphabet, max_size=min(field.size // 2, 18)))
        encoded = value.encode("utf-16-le", errors="surrogatepass")[: field.size]
        text[field.offset : field.offset + len(encoded)] = encoded
    text[248:250] = flag.encode("utf-16-le")
    return bytes(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text_blocks())
def test_any_text_block_gives_a_card_of_ascii_numbers_or_a_malformed_record(text: bytes) -> None:
    parse_or_malformed(text)


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=protocol.TEXT_LENGTH, max_size=protocol.TEXT_LENGTH))
@example(text_block("J")[:238] + "²".encode("utf-16-le") + text_block("J")[240:])
def test_any_256_bytes_give_a_card_or_a_malformed_record(text: bytes) -> None:
    parse_or_malformed(text)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=1400), st.sampled_from([0x90, 0x9F, 0x41]))
@example(ISSUE_13_FRAME[10:-1], 0x90)
def test_any_read_answer_gives_a_card_or_the_protocols_own_error(data: bytes, sw3: int) -> None:
    """Whatever a SAM answers, through framing, splitting and parsing, only FrameError escapes."""
    for answer in protocol.FrameReader().feed(protocol.build_answer(sw3, data)):
        assert isinstance(answer, protocol.Answer)
        try:
            read = protocol.parse_read(answer.data)
            protocol.parse_text(read.text, read.photo_wlt)
        except protocol.FrameError:
            continue
