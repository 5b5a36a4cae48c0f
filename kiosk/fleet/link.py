"""One kiosk's MQTT connection to the fleet's broker: presence, what it publishes, commands in.

`FleetLink` is the protocol (paho-mqtt 2.x, VERSION2 callbacks, MQTT 3.1.1); a driver pumps its
network: `ThreadDriver` on paho's own network thread (the only one that writes to the socket:
publishing from another thread only queues), the fleet simulator's asyncio driver for thousands of
simulated kiosks in one process. Both reconnect forever with `Backoff`.

Presence follows the contract: every connection has a session number one higher than the last
(kept in the store), the will says `lost` with that number, and `online` follows the CONNACK with
it; a late will of an older connection therefore never hides a kiosk that came back. A clean stop
publishes `offline` itself, since a clean DISCONNECT discards the will. The will is written when the
connection opens, so the `at` of a `lost` is when that connection began, not when it was lost: the
time the broker published it is when the kiosk was found gone.

paho re-sends what the broker had not acknowledged when a connection dropped, after whatever is
published on the new connection's CONNACK; a stale retained `status` or `reported` could so end up
as the broker's last word. The link tracks them and says the current ones again once the stale
ones are acknowledged.
"""

from __future__ import annotations

import functools
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
        #: What was published of it on the current connection.
        self._reported_sent: bytes | None = None
        self._reported_lock = threading.Lock()
        #: Messages handed to paho whose acknowledgement matters: mid -> what to do when it comes.
        self._awaiting: dict[int, Callable[[], None]] = {}
        #: Acknowledgements that came before their mid was recorded (the other thread was quicker).
        self._early_acks: deque[int] = deque(maxlen=1024)
        self._acks_lock = threading.Lock()
        #: Events with paho now (sent or queued), by event id: not handed over twice.
        self._in_flight_ids: set[int] = set()
        #: Retained status/reported messages not yet acknowledged, and those of them paho re-sends
        #: on the current connection (after the new ones).
        self._retained_unacked: set[int] = set()
        self._stale: set[int] = set()
        self._flush_lock = threading.Lock()
        self._flush_wanted = False
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
        # A callback that fails is logged and the network loop goes on (each also guards itself).
        client.suppress_exceptions = True
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
            # Published holding the lock: two changes reach paho in the order they were made.
            if self.connected:
                self._reported_sent = payload
                self._publish_retained(self.topics.reported, payload)

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
        return _acknowledged(info, timeout)

    def publish_offline(self, timeout: float = 3.0) -> bool:
        """Say `offline` (a clean stop) and wait for the broker to acknowledge it."""
        info = self.say_offline()
        return info is not None and _acknowledged(info, timeout)

    def say_offline(self) -> mqtt.MQTTMessageInfo | None:
        """Publish `offline` without waiting (an event loop awaits `is_published()`); None when
        not connected."""
        if not self.connected:
            return None
        payload = encode(status_payload(Presence.OFFLINE, self.session, self.clock()))
        return self._publish_retained(self.topics.status, payload)

    def _publish_retained(self, topic: str, payload: bytes) -> mqtt.MQTTMessageInfo:
        info = self.client.publish(topic, payload, qos=1, retain=True)
        if info.rc in _HELD:
            mid = info.mid
            with self._acks_lock:
                self._retained_unacked.add(mid)
            self._when_acked(mid, lambda: self._retained_acked(mid))
        return info

    # -- paho's callbacks (on the driver's thread); each guards itself: the loop must go on --------

    def _before_connect(self, _client: mqtt.Client, _userdata: Any) -> None:
        self.prepare_connect()

    def prepare_connect(self) -> None:
        """Before every connection attempt: the next session and its will (paho has just put back
        what the last connection left unacknowledged: those retained messages are now stale)."""
        with self._acks_lock:
            self._stale = set(self._retained_unacked)
        with self._reported_lock:
            self._reported_sent = None
        self.session = self.memory.next_session()
        will = encode(status_payload(Presence.LOST, self.session, self.clock()))
        self.client.will_set(self.topics.status, will, qos=1, retain=True)

    def _on_connect(
        self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _properties: Any
    ) -> None:
        try:
            if reason.is_failure:
                self.note_failure(f"the broker refused the connection: {reason}")
                return
            if self.last_failure:
                log.info("fleet channel connected again (session %d)", self.session)
            else:
                log.info("fleet channel connected (session %d)", self.session)
            self.last_failure = ""
            self._note_link("connected", f"session {self.session}")
            client.subscribe(self.topics.commands, qos=1)
            # Connected (under the state's lock) before the state is read: a change being made now
            # either sees the flag and publishes itself, or is done before _announce reads it.
            with self._reported_lock:
                self._connected.set()
            self._announce()
            self._flush_events()
        except Exception:
            log.exception("fleet channel: the connection's start failed")

    def _announce(self, again: bool = False) -> None:
        """Say `online` with this session, and the current reported state (`again`: even when it
        was already sent on this connection)."""
        self._publish_retained(
            self.topics.status, encode(status_payload(Presence.ONLINE, self.session, self.clock()))
        )
        # Never wait for the lock on paho's thread: its holder may wait for paho. It is
        # publishing the newest state now, which is all this would publish.
        if not self._reported_lock.acquire(blocking=False):
            return
        try:
            if self._reported is not None and (again or self._reported != self._reported_sent):
                self._reported_sent = self._reported
                self._publish_retained(self.topics.reported, self._reported)
        finally:
            self._reported_lock.release()

    def _on_disconnect(
        self, _client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _properties: Any
    ) -> None:
        was = self.connected
        self._connected.clear()
        if was:
            log.warning("fleet channel lost its broker: %s", reason)
            self._note_link("disconnected", str(reason))

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        req = message.topic.rsplit("/", 1)[-1]
        try:
            self._on_command(req, bytes(message.payload))
        except Exception:
            log.exception("fleet command %s could not be handed over", req)

    def _on_publish(self, _client: mqtt.Client, _userdata: Any, mid: int, _reason: Any, _props: Any) -> None:
        with self._acks_lock:
            then = self._awaiting.pop(mid, None)
            if then is None:
                self._early_acks.append(mid)
                return
        try:
            then()
        except Exception:
            log.exception("fleet channel: handling the broker's acknowledgement failed")

    def _when_acked(self, mid: int, then: Callable[[], None]) -> None:
        """Call `then` when the broker acknowledges `mid` (at once if it already has)."""
        with self._acks_lock:
            if mid in self._early_acks:
                self._early_acks.remove(mid)
            else:
                self._awaiting[mid] = then
                return
        then()

    def _retained_acked(self, mid: int) -> None:
        with self._acks_lock:
            self._retained_unacked.discard(mid)
            was_stale = mid in self._stale
            self._stale.discard(mid)
            say_again = was_stale and not self._stale
        if say_again and self.connected:
            self._announce(again=True)  # the stale ones are in: the current ones go after them

    def note_failure(self, reason: str) -> None:
        """A connection attempt failed: said once per new reason, not on every retry."""
        if reason != self.last_failure:
            log.warning("fleet channel: %s; trying again with growing pauses", reason)
            self._note_link("failing", reason)
        self.last_failure = reason

    def _note_link(self, state: str, detail: str) -> None:
        try:
            self.memory.note_link(state, detail, self.clock())
        except Exception:
            log.exception("fleet channel: its state could not be noted")

    # -- the outbox ------------------------------------------------------------------------------

    def _flush_events(self) -> None:
        """Send undelivered events not already with paho, oldest first. A call while another
        thread sends makes that thread look again before it stops."""
        self._flush_wanted = True
        while self._flush_wanted:
            if not self._flush_lock.acquire(blocking=False):
                return  # the sending thread sees _flush_wanted and looks again
            try:
                self._flush_wanted = False
                self._send_pending()
            except Exception:
                log.exception("fleet channel: sending the kept events failed; they stay kept")
                return
            finally:
                self._flush_lock.release()

    def _send_pending(self) -> None:
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
            if info.rc not in _HELD:
                return  # paho's queue is full: the rest wait for acknowledgements
            with self._acks_lock:
                self._in_flight_ids.add(event_id)
            self._when_acked(info.mid, functools.partial(self._event_acked, event_id))

    def _event_acked(self, event_id: int) -> None:
        self.memory.event_delivered(event_id)
        with self._acks_lock:
            self._in_flight_ids.discard(event_id)
        if self.connected:
            self._flush_events()

    def connection_lost(self) -> None:
        """The driver saw the connection end: paho resends what it holds in flight on the next one."""
        self._connected.clear()


