"""The kiosk's MQTT link against a real mosquitto: presence with sessions, reported, events kept
while the broker is away, commands in, a clean stop."""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.fleet.link import Backoff, FleetLink, FleetNotConfigured, ThreadDriver, fleet_password
from kiosk.fleet.store import FleetStore
from kiosk.settings.schema import FleetSection
from tests.conftest import wait_for
from tests.fleet.console import Console
from tests.mosquitto import PrivateMosquitto

KIOSK = "wh-0001"


def fleet_settings(url: str, **changes: Any) -> FleetSection:
    values: dict[str, Any] = {
        "broker": url,
        "username": "",
        "password": "",
        "password_file": "",
        "keepalive": 5,
        "telemetry_interval": 60,
        "command_keys": [],
        "ca_bundle": "",
        "reboot_command": [],
    }
    values.update(changes)
    return FleetSection.model_validate(values, strict=False)


class Running:
    """A link on its thread, with the commands it was handed."""

    def __init__(self, settings: FleetSection, store: FleetStore) -> None:
        self.commands: list[tuple[str, bytes]] = []
        self.link = FleetLink(
            KIOSK, settings, store, on_command=lambda req, raw: self.commands.append((req, raw))
        )
        self.driver = ThreadDriver(self.link, Backoff(first=0.2, cap=0.5))
        self.driver.start()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[FleetStore]:
    opened = FleetStore(tmp_path / "state.db")
    yield opened
    opened.close()


def status(console: Console) -> dict[str, Any] | None:
    return console.last(f"kiosk/v1/{KIOSK}/status")


def test_online_with_a_session_then_lost_when_the_connection_drops_then_online_one_higher(
    mosquitto: PrivateMosquitto, console: Console, store: FleetStore
) -> None:
    running = Running(fleet_settings(mosquitto.url), store)
    assert wait_for(lambda: (status(console) or {}).get("state") == "online"), mosquitto.tail()
    assert status(console)["session"] == 1  # type: ignore[index]
    # The TCP connection ends without a DISCONNECT (a cable pulled): the broker sends the will.
    sock = running.link.client.socket()
    assert isinstance(sock, socket.socket)
    sock.shutdown(socket.SHUT_RDWR)
    assert wait_for(lambda: {"state": "lost", "session": 1}.items() <= (status(console) or {}).items(), 15)
    assert wait_for(lambda: {"state": "online", "session": 2}.items() <= (status(console) or {}).items(), 15)
    running.driver.stop()
    assert wait_for(lambda: {"state": "offline", "session": 2}.items() <= (status(console) or {}).items())


def test_reported_is_retained_and_only_a_change_is_published(
    mosquitto: PrivateMosquitto, console: Console, store: FleetStore
) -> None:
    running = Running(fleet_settings(mosquitto.url), store)
    assert running.link.wait_connected(10)
    topic = f"kiosk/v1/{KIOSK}/reported"
    running.link.publish_reported({"screen": "attract"})
    running.link.publish_reported({"screen": "attract"})
    running.link.publish_reported({"screen": "in_use"})
    assert wait_for(lambda: len(console.payloads(topic)) == 2)
    assert console.payloads(topic) == [{"screen": "attract"}, {"screen": "in_use"}]
    # A subscriber that comes later gets the last state at once: it is retained.
    late = Console(mosquitto.port)
    try:
        assert wait_for(lambda: late.last(topic) == {"screen": "in_use"})
    finally:
        late.close()
    running.driver.stop()


def test_events_raised_while_the_broker_is_away_arrive_oldest_first_when_it_is_back(
    tmp_path: Path, store: FleetStore
) -> None:
    broker = PrivateMosquitto(tmp_path / "broker")
    running = Running(fleet_settings(broker.url), store)
    for n in range(5):
        running.link.raise_event({"type": "reader_lost", "n": n})
    assert not running.link.connected
    with broker:
        console = Console(broker.port)
        try:
            topic = f"kiosk/v1/{KIOSK}/event"
            assert wait_for(lambda: len(console.payloads(topic)) == 5, 15), broker.tail()
            assert [event["n"] for event in console.payloads(topic)] == [0, 1, 2, 3, 4]
            assert wait_for(lambda: store.pending_events(10) == [])
        finally:
            console.close()
            running.driver.stop()


