"""What the fleet channel keeps across restarts: the session counter, events not yet delivered and
the commands already admitted.

`FleetStore` keeps them in the state database; `MemoryFleetStore` in memory, for the fleet
simulator's kiosks. Nothing here is personal: events name devices and reasons.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from kiosk.migrations import MigratedStore, Migrations
from kiosk.storage import transaction

FLEET_MIGRATIONS = Migrations("fleet")
#: Events kept while the broker is away; past this the oldest go (and an `events_dropped` tells how many).
EVENTS_KEPT = 1_000


class FleetMemory(Protocol):
    """What a kiosk's link remembers."""

    def next_session(self) -> int:
        """The session number of the next connection: one more than the last, durably."""
        ...

    def add_event(self, payload: bytes) -> None:
        """Keep an event until it is delivered (the oldest go beyond EVENTS_KEPT)."""
        ...

    def pending_events(self, limit: int) -> list[tuple[int, bytes]]:
        """Up to `limit` undelivered events, oldest first, with their ids."""
        ...

    def event_delivered(self, event_id: int) -> None:
        """The broker acknowledged the event: forget it."""
        ...

    def take_dropped(self) -> int:
        """How many events were dropped since the last call (and reset the count)."""
        ...

    def remember_command(self, req: str, expires_at: float, now: float) -> bool:
        """Remember an admitted command until it expires; False when it was seen before."""
        ...

    def note_link(self, state: str, detail: str, at: float) -> None:
        """How the connection is now (connected, disconnected, failing), for `kiosk doctor`."""
        ...


@FLEET_MIGRATIONS.register
def create_fleet_tables(conn: sqlite3.Connection) -> None:
    one_row = "id INTEGER PRIMARY KEY CHECK (id = 1)"
    conn.execute(f"CREATE TABLE fleet_session ({one_row}, session INTEGER NOT NULL)")
    conn.execute("CREATE TABLE fleet_outbox (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)")
    conn.execute(f"CREATE TABLE fleet_dropped ({one_row}, dropped INTEGER NOT NULL)")
    conn.execute("CREATE TABLE fleet_commands_seen (req TEXT PRIMARY KEY, expires_at REAL NOT NULL)")


@FLEET_MIGRATIONS.register
def create_fleet_link_state(conn: sqlite3.Connection) -> None:
    conn.execute(
        "CREATE TABLE fleet_link (id INTEGER PRIMARY KEY CHECK (id = 1), "
        "state TEXT NOT NULL, detail TEXT NOT NULL, at REAL NOT NULL)"
    )


@dataclass(frozen=True)
class LinkState:
    """How the running kiosk's connection to the broker was when it last changed."""

    state: str
    detail: str
    at: float


class FleetStore(MigratedStore):
    """The channel's memory in the state database (kiosk.paths.state_path); safe across threads."""

    migrations = FLEET_MIGRATIONS

    def __init__(self, path: Path | str) -> None:
        super().__init__(path)
        self._lock = threading.Lock()

    def next_session(self) -> int:
        with self._lock, transaction(self.conn):
            self.conn.execute(
                "INSERT INTO fleet_session (id, session) VALUES (1, 1) "
                "ON CONFLICT (id) DO UPDATE SET session = session + 1"
            )
            return int(self.conn.execute("SELECT session FROM fleet_session").fetchone()[0])

    def add_event(self, payload: bytes) -> None:
        with self._lock, transaction(self.conn):
            cursor = self.conn.execute("INSERT INTO fleet_outbox (payload) VALUES (?)", (payload,))
            dropped = self.conn.execute(
                "DELETE FROM fleet_outbox WHERE id <= ?", ((cursor.lastrowid or 0) - EVENTS_KEPT,)
            ).rowcount
            if dropped:
                self.conn.execute(
                    "INSERT INTO fleet_dropped (id, dropped) VALUES (1, ?) "
                    "ON CONFLICT (id) DO UPDATE SET dropped = dropped + excluded.dropped",
                    (dropped,),
                )

    def pending_events(self, limit: int) -> list[tuple[int, bytes]]:
        with self._lock:
            rows = self.conn.execute(
                "SELECT id, payload FROM fleet_outbox ORDER BY id LIMIT ?", (limit,)
            ).fetchall()
        return [(int(row[0]), bytes(row[1])) for row in rows]

    def event_delivered(self, event_id: int) -> None:
        with self._lock, transaction(self.conn):
            self.conn.execute("DELETE FROM fleet_outbox WHERE id = ?", (event_id,))

    def take_dropped(self) -> int:
        with self._lock, transaction(self.conn):
            row = self.conn.execute("SELECT dropped FROM fleet_dropped").fetchone()
            self.conn.execute("DELETE FROM fleet_dropped")
        return int(row[0]) if row else 0

    def remember_command(self, req: str, expires_at: float, now: float) -> bool:
        with self._lock, transaction(self.conn):
            self.conn.execute("DELETE FROM fleet_commands_seen WHERE expires_at < ?", (now,))
            cursor = self.conn.execute(
                "INSERT OR IGNORE INTO fleet_commands_seen (req, expires_at) VALUES (?, ?)", (req, expires_at)
            )
            return cursor.rowcount == 1

    def note_link(self, state: str, detail: str, at: float) -> None:
        with self._lock, transaction(self.conn):
            self.conn.execute(
                "INSERT INTO fleet_link (id, state, detail, at) VALUES (1, ?, ?, ?) ON CONFLICT (id) "
                "DO UPDATE SET state = excluded.state, detail = excluded.detail, at = excluded.at",
                (state, detail[:300], at),
            )

    def link_state(self) -> LinkState | None:
        """What the running kiosk last noted of its connection; None when it never did."""
        with self._lock:
            row = self.conn.execute("SELECT state, detail, at FROM fleet_link").fetchone()
        return LinkState(str(row[0]), str(row[1]), float(row[2])) if row else None


class MemoryFleetStore:
    """The same memory, in memory: a simulated kiosk's (lost with its process, as it may be)."""

    def __init__(self) -> None:
        self._session = 0
        self._events: deque[tuple[int, bytes]] = deque()
        self._next_id = 1
        self._dropped = 0
        self._seen: dict[str, float] = {}
        self.link: LinkState | None = None

    def next_session(self) -> int:
        self._session += 1
        return self._session

    def add_event(self, payload: bytes) -> None:
        self._events.append((self._next_id, payload))
        self._next_id += 1
        while len(self._events) > EVENTS_KEPT:
            self._events.popleft()
            self._dropped += 1

    def pending_events(self, limit: int) -> list[tuple[int, bytes]]:
        return list(self._events)[:limit]

    def event_delivered(self, event_id: int) -> None:
        self._events = deque(event for event in self._events if event[0] != event_id)

    def take_dropped(self) -> int:
        dropped, self._dropped = self._dropped, 0
        return dropped

    def remember_command(self, req: str, expires_at: float, now: float) -> bool:
        self._seen = {seen: until for seen, until in self._seen.items() if until >= now}
        if req in self._seen:
            return False
        self._seen[req] = expires_at
        return True

    def note_link(self, state: str, detail: str, at: float) -> None:
        self.link = LinkState(state, detail, at)
