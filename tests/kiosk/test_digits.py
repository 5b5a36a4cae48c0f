"""Digits are 0-9: what str.isdigit() also takes ('²', '①', '٣', '３') is no number anywhere."""

from __future__ import annotations

from collections.abc import Callable

import click
import pytest
from click.testing import CliRunner

from kiosk.cli.choices import choose
from kiosk.digits import ascii_digits
from kiosk.guides import GuideInvalid, guide_from_dict
from kiosk.idnumber import check_character, id_number_valid
from kiosk.settings import LoadedSettings, SettingsError
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


@pytest.mark.parametrize("digit", ["٣", "３", "𝟗"])
def test_a_window_size_or_a_guide_date_with_a_unicode_digit_is_refused(
    digit: str, make_settings: Callable[..., LoadedSettings]
) -> None:
    # `\d` in a pattern takes them too: a window "１９２０x1080" once passed the settings check.
    with pytest.raises(SettingsError) as refused:
        make_settings({"display": {"window_size": f"192{digit}x1080"}})
    assert refused.value.key == "display.window_size"
    with pytest.raises(GuideInvalid):
        guide_from_dict({"id": "371000-X-1", "name": "n", "department": "d", "updated": f"202{digit}-01-01"})
