"""The search screen's flow: what the resident has typed on the kiosk keyboard and what it finds.

Plain Python, tested without Kivy. The screen feeds it keys (on-screen letters and digits, or text
from a hardware keyboard) and asks for results after a short pause in typing.
"""

from __future__ import annotations

from kiosk.guides import Catalogue
from kiosk.i18n import N_
from kiosk.records import SearchHit

#: Longer queries are not typed on a kiosk; the cap keeps one stuck key from growing the query forever.
MAX_QUERY_LENGTH = 32
#: Results shown for one query.
RESULT_LIMIT = 20

#: The on-screen keyboard: digits, then letters in the order residents know from their phones.
KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")

HINT = N_("Type pinyin initials or full pinyin, e.g. sbk or shebaoka for 社保卡")
NOTHING_FOUND = N_("Nothing found for “{query}”. Try fewer letters, or another word for it.")


class SearchFlow:
    """The query being typed and the guides it finds, best first."""

    def __init__(self, catalogue: Catalogue, limit: int = RESULT_LIMIT) -> None:
        self._catalogue = catalogue
        self._limit = limit
        self.query = ""
        #: The query `hits` were found for; differs from `query` while the resident is typing.
        self.searched = ""
        self.hits: list[SearchHit] = []

    def add(self, text: str) -> None:
        """Type `text`: a key of the on-screen keyboard, or characters from a hardware keyboard."""
        typed = "".join(char.lower() for char in text if char.isprintable() and not char.isspace())
        self.query = (self.query + typed)[:MAX_QUERY_LENGTH]

    def backspace(self) -> None:
        """Remove the last character."""
        self.query = self.query[:-1]

    def clear(self) -> None:
        """Start again with an empty query."""
        self.query = ""

    @property
    def stale(self) -> bool:
        """The results are for an older query: search again."""
        return self.query != self.searched

    def refresh(self) -> list[SearchHit]:
        """Search for the query as it stands now."""
        if self.stale:
            self.hits = self._catalogue.search(self.query, self._limit) if self.query else []
            self.searched = self.query
        return self.hits

    @property
    def message(self) -> str:
        """What to tell the resident above the results (a message id, or "" when there are results)."""
        if not self.searched:
            return HINT
        if not self.hits:
            return NOTHING_FOUND
        return ""
