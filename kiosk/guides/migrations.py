"""Ordered migrations of the guide catalogue's schema, each applied in one transaction with its record."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

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


def migrate(conn: sqlite3.Connection, migrations: list[tuple[str, Migration]] | None = None) -> list[str]:
    """Apply every migration not yet applied (the catalogue's by default); returns the names applied."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(position INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)"
    )
    done = {row[0] for row in conn.execute("SELECT position FROM schema_migrations")}
    applied: list[str] = []
    for position, (name, function) in enumerate(MIGRATIONS if migrations is None else migrations, start=1):
        if position in done:
            continue
        with transaction(conn):  # the change and its record land together or not at all
            function(conn)
            conn.execute(
                "INSERT INTO schema_migrations (position, name, applied) VALUES (?, ?, ?)",
                (position, name, datetime.now(UTC).isoformat(timespec="seconds")),
            )
        applied.append(name)
    return applied
