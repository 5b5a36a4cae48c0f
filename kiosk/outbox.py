"""The rating outbox: ratings kept durably in the state database until they are sent upstream."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime

from kiosk.migrations import MigratedStore, Migrations
from kiosk.records import Rating, RatingLevel
from kiosk.storage import transaction

#: The outbox's migrations; before the one ledger they were recorded in `outbox_migrations`.
OUTBOX_MIGRATIONS = Migrations("rating_outbox", former_ledger="outbox_migrations")


@OUTBOX_MIGRATIONS.register
def create_rating_outbox(conn: sqlite3.Connection) -> None:
    # No session id and nothing read from a card: a rating must not be linkable to a resident.
    conn.execute(
        """
        CREATE TABLE rating_outbox (
            rating_id TEXT PRIMARY KEY,
            kiosk_id TEXT NOT NULL,
            rated_at TEXT NOT NULL,
            level TEXT NOT NULL,
            dimensions TEXT NOT NULL,
            reasons TEXT NOT NULL,
            guide_id TEXT NOT NULL,
            phone TEXT NOT NULL,
            sent_at TEXT
        )
        """
    )
    conn.execute("CREATE INDEX rating_outbox_pending ON rating_outbox (sent_at)")


class RatingOutbox(MigratedStore):
    """Ratings waiting to go upstream, in the state database (kiosk.paths.state_path)."""

    migrations = OUTBOX_MIGRATIONS

    def add(self, rating: Rating) -> None:
        """Keep `rating` until it is sent: written whole in one transaction, or not at all."""
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO rating_outbox (rating_id, kiosk_id, rated_at, level, dimensions, reasons, "
                "guide_id, phone) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    rating.rating_id,
                    rating.kiosk_id,
                    rating.rated_at,
                    rating.level.value,
                    json.dumps(dict(rating.dimensions)),
                    json.dumps(list(rating.reasons)),
                    rating.guide_id,
                    rating.phone,
                ),
            )

    def pending(self, limit: int = 500) -> list[Rating]:
        """Ratings not sent yet, in the order they were given."""
        rows = self.conn.execute(
            "SELECT rating_id, kiosk_id, rated_at, level, dimensions, reasons, guide_id, phone "
            "FROM rating_outbox WHERE sent_at IS NULL ORDER BY rowid LIMIT ?",
            (limit,),
        )
        return [
            Rating(
                rating_id=rating_id,
                kiosk_id=kiosk_id,
                rated_at=rated_at,
                level=RatingLevel(level),
                dimensions=tuple(json.loads(dimensions).items()),
                reasons=tuple(json.loads(reasons)),
                guide_id=guide_id,
                phone=phone,
            )
            for rating_id, kiosk_id, rated_at, level, dimensions, reasons, guide_id, phone in rows
        ]

    def mark_sent(self, rating_ids: Iterable[str]) -> int:
        """Upstream has these ratings: stop sending them and forget their phone numbers.

        Returns how many pending ratings were marked. The phone number was given for the
        follow-up, which upstream does now; the kiosk keeps it no longer than it must.
        """
        sent_at = datetime.now(UTC).isoformat(timespec="seconds")
        marked = 0
        with transaction(self.conn):
            for rating_id in rating_ids:
                cursor = self.conn.execute(
                    "UPDATE rating_outbox SET sent_at = ?, phone = '' "
                    "WHERE rating_id = ? AND sent_at IS NULL",
                    (sent_at, rating_id),
                )
                marked += cursor.rowcount
        return marked

    def count_pending(self) -> int:
        """How many ratings wait to be sent."""
        return int(
            self.conn.execute("SELECT count(*) FROM rating_outbox WHERE sent_at IS NULL").fetchone()[0]
        )
