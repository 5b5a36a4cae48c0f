"""A speaker that remembers what it would have said, for the demo and the tests."""

from __future__ import annotations

from collections import deque

from drivers.speech.settings import VoiceSettings
from kiosk.driver_api import DriverContext


class SimSpeaker:
    """Keeps the last utterances in memory (bounded). Implements kiosk.ports.Speaker.

    Whether to speak at all is the narrator's decision (the resident's voice switch), not the
    speaker's: like a real speaker, this one says whatever it is given.
    """

    def __init__(self, section: VoiceSettings, context: DriverContext) -> None:
        self.volume = section.volume
        self.said: deque[tuple[str, str]] = deque(maxlen=50)
        self.speaking = False

    def say(self, text: str, language: str, *, interrupt: bool = True) -> None:
        """Remember `text` as the utterance in progress."""
        self.said.append((language, text))
        self.speaking = True

    def stop(self) -> None:
        """Stop the utterance in progress."""
        self.speaking = False

    def close(self) -> None:
        """Stop talking."""
        self.stop()
