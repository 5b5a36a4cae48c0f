"""The technician PIN is kept as a salted scrypt hash and checked in constant time."""

from __future__ import annotations

import pytest

from kiosk.settings import load_settings
from kiosk.settings.loader import SettingsError
from kiosk.technician import PinFormatError, hash_pin, is_pin_hash, verify_pin


def test_the_right_pin_verifies_and_a_wrong_one_does_not() -> None:
    stored = hash_pin("20261127")
    assert verify_pin("20261127", stored)
    assert not verify_pin("20261128", stored)
    assert "20261127" not in stored


def test_the_same_pin_hashes_differently_each_time() -> None:
    assert hash_pin("135790") != hash_pin("135790")


def test_no_pin_set_lets_nobody_in() -> None:
    assert not verify_pin("", "")
    assert not verify_pin("123456", "")


@pytest.mark.parametrize("pin", ["12345", "abcdef", "１２３４５６", ""])
def test_short_or_non_digit_pins_are_refused(pin: str) -> None:
    with pytest.raises(PinFormatError):
        hash_pin(pin)


def test_settings_refuse_a_pin_that_is_not_a_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIOSK__TECHNICIAN__PIN_HASH", "123456")
    with pytest.raises(SettingsError, match="pin_hash"):
        load_settings()
    stored = hash_pin("246810")
    assert is_pin_hash(stored)
    monkeypatch.setenv("KIOSK__TECHNICIAN__PIN_HASH", stored)
    assert verify_pin("246810", load_settings().settings.technician.pin_hash)
