"""The SAM protocol layer against frames written from the specification (docs/protocols/idcard-serial.md)."""

from __future__ import annotations

import struct
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.idcard import protocol
from drivers.idcard.card_file import load_id_card
from drivers.idcard.protocol import Answer, Command, CorruptFrame, FrameReader
from kiosk.idnumber import check_character, id_number_valid
from kiosk.records import IdCard

CARDS = Path(__file__).parents[2] / "config" / "demo" / "cards"


def _hex(text: str) -> bytes:
    return bytes.fromhex(text)


@pytest.mark.parametrize(
    ("command", "frame"),
    [
        (Command.RESET_SAM, "AA AA AA 96 69 00 03 10 FF EC"),
        (Command.SAM_STATUS, "AA AA AA 96 69 00 03 11 FF ED"),
        (Command.SAM_ID, "AA AA AA 96 69 00 03 12 FF EE"),
        (Command.FIND_CARD, "AA AA AA 96 69 00 03 20 01 22"),
        (Command.SELECT_CARD, "AA AA AA 96 69 00 03 20 02 21"),
        (Command.READ_BASIC, "AA AA AA 96 69 00 03 30 01 32"),
        (Command.READ_WITH_FINGERPRINT, "AA AA AA 96 69 00 03 30 10 23"),
        (Command.READ_APPENDED_ADDRESS, "AA AA AA 96 69 00 03 30 03 30"),
    ],
)
def test_command_frames_are_those_of_the_spec(command: Command, frame: str) -> None:
    assert protocol.build_command(command) == _hex(frame)
    assert protocol.parse_command(_hex(frame)) == (command, b"")


@pytest.mark.parametrize(
    ("frame", "sw3", "data"),
    [
        ("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97", 0x9F, bytes(4)),
        ("AA AA AA 96 69 00 04 00 00 80 84", 0x80, b""),
        ("AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C", 0x90, bytes(8)),
        ("AA AA AA 96 69 00 04 00 00 81 85", 0x81, b""),
        ("AA AA AA 96 69 00 04 00 00 41 45", 0x41, b""),
    ],
)
def test_answers_of_the_spec_are_parsed(frame: str, sw3: int, data: bytes) -> None:
    assert FrameReader().feed(_hex(frame)) == [Answer(0, 0, sw3, data)]
    assert protocol.build_answer(sw3, data) == _hex(frame)


def test_status_codes_have_meanings() -> None:
    assert protocol.status_meaning(0x80) == "find card failed (no card)"
    assert protocol.status_meaning(0x41) == "read failed"
    assert protocol.status_meaning(0x66) == "SAM not authorised"
    assert protocol.status_meaning(0x07) == "unknown status"


def test_a_frame_split_across_reads_is_assembled_and_wanted_counts_down() -> None:
    frame = _hex("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97")
    reader = FrameReader()
    assert reader.wanted() == 7
    assert reader.feed(frame[:3]) == []
    assert reader.wanted() == 4
    assert reader.feed(frame[3:9]) == []
    assert reader.expected_total() == len(frame)
    assert reader.wanted() == len(frame) - 9
    assert reader.feed(frame[9:]) == [Answer(0, 0, 0x9F, bytes(4))]


def test_noise_and_a_torn_preamble_before_a_frame_are_skipped() -> None:
    frame = protocol.build_answer(0x90, b"\x01\x02")
    noise = b"\x00\x13\xaa\x96" + protocol.PREAMBLE[:4]
    reader = FrameReader()
    for byte in noise + frame:  # one byte at a time, as a slow port delivers them
        frames = reader.feed(bytes([byte]))
    assert frames == [Answer(0, 0, 0x90, b"\x01\x02")]


def test_a_bad_checksum_is_reported_not_parsed() -> None:
    frame = bytearray(protocol.build_answer(0x90, b"abc"))
    frame[-1] ^= 0x01
    assert FrameReader().feed(bytes(frame)) == [CorruptFrame(len(frame) - 7)]


def test_a_length_byte_of_0x80_and_above_is_large_never_negative() -> None:
    data = bytes(0x80 + 0x100 - 4)  # announced length 0x0180
    frame = protocol.build_answer(0x90, data)
    assert frame[5:7] == b"\x01\x80"
    reader = FrameReader()
    assert reader.feed(frame[:7]) == []
    assert reader.wanted() == 0x180
    assert reader.feed(frame[7:]) == [Answer(0, 0, 0x90, data)]


