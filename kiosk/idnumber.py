"""Citizen ID numbers (GB 11643-1999): the check character and what makes a number well-formed."""

from __future__ import annotations

from datetime import date

from kiosk.digits import ascii_digits

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"


def check_character(first17: str) -> str:
    """The check character (ISO 7064 MOD 11-2) of the first 17 digits of an ID number."""
    if len(first17) != 17 or not ascii_digits(first17):
        raise ValueError("an ID number's check character needs exactly 17 digits")
    return _CHECK_CHARACTERS[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def id_number_valid(number: str) -> bool | None:
    """Whether an 18-character ID number has the right check character and a real birth date.

    None when the number is not of that form at all (the 15-character 2017 foreigner's permit
    number): there is nothing to check. Unknown area codes are not rejected: retired codes are
    still printed on valid cards.
    """
    if len(number) != 18 or not ascii_digits(number[:17]):
        return None
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return number[17].upper() == check_character(number[:17])
