"""The fleet broker's ACL on a real mosquitto: each kiosk confined to its own topics, the console alone
commanding. The broker runs on kiosk/fleet/broker_config.py's texts, the ones scripts/install-broker
installs (tests/test_install_broker.py runs it on the installer's own output too).

Every "nothing arrives" is closed by a marker: a message the same subscriber is allowed, sent after
the forbidden one. Mosquitto handles one client's messages in order, so once the marker is in, the
forbidden message would have been too.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from kiosk.fleet import broker_config
from kiosk.fleet.admin import Broker, BrokerUnreachable, fleet_snapshot
from kiosk.fleet.link import Backoff, FleetLink, ThreadDriver
from kiosk.fleet.store import MemoryFleetStore
from tests.conftest import wait_for
from tests.fleet.console import Console
from tests.fleet.test_link import fleet_settings
from tests.mosquitto import PrivateMosquitto

WAIT = 10.0


class Peer:
    """One MQTT client (paho 2.x, MQTT 3.1.1 as the kiosk's link) and what it received."""

    def __init__(
        self,
        broker: PrivateMosquitto,
        user: str | None,
        password: str | None = None,
        client_id: str | None = None,
    ) -> None:
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=client_id or f"test-{user}-{uuid.uuid4().hex[:8]}",
            protocol=mqtt.MQTTv311,
        )
        if user is not None:
            self.client.username_pw_set(user, password)
        self.received: list[tuple[str, bytes]] = []
        self.changed = threading.Condition()
        self.answer: mqtt.ReasonCode | None = None
        self.granted: list[mqtt.ReasonCode] = []
        self.client.on_connect = self._connected
        self.client.on_message = self._message
        self.client.on_subscribe = self._subscribed
        self.client.connect("127.0.0.1", broker.port, keepalive=30)
        self.client.loop_start()
        with self.changed:
            assert self.changed.wait_for(lambda: self.answer is not None, WAIT), "no CONNACK"

    @property
    def accepted(self) -> bool:
        return self.answer is not None and not self.answer.is_failure

    def _connected(
        self, client: mqtt.Client, userdata: object, flags: object, code: mqtt.ReasonCode, props: object
    ) -> None:
        with self.changed:
            self.answer = code
            self.changed.notify_all()

    def _message(self, client: mqtt.Client, userdata: object, message: mqtt.MQTTMessage) -> None:
        with self.changed:
            self.received.append((message.topic, message.payload))
            self.changed.notify_all()

    def _subscribed(
        self, client: mqtt.Client, userdata: object, mid: int, codes: list[mqtt.ReasonCode], props: object
    ) -> None:
        with self.changed:
            self.granted.extend(codes)
            self.changed.notify_all()

    def subscribe(self, *topics: str) -> None:
        expected = len(self.granted) + len(topics)
        for topic in topics:
            self.client.subscribe(topic, qos=1)
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.granted) >= expected, WAIT), "no SUBACK"

    def publish(self, topic: str, payload: bytes) -> None:
        self.client.publish(topic, payload, qos=1).wait_for_publish(WAIT)

    def wait_for(self, topic: str, payload: bytes) -> list[tuple[str, bytes]]:
        """Everything received up to and including (topic, payload)."""
        with self.changed:
            assert self.changed.wait_for(lambda: (topic, payload) in self.received, WAIT), (
                f"{topic} {payload!r} never arrived; got {self.received}"
            )
            return list(self.received)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[PrivateMosquitto]:
    with PrivateMosquitto(tmp_path / "mosquitto", secured=True) as running:
        for user in ("console", "K-A", "K-B"):
            running.add_account(user)
        yield running


@pytest.fixture
def peers(broker: PrivateMosquitto) -> Iterator[dict[str, Peer]]:
    made = {user: Peer(broker, user, broker.passwords[user]) for user in ("console", "K-A", "K-B")}
    try:
        assert all(peer.accepted for peer in made.values()), {
            user: peer.answer for user, peer in made.items()
        }
        yield made
    finally:
        for peer in made.values():
            peer.close()