def test_an_impossible_length_is_noise_and_the_real_frame_after_it_is_found() -> None:
    fake = protocol.PREAMBLE + b"\xff\xff"
    short = protocol.PREAMBLE + b"\x00\x01"
    frame = protocol.build_answer(0x80)
    assert FrameReader().feed(fake + short + frame) == [Answer(0, 0, 0x80, b"")]


def test_a_command_frame_with_a_wrong_checksum_is_refused() -> None:
    with pytest.raises(protocol.FrameError):
        protocol.parse_command(_hex("AA AA AA 96 69 00 03 20 01 23"))


@pytest.mark.parametrize(
    "name", ["resident", "resident_long_term", "hk_mo_tw", "foreign_2017", "foreign_2023"]
)
def test_every_document_type_round_trips_through_its_text_block(name: str) -> None:
    simulated = load_id_card(CARDS / f"{name}.json")
    text = protocol.build_text(simulated.card, simulated.flag)
    assert len(text) == 256
    assert protocol.document_flag(text) == simulated.flag
    card = protocol.parse_text(text, simulated.card.photo_wlt, simulated.card.appended_address)
    assert card == simulated.card


def test_a_resident_text_block_written_by_hand_is_read_field_by_field() -> None:
    def field(value: str, size: int) -> bytes:
        return value.ljust(size // 2).encode("utf-16-le")

    text = (
        field("欧阳示例", 30)
        + field("2", 2)
        + field("05", 4)
        + field("19900101", 16)
        + field("山东省威海市演示路1号", 70)
        + field("371002199001010023", 36)
        + field("威海市公安局", 30)
        + field("20160504", 16)
        + field("长期", 16)
        + field("", 36)
    )
    card = protocol.parse_text(text)
    assert card.card_type == "resident"
    assert (card.name, card.sex, card.nation) == ("欧阳示例", "女", "维吾尔")
    assert card.birth_date == date(1990, 1, 1)
    assert card.address == "山东省威海市演示路1号"
    assert card.valid_from == date(2016, 5, 4)
    assert card.valid_until is None  # 长期: valid for life, not a crash


def test_a_hk_card_is_not_read_with_the_resident_layout() -> None:
    simulated = load_id_card(CARDS / "hk_mo_tw.json")
    card = protocol.parse_text(protocol.build_text(simulated.card, "J"))
    assert card.card_type == "hk_mo_tw"
    assert card.nation is None
    assert (card.pass_number, card.issue_count) == ("H00000001", 1)


def test_the_2017_foreigner_card_has_its_own_layout() -> None:
    card = protocol.parse_text(protocol.build_text(load_id_card(CARDS / "foreign_2017.json").card, "I"))
    assert card.card_type == "foreign_permanent"
    assert card.english_name == "SAMPLE, DEMO PERSON"
    assert (card.nationality, card.id_number, card.issuer) == ("USA", "USA370790909001", "1500")
    assert card.birth_date == date(1979, 9, 9)


def test_the_2023_foreigner_card_joins_its_english_name_across_both_fields() -> None:
    card = protocol.parse_text(protocol.build_text(load_id_card(CARDS / "foreign_2023.json").card, "Y"))
    assert card.english_name == "EXAMPLE, DEMONSTRATION CARDHOLDER NAME"
    assert len(card.english_name) > 35  # longer than the first field alone
    assert (card.nationality, card.issue_count) == ("CAN", 0)


@pytest.mark.parametrize(
    ("corrupt", "message"),
    [
        (lambda t: t[:200], "text block is 200 bytes"),
        (lambda t: t[:248] + "Q".encode("utf-16-le") + t[250:], "unknown document type"),
        (lambda t: t[:36] + "19901301".encode("utf-16-le") + t[52:], "not a calendar date"),
        (lambda t: t[:204] + "forever!".encode("utf-16-le") + t[220:], "not a date"),
        (lambda t: t[:2] + b"\x00\xd8" + t[4:], "not UCS-2"),
    ],
)
def test_broken_text_blocks_are_malformed_records(corrupt, message: str) -> None:  # type: ignore[no-untyped-def]
    text = protocol.build_text(load_id_card(CARDS / "resident.json").card)
    with pytest.raises(protocol.MalformedRecord, match=message):
        protocol.parse_text(corrupt(text))


def test_a_read_answer_is_split_by_its_announced_lengths() -> None:
    text, photo = bytes(range(256)), b"W" * 1024
    parsed = protocol.parse_read(protocol.build_read_data(text, photo))
    assert (parsed.text, parsed.photo_wlt, parsed.fingerprint) == (text, photo, b"")
    with_fp = struct.pack(">HHH", 256, 1024, 3) + text + photo + b"fpx"
    assert protocol.parse_read(with_fp, with_fingerprint=True).fingerprint == b"fpx"


def test_a_short_read_answer_is_refused_not_returned_partially() -> None:
    data = protocol.build_read_data(bytes(256), bytes(1024))
    with pytest.raises(protocol.MalformedRecord, match="header announces"):
        protocol.parse_read(data[:-10])
    with pytest.raises(protocol.MalformedRecord):
        protocol.parse_read(b"\x01")


def test_the_appended_address_is_text_padded_with_spaces() -> None:
    assert protocol.parse_appended_address("示例街2号".ljust(35).encode("utf-16-le")) == "示例街2号"


def test_the_sam_id_is_formatted_as_readers_print_it() -> None:
    data = bytes([5, 0, 1, 0]) + struct.pack("<III", 20101105, 12345678, 1234567890)
    assert protocol.format_sam_id(data) == "05.01-20101105-012345678-1234567890"
    with pytest.raises(protocol.MalformedRecord):
        protocol.format_sam_id(data[:10])


def test_nation_and_gender_tables() -> None:
    assert protocol.NATIONS["01"] == "汉"
    assert protocol.NATIONS["56"] == "基诺"
    assert protocol.NATIONS["98"] == "外国血统中国籍人士"
    assert len(protocol.NATIONS) == 58
    assert protocol.GENDERS == {"0": "未知", "1": "男", "2": "女", "9": "未说明"}


def test_id_number_check_digits() -> None:
    assert check_character("11010519491231002") == "X"
    assert id_number_valid("11010519491231002X") is True
    assert id_number_valid("11010519491231002x") is True
    assert id_number_valid("371002199001010023") is True
    assert id_number_valid("371002199001010024") is False
    assert id_number_valid("371002199013010023") is False  # month 13
    assert id_number_valid("990000199001010025") in {True, False}  # unknown area: only the digit counts
    assert id_number_valid("USA370790909001") is None


# -- the frame reader under fuzz: it must never crash, hang, or invent a frame -----------------


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=64), max_size=20))
def test_random_byte_streams_never_crash_the_frame_reader(chunks: list[bytes]) -> None:
    reader = FrameReader()
    for chunk in chunks:
        for frame in reader.feed(chunk):
            assert isinstance(frame, Answer | CorruptFrame)
        assert reader.wanted() >= 1


