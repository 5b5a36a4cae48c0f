"""What a search returns for each guide it found."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.records.guide import GuideSummary


@dataclass(frozen=True)
class SearchHit:
    """One guide found by a search, best first in a list.

    `field` says where the query matched: "name", "materials" or "text". `highlight` is the
    guide's name cut into segments, True where the query matched, for the screen to colour.
    """

    summary: GuideSummary
    score: float
    field: str
    highlight: tuple[tuple[str, bool], ...]

    @property
    def matched(self) -> str:
        """The highlighted part of the name joined together ("" when the match was not in the name)."""
        return "".join(text for text, hit in self.highlight if hit)
