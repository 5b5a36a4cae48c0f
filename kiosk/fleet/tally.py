"""Today's visits and prints, counted durably for the fleet's telemetry (a UI restart keeps them).

One row per day in the state database: the day, how many sessions ended and how many print jobs
completed. Counts only: nothing says who came or what they printed. The last DAYS_KEPT days stay.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

from kiosk.migrations import MigratedStore, Migrations
from kiosk.storage import transaction

TALLY_MIGRATIONS = Migrations("fleet_tally")
#: Days of counts kept.
DAYS_KEPT = 31


@TALLY_MIGRATIONS.register
def create_fleet_tally(conn: sqlite3.Connection) -> None:
    conn.execute(
        "CREATE TABLE fleet_tally (day TEXT PRIMARY KEY, visits INTEGER NOT NULL, prints INTEGER NOT NULL)"
    )


class DailyTally(MigratedStore):
    """Visits and prints per day (kiosk.paths.state_path)."""

    migrations = TALLY_MIGRATIONS

    def add(self, day: date, *, visits: int = 0, prints: int = 0) -> None:
        """Count `visits` and `prints` more on `day` (and forget days older than DAYS_KEPT)."""
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO fleet_tally (day, visits, prints) VALUES (?, ?, ?) ON CONFLICT (day) "
                "DO UPDATE SET visits = visits + excluded.visits, prints = prints + excluded.prints",
                (day.isoformat(), visits, prints),
            )
            self.conn.execute(
                "DELETE FROM fleet_tally WHERE day < ?", ((day - timedelta(days=DAYS_KEPT)).isoformat(),)
            )

    def today(self, day: date) -> tuple[int, int]:
        """(visits, prints) counted on `day`."""
        row = self.conn.execute(
            "SELECT visits, prints FROM fleet_tally WHERE day = ?", (day.isoformat(),)
        ).fetchone()
        return (int(row[0]), int(row[1])) if row else (0, 0)
