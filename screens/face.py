"""The face of the kiosk that screens see: the journey and the few services the app needs.

Screens and KV rules reach the core only through this (`face()` in Python, `app.face` in KV), never
through the whole `Kiosk` with its storage, devices and sync: what the screens may touch is the
list below, and mypy checks every use of it.
"""

from __future__ import annotations

from typing import cast

from kivy.app import App

from kiosk.appliance import Kiosk
from kiosk.bus import EventBus
from kiosk.desk.desk import ServiceDesk
from kiosk.fleet.orders import ScreenCapture
from kiosk.journey import Journey
from kiosk.narration import Narrator
from kiosk.session import ResidentSession
from kiosk.settings import Settings
from kiosk.sync.state import SyncStatus
from kiosk.technician.console import TechnicianConsole


class KioskFace:
    """What screens use of the kiosk: every touch goes to the journey; the rest serves the app."""

    def __init__(self, kiosk: Kiosk) -> None:
        self._kiosk = kiosk
        #: Where the resident is and what each touch does (the flow, tested without Kivy).
        self.journey: Journey = kiosk.journey
        #: The visit's idle clock: touches keep it going, the idle warning counts it down.
        self.session: ResidentSession = kiosk.session
        #: Technician mode: its PIN pad and screen drive it.
        self.technician: TechnicianConsole = kiosk.technician
        #: Voice guidance ("repeat" says the screen again).
        self.narrator: Narrator = kiosk.narrator
        #: The events the app follows (kiosk.events).
        self.bus: EventBus = kiosk.bus
        #: The online services: every touch on their screens goes to it.
        self.desk: ServiceDesk = kiosk.desk

    @property
    def settings(self) -> Settings:
        """The settings in force now (pushed configuration replaces them between sessions)."""
        return self._kiosk.settings

    def sync_status(self) -> SyncStatus:
        """The versions in force and how the last syncs went (the guides' freshness line)."""
        return self._kiosk.sync_status()

    def register_screen_capture(self, capture: ScreenCapture | None) -> None:
        """The app's picture of its window for the fleet's `screenshot` (None: the UI has stopped)."""
        self._kiosk.screen_capture = capture


def face() -> KioskFace:
    """The face of the kiosk the running app shows."""
    return cast("KioskFace", App.get_running_app().face)
