"""The administrators' end of the channel, for the command line (`kiosk fleet command`, `kiosk fleet
status`): one signed command and its result, or what every kiosk last said.

The web console (a program of its own) does the same through the same forms.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from kiosk.fleet.commands import sign_command
from kiosk.fleet.forms import TOPIC_ROOT, Topics, broker_address

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


class BrokerUnreachable(Exception):
    """The broker could not be reached or refused the account; the message says which."""


@dataclass(frozen=True)
class Broker:
    """Where the fleet's broker is and the account to use there (the console's)."""

    url: str
    username: str = ""
    password: str = ""
    ca_bundle: str = ""


@dataclass
class KioskSeen:
    """What one kiosk last said on its retained topics."""

    kiosk_id: str
    status: dict[str, Any] = field(default_factory=dict)
    reported: dict[str, Any] = field(default_factory=dict)


class _Session:
    """A connected admin client that keeps the messages of the topics it subscribed to."""

    def __init__(self, broker: Broker, timeout: float) -> None:
        host, port, tls = broker_address(broker.url)
        self.messages: list[tuple[str, bytes]] = []
        self.arrived = threading.Condition()
        self.closing = False
        self.username = broker.username
        self._connected = threading.Event()
        self._refused = ""
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"admin-{time.time_ns()}")
        if broker.username:
            self.client.username_pw_set(broker.username, broker.password or None)
        if tls:
            self.client.tls_set(ca_certs=broker.ca_bundle or None)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.on_disconnect = self._on_disconnect
        #: Why the broker closed the connection before we did (empty while it is open).
        self.dropped = ""
        try:
            self.client.connect(host, port, keepalive=30)
        except (OSError, ValueError) as error:
            raise BrokerUnreachable(f"cannot reach the broker at {host}:{port}: {error}") from error
        self.client.loop_start()
        if not self._connected.wait(timeout) or self._refused:
            self.close()
            raise BrokerUnreachable(self._refused or f"no answer from the broker at {host}:{port}")

    def _on_connect(self, _client: Any, _userdata: Any, _flags: Any, reason: Any, _props: Any) -> None:
        if reason.is_failure:
            self._refused = f"the broker refused the account: {reason}"
        self._connected.set()

    def _on_disconnect(self, _client: Any, _userdata: Any, _flags: Any, reason: Any, _props: Any) -> None:
        with self.arrived:
            if not self.closing:
                self.dropped = (
                    f"the broker closed the connection ({reason}); is the account {self.username!r} "
                    "logged in elsewhere? Each administrator and the console need their own "
                    "(scripts/install-broker add-console NAME)"
                )
            self.arrived.notify_all()

    def _on_message(self, _client: Any, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        with self.arrived:
            self.messages.append((message.topic, bytes(message.payload)))
            self.arrived.notify_all()

    def subscribe(self, topic: str, timeout: float) -> None:
        done = threading.Event()
        self.client.on_subscribe = lambda *_args: done.set()
        self.client.subscribe(topic, qos=1)
        if not done.wait(timeout):
            raise BrokerUnreachable(f"the broker did not confirm the subscription to {topic}")

    def close(self) -> None:
        with self.arrived:
            self.closing = True
        self.client.disconnect()
        self.client.loop_stop()


def send_command(
    broker: Broker,
    kiosk_id: str,
    key: Ed25519PrivateKey,
    command: str,
    args: dict[str, Any] | None = None,
    *,
    ttl: float = 120.0,
    timeout: float = 30.0,
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """Sign `command`, write it to the kiosk and wait up to `timeout` s for its result.

    Returns (the result or None when none came, the kiosk's last status as the broker keeps it).
    """
    topics = Topics(kiosk_id)
    signed = sign_command(key, command, args, ttl=ttl, kiosk=kiosk_id)
    session = _Session(broker, timeout=min(timeout, 10.0))
    try:
        session.subscribe(topics.result(signed["req"]), timeout=10.0)
        session.subscribe(topics.status, timeout=10.0)
        session.client.publish(topics.command(signed["req"]), json.dumps(signed).encode(), qos=1)
        deadline = time.monotonic() + timeout
        with session.arrived:
            while True:
                result = _last(session.messages, topics.result(signed["req"]))
                remaining = deadline - time.monotonic()
                if result is not None or remaining <= 0:
                    break
                if session.dropped:
                    raise BrokerUnreachable(session.dropped)
                session.arrived.wait(remaining)
        return result, _last(session.messages, topics.status) or {}
    finally:
        session.close()


def fleet_snapshot(broker: Broker, settle: float = 2.0) -> list[KioskSeen]:
    """Every kiosk's retained status and reported state, gathered for `settle` seconds."""
    session = _Session(broker, timeout=10.0)
    try:
        session.subscribe(f"{TOPIC_ROOT}/+/status", timeout=10.0)
        session.subscribe(f"{TOPIC_ROOT}/+/reported", timeout=10.0)
        time.sleep(settle)
        with session.arrived:
            messages = list(session.messages)
            if session.dropped:
                raise BrokerUnreachable(session.dropped)
    finally:
        session.close()
    seen: dict[str, KioskSeen] = {}
    for topic, payload in messages:
        parts = topic.split("/")
        try:
            body = json.loads(payload)
        except ValueError:
            continue
        if len(parts) != 4 or not isinstance(body, dict):
            continue
        kiosk = seen.setdefault(parts[2], KioskSeen(parts[2]))
        setattr(kiosk, parts[3], body)
    return [seen[name] for name in sorted(seen)]


def _last(messages: list[tuple[str, bytes]], topic: str) -> dict[str, Any] | None:
    for seen, payload in reversed(messages):
        if seen == topic:
            try:
                body = json.loads(payload)
            except ValueError:
                return None
            return body if isinstance(body, dict) else None
    return None