def test_a_kiosk_cannot_publish_as_another(peers: dict[str, Peer]) -> None:
    console, kiosk_a = peers["console"], peers["K-A"]
    console.subscribe("kiosk/v1/#")
    for kind in ("status", "reported", "telemetry", "event", "result/r1"):
        kiosk_a.publish(f"kiosk/v1/K-B/{kind}", b"forged by A")
    kiosk_a.publish("kiosk/v1/K-A/status", b"A's own")
    seen = console.wait_for("kiosk/v1/K-A/status", b"A's own")
    assert [message for message in seen if message[0].startswith("kiosk/v1/K-B/")] == []
    assert not any(payload == b"forged by A" for _, payload in seen)


def test_a_kiosk_writes_each_of_its_own_topics(peers: dict[str, Peer]) -> None:
    console, kiosk_a = peers["console"], peers["K-A"]
    console.subscribe("kiosk/v1/+/#")
    kinds = ("status", "reported", "telemetry", "event", "result/r1")
    for kind in kinds:
        kiosk_a.publish(f"kiosk/v1/K-A/{kind}", kind.encode())
    console.wait_for("kiosk/v1/K-A/result/r1", b"result/r1")
    assert {topic for topic, _ in console.received} == {f"kiosk/v1/K-A/{kind}" for kind in kinds}
    # Nothing outside its own topics: not the tree's root, not another version, not a deeper level.
    for topic in ("kiosk/v1/K-A", "kiosk/v2/K-A/status", "kiosk/v1/K-A/status/extra", "elsewhere"):
        kiosk_a.publish(topic, b"out of bounds")
    console.subscribe("#")
    kiosk_a.publish("kiosk/v1/K-A/event", b"marker")
    seen = console.wait_for("kiosk/v1/K-A/event", b"marker")
    assert not any(payload == b"out of bounds" for _, payload in seen)


def test_a_kiosk_cannot_read_another_kiosks_commands(peers: dict[str, Peer]) -> None:
    console, kiosk_a, kiosk_b = peers["console"], peers["K-A"], peers["K-B"]
    kiosk_a.subscribe("kiosk/v1/K-B/cmd/+", "kiosk/v1/+/cmd/+", "kiosk/v1/K-A/cmd/+")
    kiosk_b.subscribe("kiosk/v1/K-B/cmd/+")
    console.publish("kiosk/v1/K-B/cmd/req-1", b"for B only")
    console.publish("kiosk/v1/K-A/cmd/req-2", b"for A")
    kiosk_b.wait_for("kiosk/v1/K-B/cmd/req-1", b"for B only")  # the console's command does reach B
    seen = kiosk_a.wait_for("kiosk/v1/K-A/cmd/req-2", b"for A")
    assert ("kiosk/v1/K-B/cmd/req-1", b"for B only") not in seen
    assert all(topic == "kiosk/v1/K-A/cmd/req-2" for topic, _ in seen), seen


def test_a_kiosk_reads_nothing_of_other_kiosks(peers: dict[str, Peer]) -> None:
    console, kiosk_a, kiosk_b = peers["console"], peers["K-A"], peers["K-B"]
    kiosk_a.subscribe("kiosk/v1/#", "#")
    console.subscribe("kiosk/v1/#")
    kiosk_b.publish("kiosk/v1/K-B/status", b'{"state": "online"}')
    kiosk_b.publish("kiosk/v1/K-B/reported", b"B's state")
    console.wait_for("kiosk/v1/K-B/reported", b"B's state")
    console.publish("kiosk/v1/K-A/cmd/req-3", b"marker")
    seen = kiosk_a.wait_for("kiosk/v1/K-A/cmd/req-3", b"marker")
    assert seen == [("kiosk/v1/K-A/cmd/req-3", b"marker")]