def test_events_not_delivered_survive_a_restart_of_the_kiosk(
    tmp_path: Path, mosquitto: PrivateMosquitto
) -> None:
    first = FleetStore(tmp_path / "state.db")
    unreachable = FleetLink(KIOSK, fleet_settings("mqtt://127.0.0.1:1"), first, on_command=lambda *_: None)
    unreachable.raise_event({"type": "sync_failed", "reason": "timeout"})
    first.close()  # the process ends (kill -9 alike: the row was committed when raised)
    console = Console(mosquitto.port)
    store = FleetStore(tmp_path / "state.db")
    try:
        running = Running(fleet_settings(mosquitto.url), store)
        assert wait_for(
            lambda: (
                console.payloads(f"kiosk/v1/{KIOSK}/event") == [{"type": "sync_failed", "reason": "timeout"}]
            )
        )
        running.driver.stop()
    finally:
        console.close()
        store.close()


def test_a_command_on_the_kiosks_topic_is_handed_over_with_its_req(
    mosquitto: PrivateMosquitto, console: Console, store: FleetStore
) -> None:
    running = Running(fleet_settings(mosquitto.url), store)
    assert running.link.wait_connected(10)
    assert wait_for(lambda: (status(console) or {}).get("state") == "online")
    console.send(f"kiosk/v1/{KIOSK}/cmd/abc", {"req": "abc"})
    console.send("kiosk/v1/someone-else/cmd/xyz", {"req": "xyz"})
    assert wait_for(lambda: len(running.commands) == 1)
    assert running.commands == [("abc", b'{"req": "abc"}')]
    assert running.link.publish_result("abc", {"req": "abc", "ok": True, "result": {}}, timeout=5)
    assert wait_for(
        lambda: console.last(f"kiosk/v1/{KIOSK}/result/abc") == {"req": "abc", "ok": True, "result": {}}
    )
    running.driver.stop()


def test_a_broker_that_is_away_is_retried_with_jittered_growing_pauses(
    tmp_path: Path, store: FleetStore
) -> None:
    backoff = Backoff(first=1, cap=60)
    delays = [backoff.next_delay() for _ in range(12)]
    assert all(0.5 <= delay <= 60 for delay in delays)
    assert max(delays[:2]) <= 2 and max(delays[8:]) > 2
    assert len({round(delay, 6) for delay in delays}) == len(delays)  # jittered, not in lockstep
    backoff.reset()
    assert backoff.next_delay() <= 1
    # The link does not give up: a broker that starts late is found.
    broker = PrivateMosquitto(tmp_path / "late")
    running = Running(fleet_settings(broker.url), store)
    threading.Event().wait(1.0)
    assert not running.link.connected
    with broker:
        assert running.link.wait_connected(10), broker.tail()
        running.driver.stop()


def test_the_password_comes_from_its_file(tmp_path: Path) -> None:
    secret = tmp_path / "broker-password"
    secret.write_text("s3cret\n")
    assert fleet_password(fleet_settings("mqtt://h:1", password_file=str(secret))) == "s3cret"
    assert fleet_password(fleet_settings("mqtt://h:1", password="inline")) == "inline"
    with pytest.raises(FleetNotConfigured, match="cannot be read"):
        fleet_password(fleet_settings("mqtt://h:1", password_file=str(tmp_path / "missing")))
    secret.write_text("\n")
    with pytest.raises(FleetNotConfigured, match="is empty"):
        fleet_password(fleet_settings("mqtt://h:1", password_file=str(secret)))


def test_the_status_payloads_have_the_contracts_form(
    mosquitto: PrivateMosquitto, console: Console, store: FleetStore
) -> None:
    running = Running(fleet_settings(mosquitto.url), store)
    assert wait_for(lambda: status(console) is not None)
    payload = status(console)
    assert payload is not None and set(payload) == {"state", "session", "at"}
    assert isinstance(payload["at"], float | int)
    raw = next(p for t, p, _r in console.messages if t.endswith("/status"))
    assert json.loads(raw) == payload
    running.driver.stop()


