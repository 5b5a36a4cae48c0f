"""Schema migrations of the kiosk's SQLite stores, and the one ledger that records which ran.

Each store (the guide catalogue; the sync status, the rating outbox and the technician records in
the state database) keeps its ordered list of migrations beside its code. Every database holds
one ledger, `migration_ledger`: a row per migration applied, named by store and position. A
migration and its row are written in one transaction, so a kill -9 leaves both or neither.

Before the one ledger, each store kept a table of its own (`former_ledger`); the first time a
store opens on such a database, its rows are copied into the one ledger (in one transaction,
before anything is applied), so nothing runs twice. The former table stays as it was, so a kiosk
put back on an older release still knows what ran; nothing writes to it any more.
See docs/storage.md.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from kiosk.storage import connect, transaction

if TYPE_CHECKING:
    import sqlite_utils

#: A step of a store's schema: run inside the transaction that records it.
Migration = Callable[[sqlite3.Connection], None]

#: The table, in every database, that records which migration of which store ran.
LEDGER = "migration_ledger"


@dataclass(frozen=True)
class Migrations:
    """One store's migrations, in the order they apply; `register` adds one as a decorator."""

    store: str
    #: Where these migrations were recorded before the one ledger (read once, never written).
    former_ledger: str | None = None
    steps: list[tuple[str, Migration]] = field(default_factory=list)

    def register(self, function: Migration) -> Migration:
        """Add `function` as the next migration; order of definition is order of application."""
        self.steps.append((function.__name__, function))
        return function

    def names(self) -> list[str]:
        """The migrations' names, in order."""
        return [name for name, _ in self.steps]

    def before(self, name: str) -> Migrations:
        """The same store at an older schema: the migrations before `name` (to build old databases)."""
        return Migrations(self.store, self.former_ledger, self.steps[: self.names().index(name)])


def migrate(conn: sqlite3.Connection, migrations: Migrations) -> list[str]:
    """Apply every migration of the store not yet in the ledger; returns the names applied."""
    if _up_to_date(conn, migrations):
        return []  # every start of a kiosk: plain SQL, without loading sqlite-utils (and numpy with it)
    import sqlite_utils

    db = sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)
    db.table(LEDGER).create(
        {"store": str, "position": int, "name": str, "applied": str},
        pk=("store", "position"),
        not_null=("store", "position", "name", "applied"),
        if_not_exists=True,
    )
    with transaction(conn):
        _adopt_former_ledger(db, migrations)
    done = {
        row[0] for row in conn.execute(f"SELECT position FROM {LEDGER} WHERE store = ?", (migrations.store,))
    }
    applied: list[str] = []
    for position, (name, function) in enumerate(migrations.steps, start=1):
        if position in done:
            continue
        with transaction(conn):  # the change and its record land together or not at all
            function(conn)
            conn.execute(
                f"INSERT INTO {LEDGER} (store, position, name, applied) VALUES (?, ?, ?, ?)",
                (migrations.store, position, name, datetime.now(UTC).isoformat(timespec="seconds")),
            )
        applied.append(name)
    return applied


def _up_to_date(conn: sqlite3.Connection, migrations: Migrations) -> bool:
    """Whether the ledger records every migration of the store."""
    if (
        conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (LEDGER,)).fetchone()
        is None
    ):
        return False
    done = {
        row[0] for row in conn.execute(f"SELECT position FROM {LEDGER} WHERE store = ?", (migrations.store,))
    }
    return done >= set(range(1, len(migrations.steps) + 1))


def _adopt_former_ledger(db: sqlite_utils.Database, migrations: Migrations) -> None:
    """Copy the store's rows from the table it kept before the one ledger, the first time only.

    Plain SQL inside the caller's transaction: a write through sqlite-utils 3.x ends in
    `with conn:`, which would commit that transaction half-way (docs/storage.md).
    """
    former = migrations.former_ledger
    if former is None or not db.table(former).exists():
        return
    db.conn.execute(
        f"INSERT INTO {LEDGER} (store, position, name, applied) "
        f"SELECT ?, position, name, applied FROM {former} "
        f"WHERE NOT EXISTS (SELECT 1 FROM {LEDGER} WHERE store = ?)",
        (migrations.store, migrations.store),
    )


class MigratedStore:
    """A store in one SQLite file (WAL, explicit transactions), its migrations applied when it opens."""

    migrations: ClassVar[Migrations]

    def __init__(self, path: Path | str) -> None:
        self.conn = connect(path)
        migrate(self.conn, self.migrations)

    def close(self) -> None:
        """Close the database."""
        self.conn.close()
