"""The guide catalogue in SQLite: import, look-up and browsing, without loading it all into memory."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from kiosk.guides.codec import guide_from_dict, guide_to_dict
from kiosk.guides.migrations import migrate
from kiosk.guides.search import Searcher
from kiosk.guides.search_index import batches, clear_index, index_guides
from kiosk.guides.synonyms import Synonyms
from kiosk.records import Guide, GuideSummary, SearchHit
from kiosk.storage import connect, transaction


@dataclass(frozen=True)
class Category:
    """A way to browse (a department, a life event) and how many guides it holds."""

    name: str
    count: int


#: Guides written per step of an import (all steps in one transaction).
_IMPORT_CHUNK = 500


class GuideNotFound(LookupError):
    """No guide has this id."""


class Catalogue:
    """The guides a kiosk shows, stored in one SQLite file in WAL mode."""

    def __init__(self, path: Path | str, synonyms: Synonyms | None = None) -> None:
        self.path = None if str(path) == ":memory:" else Path(path)
        conn = connect(path)
        self.db = sqlite_utils.Database(conn)
        migrate(conn)
        self._searcher = Searcher(conn, synonyms or Synonyms.load())

    @property
    def conn(self) -> sqlite3.Connection:
        """The underlying connection."""
        connection: sqlite3.Connection = self.db.conn
        return connection

    def close(self) -> None:
        """Close the database."""
        self.conn.close()

    # -- writing ---------------------------------------------------------------------------

    def import_guides(self, guides: Iterable[Guide], replace: bool = False) -> int:
        """Add or update guides in one transaction; `replace` drops every guide not given.

        Guides are read and written a chunk at a time, so a large catalogue streams through; the
        search index is updated in the same transaction, so it always matches the guides.
        """
        count = 0
        with transaction(self.conn):
            if replace:
                clear_index(self.conn)
                self.conn.execute("DELETE FROM guide_life_events")
                self.conn.execute("DELETE FROM guides")
            for chunk in batches(guides, _IMPORT_CHUNK):
                self._write(chunk, replace)
                index_guides(self.conn, chunk)  # the index changes with the guides, or not at all
                count += len(chunk)
        return count

    def _write(self, guides: list[Guide], replaced: bool) -> None:
        rows = [
            {
                "id": guide.id,
                "name": guide.name,
                "department": guide.department,
                "kind": guide.kind,
                "audience": guide.audience,
                "promised_days": guide.promised_days,
                "max_visits": guide.max_visits,
                "record": json.dumps(guide_to_dict(guide), ensure_ascii=False),
            }
            for guide in guides
        ]
        if not replaced:
            self.conn.executemany(
                "DELETE FROM guide_life_events WHERE guide_id = ?", [(guide.id,) for guide in guides]
            )
        self.conn.executemany(
            "INSERT OR REPLACE INTO guides (id, name, department, kind, audience, promised_days, "
            "max_visits, record) VALUES (:id, :name, :department, :kind, :audience, "
            ":promised_days, :max_visits, :record)",
            rows,
        )
        self.conn.executemany(
            "INSERT OR IGNORE INTO guide_life_events (guide_id, life_event) VALUES (?, ?)",
            [(guide.id, event) for guide in guides for event in guide.life_events],
        )

    # -- reading ---------------------------------------------------------------------------

    def count(self) -> int:
        """How many guides the catalogue holds."""
        return int(self.conn.execute("SELECT count(*) FROM guides").fetchone()[0])

    def get(self, guide_id: str) -> Guide:
        """The whole guide with this id."""
        row = self.conn.execute("SELECT record FROM guides WHERE id = ?", (guide_id,)).fetchone()
        if row is None:
            raise GuideNotFound(guide_id)
        return guide_from_dict(json.loads(row[0]))

    def departments(self) -> list[Category]:
        """Every department with its number of guides, largest first."""
        rows = self.conn.execute(
            "SELECT department, count(*) FROM guides GROUP BY department ORDER BY count(*) DESC, department"
        )
        return [Category(name, count) for name, count in rows]

    def life_events(self) -> list[Category]:
        """Every life event (一件事) with its number of member guides."""
        rows = self.conn.execute(
            "SELECT life_event, count(*) FROM guide_life_events GROUP BY life_event "
            "ORDER BY count(*) DESC, life_event"
        )
        return [Category(name, count) for name, count in rows]

    def by_department(self, department: str, limit: int = 50, offset: int = 0) -> list[GuideSummary]:
        """Guides of one department, by name."""
        rows = self.conn.execute(
            "SELECT id, name, department, promised_days, max_visits FROM guides "
            "WHERE department = ? ORDER BY name LIMIT ? OFFSET ?",
            (department, limit, offset),
        )
        return [GuideSummary(*row) for row in rows]

    def by_life_event(self, life_event: str, limit: int = 50, offset: int = 0) -> list[GuideSummary]:
        """Member guides of one life event, by name."""
        rows = self.conn.execute(
            "SELECT g.id, g.name, g.department, g.promised_days, g.max_visits FROM guides g "
            "JOIN guide_life_events e ON e.guide_id = g.id WHERE e.life_event = ? "
            "ORDER BY g.name LIMIT ? OFFSET ?",
            (life_event, limit, offset),
        )
        return [GuideSummary(*row) for row in rows]

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Guides for what a resident typed (characters, pinyin, Traditional, colloquial), best first."""
        return self._searcher.search(query, limit)

    def iter_guides(self) -> Iterator[Guide]:
        """Every guide, one at a time, by id (for export)."""
        for (record,) in self.conn.execute("SELECT record FROM guides ORDER BY id"):
            yield guide_from_dict(json.loads(record))
