"""The rating outbox: ratings kept durably in the state database until the platform accepts them.

kiosk.rating_sender sends them (docs/platform.md, "How ratings travel"). A rating is pending until
the platform accepted it (`sent_at`) or refused it as malformed (`set_aside_at`, with the refusal's
code): a refused rating is kept for technicians and never sent again. `attempts` and `last_error`
(the kind of failure, never its text) say how sending went. A consented phone number and a rated
case's number stay on disk only while their rating is pending: accepting or setting aside the
rating overwrites them with NULL, SQLite's secure_delete zeroes the freed bytes, and
`forget_deleted` checkpoints and empties the WAL.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

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


@OUTBOX_MIGRATIONS.register
def track_sending(conn: sqlite3.Connection) -> None:
    # How sending went, and the ratings the platform refused (kept aside, never sent again). The
    # table is rebuilt because `phone` becomes nullable (NULL: none, or deleted once accepted);
    # the pending ratings are copied over, and the old copy's freed pages are zeroed.
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute(
        """
        CREATE TABLE rating_outbox_new (
            rating_id TEXT PRIMARY KEY,
            kiosk_id TEXT NOT NULL,
            rated_at TEXT NOT NULL,
            level TEXT NOT NULL,
            dimensions TEXT NOT NULL,
            reasons TEXT NOT NULL,
            guide_id TEXT NOT NULL,
            phone TEXT,
            sent_at TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT NOT NULL DEFAULT '',
            set_aside_at TEXT,
            refused_code TEXT NOT NULL DEFAULT ''
        )
        """
    )
    conn.execute(
        "INSERT INTO rating_outbox_new (rowid, rating_id, kiosk_id, rated_at, level, dimensions, reasons, "
        "guide_id, phone, sent_at) SELECT rowid, rating_id, kiosk_id, rated_at, level, dimensions, reasons, "
        "guide_id, NULLIF(phone, ''), sent_at FROM rating_outbox"
    )
    conn.execute("DROP TABLE rating_outbox")
    conn.execute("ALTER TABLE rating_outbox_new RENAME TO rating_outbox")
    conn.execute("CREATE INDEX rating_outbox_pending ON rating_outbox (sent_at, set_aside_at)")


@OUTBOX_MIGRATIONS.register
def rate_cases(conn: sqlite3.Connection) -> None:
    # The case (办件) a rating is about: NULL when it is about a guide or the terminal, and once the
    # platform accepted or refused the rating (a case number points at one resident's case).
    conn.execute("ALTER TABLE rating_outbox ADD COLUMN case_no TEXT")


#: Pending: neither accepted by the platform nor set aside after a refusal.
_PENDING = "sent_at IS NULL AND set_aside_at IS NULL"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class RatingOutbox(MigratedStore):
    """Ratings waiting to go upstream, in the state database (kiosk.paths.state_path)."""

    migrations = OUTBOX_MIGRATIONS

    def __init__(self, path: Path | str) -> None:
        super().__init__(path)
        # Bytes freed by deleting a phone number are zeroed, not left in the page's free space.
        self.conn.execute("PRAGMA secure_delete = ON")

    def add(self, rating: Rating) -> None:
        """Keep `rating` until it is sent: written whole in one transaction, or not at all."""
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO rating_outbox (rating_id, kiosk_id, rated_at, level, dimensions, reasons, "
                "guide_id, phone, case_no) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    rating.rating_id,
                    rating.kiosk_id,
                    rating.rated_at,
                    rating.level.value,
                    json.dumps(dict(rating.dimensions)),
                    json.dumps(list(rating.reasons)),
                    rating.guide_id,
                    rating.phone or None,
                    rating.case_no or None,
                ),
            )

    def pending(self, limit: int = 500) -> list[Rating]:
        """Ratings not accepted (nor set aside) yet, oldest first."""
        rows = self.conn.execute(
            "SELECT rating_id, kiosk_id, rated_at, level, dimensions, reasons, guide_id, phone, case_no "
            f"FROM rating_outbox WHERE {_PENDING} ORDER BY rowid LIMIT ?",
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
                phone=phone or "",
                case_no=case_no or "",
            )
            for rating_id, kiosk_id, rated_at, level, dimensions, reasons, guide_id, phone, case_no in rows
        ]

    def mark_sent(self, rating_ids: Iterable[str]) -> int:
        """The platform accepted these ratings: stop sending them, forget their phone and case numbers.

        Returns how many pending ratings were marked. The phone number was given for the
        follow-up, which the platform does now, and the case is the platform's to link the rating
        to; the kiosk keeps neither longer than it must: both are overwritten with NULL in the
        transaction that marks the rating.
        """
        sent_at = _now()
        marked = 0
        with transaction(self.conn):
            for rating_id in rating_ids:
                cursor = self.conn.execute(
                    "UPDATE rating_outbox SET sent_at = ?, phone = NULL, case_no = NULL, "
                    f"attempts = attempts + 1, last_error = '' WHERE rating_id = ? AND {_PENDING}",
                    (sent_at, rating_id),
                )
                marked += cursor.rowcount
        return marked

    def record_failure(self, rating_id: str, kind: str) -> None:
        """A send failed in a way worth retrying: count it, and keep `kind` (a class name, no text)."""
        with transaction(self.conn):
            self.conn.execute(
                "UPDATE rating_outbox SET attempts = attempts + 1, last_error = ? "
                f"WHERE rating_id = ? AND {_PENDING}",
                (kind, rating_id),
            )

    def set_aside(self, rating_id: str, code: str) -> None:
        """The platform refused this rating (`code`): keep it for technicians, never send it again.

        Its phone and case numbers will never reach the platform, so the kiosk forgets them now.
        """
        with transaction(self.conn):
            self.conn.execute(
                "UPDATE rating_outbox SET set_aside_at = ?, refused_code = ?, phone = NULL, case_no = NULL, "
                "attempts = attempts + 1, last_error = 'PlatformRefused' "
                f"WHERE rating_id = ? AND {_PENDING}",
                (_now(), code, rating_id),
            )

    def set_aside_codes(self) -> dict[str, str]:
        """The ratings set aside: rating id -> the platform's refusal code, oldest first."""
        rows = self.conn.execute(
            "SELECT rating_id, refused_code FROM rating_outbox WHERE set_aside_at IS NOT NULL ORDER BY rowid"
        )
        return dict(rows.fetchall())

    def sending(self, rating_id: str) -> tuple[int, str]:
        """How sending `rating_id` went: (attempts, kind of the last failure, "" when none)."""
        row = self.conn.execute(
            "SELECT attempts, last_error FROM rating_outbox WHERE rating_id = ?", (rating_id,)
        ).fetchone()
        if row is None:
            raise KeyError(rating_id)
        return int(row[0]), str(row[1])

    def forget_deleted(self) -> bool:
        """Move the WAL into the database and empty it, so deleted phone numbers leave the disk.

        Returns False when another connection's open read kept the WAL (the next call retries).
        """
        busy, _, _ = self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return not busy

    def count_pending(self) -> int:
        """How many ratings wait to be sent."""
        return int(self.conn.execute(f"SELECT count(*) FROM rating_outbox WHERE {_PENDING}").fetchone()[0])

    def count_set_aside(self) -> int:
        """How many ratings the platform refused (kept for technicians, not sent again)."""
        return int(
            self.conn.execute("SELECT count(*) FROM rating_outbox WHERE set_aside_at IS NOT NULL").fetchone()[
                0
            ]
        )