def test_a_kiosk_cannot_write_commands_not_even_its_own(peers: dict[str, Peer]) -> None:
    console, kiosk_a, kiosk_b = peers["console"], peers["K-A"], peers["K-B"]
    console.subscribe("kiosk/v1/#")
    kiosk_a.subscribe("kiosk/v1/K-A/cmd/+")
    kiosk_b.subscribe("kiosk/v1/K-B/cmd/+")
    kiosk_a.publish("kiosk/v1/K-A/cmd/self", b"a command A wrote")
    kiosk_a.publish("kiosk/v1/K-B/cmd/other", b"a command A wrote")
    kiosk_a.publish("kiosk/v1/K-A/event", b"marker")
    seen = console.wait_for("kiosk/v1/K-A/event", b"marker")
    assert [message for message in seen if "/cmd/" in message[0]] == []
    console.publish("kiosk/v1/K-A/cmd/real", b"from the console")
    console.publish("kiosk/v1/K-B/cmd/real", b"from the console")
    assert kiosk_a.wait_for("kiosk/v1/K-A/cmd/real", b"from the console") == [
        ("kiosk/v1/K-A/cmd/real", b"from the console")
    ]
    assert kiosk_b.wait_for("kiosk/v1/K-B/cmd/real", b"from the console") == [
        ("kiosk/v1/K-B/cmd/real", b"from the console")
    ]


def test_the_console_reads_everything_and_writes_only_commands(peers: dict[str, Peer]) -> None:
    console, kiosk_a, kiosk_b = peers["console"], peers["K-A"], peers["K-B"]
    console.subscribe("kiosk/v1/#")
    kiosk_a.subscribe("kiosk/v1/K-A/cmd/+")
    kiosk_a.publish("kiosk/v1/K-A/telemetry", b"A")
    kiosk_b.publish("kiosk/v1/K-B/event", b"B")
    console.wait_for("kiosk/v1/K-A/telemetry", b"A")
    console.wait_for("kiosk/v1/K-B/event", b"B")
    # The console cannot speak for a kiosk: a forged status would mark it online or lost.
    console.publish("kiosk/v1/K-A/status", b'{"state": "lost"}')
    console.publish("kiosk/v1/K-A/cmd/req-9", b"sync_now")
    kiosk_a.wait_for("kiosk/v1/K-A/cmd/req-9", b"sync_now")
    kiosk_a.publish("kiosk/v1/K-A/result/req-9", b"done")
    seen = console.wait_for("kiosk/v1/K-A/result/req-9", b"done")
    assert ("kiosk/v1/K-A/status", b'{"state": "lost"}') not in seen


@pytest.mark.parametrize(
    ("user", "password"),
    [(None, None), ("K-A", "not its password"), ("K-Z", "no such account"), ("K-A", "")],
    ids=["anonymous", "wrong password", "unknown user", "empty password"],
)
def test_who_has_no_account_is_refused(
    broker: PrivateMosquitto, user: str | None, password: str | None
) -> None:
    peer = Peer(broker, user, password)
    try:
        assert peer.answer is not None and peer.answer.is_failure, peer.answer
        assert not peer.client.is_connected()
    finally:
        peer.close()


def test_an_account_cannot_take_over_another_kiosks_connection(broker: PrivateMosquitto) -> None:
    """K-A's account, logging in again and again under K-B's client id (`kiosk-K-B`, the one K-B's
    link uses), is let in as itself: K-B's connection stays, its status stays `online` with its
    session, never `lost` (without use_username_as_clientid each login closed K-B's connection and
    the broker published K-B's will)."""
    console = Console(broker.port, "console", broker.passwords["console"])
    link = FleetLink(
        "K-B",
        fleet_settings(broker.url),
        MemoryFleetStore(),
        on_command=lambda req, raw: None,
        password=broker.passwords["K-B"],
    )
    driver = ThreadDriver(link, Backoff(first=0.2, cap=0.5))
    driver.start()
    try:
        assert link.wait_connected(WAIT), broker.tail()
        assert wait_for(lambda: (console.last("kiosk/v1/K-B/status") or {}).get("state") == "online")
        session = console.last("kiosk/v1/K-B/status")["session"]  # type: ignore[index]
        for _ in range(3):
            intruder = Peer(broker, "K-A", broker.passwords["K-A"], client_id="kiosk-K-B")
            try:
                assert intruder.accepted, intruder.answer  # its own account: let in, as K-A
                intruder.publish("kiosk/v1/K-A/event", b"as K-A")
            finally:
                intruder.close()
        # A connection taken over: the broker publishes its will before it answers the new one's
        # CONNACK, so K-B's `lost` would reach the console before this marker.
        link.publish_reported({"marker": True})
        assert wait_for(lambda: console.last("kiosk/v1/K-B/reported") == {"marker": True}, WAIT)
        states = [(status["state"], status["session"]) for status in console.payloads("kiosk/v1/K-B/status")]
        assert states and set(states) == {("online", session)}, states
        assert link.connected
    finally:
        driver.stop()
        console.close()


