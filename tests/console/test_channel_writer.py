"""console.channel's writer on its own (no broker): a kiosk's bad value costs only its message, the
writer outlives any error and the channel says when it is dead, nothing received is dropped while
the database cannot be written to, and a retained copy is passed on as such."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from sqlalchemy import event, func, select

from console.channel import ConsoleChannel
from console.db import Database
from console.models import Kiosk, KioskEvent
from console.settings import ConsoleSettings
from tests.conftest import wait_for
from tests.console.conftest import TEMPLATE
from tests.postgres import PrivatePostgres

T0 = 1_800_000_000.0


def writer_only(db: Database, **options: Any) -> ConsoleChannel:
    """A channel whose writer runs and whose network thread does not (the broker is never asked)."""
    channel = ConsoleChannel(
        ConsoleSettings(broker="mqtt://127.0.0.1:1", broker_username="console"), db, **options
    )
    channel._writer.start()
    return channel


@pytest.fixture
def channel(console_db: Database) -> Iterator[ConsoleChannel]:
    running = writer_only(console_db)
    yield running
    running._stopping.set()
    running._writer.join(timeout=10)


def put(
    channel: ConsoleChannel, kiosk_id: str, kind: str, body: dict[str, Any], retain: bool = False
) -> None:
    channel._queue.put((f"kiosk/v1/{kiosk_id}/{kind}", json.dumps(body).encode(), time.time(), retain))


def kiosk(db: Database, kiosk_id: str) -> Kiosk | None:
    with db.session() as session:
        return session.get(Kiosk, kiosk_id)


def test_an_out_of_range_session_is_skipped_and_the_writer_goes_on(
    channel: ConsoleChannel, console_db: Database
) -> None:
    put(channel, "evil", "status", {"state": "online", "session": 10**20, "at": T0})
    put(channel, "evil", "reported", {"catalogue": {"version": 10**20}})
    put(channel, "evil", "telemetry", {"visits_today": 10**20, "prints_today": -1})
    assert wait_for(lambda: channel.pending() == 0, 5)
    put(channel, "good", "status", {"state": "online", "session": 1, "at": T0})
    assert wait_for(lambda: kiosk(console_db, "good") is not None, 5)
    assert channel._writer.is_alive()
    evil = kiosk(console_db, "evil")
    assert evil is not None and (evil.session, evil.catalogue_version, evil.visits_today) == (-1, None, 0)
    assert channel.malformed >= 1


def test_a_value_the_database_refuses_costs_only_its_own_message(
    channel: ConsoleChannel, console_db: Database
) -> None:
    # PostgreSQL takes no NUL in text (psycopg raises ValueError, not a database error); SQLite does.
    put(channel, "nul", "reported", {"software": {"version": "1.0\u0000"}, "site": {"name": "a\u0000b"}})
    put(channel, "nul", "event", {"type": "boot\u0000", "at": T0})
    put(channel, "fine", "event", {"type": "boot", "at": T0})
    assert wait_for(lambda: channel.pending() == 0, 5)
    assert wait_for(lambda: kiosk(console_db, "fine") is not None, 5)
    time.sleep(0.3)
    assert channel._writer.is_alive()
    with console_db.session() as session:
        assert (
            session.scalar(select(func.count()).select_from(KioskEvent).where(KioskEvent.kiosk_id == "fine"))
            == 1
        )


def test_connected_says_so_when_the_writer_is_dead(console_db: Database) -> None:
    channel = writer_only(console_db)
    channel._connected = True
    assert channel.connected
    channel._stopping.set()
    channel._writer.join(timeout=10)
    assert not channel.connected


def test_a_retained_copy_is_passed_on_as_such_and_is_not_heard_now(
    channel: ConsoleChannel, console_db: Database
) -> None:
    message = mqtt.MQTTMessage(topic=b"kiosk/v1/quiet/status")
    opened = round(time.time() - 3600, 3)
    message.payload = json.dumps({"state": "online", "session": 5, "at": opened}).encode()
    message.retain = True
    channel._on_message(channel.client, None, message)
    assert wait_for(lambda: kiosk(console_db, "quiet") is not None, 5)
    row = kiosk(console_db, "quiet")
    assert row is not None and row.state == "online" and row.last_seen == opened


def test_nothing_is_dropped_while_the_database_is_locked(tmp_path: Any) -> None:
    """SQLite locked by another writer for longer than the channel's busy wait: the messages wait
    (and the channel says why), and are all written once the lock goes."""
    url = f"sqlite:///{tmp_path / 'console.db'}"
    Database(url).migrate()
    db = Database(url)

    @event.listens_for(db.engine, "connect")
    def short_wait(connection: Any, _record: Any) -> None:
        connection.execute("PRAGMA busy_timeout=50")

    channel = writer_only(db, max_pending=10)
    locker = sqlite3.connect(tmp_path / "console.db", isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        for n in range(20):
            message = mqtt.MQTTMessage(topic=f"kiosk/v1/k{n % 4}/event".encode())
            message.payload = json.dumps({"type": "boot", "at": T0 + n}).encode()
            feeder = threading.Thread(target=channel._on_message, args=(channel.client, None, message))
            feeder.start()
            feeder.join(timeout=0.2)
        assert wait_for(lambda: "cannot be written to" in channel.last_error, 10), channel.last_error
        # Bounded: the writer's batch and at most max_pending queued; the network thread waits.
        assert channel.pending() <= 10
        time.sleep(3)
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    with_all = wait_for(lambda: _events(db) == 20, 30)
    assert with_all, (_events(db), channel.last_error)
    assert channel.last_error == "" and channel._writer.is_alive()
    channel._stopping.set()
    channel._writer.join(timeout=10)


def _events(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(KioskEvent)) or 0


def test_nothing_is_dropped_while_postgresql_refuses_connections(postgres: PrivatePostgres) -> None:
    """The database refuses every connection for a while (its sessions cut, new ones refused): the
    messages wait and are all written once it takes connections again."""
    name = "console_unavailable"
    db = Database(postgres.create_database(name, template=TEMPLATE))
    channel = writer_only(db)
    try:
        put(channel, "k0", "event", {"type": "boot", "at": T0})
        assert wait_for(lambda: channel.written == 1, 10)
        postgres.execute(
            f"ALTER DATABASE {name} ALLOW_CONNECTIONS false",
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'",
        )
        for n in range(1, 21):
            put(channel, f"k{n % 4}", "event", {"type": "boot", "at": T0 + n})
        assert wait_for(lambda: "cannot be written to" in channel.last_error, 10), channel.last_error
        time.sleep(2)
        assert channel.written == 1
        postgres.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")
        assert wait_for(lambda: channel.written == 21, 30), channel.last_error
        assert _events(db) == 21 and channel.last_error == ""
    finally:
        channel._stopping.set()
        channel._writer.join(timeout=10)
        db.dispose()
        postgres.drop_database(name)


def test_the_writer_outlives_an_error_outside_the_database(
    channel: ConsoleChannel, console_db: Database
) -> None:
    channel._queue.put(("kiosk/v1/odd/status", None, time.time(), False))  # type: ignore[arg-type]
    assert wait_for(lambda: channel.refused == 1, 5)
    put(channel, "after", "status", {"state": "online", "session": 1, "at": T0})
    assert wait_for(lambda: kiosk(console_db, "after") is not None, 5)
    assert channel._writer.is_alive()