_GOOD = [
    protocol.build_answer(0x9F, bytes(4)),
    protocol.build_answer(0x80),
    protocol.build_answer(0x90, protocol.build_read_data(bytes(256), bytes(1024))),
]


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(_GOOD),
    st.lists(st.tuples(st.integers(min_value=0, max_value=2000), st.integers(0, 255)), max_size=6),
    st.integers(min_value=1, max_value=300),
    st.binary(max_size=20),
)
def test_mutated_frames_never_crash_and_intact_ones_still_parse(
    frame: bytes, mutations: list[tuple[int, int]], chunk: int, noise: bytes
) -> None:
    mutated = bytearray(frame)
    for position, value in mutations:
        mutated[position % len(mutated)] = value
    reader = FrameReader()
    stream = noise + bytes(mutated) + frame  # a damaged frame, then an intact copy
    found: list[Answer | CorruptFrame] = []
    for start in range(0, len(stream), chunk):
        found += reader.feed(stream[start : start + chunk])
        assert reader.wanted() >= 1
    assert all(isinstance(f, Answer | CorruptFrame) for f in found)
    if all(position % len(mutated) >= 7 for position, _ in mutations):
        # Framing bytes intact: the damaged frame is one frame, and the intact copy after it parses.
        assert found[-1] == FrameReader().feed(frame)[0]
        assert len(found) == 2


def test_card_records_mask_identity_in_repr() -> None:
    card = protocol.parse_text(protocol.build_text(load_id_card(CARDS / "resident.json").card))
    assert isinstance(card, IdCard)
    assert "演示居民" not in repr(card)
    assert "371002199001010023" not in repr(card)
