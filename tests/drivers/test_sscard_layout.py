"""The social security card layer against the virtual card's operating system, without a reader."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from drivers.sscard import layout
from drivers.sscard.virtual_card import CardQuirks, SocialSecurityCardOS, load_sscard_values
from kiosk.records import SocialSecurityCard

DEMO = load_sscard_values(Path(__file__).parents[2] / "config" / "demo" / "cards" / "sscard.json")
EXPECTED = SocialSecurityCard(
    card_id="371000D156000005",
    name="演示居民",
    ss_number="371002199001010023",
    card_type="3",
    spec_version="3.00",
    issuer_org="371000000001",
    issued=date(2022, 3, 1),
    expires=date(2032, 3, 1),
    card_number="W00000001",
    sex="女",
    nation="汉",
    birthplace="371002",
    birth_date=date(1990, 1, 1),
)


class Recording:
    """A transmit function onto a virtual card that keeps every APDU sent."""

    def __init__(self, card: SocialSecurityCardOS) -> None:
        self.card = card
        self.sent: list[bytes] = []

    def __call__(self, apdu: bytes) -> tuple[bytes, int]:
        self.sent.append(apdu)
        response = self.card.execute(apdu)
        return response[:-2], (response[-2] << 8) | response[-1]


def test_the_select_apdu_names_the_ssse_application() -> None:
    assert layout.select_ssse().hex().upper() == "00A404000F7378312E73682EC9E7BBE1B1A3D5CF"


def test_read_record_addresses_a_tag_in_a_file_as_in_the_vendor_trace() -> None:
    card_id = layout.ELEMENTS[0]
    assert layout.read_record(card_id).hex().upper() == "00B2012812"


@pytest.mark.parametrize("padding", ["zero", "space", "none"])
def test_both_paddings_and_short_records_read_the_same_card(padding: str) -> None:
    transmit = Recording(SocialSecurityCardOS(DEMO, CardQuirks(padding=padding)))  # type: ignore[arg-type]
    assert layout.read_card(transmit) == EXPECTED
    resent = [apdu for apdu in transmit.sent if apdu[1] == 0xB2]
    # Short records answer 6C xx and are asked again with the right length.
    assert (len(resent) > len(layout.ELEMENTS)) is (padding == "none")


def test_a_t0_card_hands_its_data_out_on_get_response() -> None:
    transmit = Recording(SocialSecurityCardOS(DEMO, CardQuirks(t0=True)))
    assert layout.read_card(transmit) == EXPECTED
    assert sum(apdu[1] == 0xC0 for apdu in transmit.sent) == len(layout.ELEMENTS) + 1


def test_a_card_refusing_the_holder_data_says_69_82() -> None:
    with pytest.raises(layout.AccessRefused, match="69 82 security status not satisfied"):
        layout.read_card(Recording(SocialSecurityCardOS(DEMO, CardQuirks(refuse_holder=True))))


def test_a_card_without_ssse_is_not_a_social_security_card() -> None:
    with pytest.raises(layout.NotSocialSecurityCard, match="not a social security card"):
        layout.read_card(Recording(SocialSecurityCardOS(DEMO, CardQuirks(not_ssse=True))))


def test_bcd_dates_and_numbers() -> None:
    issued, nation, birthplace = layout.ELEMENTS[4], layout.ELEMENTS[10], layout.ELEMENTS[11]
    assert layout.decode(issued, bytes.fromhex("20220301")) == date(2022, 3, 1)
    assert layout.decode(issued, bytes.fromhex("00000000")) is None
    assert layout.decode(nation, bytes.fromhex("01")) == "01"
    assert layout.decode(birthplace, bytes.fromhex("3710FF")) == "3710"
    with pytest.raises(layout.MalformedElement, match="calendar date"):
        layout.decode(issued, bytes.fromhex("20221301"))
    with pytest.raises(layout.MalformedElement, match="BCD date"):
        layout.decode(issued, bytes.fromhex("2022AB01"))


def test_text_padding_of_zeros_and_spaces_is_stripped() -> None:
    name, card_number = layout.ELEMENTS[8], layout.ELEMENTS[6]
    assert layout.decode(name, "演示".encode("gbk") + b"\x00" * 26) == "演示"
    assert layout.decode(name, "演示".encode("gbk") + b" " * 26) == "演示"
    assert layout.decode(card_number, b"W0001    ") == "W0001"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x02\x10abc", "does not start with tag 01"),
        (b"\x01\x10abc", "announces 16 bytes, holds 3"),
        (b"", "tag"),
    ],
)
def test_broken_records_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(layout.MalformedElement, match=message):
        layout.parse_record(layout.ELEMENTS[0], data)


def test_a_card_that_keeps_answering_61_does_not_loop_forever() -> None:
    calls = []

    def endless(apdu: bytes) -> tuple[bytes, int]:
        calls.append(apdu)
        return b"x", 0x6101

    _, sw = layout.exchange(endless, layout.select_ssse())
    assert sw == 0x6101 and len(calls) == 9
