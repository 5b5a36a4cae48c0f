"""Technician mode's durable state in the state database: the audit table and the PIN lockout.

Every action taken in technician mode is one audit row: when, what, how it came out and a short
detail for whoever reads it later (`kiosk technician audit`). A row never holds personal data
nor the PIN: details name devices, card types and counts, never what was read from a card.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from kiosk.migrations import MigratedStore, Migrations
from kiosk.storage import transaction

#: The technician tables' migrations; before the one ledger they were recorded in `technician_migrations`.
TECHNICIAN_MIGRATIONS = Migrations("technician", former_ledger="technician_migrations")
#: Audit rows kept; older ones go, so that years of visits cannot fill the disk.
AUDIT_ROWS_KEPT = 10_000
#: Longest detail stored: a sentence, not a dump.
DETAIL_CHARS = 200


class Action(StrEnum):
    """What a technician did (or tried), as the audit table names it."""

    OPENED = "opened"
    PIN_WRONG = "pin_wrong"
    PIN_CANCELLED = "pin_cancelled"
    LOCKED = "locked"
    DEVICE_STATUS = "device_status"
    DEVICE_TEST = "device_test"
    PRINT_TEST_PAGE = "print_test_page"
    SCAN_TEST = "scan_test"
    SYNC_NOW = "sync_now"
    RESTART_UI = "restart_ui"
    EXIT = "exit"
    #: A command from the fleet channel, carried out or refused (kiosk.fleet).
    FLEET_COMMAND = "fleet_command"


@dataclass(frozen=True)
class AuditEntry:
    """One audit row."""

    at: str
    action: str
    outcome: str
    detail: str

    def as_json(self) -> dict[str, str]:
        """The row as `kiosk technician audit --json` prints it."""
        return {"at": self.at, "action": self.action, "outcome": self.outcome, "detail": self.detail}


@dataclass(frozen=True)
class PinLock:
    """Wrong PINs in a row, and until when technician mode is locked (None: not locked)."""

    failures: int = 0
    locked_until: datetime | None = None


@TECHNICIAN_MIGRATIONS.register
def create_technician_audit(conn: sqlite3.Connection) -> None:
    conn.execute(
        """
        CREATE TABLE technician_audit (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            action TEXT NOT NULL,
            outcome TEXT NOT NULL,
            detail TEXT NOT NULL
        )
        """
    )
    # One row: the lockout must survive a restart, or pulling the plug would reset the count.
    conn.execute(
        """
        CREATE TABLE technician_pin_lock (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            failures INTEGER NOT NULL,
            locked_until TEXT
        )
        """
    )


class TechnicianRecords(MigratedStore):
    """The audit table and the PIN lockout, in the state database (kiosk.paths.state_path)."""

    migrations = TECHNICIAN_MIGRATIONS

    def record(self, at: datetime, action: Action, outcome: str, detail: str = "") -> None:
        """Add one audit row (and forget the oldest beyond AUDIT_ROWS_KEPT)."""
        with transaction(self.conn):
            cursor = self.conn.execute(
                "INSERT INTO technician_audit (at, action, outcome, detail) VALUES (?, ?, ?, ?)",
                (at.isoformat(timespec="seconds"), action.value, outcome, detail[:DETAIL_CHARS]),
            )
            self.conn.execute(
                "DELETE FROM technician_audit WHERE id <= ?", ((cursor.lastrowid or 0) - AUDIT_ROWS_KEPT,)
            )

    def entries(self, limit: int = 50) -> list[AuditEntry]:
        """The newest `limit` audit rows, oldest first."""
        rows = self.conn.execute(
            "SELECT at, action, outcome, detail FROM technician_audit ORDER BY id DESC LIMIT ?", (limit,)
        ).fetchall()
        return [AuditEntry(*row) for row in reversed(rows)]

    def pin_lock(self) -> PinLock:
        """The stored count of wrong PINs and the lock."""
        row = self.conn.execute("SELECT failures, locked_until FROM technician_pin_lock").fetchone()
        if row is None:
            return PinLock()
        failures, until = row
        return PinLock(int(failures), datetime.fromisoformat(until) if until else None)

    def store_pin_lock(self, lock: PinLock) -> None:
        """Replace the count of wrong PINs and the lock, durably."""
        until = lock.locked_until.isoformat(timespec="seconds") if lock.locked_until else None
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO technician_pin_lock (id, failures, locked_until) VALUES (1, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET failures = excluded.failures, "
                "locked_until = excluded.locked_until",
                (lock.failures, until),
            )
