"""The serial ID card driver against the pty simulator, which speaks the real protocol."""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from drivers.idcard.card_file import SimulatedIdCard, load_id_card
from drivers.idcard.pty_sim import PtyIdReaderSimulator, Quirks
from drivers.idcard.serial_reader import SerialIdCardReader
from drivers.idcard.settings import SerialIdReaderSettings
from kiosk.devices import DriverContext, build_driver
from kiosk.ports import CardUnreadable, DeviceUnavailable, IdCardReader
from tests.drivers.idcard_frames import issue_13_text

CARDS = Path(__file__).parents[2] / "config" / "demo" / "cards"
DOCUMENTS = ["resident", "resident_long_term", "hk_mo_tw", "foreign_2017", "foreign_2023"]


def card(name: str = "resident") -> SimulatedIdCard:
    return load_id_card(CARDS / f"{name}.json")


def section(port: str, timeout: float = 1.0) -> SerialIdReaderSettings:
    return SerialIdReaderSettings(driver="serial", port=port, baud=115200, timeout=timeout)


Open = Callable[..., tuple[PtyIdReaderSimulator, SerialIdCardReader]]


@pytest.fixture
def open_reader() -> Iterator[Open]:
    opened: list[tuple[PtyIdReaderSimulator, SerialIdCardReader]] = []

    def start(
        simulated: SimulatedIdCard | None = None, **quirks: object
    ) -> tuple[PtyIdReaderSimulator, SerialIdCardReader]:
        simulator = PtyIdReaderSimulator(simulated, Quirks(**quirks))  # type: ignore[arg-type]
        simulator.start()
        reader = SerialIdCardReader(section(simulator.path))
        opened.append((simulator, reader))
        return simulator, reader

    yield start
    for simulator, reader in opened:
        reader.close()
        simulator.stop()


@pytest.mark.parametrize("name", DOCUMENTS)
def test_each_document_type_is_read_whole(open_reader: Open, name: str) -> None:
    _, reader = open_reader(card(name))
    assert reader.read_card(timeout=2) == card(name).card


def test_the_raw_wlt_photo_and_the_appended_address_arrive(open_reader: Open) -> None:
    _, reader = open_reader(card("resident"))
    read = reader.read_card(timeout=2)
    assert read is not None
    assert len(read.photo_wlt) == 1024
    assert read.appended_address == "山东省威海市环翠区示例街2号"


def test_the_driver_is_found_by_its_entry_point(tmp_path: Path) -> None:
    reader = build_driver("id_reader", section("/dev/null-none"), DriverContext(tmp_path, "k"))
    assert isinstance(reader, SerialIdCardReader)
    assert isinstance(reader, IdCardReader)


def test_no_card_gives_none_within_the_timeout(open_reader: Open) -> None:
    _, reader = open_reader(None)
    started = time.monotonic()
    assert reader.read_card(timeout=0.3) is None
    assert time.monotonic() - started < 1.0
    assert not reader.card_present()


def test_a_read_card_is_read_again_only_after_it_was_lifted(open_reader: Open) -> None:
    simulator, reader = open_reader(card())
    assert reader.read_card(timeout=1) is not None
    assert reader.card_present()
    assert reader.read_card(timeout=0.3) is None  # still lying there: not a new placement
    simulator.lift()
    assert reader.read_card(timeout=0.15) is None  # find answers 80: armed again
    simulator.place(card("hk_mo_tw"))
    assert reader.read_card(timeout=1) == card("hk_mo_tw").card


def test_seeing_the_reader_empty_re_arms_it(open_reader: Open) -> None:
    simulator, reader = open_reader(card())
    assert reader.read_card(timeout=1) is not None
    simulator.lift()
    assert not reader.card_present()  # the identity service watches presence between reads
    simulator.place(card("foreign_2017"))
    assert reader.card_present()
    assert reader.read_card(timeout=1) == card("foreign_2017").card


def test_noise_on_the_line_is_skipped(open_reader: Open) -> None:
    _, reader = open_reader(card("foreign_2023"), noise=True)
    assert reader.read_card(timeout=2) == card("foreign_2023").card


