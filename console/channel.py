"""The console's end of the live fleet channel: one MQTT client per console process.

It reads every kiosk's messages and writes them to the database in batches (console.ingest), and
publishes the commands the console signs (console.commands). paho-mqtt 2 runs the network on its
own thread (loop_start) and reconnects by itself, forever, with a growing pause; a second thread,
the writer, drains the queue the network thread fills and commits about every FLUSH_SECONDS, so a
message costs a share of one transaction, never one of its own.

Several console processes (docs/fleet.md, "How the console scales"): each logs in with its own
account (`console`, `console-NAME`) and reads every message; each writes what it reads, idempotently
(console.ingest: the session rule for status, unchanged values are not rewritten, an event is one
row by its unique key, a command is answered once). No MQTT shared subscription: mosquitto 2 lets
any account join a `$share/` group and then drops, by its ACL, each message it hands to a member
that may not read it, so one kiosk joining the console's group would make the console miss a share
of every kiosk's events (tests/console/test_channel.py shows it).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError

from console.db import Database
from console.ingest import Malformed, Message, apply_batch, parse
from console.settings import ConsoleSettings
from kiosk.fleet.forms import TOPIC_ROOT, broker_address

log = logging.getLogger(__name__)

#: What a console process reads, with the QoS the kiosks publish it with.
TOPICS = (
    (f"{TOPIC_ROOT}/+/status", 1),
    (f"{TOPIC_ROOT}/+/reported", 1),
    (f"{TOPIC_ROOT}/+/telemetry", 0),
    (f"{TOPIC_ROOT}/+/event", 1),
    (f"{TOPIC_ROOT}/+/result/+", 1),
)
#: The writer commits what came in the last this many seconds.
FLUSH_SECONDS = 0.15
#: At most this many messages in one transaction.
MAX_BATCH = 5000
KEEPALIVE = 30
#: Messages' lag (arrival to commit) kept for `lag_percentile`.
LAG_SAMPLES = 20000
#: Messages received and not yet written, at most: past it the network thread waits, so the
#: console stops reading (and acknowledging) and the broker keeps the rest (docs/fleet.md).
MAX_PENDING = 50000
#: While the database cannot be reached the writer tries again, the pause growing up to this.
MAX_RETRY_PAUSE = 5.0


class ChannelDown(RuntimeError):
    """The broker is not connected, or did not acknowledge: the message says which."""


def subscriptions() -> list[tuple[str, int]]:
    """What a console process subscribes to: (topic filter, QoS)."""
    return list(TOPICS)


def read_password(path: Path | None) -> str | None:
    """The broker password: the first line of `path` (None: no password)."""
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ChannelDown(
            f"broker_password_file: {path} cannot be read: {error.strerror or error}"
        ) from error
    return text.splitlines()[0] if text else None


class ConsoleChannel:
    """One console process's link to the fleet's broker (settings.broker)."""

    def __init__(
        self,
        settings: ConsoleSettings,
        db: Database,
        *,
        clock: Callable[[], float] = time.time,
        flush_seconds: float = FLUSH_SECONDS,
        max_pending: int = MAX_PENDING,
    ) -> None:
        self.settings = settings
        self.db = db
        self.clock = clock
        self.flush_seconds = flush_seconds
        self._connected = False
        #: Why the channel is not (fully) working, in words; "" when it is.
        self.last_error = ""
        host, port, tls = broker_address(settings.broker)
        if not host:
            raise ChannelDown(f"broker: {settings.broker!r} names no host (mqtt://host:port or mqtts://)")
        self._address = (host, port)
        self._queue: queue.Queue[tuple[str, bytes, float, bool]] = queue.Queue(maxsize=max_pending)
        self._stopping = threading.Event()
        self._closing = threading.Event()
        self._writer = threading.Thread(target=self._write_loop, name="console-ingest", daemon=True)
        self._lags: deque[float] = deque(maxlen=LAG_SAMPLES)
        self._lock = threading.Lock()
        #: Messages written, malformed ones skipped, ones the database refused and skipped, and
        #: ones received while stopping with the queue full and so not written (log, benchmark).
        self.written = 0
        self.malformed = 0
        self.refused = 0
        self.dropped = 0
        #: Why the database cannot be written to now; "" when it can.
        self.database_error = ""
        username = settings.broker_username
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=username,
            clean_session=False,
            protocol=mqtt.MQTTv311,
        )
        self.client.username_pw_set(username, read_password(settings.broker_password_file))
        if tls:
            self.client.tls_set(
                ca_certs=str(settings.broker_ca_bundle) if settings.broker_ca_bundle else None
            )
        self.client.reconnect_delay_set(min_delay=1, max_delay=60)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_connect_fail = self._on_connect_fail
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message

    @property
    def connected(self) -> bool:
        """Connected to the broker, and the writer alive: what is received is written."""
        return self._connected and self._writer.is_alive()

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> None:
        """Connect in the background (retried until it works) and start the writer."""
        self._writer.start()
        self.client.connect_async(*self._address, keepalive=KEEPALIVE)
        self.client.loop_start()

    def stop(self) -> None:
        """Disconnect, then write what is still queued."""
        self._closing.set()
        self.client.disconnect()
        self.client.loop_stop()
        self._connected = False
        self._stopping.set()
        if self._writer.is_alive():
            self._writer.join(timeout=30)
        if self._writer.is_alive():
            log.error(
                "the console stops with messages not written: %s", self.database_error or "the writer is busy"
            )

    # -- the network thread ------------------------------------------------------------------------

    def _on_connect(
        self, client: mqtt.Client, _userdata: Any, _flags: Any, code: ReasonCode, _props: Any
    ) -> None:
        if code.is_failure:
            self._connected = False
            self.last_error = (
                f"the broker refused the console's account {self.settings.broker_username!r}: {code}"
            )
            log.warning("%s", self.last_error)
            return
        self._connected = True
        self.last_error = self.database_error
        log.info("connected to the fleet's broker %s:%d", *self._address)
        client.subscribe(subscriptions())

    def _on_connect_fail(self, _client: mqtt.Client, _userdata: Any) -> None:
        self._connected = False
        error = (
            f"the fleet's broker {self.settings.broker} cannot be reached "
            "(refused, not answering, or its TLS certificate is not trusted); trying again"
        )
        if error != self.last_error:
            log.warning("%s", error)
        self.last_error = error

    def _on_disconnect(
        self, _client: mqtt.Client, _userdata: Any, _flags: Any, code: ReasonCode, _props: Any
    ) -> None:
        self._connected = False
        if not self._stopping.is_set() and code.is_failure:
            self.last_error = f"the connection to the broker dropped ({code}); reconnecting"
            log.warning("%s", self.last_error)

    def _on_subscribe(
        self, _client: mqtt.Client, _userdata: Any, _mid: int, codes: list[ReasonCode], _props: Any
    ) -> None:
        refused = [
            topic for (topic, _qos), code in zip(subscriptions(), codes, strict=False) if code.is_failure
        ]
        if refused:
            self.last_error = "the broker refused the console's subscription to " + ", ".join(refused)
            log.warning("%s", self.last_error)

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        item = (message.topic, bytes(message.payload), self.clock(), bool(message.retain))
        # A full queue (the database is behind or down): wait, so that paho reads no more and
        # acknowledges nothing more; the broker keeps what the console has not taken.
        while not self._closing.is_set():
            try:
                self._queue.put(item, timeout=0.5)
                return
            except queue.Full:
                continue
        self.dropped += 1

    # -- commands ----------------------------------------------------------------------------------

    def publish(self, topic: str, payload: bytes, timeout: float = 5.0) -> None:
        """Publish with QoS 1 and wait for the broker's PUBACK; raises ChannelDown when it cannot."""
        if not self.connected:
            raise ChannelDown(
                "the console is not connected to the fleet's broker"
                + (f": {self.last_error}" if self.last_error else "")
            )
        info = self.client.publish(topic, payload, qos=1)
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            raise ChannelDown(f"the broker did not take the message ({mqtt.error_string(info.rc)})")
        try:
            info.wait_for_publish(timeout)
        except (RuntimeError, ValueError) as error:
            raise ChannelDown(f"the broker did not take the message ({error})") from error
        if not info.is_published():
            raise ChannelDown(f"the broker did not acknowledge the message within {timeout:g} s")

    # -- the writer --------------------------------------------------------------------------------

    def lag_percentile(self, fraction: float) -> float | None:
        """The lag (arrival to commit, seconds) below which `fraction` of recent messages were."""
        with self._lock:
            lags = sorted(self._lags)
        if not lags:
            return None
        return lags[min(len(lags) - 1, int(fraction * len(lags)))]

    def reset_lags(self) -> None:
        """Forget the lags measured so far (the benchmark measures its phases apart)."""
        with self._lock:
            self._lags.clear()

    def pending(self) -> int:
        """Messages received and not yet written."""
        return self._queue.qsize()

    def _write_loop(self) -> None:
        try:
            self._drain()
        except BaseException as error:
            self.last_error = f"the console's writer stopped ({type(error).__name__}); restart the console"
            log.exception("%s", self.last_error)
            raise

    def _drain(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=0.2)
            except queue.Empty:
                if self._stopping.is_set():
                    return
                continue
            batch = [first]
            deadline = time.monotonic() + self.flush_seconds
            while len(batch) < MAX_BATCH:
                left = deadline - time.monotonic()
                try:
                    batch.append(self._queue.get(timeout=left) if left > 0 else self._queue.get_nowait())
                except queue.Empty:
                    if left <= 0:
                        break
            try:
                self._write(batch)
            except Exception as error:
                self.refused += len(batch)
                log.error("skipped %d messages the console could not read: %s", len(batch), _why(error))

    def _write(self, raw: list[tuple[str, bytes, float, bool]]) -> None:
        messages: list[Message] = []
        for topic, payload, arrival, retain in raw:
            try:
                messages.append(parse(topic, payload, arrival, retain))
            except Malformed as error:
                self.malformed += 1
                log.warning("skipped a malformed message on %s: %s", _kiosk_of(topic), error)
        if not messages:
            return
        try:
            self._commit(messages)
        except Exception as error:
            # One by one, so that one message the database refuses does not stop the others.
            log.warning(
                "the batch of %d messages failed (%s); writing them one at a time", len(messages), _why(error)
            )
            for message in messages:
                try:
                    self._commit([message])
                except Exception as error:
                    self.refused += 1
                    log.warning(
                        "skipped a message from kiosk %s the database refused: %s",
                        message.kiosk_id,
                        _why(error),
                    )

    def _commit(self, messages: list[Message]) -> None:
        """Write `messages` in one transaction. While the database cannot be reached (or is locked,
        or two processes deadlock) try again, the pause growing, for as long as it takes: nothing
        received is dropped. Raises what the database says about the messages themselves."""
        pause = 0.05
        while True:
            try:
                with self.db.session() as session:
                    outcome = apply_batch(session, messages, self.clock())
                break
            except (OperationalError, InterfaceError) as error:
                self._unavailable(error, len(messages))
            except DBAPIError as error:
                if not error.connection_invalidated:
                    raise
                self._unavailable(error, len(messages))
            time.sleep(pause)
            pause = min(pause * 2, MAX_RETRY_PAUSE)
        if self.database_error:
            log.info("the database can be written to again")
            if self.last_error == self.database_error:
                self.last_error = ""
            self.database_error = ""
        done = self.clock()
        with self._lock:
            self._lags.extend(done - message.arrival for message in messages)
        self.written += len(messages)
        self.malformed += outcome.malformed

    def _unavailable(self, error: SQLAlchemyError, waiting: int) -> None:
        reason = (
            f"the database cannot be written to ({_why(error)}); "
            f"{waiting + self.pending()} messages wait, trying again"
        )
        if not self.database_error:
            log.warning("%s", reason)
        self.database_error = reason
        self.last_error = reason


def _why(error: BaseException) -> str:
    """The database's reason, its first line only: the statement and its parameters (what kiosks
    sent) stay out of the log."""
    if not isinstance(error, SQLAlchemyError):
        return type(error).__name__
    reason = str(getattr(error, "orig", None) or type(error).__name__)
    return f"{type(error).__name__}: {reason.splitlines()[0] if reason else ''}"


def _kiosk_of(topic: str) -> str:
    parts = topic.split("/")
    return parts[2] if len(parts) > 2 else "?"
