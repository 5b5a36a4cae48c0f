"""Text folding for search: Traditional to Simplified (OpenCC), full-width to half-width, lower case."""

from __future__ import annotations

import unicodedata
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import opencc


@cache
def _t2s() -> opencc.OpenCC:
    import opencc  # its dictionaries load with the first search or import, not with the kiosk

    return opencc.OpenCC("t2s")


def fold(text: str) -> str:
    """What the index stores and the query is compared as: "社會保障卡" and "社会保障卡" fold alike."""
    return str(_t2s().convert(unicodedata.normalize("NFKC", text))).lower()


def fold_aligned(text: str) -> str:
    """`fold` that keeps one character for each character of `text`, so match positions map back.

    OpenCC converts phrase by phrase and NFKC may expand a character (㈠ -> (一)); names are short,
    so where the whole-string fold changes the length each character is folded on its own.
    """
    folded = fold(text)
    if len(folded) == len(text):
        return folded
    return "".join(single if len(single := fold(char)) == 1 else char for char in text)
