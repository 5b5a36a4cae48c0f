"""console.channel end to end: a real mosquitto secured as install-broker configures it, the
console's own account, and the fleet simulator's kiosks: they appear online, a killed one goes
lost, a paper-out shows as a problem, an event lands once, a command's result is recorded. Two
console processes share the live messages (MQTT shared subscriptions) and the ACL lets a kiosk
read none of them."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from console.channel import ChannelDown, ConsoleChannel, subscriptions
from console.db import Database
from console.models import Command, Kiosk, KioskEvent
from console.settings import ConsoleSettings
from kiosk.fleet.commands import public_key_text, sign_command
from kiosk.fleet.fleet_sim import FleetSimulator, SimOptions
from kiosk.fleet.forms import Topics, encode
from tests.conftest import wait_for
from tests.daemons import require_executable
from tests.mosquitto import PrivateMosquitto

KIOSK_PASSWORD = "pw-simulated-kiosks"


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[PrivateMosquitto]:
    with PrivateMosquitto(tmp_path / "broker", secured=True) as running:
        yield running


def kiosk_accounts(broker: PrivateMosquitto, ids: list[str]) -> None:
    """Each simulated kiosk's account (username: its id), all with one password."""
    for kiosk_id in ids:
        subprocess.run(
            [
                require_executable("/usr/bin/mosquitto_passwd"),
                "-b",
                str(broker.password_file),
                kiosk_id,
                KIOSK_PASSWORD,
            ],
            check=True,
            capture_output=True,
        )
    broker.reload()


def channel_for(
    broker: PrivateMosquitto, db: Database, tmp_path: Path, user: str = "console"
) -> ConsoleChannel:
    password_file = tmp_path / f"{user}.password"
    password_file.write_text(broker.add_account(user) + "\n")
    settings = ConsoleSettings(
        data_dir=tmp_path / "console-data",
        broker=broker.url,
        broker_username=user,
        broker_password_file=password_file,
    )
    channel = ConsoleChannel(settings, db)
    channel.start()
    assert wait_for(lambda: channel.connected, 10), f"{channel.last_error}\n{broker.tail()}"
    return channel


def row(db: Database, kiosk_id: str) -> Kiosk | None:
    with db.session() as session:
        return session.get(Kiosk, kiosk_id)


def has(db: Database, kiosk_id: str, check: Callable[[Kiosk], bool]) -> Callable[[], bool]:
    def condition() -> bool:
        found = row(db, kiosk_id)
        return found is not None and check(found)

    return condition


async def until(condition: Callable[[], bool], seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.05)
    return condition()


def events(db: Database, kiosk_id: str, kind: str) -> int:
    with db.session() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(KioskEvent)
                .where(KioskEvent.kiosk_id == kiosk_id, KioskEvent.type == kind)
            )
            or 0
        )


def test_the_simulated_fleet_through_the_consoles_channel(
    broker: PrivateMosquitto, console_db: Database, tmp_path: Path, key: Ed25519PrivateKey
) -> None:
    ids = [f"sim-{n:05d}" for n in range(1, 4)]
    kiosk_accounts(broker, ids)
    channel = channel_for(broker, console_db, tmp_path)
    options = SimOptions(
        broker=broker.url,
        kiosks=3,
        keys=[public_key_text(key)],
        keepalive=5,
        telemetry_interval=5.0,
        pace=0.0,
        backoff_first=0.2,
        backoff_cap=0.5,
        password=KIOSK_PASSWORD,
    )

    async def scenario() -> None:
        fleet = FleetSimulator(options)
        await fleet.start()
        try:
            assert await fleet.wait_online(timeout=20), broker.tail()
            for kiosk_id in ids:
                assert await until(
                    has(console_db, kiosk_id, lambda k: k.state == "online" and k.session == 1)
                ), (
                    channel.last_error,
                    broker.tail(),
                )
            first = row(console_db, "sim-00001")
            assert first is not None
            assert (first.group, first.problems, first.screen) == ("canary", [], "attract")
            assert first.site and first.software and first.catalogue_version is not None
            assert first.last_sync is not None and first.sync_error == ""
            # Telemetry (every 5 s here) reaches the row.
            assert await until(has(console_db, "sim-00002", lambda k: "uptime" in k.telemetry))

            # Paper out on sim-00001: a problem in words, and its event once.
            fleet.kiosks[0].paper_out()
            assert await until(has(console_db, "sim-00001", lambda k: k.problems == ["printer: media-empty"]))
            assert await until(lambda: events(console_db, "sim-00001", "printer_paper_out") == 1)
            assert row(console_db, "sim-00001").fault_since is not None  # type: ignore[union-attr]

            # A rating after a session: the event with its level, department and service only.
            fleet.kiosks[2].rate()
            assert await until(lambda: events(console_db, "sim-00003", "service_rated") == 1)
            with console_db.session() as session:
                rated = session.scalars(select(KioskEvent).where(KioskEvent.type == "service_rated")).one()
                assert set(rated.details) == {"level", "department", "service"}

            # A signed command through the console's channel; the simulator's answer in its row.
            command = sign_command(key, "logs", {"lines": 3}, kiosk="sim-00002")
            with console_db.session() as session:
                session.add(
                    Command(
                        req=command["req"],
                        kiosk_id="sim-00002",
                        command="logs",
                        args={"lines": 3},
                        issued_by="test",
                        issued_at=command["issued_at"],
                        expires_at=command["expires_at"],
                    )
                )
            await asyncio.to_thread(
                channel.publish, Topics("sim-00002").command(command["req"]), encode(command)
            )

            def answered() -> bool:
                with console_db.session() as session:
                    found = session.get(Command, command["req"])
                    return found is not None and found.state == "ok"

            assert await until(answered), broker.tail()
            with console_db.session() as session:
                found = session.get(Command, command["req"])
                assert found is not None and len(found.result["lines"]) == 3 and found.answered_at

            # Killed without a word: lost.
            fleet.kiosks[1].kill()
            assert await until(has(console_db, "sim-00002", lambda k: k.state == "lost" and k.session == 1))
        finally:
            await fleet.close(clean=True)
        # A clean stop: offline.
        assert await until(has(console_db, "sim-00003", lambda k: k.state == "offline"))

    try:
        asyncio.run(scenario())
    finally:
        channel.stop()
    assert channel.lag_percentile(0.99) is not None
    assert channel.malformed == 0


