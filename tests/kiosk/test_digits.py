"""Digits are 0-9: what str.isdigit() also takes ('²', '①', '٣', '３') is no number anywhere."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from kiosk.cli.choices import choose
from kiosk.digits import ascii_digits
from kiosk.idnumber import check_character, id_number_valid
from kiosk.technician import hash_pin, is_pin_hash
from kiosk.watchdog import SystemdNotifier

UNICODE_DIGITS = ["²", "⁵", "①", "٣", "３", "𝟗"]


def test_only_0_to_9_are_digits() -> None:
    assert ascii_digits("0123456789")
    assert not ascii_digits("")
    for digit in UNICODE_DIGITS:
        assert digit.isdigit()  # what made them dangerous
        assert not ascii_digits(digit)
        assert not ascii_digits("12" + digit)


@pytest.mark.parametrize("digit", UNICODE_DIGITS)
def test_an_id_number_with_a_unicode_digit_is_not_an_id_number(digit: str) -> None:
    # Before: ValueError from int('²') out of a technician's card test, or a verdict on '３'.
    assert id_number_valid("371002199001010" + digit + "23") is None
    with pytest.raises(ValueError, match="exactly 17 digits"):
        check_character("371002199001010" + digit + "2")


@pytest.mark.parametrize("usec", ["３0000000", "²"])
def test_a_watchdog_period_in_other_digits_is_no_watchdog(usec: str) -> None:
    assert SystemdNotifier({"NOTIFY_SOCKET": "@x", "WATCHDOG_USEC": usec}).ping_interval is None


def test_a_pin_hash_with_unicode_digit_costs_is_not_a_pin_hash() -> None:
    scheme, n, r, p, salt, digest = hash_pin("246810").split("$")
    assert is_pin_hash("$".join([scheme, n, r, p, salt, digest]))
    assert not is_pin_hash("$".join([scheme, n.replace("3", "３"), r, p, salt, digest]))


@pytest.mark.parametrize("answer", ["²", "①", "３"])
def test_a_unicode_digit_chosen_is_taken_as_typed_not_as_a_number(answer: str) -> None:
    @click.command()
    def pick() -> None:
        click.echo(f"chose {choose([('a', 'first'), ('b', 'second')], 'a', free_text='a name')}")

    result = CliRunner().invoke(pick, input=answer + "\n")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == f"chose {answer}"
