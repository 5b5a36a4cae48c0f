"""What the kiosk remembers of its syncs: versions in force, last success, last error."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from kiosk.migrations import MigratedStore, Migrations
from kiosk.storage import transaction

#: The sync status's migrations; before the one ledger they were recorded in `schema_migrations`.
STATE_MIGRATIONS = Migrations("sync_status", former_ledger="schema_migrations")


@STATE_MIGRATIONS.register
def create_sync_status(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE sync_status (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


@dataclass(frozen=True)
class SyncStatus:
    """The sync status as `kiosk sync status --json` prints it."""

    catalogue_version: int | None = None
    config: dict[str, str] = field(default_factory=dict)
    last_attempt: str | None = None
    last_success: str | None = None
    last_error: str | None = None
    last_error_at: str | None = None
    bytes_downloaded: int = 0

    def offline_for(self, now: datetime) -> float | None:
        """Hours since the last success when the last attempt failed, else None."""
        if self.last_error is None or self.last_error_at is None:
            return None
        since = datetime.fromisoformat(self.last_success) if self.last_success else None
        reference = since or datetime.fromisoformat(self.last_error_at)
        return (now - reference).total_seconds() / 3600


class SyncState(MigratedStore):
    """The sync status in the state database (separate from the catalogue, which is content)."""

    migrations = STATE_MIGRATIONS

    def status(self) -> SyncStatus:
        """The stored status."""
        row = self.conn.execute("SELECT value FROM sync_status WHERE key = 'status'").fetchone()
        return SyncStatus(**json.loads(row[0])) if row else SyncStatus()

    def record_success(self, catalogue_version: int | None, config: dict[str, str], downloaded: int) -> None:
        """A sync brought everything up to date."""
        now = _now()
        previous = self.status()
        self._store(
            SyncStatus(
                catalogue_version=catalogue_version,
                config=config,
                last_attempt=now,
                last_success=now,
                bytes_downloaded=previous.bytes_downloaded + downloaded,
            )
        )

    def record_failure(self, reason: str) -> None:
        """A sync failed; versions in force stay what they were."""
        now = _now()
        previous = self.status()
        self._store(
            SyncStatus(
                catalogue_version=previous.catalogue_version,
                config=previous.config,
                last_attempt=now,
                last_success=previous.last_success,
                last_error=reason,
                last_error_at=now,
                bytes_downloaded=previous.bytes_downloaded,
            )
        )

    def _store(self, status: SyncStatus) -> None:
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO sync_status (key, value) VALUES ('status', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (json.dumps(asdict(status)),),
            )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
