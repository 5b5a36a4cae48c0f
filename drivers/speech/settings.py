"""The speakers' settings: `[devices.speaker]` with `driver = "espeak"` (and its simulator)."""

from __future__ import annotations

from pydantic import Field

from kiosk.driver_api import SpeakerSection


class VoiceSettings(SpeakerSection):
    """How loud the voice is, and what plays it."""

    #: 0-100 (espeak-ng's amplitude 0-200).
    volume: int = Field(ge=0, le=100)
    #: A command that plays WAV from its stdin (e.g. aplay on one ALSA device); empty: the default output.
    player: list[str]
