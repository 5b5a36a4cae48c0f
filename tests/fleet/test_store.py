"""The channel's durable memory: sessions only grow, the outbox is bounded and ordered."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.fleet.store import EVENTS_KEPT, FleetMemory, FleetStore, MemoryFleetStore


@pytest.fixture(params=["sqlite", "memory"])
def memory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FleetMemory]:
    if request.param == "memory":
        yield MemoryFleetStore()
        return
    store = FleetStore(tmp_path / "state.db")
    yield store
    store.close()


def test_sessions_grow_by_one(memory: FleetMemory) -> None:
    assert [memory.next_session() for _ in range(3)] == [1, 2, 3]


def test_the_session_survives_a_restart(tmp_path: Path) -> None:
    store = FleetStore(tmp_path / "state.db")
    store.next_session()
    store.next_session()
    store.close()
    again = FleetStore(tmp_path / "state.db")
    assert again.next_session() == 3
    again.close()


def test_events_come_out_oldest_first_and_go_when_delivered(memory: FleetMemory) -> None:
    for n in range(3):
        memory.add_event(f"e{n}".encode())
    pending = memory.pending_events(10)
    assert [payload for _id, payload in pending] == [b"e0", b"e1", b"e2"]
    memory.event_delivered(pending[1][0])
    assert [payload for _id, payload in memory.pending_events(10)] == [b"e0", b"e2"]
    assert [payload for _id, payload in memory.pending_events(1)] == [b"e0"]


def test_the_outbox_keeps_the_newest_and_counts_what_it_dropped(memory: FleetMemory) -> None:
    for n in range(EVENTS_KEPT + 5):
        memory.add_event(str(n).encode())
    pending = memory.pending_events(EVENTS_KEPT + 10)
    assert len(pending) == EVENTS_KEPT
    assert pending[0][1] == b"5"
    assert memory.take_dropped() == 5
    assert memory.take_dropped() == 0


def test_a_command_is_remembered_until_it_expires(memory: FleetMemory) -> None:
    assert memory.remember_command("a", expires_at=100.0, now=50.0)
    assert not memory.remember_command("a", expires_at=100.0, now=60.0)
    # Past its expiry it is forgotten (the gate refuses it as expired before asking).
    assert memory.remember_command("a", expires_at=300.0, now=200.0)
