"""One kiosk's MQTT connection to the fleet's broker: presence, what it publishes, commands in.

`FleetLink` is the protocol (paho-mqtt 2.x, VERSION2 callbacks, MQTT 3.1.1); a driver pumps its
network: `ThreadDriver` on the kiosk's own thread, the fleet simulator's asyncio driver for
thousands of simulated kiosks in one process. Both reconnect forever with `Backoff`.

Presence follows the contract: every connection has a session number one higher than the last
(kept in the store), the will says `lost` with that number, and `online` follows the CONNACK with
it; a late will of an older connection therefore never hides a kiosk that came back. A clean stop
publishes `offline` itself, since a clean DISCONNECT discards the will.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode

from kiosk.fleet.forms import EventType, Presence, Topics, encode, event_payload, status_payload
from kiosk.fleet.store import FleetMemory
from kiosk.settings.schema import FleetSection

log = logging.getLogger(__name__)

#: Undelivered events sent at once after a reconnect; the rest follow as these are acknowledged.
EVENTS_PER_FLUSH = 100


class FleetNotConfigured(Exception):
    """The live channel cannot start with these settings; the message says why."""


def fleet_password(settings: FleetSection) -> str:
    """The kiosk's broker password: `password`, or the first line of `password_file`."""
    if not settings.password_file:
        return settings.password.get_secret_value()
    try:
        text = Path(settings.password_file).read_text(encoding="utf-8")
    except OSError as error:
        raise FleetNotConfigured(
            f"fleet.password_file: {settings.password_file} cannot be read: {error.strerror or error}"
        ) from error
    password = text.strip()
    if not password:
        raise FleetNotConfigured(f"fleet.password_file: {settings.password_file} is empty")
    return password


class Backoff:
    """Delays between connection attempts: doubling from `first` up to `cap`, each drawn uniformly
    below that bound ("full jitter"), so that a fleet that lost its broker does not come back at
    the same second."""

    def __init__(self, first: float = 1.0, cap: float = 300.0, rng: random.Random | None = None) -> None:
        self.first = first
        self.cap = cap
        self._rng = rng or random.Random()
        self.failures = 0

    def next_delay(self) -> float:
        """The wait before the next attempt (one more failure)."""
        bound = min(self.cap, self.first * 2**self.failures)
        self.failures = min(self.failures + 1, 32)
        return self._rng.uniform(self.first / 2, bound)

    def reset(self) -> None:
        """Connected: the next failure starts again from `first`."""
        self.failures = 0


