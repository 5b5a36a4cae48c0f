"""The composition of the core: settings, storage, devices and services, built once per process."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.background import Background, run_in_thread
from kiosk.bus import EventBus
from kiosk.demo import FILL_CATALOGUE, shows_demo_content
from kiosk.desk.desk import ServiceDesk, platform_or_none
from kiosk.devices import Devices, build_devices
from kiosk.events import SessionEnded, SettingsChanged, SyncCompleted
from kiosk.fleet.switch import FleetSwitch
from kiosk.guides import Catalogue, load_demo_if_empty
from kiosk.identity import IdentityService
from kiosk.journey import Journey, Screen
from kiosk.log import recent_log
from kiosk.narration import Narrator
from kiosk.outbox import RatingOutbox
from kiosk.paths import catalogue_path, data_dir, state_path
from kiosk.platform.configured import platform_from_settings
from kiosk.platform.port import PlatformNotConfigured
from kiosk.printing import PrintService
from kiosk.rating_sender import RatingSender
from kiosk.resident_codes import ResidentCodes, ResidentCodeWatch
from kiosk.session import ResidentSession
from kiosk.settings import LoadedSettings, Settings, SettingsError, load_settings
from kiosk.sync import SyncError, SyncReport, SyncState, SyncStatus
from kiosk.sync.scheduler import SyncScheduler
from kiosk.technician.audit import TechnicianRecords
from kiosk.technician.console import TechnicianConsole, TechnicianServices

if TYPE_CHECKING:
    from kiosk.doctor import Check
    from kiosk.fleet.channel import FleetChannel
    from kiosk.fleet.orders import ScreenCapture

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
    sync_state: SyncState
    identity: IdentityService
    #: Ratings of the service (好差评) waiting to go upstream.
    ratings: RatingOutbox
    #: Voice guidance: reads the screens aloud while the resident has voice on.
    narrator: Narrator
    #: The online services through the platform (kiosk.desk).
    desk: ServiceDesk
    scheduler: SyncScheduler | None = None
    #: Sends the rating outbox to the platform; None while the platform is not configured.
    rating_sender: RatingSender | None = None
    #: Technician mode (hidden gesture + PIN on the attract screen); built by build_kiosk.
    technician: TechnicianConsole = field(init=False)
    #: The live fleet channel (kiosk.fleet.channel); None while fleet.broker is empty.
    fleet: FleetChannel | None = None
    #: The UI's picture of its window, registered by the UI, for the fleet's `screenshot`.
    screen_capture: ScreenCapture | None = None
    #: Starts, moves (pushed settings) and stops `fleet`.
    _fleet_switch: FleetSwitch | None = None
    _settings_pending: bool = False
    #: One sync at a time, whether the schedule or a technician started it.
    _sync_lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        """Start the background work: voice guidance, watching the card readers, sending ratings,
        periodic sync."""
        self.narrator.start()
        self.identity.start()
        self._start_rating_sender()
        self._fleet_switch = FleetSwitch(self)
        self._fleet_switch.start()
        if not self.settings.sync.repo_url:
            log.info("sync not configured (sync.repo_url is empty): serving the local catalogue")
            return
        self.scheduler = SyncScheduler(self._sync_once, self.settings.sync, self.bus)
        self.bus.subscribe(SyncCompleted, self._on_sync_completed)
        self.bus.subscribe(SessionEnded, lambda _event: self._apply_pending_settings())
        self.scheduler.start()

    def _start_rating_sender(self) -> None:
        try:
            platform = platform_from_settings(self.settings.platform)
        except PlatformNotConfigured as why:
            # Plainly said once: no platform is a choice; a platform set up wrong is a fault.
            level = logging.WARNING if self.settings.platform.url else logging.INFO
            log.log(
                level,
                "ratings are kept and not sent (%s): %d waiting in the outbox",
                why,
                self.ratings.count_pending(),
            )
            return
        sender = RatingSender(state_path(self.data_dir), platform)
        self.rating_sender = sender
        self.bus.subscribe(SessionEnded, lambda _event: sender.nudge())
        sender.start()

    def sync_status(self) -> SyncStatus:
        """The versions in force and how the last syncs went."""
        return self.sync_state.status()

    def sync_now(self) -> SyncReport:
        """One sync at once, announced as a scheduled one is (a technician's "sync now").

        Blocking: call it off the UI thread. Raises SyncError with the reason when it failed.
        """
        if self.scheduler is None:
            raise SyncError("sync is not configured on this kiosk (sync.repo_url is empty)")
        report = self.scheduler.run_once()
        if report is None:
            raise SyncError(self.sync_status().last_error or "the sync attempt crashed; see the log")
        return report

    def apply_settings(self, settings: Settings) -> None:
        """Put new settings in force for what can change live; devices change at the next start."""
        self.settings = settings
        self.technician.apply_settings(settings)
        self.journey.apply_settings(settings)
        self.desk.apply_settings(settings)
        self.session.idle_seconds = settings.session.idle_seconds
        self.session.warning_seconds = settings.session.warning_seconds
        log.info("new settings in force (display theme %s)", settings.display.theme)
        self.bus.publish(SettingsChanged(settings))

    def _sync_once(self) -> SyncReport:
        # Its own connections: the apply transaction must never be visible to the UI's reads.
        with self._sync_lock:
            return self._sync_with_own_connections()

    def _sync_with_own_connections(self) -> SyncReport:
        catalogue = Catalogue(catalogue_path(self.data_dir))
        state = SyncState(state_path(self.data_dir))
        try:
            from kiosk.sync.client import KioskSync  # TUF loads with the first sync

            return KioskSync(self.settings, self.data_dir, catalogue, state).sync_once()
        finally:
            catalogue.close()
            state.close()

    def _on_sync_completed(self, event: SyncCompleted) -> None:
        if event.report.config_updated:
            # Never change the screens under a resident: wait for the attract screen.
            self._settings_pending = True
            if not self.session.active:
                self._apply_pending_settings()

    def _apply_pending_settings(self) -> None:
        if not self._settings_pending:
            return
        self._settings_pending = False
        try:
            self.apply_settings(load_settings().settings)
        except SettingsError as error:
            log.warning("new configuration not applied, keeping the last good one: %s", error)

    def close(self) -> None:
        """End any session and release storage and devices."""
        if self._fleet_switch is not None:
            self._fleet_switch.stop()
        if self.scheduler is not None:
            self.scheduler.stop()
        if self.rating_sender is not None:
            self.rating_sender.stop()
        self.identity.stop()
        self.narrator.stop()
        self.session.end("shutdown")
        self.technician.records.close()
        self.sync_state.close()
        self.ratings.close()
        for device in (self.devices.id_reader, self.devices.sscard_reader, self.devices.scanner):
            device.close()
        self.devices.speaker.close()
        self.devices.camera.close()
        self.catalogue.close()


def build_kiosk(
    loaded: LoadedSettings | None = None,
    environ: Mapping[str, str] | None = None,
    background: Background = run_in_thread,
    clock: Callable[[], float] | None = None,
) -> Kiosk:
    """Build the kiosk from its settings: open the catalogue (demo guides into an empty one, except on
    an appliance: kiosk.demo), the devices."""
    settings = (loaded or load_settings()).settings
    data = data_dir(settings, environ)
    bus = EventBus()
    session_clock = {} if clock is None else {"clock": clock}
    session = ResidentSession(
        bus, settings.session.idle_seconds, settings.session.warning_seconds, **session_clock
    )
    catalogue = Catalogue.open(catalogue_path(data))
    if settings.guides.load_demo and shows_demo_content(settings.kiosk.mode):
        load_demo_if_empty(catalogue)
    elif not catalogue.count() and not shows_demo_content(settings.kiosk.mode):
        # Never the demo guides on an appliance: residents would take them for real. They are told
        # the guides are not here yet (kiosk.journey, NO_GUIDES) and the doctor fails until filled.
        log.error("catalogue empty: %s; %s", catalogue_path(data), FILL_CATALOGUE)
    devices = build_devices(settings, data)
    printing = PrintService(devices.printer, bus, settings.devices.printer.job_timeout)
    ratings = RatingOutbox(state_path(data))
    journey = Journey(
        settings,
        bus,
        session,
        catalogue,
        printing,
        ratings=ratings,
        background=background,
        out_of_service=devices.out_of_service,
    )
    identity = IdentityService(devices.id_reader, devices.sscard_reader, session, bus)
    # A camera out of service takes no picture: the services needing a face say so plainly.
    camera = None if "camera" in devices.out_of_service else devices.camera.capture
    scanner = None if "scanner" in devices.out_of_service else devices.scanner.scan
    desk = ServiceDesk(
        settings,
        bus,
        journey,
        platform_or_none(settings),
        take_picture=camera,
        scan_code=scanner,
        background=background,
    )
    if scanner is not None and desk.configured:
        # A resident code identifies to the platform only: without one it would lead nowhere.
        codes = ResidentCodes(settings.devices.scanner.resident_code_patterns, session)
        ResidentCodeWatch(codes, scanner, bus, lambda: journey.showing(Screen.IDENTIFY, session.session_id))
    log.info("kiosk %s ready: %d guides, data in %s", settings.kiosk.id, catalogue.count(), data)
    sync_state = SyncState(state_path(data))
    narrator = Narrator(bus, journey, devices.speaker)
    kiosk = Kiosk(
        settings,
        data,
        bus,
        session,
        catalogue,
        devices,
        printing,
        journey,
        sync_state,
        identity,
        ratings,
        narrator,
        desk,
    )
    services = TechnicianServices(
        devices=devices,
        printing=printing,
        checks=lambda: _doctor(kiosk.settings, data),
        sync_now=kiosk.sync_now,
        log_lines=recent_log.lines,
        card_watch=identity,
    )
    kiosk.technician = TechnicianConsole(
        settings,
        TechnicianRecords(state_path(data)),
        journey,
        bus,
        services,
        background=background,
        monotonic=clock or time.monotonic,
    )
    return kiosk


def _doctor(settings: Settings, data: Path) -> list[Check]:
    """The self-test, loaded when a technician or the fleet runs it."""
    from kiosk.doctor import run_checks

    return run_checks(settings, data)
