"""How a name is spelt in pinyin: one reading per character, chosen with the phrase in mind.

pypinyin reads a character by its phrase (银行 yin hang, 重庆 chong qing, 长期 chang qi), so a
heteronym gets the reading residents type for that word. Characters that are not hanzi stand for
themselves (letters lower-cased, digits kept) and punctuation spells nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast


@dataclass(frozen=True)
class Spelling:
    """The pinyin of a text: `syllables[i]` belongs to `text[positions[i]]`."""

    syllables: tuple[str, ...]
    positions: tuple[int, ...]

    @property
    def initials(self) -> str:
        """First letters, one per character: 住房公积金 -> "zfgjj"."""
        return "".join(syllable[0] for syllable in self.syllables)

    @property
    def joined(self) -> str:
        """The whole pinyin without separators: 公积金 -> "gongjijin"."""
        return "".join(self.syllables)

    @property
    def marked(self) -> str:
        """`joined` with each syllable capitalised, which keeps where syllables start: "GongJiJin"."""
        return "".join(syllable.capitalize() for syllable in self.syllables)


def spell(text: str) -> Spelling:
    """The pinyin of `text`, one syllable for every hanzi, letter or digit."""
    from pypinyin import lazy_pinyin  # its phrase dictionary (~50 MiB) loads when guides are indexed

    # pypinyin accepts a callback returning a list (one item per character); its type hints say str.
    readings = lazy_pinyin(text, errors=cast(Any, list))
    syllables: list[str] = []
    positions: list[int] = []
    # With errors splitting every chunk, lazy_pinyin yields exactly one item per character.
    for position, reading in enumerate(readings):
        syllable = reading.lower()
        if syllable.isascii() and syllable.isalnum():
            syllables.append(syllable)
            positions.append(position)
    return Spelling(tuple(syllables), tuple(positions))


def syllable_starts(marked: str) -> list[int]:
    """Offsets in the joined spelling where a syllable begins, read back from `Spelling.marked`."""
    return [index for index, char in enumerate(marked) if char.isupper() or char.isdigit()]


def spelled_positions(text: str, syllables: int) -> tuple[int, ...]:
    """Which characters of `text` have a syllable in `spell(text)`, without running pypinyin again.

    Hanzi, ASCII letters and digits are spelt and nothing else is; a text with rarer characters
    (where that guess gives another count than `syllables`) is spelt again to be sure.
    """
    guessed = tuple(
        index
        for index, char in enumerate(text)
        if (char.isascii() and char.isalnum()) or "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"
    )
    return guessed if len(guessed) == syllables else spell(text).positions