class FleetLink:
    """The kiosk's end of the channel. Its methods may be called from any thread."""

    def __init__(
        self,
        kiosk_id: str,
        settings: FleetSection,
        memory: FleetMemory,
        *,
        on_command: Callable[[str, bytes], None],
        clock: Callable[[], float] = time.time,
        password: str = "",
    ) -> None:
        self.topics = Topics(kiosk_id)
        self.settings = settings
        self.memory = memory
        self.clock = clock
        self._on_command = on_command
        #: The session of the current (or last) connection; 0 before the first.
        self.session = 0
        self._connected = threading.Event()
        self._reported: bytes | None = None
        self._reported_lock = threading.Lock()
        #: Events handed to paho and not yet acknowledged: mid -> event id, and their ids.
        self._in_flight: dict[int, int] = {}
        self._in_flight_ids: set[int] = set()
        self._early_acks: deque[int] = deque(maxlen=1024)
        self._acks_lock = threading.Lock()
        self._flush_lock = threading.Lock()
        #: Why the last attempt failed (logged when it changes, not on every retry for days).
        self.last_failure = ""
        self.client = self._make_client(password)

    def _make_client(self, password: str) -> mqtt.Client:
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=f"kiosk-{self.topics.kiosk_id}",
            clean_session=True,
            protocol=mqtt.MQTTv311,
        )
        client.username_pw_set(self.settings.username or self.topics.kiosk_id, password or None)
        host, _port, tls = self.settings.broker_address
        if tls:
            client.tls_set(ca_certs=self.settings.ca_bundle or None)
        client.on_pre_connect = self._before_connect
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_publish = self._on_publish
        # QoS 1 messages paho holds for a connection that is down: bounded, the outbox is durable.
        client.max_queued_messages_set(1000)
        log.debug("fleet link for %s at %s", self.topics.kiosk_id, host)
        return client

    @property
    def connected(self) -> bool:
        """Whether the broker accepted the current connection."""
        return self._connected.is_set()

    def wait_connected(self, timeout: float) -> bool:
        """Wait until connected (tests, the simulator); whether it is."""
        return self._connected.wait(timeout)

    # -- what the kiosk publishes ----------------------------------------------------------------

    def publish_reported(self, reported: dict[str, Any]) -> None:
        """The kiosk's state, retained; only a change is published, and the last is re-sent on
        every connection."""
        payload = encode(reported)
        with self._reported_lock:
            if payload == self._reported:
                return
            self._reported = payload
        if self.connected:
            self.client.publish(self.topics.reported, payload, qos=1, retain=True)

    def publish_telemetry(self, numbers: dict[str, Any]) -> None:
        """Small numbers, QoS 0: dropped while the broker is away (the next ones follow)."""
        if self.connected:
            self.client.publish(self.topics.telemetry, encode(numbers), qos=0)

    def raise_event(self, event: dict[str, Any]) -> None:
        """An event: kept durably until the broker acknowledges it, sent oldest first."""
        self.memory.add_event(encode(event))
        if self.connected:
            self._flush_events()

    def publish_result(self, req: str, payload: dict[str, Any], timeout: float | None = None) -> bool:
        """A command's result (QoS 1). With `timeout`: wait for the broker's acknowledgement and
        say whether it came."""
        info = self.client.publish(self.topics.result(req), encode(payload), qos=1)
        if timeout is None:
            return info.rc == MQTTErrorCode.MQTT_ERR_SUCCESS
        try:
            info.wait_for_publish(timeout)
        except (RuntimeError, ValueError):
            return False
        return info.is_published()

    def publish_offline(self, timeout: float = 3.0) -> bool:
        """Say `offline` (a clean stop) and wait for the broker to acknowledge it."""
        info = self.say_offline()
        if info is None:
            return False
        try:
            info.wait_for_publish(timeout)
        except (RuntimeError, ValueError):
            return False
        return info.is_published()

    def say_offline(self) -> mqtt.MQTTMessageInfo | None:
        """Publish `offline` without waiting (an event loop awaits `is_published()`); None when
        not connected."""
        if not self.connected:
            return None
        payload = encode(status_payload(Presence.OFFLINE, self.session, self.clock()))
        return self.client.publish(self.topics.status, payload, qos=1, retain=True)

    # -- paho's callbacks (on the driver's thread) ----------------------------------------------

    def _before_connect(self, client: mqtt.Client, _userdata: Any) -> None:
        self.prepare_connect()

    def prepare_connect(self) -> None:
        """Before every connection attempt: the next session and its will."""
        self.session = self.memory.next_session()
        will = encode(status_payload(Presence.LOST, self.session, self.clock()))
        self.client.will_set(self.topics.status, will, qos=1, retain=True)

    def _on_connect(
        self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _properties: Any
    ) -> None:
        if reason.is_failure:
            self.note_failure(f"the broker refused the connection: {reason}")
            return
        if self.last_failure:
            log.info("fleet channel connected again (session %d)", self.session)
        else:
            log.info("fleet channel connected (session %d)", self.session)
        self.last_failure = ""
        client.subscribe(self.topics.commands, qos=1)
        online = encode(status_payload(Presence.ONLINE, self.session, self.clock()))
        client.publish(self.topics.status, online, qos=1, retain=True)
        with self._reported_lock:
            reported = self._reported
        if reported is not None:
            client.publish(self.topics.reported, reported, qos=1, retain=True)
        self._connected.set()
        self._flush_events()

    def _on_disconnect(
        self, _client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _properties: Any
    ) -> None:
        was = self.connected
        self._connected.clear()
        if was:
            log.warning("fleet channel lost its broker: %s", reason)

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        req = message.topic.rsplit("/", 1)[-1]
        try:
            self._on_command(req, bytes(message.payload))
        except Exception:
            log.exception("fleet command %s could not be handed over", req)

    def _on_publish(self, _client: mqtt.Client, _userdata: Any, mid: int, _reason: Any, _props: Any) -> None:
        with self._acks_lock:
            event_id = self._in_flight.pop(mid, None)
            if event_id is None:
                self._early_acks.append(mid)
                return
            self._in_flight_ids.discard(event_id)
        self._delivered(event_id)

    def _delivered(self, event_id: int) -> None:
        self.memory.event_delivered(event_id)
        if self.connected:
            self._flush_events()

    def note_failure(self, reason: str) -> None:
        """A connection attempt failed: said once per new reason, not on every retry."""
        if reason != self.last_failure:
            log.warning("fleet channel: %s; trying again with growing pauses", reason)
        self.last_failure = reason

    # -- the outbox ------------------------------------------------------------------------------

    def _flush_events(self) -> None:
        """Send undelivered events not already with paho, oldest first."""
        if not self._flush_lock.acquire(blocking=False):
            return  # another thread is sending them; it sends what was just added too
        try:
            dropped = self.memory.take_dropped()
            if dropped:
                self.memory.add_event(
                    encode(event_payload(EventType.EVENTS_DROPPED, self.clock(), count=dropped))
                )
            for event_id, payload in self.memory.pending_events(EVENTS_PER_FLUSH):
                with self._acks_lock:
                    if event_id in self._in_flight_ids:
                        continue
                if not self.connected:
                    return
                info = self.client.publish(self.topics.event, payload, qos=1)
                if info.rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
                    return
                with self._acks_lock:
                    if info.mid in self._early_acks:
                        self._early_acks.remove(info.mid)
                        acked = True
                    else:
                        self._in_flight[info.mid] = event_id
                        self._in_flight_ids.add(event_id)
                        acked = False
                if acked:
                    self.memory.event_delivered(event_id)
        finally:
            self._flush_lock.release()

    def connection_lost(self) -> None:
        """The driver saw the connection end: paho resends what it holds in flight on the next one."""
        self._connected.clear()