def test_the_largest_screenshot_passes_and_a_larger_packet_is_refused(
    broker: PrivateMosquitto, peers: dict[str, Peer]
) -> None:
    """A 1920x1080 screen that does not compress at all, as a screenshot's result (PNG of its RGB
    pixels, base64, in JSON), reaches the console; a packet past the broker's limit does not, and
    its sender is disconnected."""
    console, kiosk_a = peers["console"], peers["K-A"]
    console.subscribe("kiosk/v1/K-A/result/+", "kiosk/v1/K-A/event")
    png = 1920 * 1080 * 3 + 1080 + 5 * (1920 * 1080 * 3 // 65535 + 1)  # stored deflate, no headers
    result = b'{"req": "r1", "ok": true, "result": {"png_base64": "' + b"A" * (png * 4 // 3 + 4) + b'"}}'
    assert len(result) + len(result) // 2 < broker_config.MAX_PACKET_SIZE  # room: half as much again
    kiosk_a.publish("kiosk/v1/K-A/result/r1", result)
    console.wait_for("kiosk/v1/K-A/result/r1", result)

    kiosk_a.client.publish("kiosk/v1/K-A/result/r2", os.urandom(broker_config.MAX_PACKET_SIZE), qos=1)
    assert wait_for(lambda: not kiosk_a.client.is_connected(), WAIT), broker.tail()
    marker = Peer(broker, "K-A", broker.passwords["K-A"])
    try:
        marker.publish("kiosk/v1/K-A/event", b"marker")
        seen = console.wait_for("kiosk/v1/K-A/event", b"marker")
        assert [topic for topic, _ in seen if topic.endswith("/r2")] == []
    finally:
        marker.close()


def test_each_administrator_has_an_account_of_their_own_and_none_takes_another_over(tmp_path: Path) -> None:
    with PrivateMosquitto(tmp_path / "broker", secured=True) as broker:
        for user in ("console", "console-alice", "wh-0001"):
            broker.add_account(user)
        made = [
            Peer(broker, user, broker.passwords[user]) for user in ("console", "console-alice", "wh-0001")
        ]
        watching, tool, kiosk = made
        try:
            assert all(peer.accepted for peer in made)
            watching.subscribe("kiosk/v1/#")
            tool.subscribe("kiosk/v1/+/status")
            kiosk.subscribe("kiosk/v1/wh-0001/cmd/+")
            tool.publish("kiosk/v1/wh-0001/cmd/r1", b"from alice")
            kiosk.publish("kiosk/v1/wh-0001/status", b"online")
            kiosk.wait_for("kiosk/v1/wh-0001/cmd/r1", b"from alice")
            tool.wait_for("kiosk/v1/wh-0001/status", b"online")
            watching.wait_for("kiosk/v1/wh-0001/cmd/r1", b"from alice")
            # Both administrators stayed connected all along: neither took the other's over.
            assert "already connected" not in broker.broker_log.read_text()
        finally:
            for peer in made:
                peer.close()
    assert "user console-alice" in (tmp_path / "broker" / broker_config.ACL_NAME).read_text()


def test_an_administrators_tool_that_shares_an_account_says_so_instead_of_a_wrong_answer(
    tmp_path: Path,
) -> None:
    with PrivateMosquitto(tmp_path / "broker", secured=True) as broker:
        password = broker.add_account("console")
        running_console = Peer(broker, "console", password)  # paho logs in again when dropped
        try:
            with pytest.raises(BrokerUnreachable, match="logged in elsewhere"):
                fleet_snapshot(Broker(broker.url, "console", password), settle=4.0)
        finally:
            running_console.close()