class Peer:
    """A plain paho client of the broker, keeping what it receives."""

    def __init__(self, broker: PrivateMosquitto, user: str, password: str) -> None:
        self.received: list[str] = []
        self.granted: list[mqtt.ReasonCode] = []
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=user, protocol=mqtt.MQTTv311)
        self.client.username_pw_set(user, password)
        self.client.on_message = lambda _c, _u, message: self.received.append(message.topic)
        self.client.on_subscribe = lambda _c, _u, _mid, codes, _p: self.granted.extend(codes)
        self.client.connect("127.0.0.1", broker.port, keepalive=30)
        self.client.loop_start()

    def publish(self, topic: str, payload: dict[str, Any]) -> None:
        self.client.publish(topic, json.dumps(payload).encode(), qos=1).wait_for_publish(5)

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def test_two_console_processes_each_read_everything_and_write_it_once(
    broker: PrivateMosquitto, console_db: Database, tmp_path: Path
) -> None:
    kiosk_accounts(broker, ["k-1", "k-2"])
    first = channel_for(broker, console_db, tmp_path, "console")
    second = channel_for(broker, console_db, tmp_path, "console-b")
    kiosk = Peer(broker, "k-1", KIOSK_PASSWORD)
    # Another kiosk subscribes to everything the console does, and to a shared group: the ACL gives
    # it nothing of k-1's.
    snoop = Peer(broker, "k-2", KIOSK_PASSWORD)
    snoop.client.subscribe([*subscriptions(), ("$share/console/kiosk/v1/+/event", 1)])
    assert wait_for(lambda: len(snoop.granted) == len(subscriptions()) + 1)
    try:
        kiosk.publish("kiosk/v1/k-1/status", {"state": "online", "session": 1, "at": time.time()})
        for n in range(40):
            kiosk.publish(
                "kiosk/v1/k-1/event", {"type": "printer_back", "at": 1000.0 + n, "device": "printer"}
            )
        assert wait_for(lambda: first.written == 41 and second.written == 41, 15), (
            first.written,
            second.written,
        )
        assert events(console_db, "k-1", "printer_back") == 40
        assert has(console_db, "k-1", lambda k: k.state == "online" and k.session == 1)()
        # The console's account writes commands; k-2 saw nothing of k-1.
        first.publish(Topics("k-1").command(uuid.uuid4().hex), b"{}")
        assert snoop.received == []
    finally:
        for peer in (kiosk, snoop):
            peer.close()
        first.stop()
        second.stop()


def test_why_no_shared_subscription_a_kiosk_in_the_group_makes_mosquitto_drop_messages(
    broker: PrivateMosquitto, tmp_path: Path
) -> None:
    """mosquitto 2 grants any account a `$share/` subscription and checks read rights only when it
    delivers: the messages it hands to a member that may not read them are lost to the group."""
    kiosk_accounts(broker, ["k-1", "k-2"])
    member = Peer(broker, "console", broker.add_account("console"))
    intruder = Peer(broker, "k-2", KIOSK_PASSWORD)
    for peer in (member, intruder):
        peer.client.subscribe("$share/console/kiosk/v1/+/event", 1)
    assert wait_for(lambda: len(member.granted) == 1 and len(intruder.granted) == 1)
    assert not intruder.granted[0].is_failure  # granted: the ACL is not asked at SUBSCRIBE
    kiosk = Peer(broker, "k-1", KIOSK_PASSWORD)
    try:
        for n in range(20):
            kiosk.publish("kiosk/v1/k-1/event", {"type": "printer_back", "at": float(n)})
        marker_seen = wait_for(lambda: len(member.received) >= 10, 5)
        time.sleep(0.5)
        assert marker_seen
        assert intruder.received == []
        assert len(member.received) < 20  # the intruder's share is gone
    finally:
        for peer in (kiosk, member, intruder):
            peer.close()


