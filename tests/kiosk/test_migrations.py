"""The migrations ledger: one per database, each store's steps once, in order, with their record."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.guides import Catalogue, GuideQuery
from kiosk.guides.migrations import CATALOGUE_MIGRATIONS
from kiosk.migrations import LEDGER, Migrations, migrate
from kiosk.outbox import RatingOutbox
from kiosk.records import Rating, RatingLevel
from kiosk.storage import connect
from kiosk.sync import SyncState
from kiosk.technician.audit import Action, PinLock, TechnicianRecords

#: How the release before the one ledger recorded a store's migrations (kiosk/guides/migrations.py).
FORMER_LEDGER_SQL = (
    "CREATE TABLE IF NOT EXISTS {} (position INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)"
)
APPLIED = "2026-11-30T08:00:00+00:00"


@pytest.fixture
def fresh_db() -> Iterator[sqlite3.Connection]:
    conn = connect(":memory:")
    yield conn
    conn.close()


def ledger(conn: sqlite3.Connection) -> list[tuple[str, int, str]]:
    return conn.execute(f"SELECT store, position, name FROM {LEDGER} ORDER BY store, position").fetchall()


def tables(conn: sqlite3.Connection) -> set[str]:
    return {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def counting(store: str, *names: str) -> tuple[Migrations, list[str]]:
    """Migrations that each create a table of their name and note that they ran."""
    ran: list[str] = []
    migrations = Migrations(store)
    for name in names:

        def step(conn: sqlite3.Connection, name: str = name) -> None:
            conn.execute(f"CREATE TABLE {name} (x)")
            ran.append(name)

        step.__name__ = name
        migrations.register(step)
    return migrations, ran


def test_each_migration_runs_once_in_order_and_is_recorded(fresh_db: sqlite3.Connection) -> None:
    migrations, ran = counting("shelf", "first", "second")
    assert migrate(fresh_db, migrations) == ["first", "second"]
    assert migrate(fresh_db, migrations) == []
    assert ran == ["first", "second"]
    assert ledger(fresh_db) == [("shelf", 1, "first"), ("shelf", 2, "second")]


def test_a_later_release_applies_only_what_is_new(fresh_db: sqlite3.Connection) -> None:
    migrations, ran = counting("shelf", "first", "second", "third")
    migrate(fresh_db, migrations.before("third"))
    assert migrate(fresh_db, migrations) == ["third"]
    assert ran == ["first", "second", "third"]


def test_stores_sharing_a_database_share_its_ledger(fresh_db: sqlite3.Connection) -> None:
    shelf, _ = counting("shelf", "books")
    drawer, _ = counting("drawer", "socks")
    migrate(fresh_db, shelf)
    assert migrate(fresh_db, drawer) == ["socks"]  # position 1 of another store is not this one's
    assert ledger(fresh_db) == [("drawer", 1, "socks"), ("shelf", 1, "books")]


def test_a_failing_migration_leaves_neither_its_change_nor_its_record(fresh_db: sqlite3.Connection) -> None:
    migrations, _ = counting("shelf", "first")

    @migrations.register
    def half_done(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half (x)")
        raise ValueError("a guide no longer validates")

    with pytest.raises(ValueError, match="no longer validates"):
        migrate(fresh_db, migrations)
    assert ledger(fresh_db) == [("shelf", 1, "first")]
    assert "half" not in tables(fresh_db) and "first" in tables(fresh_db)


def former_state_database(path: Path) -> None:
    """A state database as the release before the one ledger left it, written with that release's SQL."""
    conn = sqlite3.connect(path)
    for table, name, ddl in (
        (
            "schema_migrations",
            "create_sync_status",
            ["CREATE TABLE sync_status (key TEXT PRIMARY KEY, value TEXT NOT NULL)"],
        ),
        (
            "outbox_migrations",
            "create_rating_outbox",
            [
                "CREATE TABLE rating_outbox (rating_id TEXT PRIMARY KEY, kiosk_id TEXT NOT NULL, "
                "rated_at TEXT NOT NULL, level TEXT NOT NULL, dimensions TEXT NOT NULL, "
                "reasons TEXT NOT NULL, guide_id TEXT NOT NULL, phone TEXT NOT NULL, sent_at TEXT)",
                "CREATE INDEX rating_outbox_pending ON rating_outbox (sent_at)",
            ],
        ),
        (
            "technician_migrations",
            "create_technician_audit",
            [
                "CREATE TABLE technician_audit (id INTEGER PRIMARY KEY, at TEXT NOT NULL, "
                "action TEXT NOT NULL, outcome TEXT NOT NULL, detail TEXT NOT NULL)",
                "CREATE TABLE technician_pin_lock (id INTEGER PRIMARY KEY CHECK (id = 1), "
                "failures INTEGER NOT NULL, locked_until TEXT)",
            ],
        ),
    ):
        conn.execute(FORMER_LEDGER_SQL.format(table))
        for statement in ddl:
            conn.execute(statement)
        conn.execute(f"INSERT INTO {table} VALUES (1, ?, ?)", (name, APPLIED))
    status = {"catalogue_version": 7, "last_success": APPLIED, "bytes_downloaded": 1234}
    conn.execute("INSERT INTO sync_status VALUES ('status', ?)", (json.dumps(status),))
    conn.execute(
        "INSERT INTO rating_outbox VALUES ('r-1', 'wh-0042', ?, 'satisfied', '{}', '[]', 'g-1', '', NULL)",
        (APPLIED,),
    )
    conn.execute("INSERT INTO technician_audit VALUES (1, ?, 'opened', 'ok', '')", (APPLIED,))
    conn.execute("INSERT INTO technician_pin_lock VALUES (1, 2, NULL)")
    conn.commit()
    conn.close()