class ThreadDriver:
    """Pumps a link on its own daemon thread: connect, serve, and after a failure wait a jittered,
    growing pause and connect again, forever, until stopped."""

    def __init__(self, link: FleetLink, backoff: Backoff | None = None) -> None:
        self.link = link
        self.backoff = backoff or Backoff()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the link's thread (it returns at once; the connection follows)."""
        self._thread = threading.Thread(target=self._run, name="fleet-link", daemon=True)
        self._thread.start()

    def stop(self, clean: bool = True, timeout: float = 5.0) -> None:
        """Stop: when `clean`, say `offline` first (acknowledged), then DISCONNECT."""
        if clean:
            self.link.publish_offline(timeout=min(timeout, 3.0))
        self._stop.set()
        self.link.client.disconnect()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        host, port, _tls = self.link.settings.broker_address
        client = self.link.client
        while not self._stop.is_set():
            try:
                client.connect(host, port, keepalive=self.link.settings.keepalive)
            except (OSError, ValueError) as error:
                self.link.note_failure(f"cannot reach {host}:{port}: {error}")
            else:
                self._serve()
            self.link.connection_lost()
            if self._stop.wait(self.backoff.next_delay()):
                break

    def _serve(self) -> None:
        client = self.link.client
        while not self._stop.is_set():
            status = client.loop(timeout=1.0)
            if self.link.connected:
                self.backoff.reset()
            if status != MQTTErrorCode.MQTT_ERR_SUCCESS:
                return
