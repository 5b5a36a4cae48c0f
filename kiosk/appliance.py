"""The composition of the core: settings, storage, devices and services, built once per process."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from kiosk.bus import EventBus
from kiosk.devices import Devices, build_devices
from kiosk.guides import Catalogue, load_demo_if_empty
from kiosk.identity import IdentityService
from kiosk.journey import Background, Journey, run_in_thread
from kiosk.paths import catalogue_path, data_dir
from kiosk.printing import PrintService
from kiosk.session import ResidentSession
from kiosk.settings import LoadedSettings, Settings, load_settings

log = logging.getLogger(__name__)


@dataclass
class Kiosk:
    """Everything the UI and the CLI talk to. The UI gets this object and nothing else."""

    settings: Settings
    data_dir: Path
    bus: EventBus
    session: ResidentSession
    catalogue: Catalogue
    devices: Devices
    printing: PrintService
    journey: Journey
    identity: IdentityService

    def start(self) -> None:
        """Start the background work: watching the card readers for residents' cards."""
        self.identity.start()

    def close(self) -> None:
        """End any session and release storage and devices."""
        self.identity.stop()
        self.session.end("shutdown")
        for device in (self.devices.id_reader, self.devices.sscard_reader, self.devices.scanner):
            device.close()
        self.devices.speaker.stop()
        self.catalogue.close()


def build_kiosk(
    loaded: LoadedSettings | None = None,
    environ: Mapping[str, str] | None = None,
    background: Background = run_in_thread,
    clock: Callable[[], float] | None = None,
) -> Kiosk:
    """Build the kiosk from its settings: open the catalogue (demo guides on first start), the devices."""
    settings = (loaded or load_settings()).settings
    data = data_dir(settings, environ)
    bus = EventBus()
    session_clock = {} if clock is None else {"clock": clock}
    session = ResidentSession(
        bus, settings.session.idle_seconds, settings.session.warning_seconds, **session_clock
    )
    catalogue = Catalogue(catalogue_path(data))
    if settings.guides.load_demo:
        load_demo_if_empty(catalogue)
    devices = build_devices(settings, data)
    printing = PrintService(devices.printer, bus, settings.devices.printer.job_timeout)
    journey = Journey(settings, bus, session, catalogue, printing, background=background)
    identity = IdentityService(devices.id_reader, devices.sscard_reader, session, bus)
    log.info("kiosk %s ready: %d guides, data in %s", settings.kiosk.id, catalogue.count(), data)
    return Kiosk(settings, data, bus, session, catalogue, devices, printing, journey, identity)
