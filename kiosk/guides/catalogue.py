"""The guide catalogue in SQLite: import, look-up and browsing, without loading it all into memory."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from kiosk.guides.codec import guide_from_dict, guide_to_dict
from kiosk.guides.migrations import CATALOGUE_MIGRATIONS
from kiosk.guides.search import Searcher
from kiosk.guides.search_index import batches, clear_index, index_guides, unindex_guides
from kiosk.guides.synonyms import Synonyms
from kiosk.migrations import migrate
from kiosk.records import ENTERPRISE_LIFE_EVENTS, INDIVIDUAL_LIFE_EVENTS, Guide, GuideSummary, SearchHit
from kiosk.records.guide import MAX_GUIDES
from kiosk.storage import connect, transaction

log = logging.getLogger(__name__)

BrowseAudience = Literal["individual", "enterprise"]

#: Life events in the order of a life, then of a business; unknown ones (none today) sort last.
_LIFE_EVENT_ORDER = {name: i for i, name in enumerate(INDIVIDUAL_LIFE_EVENTS + ENTERPRISE_LIFE_EVENTS)}


@dataclass(frozen=True)
class Category:
    """A way to browse (a department, a life event, an audience) and how many guides it holds."""

    name: str
    count: int


#: The audiences residents browse by; a guide for "both" belongs to each.
AUDIENCES: tuple[BrowseAudience, ...] = ("individual", "enterprise")


@dataclass(frozen=True)
class GuideQuery:
    """Which guides a browsing list shows: any combination of department, life event and audience."""

    department: str | None = None
    life_event: str | None = None
    audience: BrowseAudience | None = None
    #: Only guides that can be handled at the kiosk itself (自助办).
    self_service: bool = False

    def where(self) -> tuple[str, list[str]]:
        """The SQL condition over `guides g` and its parameters."""
        clauses: list[str] = []
        params: list[str] = []
        if self.department is not None:
            clauses.append("g.department = ?")
            params.append(self.department)
        if self.life_event is not None:
            clauses.append("g.id IN (SELECT guide_id FROM guide_life_events WHERE life_event = ?)")
            params.append(self.life_event)
        if self.audience is not None:
            clauses.append("g.audience IN (?, 'both')")
            params.append(self.audience)
        if self.self_service:
            clauses.append("g.self_service = 1")
        return (" AND ".join(clauses) or "1"), params


#: The columns of `guides` besides the whole record: what browsing sorts and filters by.
GUIDE_COLUMNS = (
    "id",
    "name",
    "department",
    "kind",
    "audience",
    "promised_days",
    "max_visits",
    "self_service",
)


def guide_columns(guide: Guide) -> tuple[str | int | None, ...]:
    """The values of GUIDE_COLUMNS for `guide`, as its row in `guides` holds them."""
    return (
        guide.id,
        guide.name,
        guide.department,
        guide.kind,
        guide.audience,
        guide.promised_days,
        guide.max_visits,
        int(guide.channels.self_service),
    )


#: Guides written per step of an import (all steps in one transaction).
_IMPORT_CHUNK = 500


#: A replacement that keeps fewer than this share of the guides is refused unless asked for: an
#: empty or truncated file must not empty a catalogue by mistake (`--allow-shrink` to mean it).
KEEP_AT_LEAST = 0.5


class CatalogueShrinks(ValueError):
    """A replacement catalogue much smaller than the one it would replace."""


def check_replacement(current: int, replacement: int) -> None:
    """Raise CatalogueShrinks when `replacement` guides would replace `current` ones and keep too few."""
    if current and replacement < current * KEEP_AT_LEAST:
        raise CatalogueShrinks(
            f"the replacement holds {replacement:,} guides where the catalogue holds {current:,}: "
            f"fewer than {KEEP_AT_LEAST:.0%} of them"
        )


class CatalogueFull(ValueError):
    """An import would leave the catalogue holding more guides than a catalogue may (MAX_GUIDES)."""


class GuideNotFound(LookupError):
    """No guide has this id."""


class CatalogueUnusable(Exception):
    """The catalogue's file is damaged, or its guides cannot be brought to this release's schema."""


#: What a damaged file or a guide a migration rejects raises (less OperationalError, see below).
_DAMAGE = (sqlite3.DatabaseError, ValueError, KeyError, TypeError)


def connect_migrated(path: Path | str) -> sqlite3.Connection:
    """A connection to the catalogue at `path`, its schema brought up to date.

    Raises CatalogueUnusable when the file is not a database, is corrupt, or holds guides a
    migration rejects; a locked or unreadable file (OperationalError) is the machine's problem,
    not the catalogue's, and is raised as it is.
    """
    conn: sqlite3.Connection | None = None
    try:
        conn = connect(path)
        migrate(conn, CATALOGUE_MIGRATIONS)
    except BaseException as error:
        if conn is not None:
            conn.close()
        damaged = isinstance(error, _DAMAGE) and not isinstance(error, sqlite3.OperationalError)
        if damaged:
            raise CatalogueUnusable(f"{type(error).__name__}: {error}") from error
        raise
    return conn


class Catalogue:
    """The guides a kiosk shows, stored in one SQLite file in WAL mode."""

    @classmethod
    def open(cls, path: Path) -> Catalogue:
        """The catalogue at `path`; one that is damaged or cannot be brought to this schema is set
        aside, kept for a technician, and an empty catalogue takes its place.

        The kiosk then starts with its demo guides (never on an appliance: kiosk.demo) or its next
        sync (the published version lives in the catalogue, so the sync fetches everything again)
        instead of not starting at all.
        A locked or unreadable file is not a damaged catalogue: that error is raised as it is.
        """
        try:
            return cls(path)
        except CatalogueUnusable as error:
            aside = path.with_name(f"{path.name}.unusable-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
            for suffix in ("", "-wal", "-shm"):
                part = path.with_name(path.name + suffix)
                if part.exists():
                    part.replace(aside.with_name(aside.name + suffix))
            log.warning(
                "guide catalogue %s is unusable (%s); set aside as %s, starting with an empty one",
                path,
                error,
                aside.name,
            )
            return cls(path)

    def __init__(self, path: Path | str, synonyms: Synonyms | None = None) -> None:
        self.path = None if str(path) == ":memory:" else Path(path)
        #: The connection (autocommit; changes go through kiosk.storage.transaction).
        self.conn = connect_migrated(path)
        self._searcher = Searcher(self.conn, synonyms or Synonyms.load())

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
            # Import after import, a catalogue could grow past what one file may hold, and with it
            # the cost of every search: refused, and the transaction leaves the catalogue as it was.
            if (total := self.count()) > MAX_GUIDES:
                raise CatalogueFull(
                    f"the catalogue would hold {total:,} guides, more than the limit of {MAX_GUIDES:,}"
                )
        return count

    def _write(self, guides: list[Guide], replaced: bool) -> None:
        rows = [
            (*guide_columns(guide), json.dumps(guide_to_dict(guide), ensure_ascii=False)) for guide in guides
        ]
        if not replaced:
            self.conn.executemany(
                "DELETE FROM guide_life_events WHERE guide_id = ?", [(guide.id,) for guide in guides]
            )
        self.conn.executemany(
            f"INSERT OR REPLACE INTO guides ({', '.join(GUIDE_COLUMNS)}, record) "
            f"VALUES ({', '.join('?' * (len(GUIDE_COLUMNS) + 1))})",
            rows,
        )
        self.conn.executemany(
            "INSERT OR IGNORE INTO guide_life_events (guide_id, life_event) VALUES (?, ?)",
            [(guide.id, event) for guide in guides for event in guide.life_events],
        )

    def delete_guides(self, guide_ids: Iterable[str]) -> int:
        """Remove guides by id in one transaction; returns how many existed."""
        ids = [(guide_id,) for guide_id in guide_ids]
        with transaction(self.conn):
            before = self.count()
            unindex_guides(self.conn, [guide_id for (guide_id,) in ids])
            self.conn.executemany("DELETE FROM guide_life_events WHERE guide_id = ?", ids)
            self.conn.executemany("DELETE FROM guides WHERE id = ?", ids)
            return before - self.count()

    def meta(self, key: str) -> str | None:
        """A value stored with the catalogue (e.g. its published version), or None."""
        row = self.conn.execute("SELECT value FROM catalogue_meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        """Store a value with the catalogue (inside the caller's transaction when there is one)."""
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO catalogue_meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
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

    def departments(self, audience: BrowseAudience | None = None) -> list[Category]:
        """Every department (serving `audience`, if given) with its number of guides, largest first."""
        where, params = GuideQuery(audience=audience).where()
        rows = self.conn.execute(
            f"SELECT g.department, count(*) FROM guides g WHERE {where} "
            "GROUP BY g.department ORDER BY count(*) DESC, g.department",
            params,
        )
        return [Category(name, count) for name, count in rows]

    def life_events(self, audience: BrowseAudience | None = None) -> list[Category]:
        """Every life event (一件事) with its number of member guides, in the order of a life.

        Narrowed to an audience, only that audience's life events are listed (a guide for both audiences
        may belong to an individual's and an enterprise's event alike).
        """
        where, params = GuideQuery(audience=audience).where()
        if audience is not None:
            names = INDIVIDUAL_LIFE_EVENTS if audience == "individual" else ENTERPRISE_LIFE_EVENTS
            where += f" AND e.life_event IN ({', '.join('?' * len(names))})"
            params.extend(names)
        rows = self.conn.execute(
            "SELECT e.life_event, count(*) FROM guide_life_events e JOIN guides g ON g.id = e.guide_id "
            f"WHERE {where} GROUP BY e.life_event",
            params,
        )
        categories = [Category(name, count) for name, count in rows]
        return sorted(
            categories, key=lambda c: (_LIFE_EVENT_ORDER.get(c.name, len(_LIFE_EVENT_ORDER)), c.name)
        )

    def audiences(self) -> list[Category]:
        """Guides for individuals (个人办事) and for enterprises (法人办事); "both" counts in each."""
        rows = dict(self.conn.execute("SELECT audience, count(*) FROM guides GROUP BY audience").fetchall())
        return [Category(audience, rows.get(audience, 0) + rows.get("both", 0)) for audience in AUDIENCES]

    def guides(self, query: GuideQuery, limit: int = 50, offset: int = 0) -> list[GuideSummary]:
        """One page of the guides that `query` selects, by name."""
        # Code-point order of hanzi is radical-and-stroke order, the order of a Chinese index.
        where, params = query.where()
        rows = self.conn.execute(
            "SELECT g.id, g.name, g.department, g.promised_days, g.max_visits FROM guides g "
            f"WHERE {where} ORDER BY g.name, g.id LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [GuideSummary(*row) for row in rows]

    def count_guides(self, query: GuideQuery) -> int:
        """How many guides `query` selects (for a list's count and its paging)."""
        where, params = query.where()
        row = self.conn.execute(f"SELECT count(*) FROM guides g WHERE {where}", params).fetchone()
        return int(row[0])

    def by_department(self, department: str, limit: int = 50, offset: int = 0) -> list[GuideSummary]:
        """Guides of one department, by name."""
        return self.guides(GuideQuery(department=department), limit, offset)

    def by_life_event(self, life_event: str, limit: int = 50, offset: int = 0) -> list[GuideSummary]:
        """Member guides of one life event, by name."""
        return self.guides(GuideQuery(life_event=life_event), limit, offset)

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Guides for what a resident typed (characters, pinyin, Traditional, colloquial), best first."""
        return self._searcher.search(query, limit)

    def iter_guides(self) -> Iterator[Guide]:
        """Every guide, one at a time, by id (for export)."""
        for (record,) in self.conn.execute("SELECT record FROM guides ORDER BY id"):
            yield guide_from_dict(json.loads(record))
