"""Ordered migrations of the guide catalogue's schema, each applied in one transaction with its record."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

from kiosk.guides.codec import guide_from_dict
from kiosk.guides.search_index import GRAM_TABLES, TRIGRAM_TABLES, index_guides
from kiosk.storage import transaction

Migration = Callable[[sqlite3.Connection], None]

MIGRATIONS: list[tuple[str, Migration]] = []


def migration(function: Migration) -> Migration:
    """Register `function` as the next migration; order of definition is order of application."""
    MIGRATIONS.append((function.__name__, function))
    return function


@migration
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


@migration
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


@migration
def add_self_service(conn: sqlite3.Connection) -> None:
    """Whether a guide can be handled at the kiosk itself (自助办), indexed: the services an identified
    resident is offered are read from this column, not from every guide's record."""
    conn.execute("ALTER TABLE guides ADD COLUMN self_service INTEGER NOT NULL DEFAULT 0")
    conn.execute(
        "UPDATE guides SET self_service = 1 "
        "WHERE json_extract(record, '$.channels.self_service') IN (1, 'true')"
    )
    conn.execute("CREATE INDEX guides_self_service ON guides (self_service, name)")


@migration
def check_guide_limits(conn: sqlite3.Connection) -> None:
    """Guides stored before the size limits (kiosk/records/guide.py) are checked against them once.

    One over a limit would fail every time it is shown or exported; the catalogue is set aside
    instead, like any whose guides no longer validate, and the next sync fetches it whole (and,
    while the published one still breaks a limit, refuses it naming the guide and the element).
    """
    for (record,) in conn.execute("SELECT record FROM guides"):
        guide_from_dict(json.loads(record))


def migrate(
    conn: sqlite3.Connection,
    migrations: list[tuple[str, Migration]] | None = None,
    ledger: str = "schema_migrations",
) -> list[str]:
    """Apply every migration not yet applied (the catalogue's by default); returns the names applied.

    `ledger` is the table recording what was applied, by position: lists that share a database
    (the state database's sync status and rating outbox) each need a ledger of their own.
    """
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {ledger} "
        "(position INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)"
    )
    done = {row[0] for row in conn.execute(f"SELECT position FROM {ledger}")}
    applied: list[str] = []
    for position, (name, function) in enumerate(MIGRATIONS if migrations is None else migrations, start=1):
        if position in done:
            continue
        with transaction(conn):  # the change and its record land together or not at all
            function(conn)
            conn.execute(
                f"INSERT INTO {ledger} (position, name, applied) VALUES (?, ?, ?)",
                (position, name, datetime.now(UTC).isoformat(timespec="seconds")),
            )
        applied.append(name)
    return applied