def test_results_published_from_several_threads_at_once_reach_the_broker_whole(
    mosquitto: PrivateMosquitto, console: Console, store: FleetStore
) -> None:
    running = Running(fleet_settings(mosquitto.url), store)
    assert running.link.wait_connected(10)
    big = {"png_base64": base64.b64encode(os.urandom(300_000)).decode()}

    def results(worker: int) -> None:
        for n in range(20):
            req = f"r{worker}-{n}"
            running.link.publish_result(req, {"req": req, "ok": True, "result": big})

    def small() -> None:
        for n in range(500):
            running.link.publish_telemetry({"n": n})
            running.link.raise_event({"type": "x", "n": n})

    threads = [threading.Thread(target=results, args=(worker,)) for worker in range(3)]
    threads.append(threading.Thread(target=small))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    got = lambda: {topic for topic, _p, _r in console.messages if "/result/" in topic}  # noqa: E731
    assert wait_for(lambda: len(got()) == 60, 60), mosquitto.tail()
    assert wait_for(lambda: len(console.payloads(f"kiosk/v1/{KIOSK}/event")) >= 500, 30)
    log = mosquitto.broker_log.read_text()
    assert "malformed" not in log and "protocol error" not in log
    assert (status(console) or {}).get("session") == 1  # never dropped and reconnected
    running.driver.stop()


def test_only_pahos_network_thread_writes_to_the_socket(
    mosquitto: PrivateMosquitto, store: FleetStore
) -> None:
    running = Running(fleet_settings(mosquitto.url), store)
    assert running.link.wait_connected(10)
    writers: set[str] = set()
    write = running.link.client.loop_write

    def recording_write() -> Any:
        writers.add(threading.current_thread().name)
        return write()

    running.link.client.loop_write = recording_write  # type: ignore[method-assign]
    for n in range(50):  # from this thread, as the reporter and the command worker do
        running.link.publish_result(f"r{n}", {"req": f"r{n}", "ok": True, "result": {}})
        running.link.publish_reported({"n": n})
        running.link.raise_event({"type": "x", "n": n})
    assert wait_for(lambda: bool(writers))
    assert threading.current_thread().name not in writers
    assert all(name.startswith("paho-mqtt-client") for name in writers), writers
    running.driver.stop()


def test_after_a_silent_drop_the_broker_keeps_the_current_reported_not_a_stale_resend(
    mosquitto: PrivateMosquitto, console: Console, store: FleetStore
) -> None:
    running = Running(fleet_settings(mosquitto.url, keepalive=5), store)
    assert running.link.wait_connected(10)
    running.link.publish_reported({"printer": "media-empty"})
    assert wait_for(lambda: console.last(f"kiosk/v1/{KIOSK}/reported") == {"printer": "media-empty"})
    console.close()
    os.kill(mosquitto.pid, signal.SIGSTOP)  # a network that swallows everything
    try:
        running.link.publish_reported({"printer": "still-empty, sent into a dead connection"})
        assert wait_for(lambda: not running.link.connected, 30)
        running.link.publish_reported({"printer": "idle, fixed while away"})
    finally:
        os.kill(mosquitto.pid, signal.SIGCONT)
    assert running.link.wait_connected(30)
    late = Console(mosquitto.port)
    try:
        topic = f"kiosk/v1/{KIOSK}/reported"
        assert wait_for(lambda: late.last(topic) == {"printer": "idle, fixed while away"}, 10)
        time_to_settle = threading.Event()
        time_to_settle.wait(2)
        again = Console(mosquitto.port)
        try:
            assert wait_for(lambda: again.last(topic) is not None)
            assert again.last(topic) == {"printer": "idle, fixed while away"}
            assert (again.last(f"kiosk/v1/{KIOSK}/status") or {}).get("state") == "online"
        finally:
            again.close()
    finally:
        late.close()
        running.driver.stop()


class FlakyStore(FleetStore):
    """A state database that fails once (a full disk, a lock held too long)."""

    failures = 1

    def next_session(self) -> int:
        if self.failures:
            self.failures -= 1
            raise sqlite3.OperationalError("database or disk is full")
        return super().next_session()

    def event_delivered(self, event_id: int) -> None:
        if self.failures == 0 and not getattr(self, "delivered_once", False):
            self.delivered_once = True
            raise sqlite3.OperationalError("database is locked")
        super().event_delivered(event_id)