def test_bytes_paced_at_the_baud_rate_are_read_exactly(open_reader: Open) -> None:
    simulator, reader = open_reader(card(), baud=115200)
    started = time.monotonic()
    assert reader.read_card(timeout=3) == card().card
    assert time.monotonic() - started >= simulator.wire.seconds(115200) * 0.95


def test_one_bad_checksum_is_retried_and_the_retry_succeeds(open_reader: Open) -> None:
    simulator, reader = open_reader(card(), bad_checksum="once")
    assert reader.read_card(timeout=2) == card().card
    assert [name for name, *_ in simulator.wire.frames].count("READ_BASIC") == 2


def test_a_checksum_that_always_fails_fails_clearly(open_reader: Open) -> None:
    simulator, reader = open_reader(card(), bad_checksum="always")
    with pytest.raises(
        CardUnreadable, match=rf"{simulator.path}: READ_BASIC answer failed its checksum twice"
    ):
        reader.read_card(timeout=2)


def test_a_card_lifted_mid_read_gives_no_partial_record(open_reader: Open) -> None:
    simulator, reader = open_reader(card(), lift_mid_read=True)
    with pytest.raises(CardUnreadable, match=r"READ_BASIC stopped after \d+ of 1295 bytes"):
        reader.read_card(timeout=4)
    simulator.place(card())
    assert reader.read_card(timeout=2) == card().card


def test_the_frame_of_issue_13_is_an_unreadable_card_and_the_next_card_is_read(open_reader: Open) -> None:
    broken = dataclasses.replace(card("hk_mo_tw"), text_block=issue_13_text())
    simulator, reader = open_reader(broken)
    # Before: a plain ValueError from int('²'), which no caller of the reader expects.
    with pytest.raises(CardUnreadable, match=rf"{simulator.path}: the card's data is malformed: id number"):
        reader.read_card(timeout=2)
    simulator.lift()
    assert reader.read_card(timeout=0.15) is None
    simulator.place(card("hk_mo_tw"))
    assert reader.read_card(timeout=2) == card("hk_mo_tw").card


def test_a_card_file_the_protocol_cannot_carry_costs_the_simulator_one_answer(open_reader: Open) -> None:
    too_long = card("resident").card.name * 10  # more than the 15 characters the name field holds
    simulator, reader = open_reader(
        dataclasses.replace(card(), card=dataclasses.replace(card().card, name=too_long))
    )
    with pytest.raises(CardUnreadable, match="READ_BASIC stopped after 0 bytes"):
        reader.read_card(timeout=2)
    simulator.lift()
    simulator.place(card())
    assert reader.read_card(timeout=2) == card().card  # the simulator answers on


def test_a_missing_port_is_unavailable_with_port_and_cause(tmp_path: Path) -> None:
    reader = SerialIdCardReader(section(str(tmp_path / "ttyUSB9")))
    with pytest.raises(DeviceUnavailable, match=r"ID card reader on .*ttyUSB9: cannot open the port"):
        reader.read_card(timeout=0.1)


def test_a_silent_port_is_unavailable() -> None:
    master, slave = os.openpty()
    try:
        reader = SerialIdCardReader(section(os.ttyname(slave)))
        with pytest.raises(DeviceUnavailable, match=r"no answer to find card within 0\.5 s"):
            reader.read_card(timeout=0.1)
        reader.close()
    finally:
        os.close(master)
        os.close(slave)


def test_a_reader_that_comes_back_is_used_again() -> None:
    simulated = card()
    first = PtyIdReaderSimulator(simulated)
    first.start()
    reader = SerialIdCardReader(section(first.path))
    assert reader.card_present()
    first.stop()  # unplugged
    with pytest.raises(DeviceUnavailable):
        reader.card_present()
    with PtyIdReaderSimulator(simulated) as second:
        reader.port = second.path  # the same device node appears again (a pty gets a new name)
        assert reader.read_card(timeout=1) == simulated.card
    reader.close()


def test_the_sam_id_and_status(open_reader: Open) -> None:
    _, reader = open_reader(None)
    info = reader.sam_info()
    assert info.sam_id == "05.01-20261127-000004711-000000042"
    assert (info.status, info.status_meaning) == (0x90, "success")
