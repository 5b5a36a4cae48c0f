"""Channels for the console's command tests: one that keeps what is published in memory, and a
minimal paho publisher on a real broker, both with the publish() of console.channel.ConsoleChannel."""

from __future__ import annotations

import time

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion


class ChannelDown(Exception):
    """The broker is not connected or did not acknowledge (as console.channel.ChannelDown)."""


class RecordingChannel:
    """Keeps every (topic, payload) published; `down` makes publish fail as a broker away does."""

    def __init__(self) -> None:
        self.published: list[tuple[str, bytes]] = []
        self.down = False
        self.last_error = ""

    @property
    def connected(self) -> bool:
        return not self.down

    def publish(self, topic: str, payload: bytes, timeout: float = 5.0) -> None:
        if self.down:
            raise ChannelDown("the broker is not connected (connection refused)")
        self.published.append((topic, payload))


class PahoChannel:
    """QoS 1 publishing on a real broker, waiting for the PUBACK."""

    def __init__(self, port: int) -> None:
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=f"console-test-{time.monotonic_ns()}"
        )
        self.client.connect("127.0.0.1", port, keepalive=30)
        self.client.loop_start()

    def publish(self, topic: str, payload: bytes, timeout: float = 5.0) -> None:
        info = self.client.publish(topic, payload, qos=1)
        try:
            info.wait_for_publish(timeout)
        except (RuntimeError, ValueError) as error:
            raise ChannelDown(f"the broker did not take the message: {error}") from error
        if not info.is_published():
            raise ChannelDown(f"the broker did not acknowledge within {timeout:.0f} s")

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()