def test_publish_says_plainly_when_the_broker_is_not_there(console_db: Database, tmp_path: Path) -> None:
    settings = ConsoleSettings(data_dir=tmp_path, broker="mqtt://127.0.0.1:9")
    channel = ConsoleChannel(settings, console_db)
    channel.start()
    try:
        with pytest.raises(ChannelDown, match="not connected"):
            channel.publish("kiosk/v1/k/cmd/x", b"{}")
    finally:
        channel.stop()


def certificate(folder: Path, name: str) -> tuple[Path, Path, Path]:
    """A CA of its own and a certificate for 127.0.0.1 signed by it: (ca.pem, cert.pem, key.pem)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{name} CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    paths = (folder / f"{name}-ca.pem", folder / f"{name}-cert.pem", folder / f"{name}-key.pem")
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return paths


def test_mqtts_with_the_ca_bundle_and_not_with_another_ca(console_db: Database, tmp_path: Path) -> None:
    from tests.daemons import free_port

    ca, cert, key_file = certificate(tmp_path / "tls", "broker")
    other_ca, _cert, _key = certificate(tmp_path / "tls", "other")
    tls_port = free_port()
    extra = f"listener {tls_port} 127.0.0.1\ncertfile {cert}\nkeyfile {key_file}\n"
    with PrivateMosquitto(tmp_path / "broker", extra_conf=extra) as broker:
        wrong = ConsoleChannel(
            ConsoleSettings(
                data_dir=tmp_path, broker=f"mqtts://127.0.0.1:{tls_port}", broker_ca_bundle=other_ca
            ),
            console_db,
        )
        right = ConsoleChannel(
            ConsoleSettings(
                data_dir=tmp_path,
                broker=f"mqtts://127.0.0.1:{tls_port}",
                broker_username="console-tls",
                broker_ca_bundle=ca,
            ),
            console_db,
        )
        wrong.start()
        right.start()
        try:
            assert wait_for(lambda: right.connected, 10), broker.tail()
            kiosk = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="k-tls", protocol=mqtt.MQTTv311)
            kiosk.connect("127.0.0.1", broker.port)
            kiosk.loop_start()
            kiosk.publish(
                "kiosk/v1/k-tls/status", b'{"state": "online", "session": 2, "at": 1.0}', qos=1
            ).wait_for_publish(5)
            kiosk.loop_stop()
            kiosk.disconnect()
            assert wait_for(has(console_db, "k-tls", lambda k: k.state == "online" and k.session == 2))
            assert not wrong.connected
            assert wait_for(lambda: "cannot be reached" in wrong.last_error)
        finally:
            wrong.stop()
            right.stop()


def test_the_app_starts_its_channel_with_a_broker_and_none_without(
    mosquitto: PrivateMosquitto, console_db: Database, tmp_path: Path
) -> None:
    from starlette.testclient import TestClient

    from console.web.app import create_app

    app = create_app(ConsoleSettings(data_dir=tmp_path, broker=mosquitto.url), db=console_db)
    state = app.state.console
    with TestClient(app, base_url="https://testserver"):
        channel = state.channel
        assert isinstance(channel, ConsoleChannel)
        assert wait_for(lambda: channel.connected, 10), channel.last_error
        jobs = [job.name for worker in state.background for job in getattr(worker, "jobs", [])]
        assert "alerts" in jobs
    assert state.channel is None and not channel.connected
    without = create_app(ConsoleSettings(data_dir=tmp_path), db=console_db)
    with TestClient(without, base_url="https://testserver"):
        assert without.state.console.channel is None


def test_a_retained_status_at_the_consoles_connection_is_not_heard_now(
    broker: PrivateMosquitto, console_db: Database, tmp_path: Path
) -> None:
    """A silent kiosk (the broker keeps its `online`, retained) stays silent when a console
    process (re)connects and receives that copy again."""
    kiosk_accounts(broker, ["k-quiet"])
    opened = round(time.time() - 3600, 3)
    kiosk = Peer(broker, "k-quiet", KIOSK_PASSWORD)
    kiosk.client.publish(
        "kiosk/v1/k-quiet/status",
        json.dumps({"state": "online", "session": 3, "at": opened}).encode(),
        qos=1,
        retain=True,
    ).wait_for_publish(5)
    kiosk.close()
    channel = channel_for(broker, console_db, tmp_path)
    try:
        assert wait_for(has(console_db, "k-quiet", lambda k: k.state == "online"), 10), channel.last_error
        found = row(console_db, "k-quiet")
        assert found is not None and found.last_seen == opened and found.session == 3
    finally:
        channel.stop()
