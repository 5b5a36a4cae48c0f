from __future__ import annotations

import threading
import time
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from drivers.card_slot import CardSlot
from drivers.idcard.sim import SimIdCardReader
from drivers.scanner.sim import SimCodeScanner
from drivers.speech.sim import SimSpeaker
from drivers.sscard.sim import SimSocialSecurityCardReader
from kiosk.cli import main
from kiosk.devices import DriverContext
from kiosk.ports import IdCardReader, SocialSecurityCardReader
from kiosk.records import IdCard, ResidentCode, SocialSecurityCard
from kiosk.settings import DEFAULTS_FILE, load_settings, read_toml_layer

SETTINGS = load_settings([read_toml_layer(DEFAULTS_FILE)]).settings
CARD = IdCard("resident", "欧阳娜娜", "女", "371002199001010022", birth_date=date(1990, 1, 1))
SS_CARD = SocialSecurityCard("371000D156000005", "欧阳娜娜", "371002199001010022")


def test_a_card_is_read_once_per_placement(tmp_path: Path) -> None:
    reader = SimIdCardReader(SETTINGS.devices.id_reader, DriverContext(tmp_path, "k"))
    assert isinstance(reader, IdCardReader)
    assert reader.read_card(timeout=0.01) is None
    reader.slot.place(CARD)
    assert reader.card_present()
    assert reader.read_card(timeout=0.01) is CARD
    assert reader.read_card(timeout=0.01) is None  # still on the reader: not read again
    reader.slot.lift()
    assert not reader.card_present()
    reader.slot.place(CARD)
    assert reader.read_card(timeout=0.01) is CARD


def test_a_social_security_card_is_read_once_per_insertion(tmp_path: Path) -> None:
    reader = SimSocialSecurityCardReader(SETTINGS.devices.sscard_reader, DriverContext(tmp_path, "k"))
    assert isinstance(reader, SocialSecurityCardReader)
    reader.slot.place(SS_CARD)
    assert reader.card_present()
    assert reader.read_card(timeout=0.01) is SS_CARD
    assert reader.read_card(timeout=0.01) is None  # still inserted: not read again
    reader.slot.lift()
    assert not reader.card_present()


def test_a_reader_waits_for_a_card_placed_later() -> None:
    slot: CardSlot[str] = CardSlot()
    threading.Timer(0.05, lambda: slot.place("card")).start()
    started = time.monotonic()
    assert slot.take_unread(timeout=2) == "card"
    assert time.monotonic() - started < 1


def test_scanner_returns_codes_in_order_and_forgets_them_on_close(tmp_path: Path) -> None:
    scanner = SimCodeScanner(SETTINGS.devices.scanner, DriverContext(tmp_path, "k"))
    scanner.show(ResidentCode("QRCODE", "a"))
    scanner.show(ResidentCode("QRCODE", "b"))
    first = scanner.scan(0.01)
    assert first is not None and first.data == "a"
    scanner.close()
    assert scanner.scan(0.01) is None


def test_speaker_remembers_what_it_says_until_stopped(tmp_path: Path) -> None:
    # Whether to speak is the narrator's decision (the resident's voice switch), not the speaker's.
    speaker = SimSpeaker(SETTINGS.devices.speaker, DriverContext(tmp_path, "k"))
    speaker.say("欢迎使用", "zh_CN")
    speaker.say("Welcome", "en", interrupt=False)
    assert list(speaker.said) == [("zh_CN", "欢迎使用"), ("en", "Welcome")] and speaker.speaking
    speaker.stop()
    assert not speaker.speaking


@pytest.mark.parametrize(
    ("command", "missing"), [("idcard", "missing or unknown value"), ("sscard", "missing field")]
)
def test_a_card_file_the_simulator_cannot_use_is_a_usage_error(
    tmp_path: Path, command: str, missing: str
) -> None:
    card_file = tmp_path / "card.json"
    card_file.write_text('{"name": "演示"}', encoding="utf-8")
    result = CliRunner().invoke(main, ["sim", command, "--card", str(card_file)])
    assert result.exit_code == 2
    assert str(card_file) in result.output and missing in result.output
