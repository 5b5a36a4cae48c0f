"""The guide catalogue's schema as ordered migrations (applied and recorded by kiosk.migrations)."""

from __future__ import annotations

import json
import sqlite3

from kiosk.guides.codec import guide_from_dict
from kiosk.guides.search_index import GRAM_TABLES, TRIGRAM_TABLES, index_guides
from kiosk.migrations import Migrations

#: The catalogue's migrations; before the one ledger they were recorded in `schema_migrations`.
CATALOGUE_MIGRATIONS = Migrations("catalogue", former_ledger="schema_migrations")


@CATALOGUE_MIGRATIONS.register
def create_guides(conn: sqlite3.Connection) -> None:
    conn.execute(
        """
        CREATE TABLE guides (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            department TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT '',
            audience TEXT NOT NULL DEFAULT 'individual',
            promised_days INTEGER,
            max_visits INTEGER,
            record TEXT NOT NULL
        )
        """
    )
    conn.execute("CREATE INDEX guides_department ON guides (department, name)")
    conn.execute(
        """
        CREATE TABLE guide_life_events (
            guide_id TEXT NOT NULL REFERENCES guides (id) ON DELETE CASCADE,
            life_event TEXT NOT NULL,
            PRIMARY KEY (life_event, guide_id)
        )
        """
    )
    conn.execute("CREATE TABLE catalogue_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


@CATALOGUE_MIGRATIONS.register
def create_search_index(conn: sqlite3.Connection) -> None:
    """The search index (see kiosk.guides.search_index), filled from the guides already stored."""
    conn.execute(
        """
        CREATE TABLE search_docs (
            rowid INTEGER PRIMARY KEY,
            guide_id TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            initials TEXT NOT NULL,
            spelling TEXT NOT NULL,
            head TEXT NOT NULL,
            tails TEXT NOT NULL,
            materials TEXT NOT NULL,
            body TEXT NOT NULL
        )
        """
    )
    conn.execute("CREATE INDEX search_docs_name ON search_docs (name)")
    conn.execute("CREATE INDEX search_docs_initials ON search_docs (initials)")
    conn.execute("CREATE INDEX search_docs_spelling ON search_docs (lower(spelling))")
    for table, columns in TRIGRAM_TABLES.items():
        conn.execute(
            f"CREATE VIRTUAL TABLE {table} USING fts5({', '.join(columns)}, "
            "content='search_docs', content_rowid='rowid', tokenize='trigram')"
        )
    for table, columns in GRAM_TABLES.items():
        conn.execute(
            f"CREATE VIRTUAL TABLE {table} USING fts5({', '.join(columns)}, "
            "content='', tokenize='unicode61', detail='column')"
        )
    stored = conn.execute("SELECT record FROM guides ORDER BY id")
    index_guides(conn, (guide_from_dict(json.loads(record)) for (record,) in stored.fetchall()))


@CATALOGUE_MIGRATIONS.register
def add_self_service(conn: sqlite3.Connection) -> None:
    """Whether a guide can be handled at the kiosk itself (自助办), indexed: the services an identified
    resident is offered are read from this column, not from every guide's record."""
    conn.execute("ALTER TABLE guides ADD COLUMN self_service INTEGER NOT NULL DEFAULT 0")
    conn.execute(
        "UPDATE guides SET self_service = 1 "
        "WHERE json_extract(record, '$.channels.self_service') IN (1, 'true')"
    )
    conn.execute("CREATE INDEX guides_self_service ON guides (self_service, name)")


@CATALOGUE_MIGRATIONS.register
def check_guide_limits(conn: sqlite3.Connection) -> None:
    """Guides stored before the size limits (kiosk/records/guide.py) are checked against them once.

    One over a limit would fail every time it is shown or exported; the catalogue is set aside
    instead, like any whose guides no longer validate, and the next sync fetches it whole (and,
    while the published one still breaks a limit, refuses it naming the guide and the element).
    """
    for (record,) in conn.execute("SELECT record FROM guides"):
        guide_from_dict(json.loads(record))


@CATALOGUE_MIGRATIONS.register
def index_life_events_by_guide(conn: sqlite3.Connection) -> None:
    """Find a guide's life events by its id: replacing or deleting a guide (a delta, an import) looks
    them up, and so does the foreign key's cascade; without it each looked through every row (a
    delta of 1,000 guides into 100,000 spent 9.6 of its 12 s there)."""
    conn.execute("CREATE INDEX guide_life_events_guide ON guide_life_events (guide_id)")
