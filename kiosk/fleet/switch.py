"""Which fleet channel a running kiosk has, across its settings: none, or the one they name.

Kept apart from the channel itself (`kiosk.fleet.channel`): a kiosk without `fleet.broker` starts
without loading the MQTT client at all; pushed settings that name a broker load it then.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from kiosk.events import SettingsChanged
from kiosk.settings.schema import FleetSection

if TYPE_CHECKING:
    from kiosk.appliance import Kiosk
    from kiosk.fleet.channel import FleetChannel

log = logging.getLogger(__name__)


def _connection(fleet: FleetSection) -> tuple[object, ...]:
    """What the link's connection is made of: a pushed change of any of it moves the channel."""
    return (
        fleet.broker,
        fleet.username,
        fleet.password,
        fleet.password_file,
        fleet.keepalive,
        fleet.ca_bundle,
    )


class FleetSwitch:
    """The kiosk's channel across its settings: started with the kiosk, moved when pushed settings
    name another broker (or start or end it), stopped with the kiosk. It keeps `kiosk.fleet`."""

    def __init__(self, kiosk: Kiosk) -> None:
        self._kiosk = kiosk
        self._lock = threading.Lock()
        self._closed = False
        self._in_force = _connection(kiosk.settings.fleet)
        self._unsubscribe: Callable[[], None] | None = None

    def start(self) -> None:
        with self._lock:
            if self._kiosk.settings.fleet.broker:
                self._kiosk.fleet = _start_channel(self._kiosk)
        self._unsubscribe = self._kiosk.bus.subscribe(SettingsChanged, self._settings_changed)

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        with self._lock:
            self._closed = True
            if self._kiosk.fleet is not None:
                self._kiosk.fleet.stop()
                self._kiosk.fleet = None

    def _settings_changed(self, event: SettingsChanged) -> None:
        if _connection(event.settings.fleet) != self._in_force:
            # Stopping waits for the broker's acknowledgement: never on the thread that applied them.
            threading.Thread(target=self._move, name="fleet-move", daemon=True).start()

    def _move(self) -> None:
        with self._lock:
            settings = self._kiosk.settings.fleet
            if self._closed or _connection(settings) == self._in_force:
                return
            self._in_force = _connection(settings)
            if self._kiosk.fleet is not None:
                self._kiosk.fleet.stop()
                self._kiosk.fleet = None
            log.info("fleet channel settings changed: %s", settings.broker or "no live channel now")
            if settings.broker:
                self._kiosk.fleet = _start_channel(self._kiosk)


def _start_channel(kiosk: Kiosk) -> FleetChannel | None:
    from kiosk.fleet.channel import start_channel  # the MQTT client loads with the first channel

    return start_channel(kiosk)
