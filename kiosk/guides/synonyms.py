"""Colloquial names residents type (医保, 社保卡) and the official words the guides use for them."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from kiosk.guides.folding import fold
from kiosk.guides.pinyin import spell

#: The synonym table bundled with the software: data, edited without touching code.
SYNONYMS_FILE = Path(__file__).resolve().parents[2] / "config" / "synonyms.toml"

#: A pinyin query shorter than this must spell a key exactly (initials or whole) to expand it.
_PINYIN_PREFIX_MIN = 4


@dataclass(frozen=True)
class _Entry:
    key: str
    words: tuple[str, ...]
    initials: str
    joined: str


class Synonyms:
    """Expands a query by the colloquial keys it contains, in characters or in pinyin."""

    def __init__(self, table: Mapping[str, list[str] | tuple[str, ...]]) -> None:
        self._table = dict(table)

    @cached_property
    def _entries(self) -> list[_Entry]:
        """The keys folded and spelt, on the first query: spelling loads pypinyin's dictionary, which a
        kiosk that nobody has searched on yet does not need."""
        entries = []
        for key, words in self._table.items():
            folded = fold(key)
            spelling = spell(folded)
            entries.append(
                _Entry(folded, tuple(fold(word) for word in words), spelling.initials, spelling.joined)
            )
        # Longer keys first: 社保卡 says more than 社保.
        return sorted(entries, key=lambda entry: -len(entry.key))

    @classmethod
    def load(cls, path: Path = SYNONYMS_FILE) -> Synonyms:
        """Read a synonym table: a [terms] table of key = [words]."""
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        terms = data.get("terms", {})
        for key, words in terms.items():
            if not isinstance(words, list) or not all(isinstance(word, str) and word for word in words):
                raise ValueError(f"{path}: terms.{key}: expected a list of words")
        return cls(terms)

    def expand_text(self, query: str) -> list[str]:
        """The query with each colloquial key it contains replaced by each official word."""
        variants: list[str] = []
        # A key inside a longer key already expanded is not expanded again (社保 inside 社保卡).
        unclaimed = query
        for entry in self._entries:
            if entry.key in unclaimed:
                variants.extend(query.replace(entry.key, word) for word in entry.words)
                unclaimed = unclaimed.replace(entry.key, "\0" * len(entry.key))
        return list(dict.fromkeys(variant for variant in variants if variant != query))

    def expand_letters(self, letters: str) -> list[str]:
        """Keys (and their words) spelt by `letters`: initials, whole pinyin or a long pinyin prefix."""
        variants: list[str] = []
        for entry in self._entries:
            if letters in (entry.initials, entry.joined) or (
                len(letters) >= _PINYIN_PREFIX_MIN and entry.joined.startswith(letters)
            ):
                variants.append(entry.key)
                variants.extend(entry.words)
        return list(dict.fromkeys(variants))