#: What paho says of a QoS 1 message it holds: sent, or kept for the next connection.
_HELD = (MQTTErrorCode.MQTT_ERR_SUCCESS, MQTTErrorCode.MQTT_ERR_NO_CONN)


def _acknowledged(info: mqtt.MQTTMessageInfo, timeout: float) -> bool:
    try:
        info.wait_for_publish(timeout)
    except (RuntimeError, ValueError):
        return False
    return info.is_published()


class ThreadDriver:
    """Runs a link on paho's network thread (`loop_start`): connect, serve, and after a failure
    wait a jittered, growing pause and connect again, forever, until stopped. paho's thread is the
    only one that writes to the socket."""

    def __init__(self, link: FleetLink, backoff: Backoff | None = None) -> None:
        self.link = link
        self.backoff = backoff or Backoff()
        self._stopping = False
        client = link.client
        client.on_pre_connect = self._before_connect
        client.on_connect_fail = self._connect_failed
        self._on_connect = link._on_connect
        client.on_connect = self._connected

    def start(self) -> None:
        """Start the network thread (it returns at once; the connection follows)."""
        host, port, _tls = self.link.settings.broker_address
        self.link.client.connect_async(host, port, keepalive=self.link.settings.keepalive)
        self.link.client.loop_start()

    def stop(self, clean: bool = True, timeout: float = 5.0) -> None:
        """Stop: when `clean`, say `offline` first (acknowledged), then DISCONNECT."""
        self._stopping = True
        if clean:
            self.link.publish_offline(timeout=min(timeout, 3.0))
        client = self.link.client
        client.disconnect()
        client.loop_stop()
        if client.socket() is not None:
            # A connection that opened while stopping (its connect was under way): paho's thread
            # is gone, so this thread says DISCONNECT on it (and paho closes it).
            client.disconnect()
        self.link.connection_lost()

    def _before_connect(self, _client: mqtt.Client, _userdata: Any) -> None:
        try:
            self.link.prepare_connect()
        except Exception:
            log.exception("fleet channel: preparing the connection failed")
        # The pause before the attempt after this one, should this one fail: jittered, growing.
        pause = max(1, round(self.backoff.next_delay()))
        self.link.client.reconnect_delay_set(pause, pause)

    def _connected(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        if self._stopping:
            client.disconnect()  # it opened while stopping: nothing is announced on it
            return
        if not reason.is_failure:
            # The pause given before this attempt grew with the outage: the next drop starts again
            # from the shortest.
            self.backoff.reset()
            pause = max(1, round(self.backoff.next_delay()))
            client.reconnect_delay_set(pause, pause)
        self._on_connect(client, userdata, flags, reason, props)

    def _connect_failed(self, _client: mqtt.Client, _userdata: Any) -> None:
        host, port, _tls = self.link.settings.broker_address
        self.link.note_failure(f"cannot reach the broker at {host}:{port}")
