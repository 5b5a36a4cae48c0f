"""The administrators' end of the channel, for tests: a real paho client that keeps every message."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion


class Console:
    """Subscribes to `kiosk/v1/#` on a broker, keeps every (topic, payload, retained), writes commands."""

    def __init__(self, port: int, username: str | None = None, password: str | None = None) -> None:
        self.messages: list[tuple[str, bytes, bool]] = []
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"console-{time.monotonic_ns()}")
        if username:
            self.client.username_pw_set(username, password)
        self.client.on_message = self._message
        self.client.on_subscribe = lambda *_args: self._subscribed.set()
        self.client.on_connect = lambda client, *_args: client.subscribe("kiosk/v1/#", qos=1)
        self.client.connect("127.0.0.1", port, keepalive=30)
        self.client.loop_start()
        assert self._subscribed.wait(10), "the console did not subscribe"

    def _message(self, _client: Any, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        with self._lock:
            self.messages.append((message.topic, bytes(message.payload), bool(message.retain)))

    def payloads(self, topic: str) -> list[dict[str, Any]]:
        """Every JSON payload seen on `topic`, oldest first."""
        with self._lock:
            return [json.loads(payload) for seen, payload, _retained in self.messages if seen == topic]

    def last(self, topic: str) -> dict[str, Any] | None:
        seen = self.payloads(topic)
        return seen[-1] if seen else None

    def send(self, topic: str, payload: bytes | dict[str, Any]) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.client.publish(topic, data, qos=1).wait_for_publish(5)

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()
