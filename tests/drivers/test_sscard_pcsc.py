"""The PC/SC driver against a real pcscd, vpcd and a virtual card in a separate process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.sscard.pcsc_reader import PcscSocialSecurityCardReader
from drivers.sscard.settings import PcscReaderSettings
from kiosk.devices import DriverContext, build_driver
from kiosk.ports import CardUnreadable, DeviceUnavailable, SocialSecurityCardReader
from tests.daemons import Daemon
from tests.drivers.test_sscard_layout import EXPECTED
from tests.smartcards import VirtualCards

READER = "Virtual PCD 00 00"


@pytest.fixture
def reader(pcscd: Daemon) -> Iterator[PcscSocialSecurityCardReader]:
    built = PcscSocialSecurityCardReader(PcscReaderSettings(driver="pcsc", reader=READER))
    yield built
    built.close()


def test_the_driver_is_found_by_its_entry_point(tmp_path: Path) -> None:
    built = build_driver(
        "sscard_reader", PcscReaderSettings(driver="pcsc", reader=""), DriverContext(tmp_path, "k")
    )
    assert isinstance(built, SocialSecurityCardReader)


def test_insert_read_once_remove_and_insert_again(
    reader: PcscSocialSecurityCardReader, virtual_cards: VirtualCards
) -> None:
    assert reader.read_card(timeout=0.2) is None
    card = virtual_cards.insert()
    assert reader.read_card(timeout=5) == EXPECTED
    assert reader.card_present()
    assert reader.read_card(timeout=0.3) is None  # still inserted: read once per insertion
    virtual_cards.remove(card)
    assert reader.read_card(timeout=2) is None
    assert not reader.card_present()
    virtual_cards.insert("--t0", "--padding", "none")  # 61xx and 6Cxx through the real stack
    assert reader.read_card(timeout=5) == EXPECTED


def test_a_card_refusing_access_fails_clearly_and_is_not_retried(
    reader: PcscSocialSecurityCardReader, virtual_cards: VirtualCards
) -> None:
    virtual_cards.insert("--refuse-holder")
    with pytest.raises(CardUnreadable, match=rf"{READER}.*69 82 security status not satisfied"):
        reader.read_card(timeout=5)
    assert reader.read_card(timeout=0.3) is None


def test_a_card_that_is_no_social_security_card(
    reader: PcscSocialSecurityCardReader, virtual_cards: VirtualCards
) -> None:
    virtual_cards.insert("--not-ssse", "--padding", "space")
    with pytest.raises(CardUnreadable, match="not a social security card"):
        reader.read_card(timeout=5)


def test_an_unknown_reader_name_is_unavailable(pcscd: Daemon) -> None:
    built = PcscSocialSecurityCardReader(PcscReaderSettings(driver="pcsc", reader="Nope 00"))
    with pytest.raises(DeviceUnavailable, match=r"'Nope 00' is not connected \(PC/SC readers: Virtual PCD"):
        built.read_card(timeout=0.1)


def test_pcscd_restarted_the_reader_vanishes_and_comes_back(
    pcscd: Daemon, reader: PcscSocialSecurityCardReader, virtual_cards: VirtualCards
) -> None:
    assert reader.read_card(timeout=0.1) is None
    pcscd.stop()
    with pytest.raises(DeviceUnavailable, match="pcscd"):
        reader.read_card(timeout=0.1)
    pcscd.start()
    virtual_cards.insert()
    assert reader.read_card(timeout=5) == EXPECTED