def test_a_failing_store_never_stops_the_link(
    tmp_path: Path, mosquitto: PrivateMosquitto, console: Console
) -> None:
    flaky = FlakyStore(tmp_path / "state.db")
    running = Running(fleet_settings(mosquitto.url), flaky)
    assert running.link.wait_connected(15), mosquitto.tail()
    running.link.raise_event({"type": "first"})  # its acknowledgement fails to be noted
    running.link.raise_event({"type": "second"})
    assert wait_for(
        lambda: [e["type"] for e in console.payloads(f"kiosk/v1/{KIOSK}/event")][:2] == ["first", "second"]
    )
    running.link.publish_reported({"still": "working"})
    assert wait_for(lambda: console.last(f"kiosk/v1/{KIOSK}/reported") == {"still": "working"})
    running.driver.stop()
    flaky.close()


class SlowStore(FleetStore):
    """Widens the moment between the outbox's snapshot and the end of a flush on paho's thread."""

    def pending_events(self, limit: int) -> list[tuple[int, bytes]]:
        rows = super().pending_events(limit)
        if threading.current_thread().name.startswith(("paho-mqtt-client", "fleet-link")):
            threading.Event().wait(0.5)
        return rows


def test_an_event_raised_while_another_thread_flushes_is_not_stranded(
    tmp_path: Path, mosquitto: PrivateMosquitto, console: Console
) -> None:
    slow = SlowStore(tmp_path / "state.db")
    running = Running(fleet_settings(mosquitto.url), slow)
    assert running.link.wait_connected(10)
    threading.Event().wait(1.0)
    running.link.raise_event({"type": "printer_paper_out", "n": 1})
    threading.Event().wait(0.2)  # its acknowledgement is being handled: paho's thread flushes
    running.link.raise_event({"type": "printer_back", "n": 2})
    assert wait_for(lambda: [e["n"] for e in console.payloads(f"kiosk/v1/{KIOSK}/event")] == [1, 2], 10)
    assert wait_for(lambda: slow.pending_events(10) == [])
    running.driver.stop()
    slow.close()


def test_the_link_notes_its_state_for_the_doctor(mosquitto: PrivateMosquitto, store: FleetStore) -> None:
    running = Running(fleet_settings(mosquitto.url), store)
    assert running.link.wait_connected(10)
    noted = store.link_state()
    assert noted is not None and (noted.state, noted.detail) == ("connected", "session 1")
    running.driver.stop()
    unreachable = Running(fleet_settings("mqtt://127.0.0.1:1"), store)
    assert wait_for(lambda: (store.link_state() or noted).state == "failing")
    assert (store.link_state() or noted).detail == "cannot reach the broker at 127.0.0.1:1"
    unreachable.driver.stop(clean=False)


def test_after_an_outage_the_next_drop_is_retried_at_once_not_after_the_outages_pause(
    mosquitto: PrivateMosquitto, store: FleetStore
) -> None:
    link = FleetLink(KIOSK, fleet_settings(mosquitto.url), store, on_command=lambda *_: None)
    backoff = Backoff(first=1.0, cap=300.0)
    backoff.failures = 9  # as after nine failed attempts while the broker was away
    driver = ThreadDriver(link, backoff)
    driver.start()
    assert link.wait_connected(10)
    sock = link.client.socket()
    assert isinstance(sock, socket.socket)
    sock.shutdown(socket.SHUT_RDWR)  # then the connection drops without a word
    assert wait_for(lambda: not link.connected, 5)
    assert link.wait_connected(8), "not back within seconds: the pause grown in the outage was kept"
    driver.stop()


def test_a_stop_while_a_connection_opens_leaves_no_connection_behind(
    mosquitto: PrivateMosquitto, console: Console, store: FleetStore
) -> None:
    link = FleetLink(KIOSK, fleet_settings(mosquitto.url, keepalive=30), store, on_command=lambda *_: None)
    connecting = threading.Event()
    create = link.client._create_socket

    def slow_connect() -> Any:
        connecting.set()
        threading.Event().wait(0.5)  # a TCP or TLS connect under way (a slow 4G link)
        return create()

    link.client._create_socket = slow_connect  # type: ignore[method-assign]
    driver = ThreadDriver(link, Backoff(first=1, cap=2))
    driver.start()
    assert connecting.wait(5)
    driver.stop(clean=True)
    threading.Event().wait(1.5)
    assert link.client.socket() is None
    assert not any(
        payload.get("state") == "online" for payload in console.payloads(f"kiosk/v1/{KIOSK}/status")
    )
    assert wait_for(lambda: f"Client kiosk-{KIOSK} disconnected" in mosquitto.broker_log.read_text(), 5)
