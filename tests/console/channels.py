"""A channel for the console's command tests that keeps what is published in memory, with the
publish() of console.channel.ConsoleChannel (and its ChannelDown when `down`)."""

from __future__ import annotations

from console.channel import ChannelDown


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
