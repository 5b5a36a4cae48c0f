"""Digits as machines mean them: 0-9 and nothing else.

`str.isdigit()` (and `isdecimal()`, and `\\d` in a pattern) also take '²', '①', '٣' and '３'. `int()`
refuses the first two with a ValueError and turns the others into numbers, so a check with them
either lets a crash through or accepts a number no card, keypad or setting ever holds.
"""

from __future__ import annotations


def ascii_digits(text: str) -> bool:
    """Whether `text` is one or more of the digits 0-9 and nothing else."""
    return text.isascii() and text.isdigit()