def test_an_upgraded_state_database_keeps_its_data_and_adopts_its_former_ledgers(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    former_state_database(path)
    sync, outbox, technician = SyncState(path), RatingOutbox(path), TechnicianRecords(path)
    try:
        # Nothing ran again (a CREATE TABLE would have failed on the tables already there); only
        # the outbox's later steps are new.
        assert ledger(sync.conn) == [
            ("rating_outbox", 1, "create_rating_outbox"),
            ("rating_outbox", 2, "track_sending"),
            ("rating_outbox", 3, "rate_cases"),
            ("sync_status", 1, "create_sync_status"),
            ("technician", 1, "create_technician_audit"),
        ]
        applied = {row[0] for row in sync.conn.execute(f"SELECT applied FROM {LEDGER} WHERE position = 1")}
        assert applied == {APPLIED}  # the rows came from the former ledgers, dates and all
        assert sync.status().catalogue_version == 7 and sync.status().bytes_downloaded == 1234
        assert [rating.rating_id for rating in outbox.pending()] == ["r-1"]
        assert [entry.action for entry in technician.entries()] == ["opened"]
        assert technician.pin_lock() == PinLock(2, None)
        # Still writable as before; the former ledgers stay as they were, for an older release.
        outbox.add(Rating("r-2", "wh-0042", APPLIED, RatingLevel.SATISFIED, (), (), "g-2", ""))
        technician.record(datetime.now(UTC), Action.EXIT, "ok")
        assert outbox.count_pending() == 2 and len(technician.entries()) == 2
        for former in ("schema_migrations", "outbox_migrations", "technician_migrations"):
            assert sync.conn.execute(f"SELECT count(*) FROM {former}").fetchone() == (1,)
    finally:
        for store in (sync, outbox, technician):
            store.close()
    with sqlite3.connect(path) as conn:  # opened again: adopted once, not twice
        SyncState(path).close()
        assert conn.execute(f"SELECT count(*) FROM {LEDGER}").fetchone() == (5,)


def former_catalogue(path: Path, guide: dict[str, object], upto: str) -> None:
    """A catalogue as the release before the one ledger left it, at the schema before `upto`."""
    conn = sqlite3.connect(path)
    conn.execute(FORMER_LEDGER_SQL.format("schema_migrations"))
    for position, (name, step) in enumerate(CATALOGUE_MIGRATIONS.before(upto).steps, start=1):
        step(conn)
        conn.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", (position, name, APPLIED))
    conn.execute(
        "INSERT INTO guides (id, name, department, record) VALUES (?, ?, ?, ?)",
        (guide["id"], guide["name"], guide["department"], json.dumps(guide, ensure_ascii=False)),
    )
    conn.commit()
    conn.close()


def test_an_upgraded_catalogue_keeps_its_guides_and_applies_only_the_newer_migrations(tmp_path: Path) -> None:
    path = tmp_path / "guides.db"
    guide = {
        "id": "371000-X-1",
        "name": "测试事项",
        "department": "威海市测试局",
        "channels": {"self_service": True},
    }
    former_catalogue(path, guide, upto="add_self_service")
    catalogue = Catalogue(path)
    try:
        assert catalogue.get("371000-X-1").name == "测试事项"
        # add_self_service ran on the guide already stored: the column says what its record says.
        assert [s.id for s in catalogue.guides(GuideQuery(self_service=True))] == ["371000-X-1"]
        names = CATALOGUE_MIGRATIONS.names()
        assert ledger(catalogue.conn) == [("catalogue", n, name) for n, name in enumerate(names, start=1)]
        dates = catalogue.conn.execute(f"SELECT position, applied FROM {LEDGER} ORDER BY position").fetchall()
        former = names.index("add_self_service")
        assert all(applied == APPLIED for _, applied in dates[:former])
        assert all(applied != APPLIED for _, applied in dates[former:])
    finally:
        catalogue.close()
