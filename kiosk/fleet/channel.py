"""The live fleet channel of a running kiosk: its link, its reporter and its orders, put together.

`Kiosk.start()` builds one when `fleet.broker` is set (`start_channel`) and `Kiosk.close()` stops it
cleanly (`offline`). Three threads, none of them the UI's: the link's (paho's network loop), the
reporter's (state, telemetry, events) and the worker's (commands: admitted, carried out, audited).
The link hands each command to the worker, with the time it arrived (its expiry is checked against
that, however long it waits behind another), and goes on at once. Command keys follow the settings in
force: a configuration pushed with new keys (SettingsChanged) admits by them from that moment.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from kiosk.events import SettingsChanged
from kiosk.fleet.commands import CommandGate
from kiosk.fleet.link import FleetLink, FleetNotConfigured, ThreadDriver, fleet_password
from kiosk.fleet.orders import Orders
from kiosk.fleet.reporter import Reporter
from kiosk.fleet.running import ChannelLock
from kiosk.fleet.store import FleetStore
from kiosk.paths import state_path
from kiosk.technician.audit import TechnicianRecords

if TYPE_CHECKING:
    from kiosk.appliance import Kiosk

log = logging.getLogger(__name__)

#: Commands waiting for the worker; past this a command is dropped (the console sees no result).
COMMANDS_WAITING = 100


class FleetChannel:
    """One kiosk's side of the fleet channel."""

    def __init__(
        self, kiosk: Kiosk, password: str, *, run_reboot: Callable[[Sequence[str]], int] | None = None
    ) -> None:
        self._kiosk = kiosk
        fleet = kiosk.settings.fleet
        self._keys = list(fleet.command_keys)
        self.store = FleetStore(state_path(kiosk.data_dir))
        try:
            self.link = self._link(password)
        except BaseException:
            self.store.close()
            raise
        self.driver = ThreadDriver(self.link)
        self.reporter = Reporter(kiosk, self.link, telemetry_interval=fleet.telemetry_interval)
        self._records: TechnicianRecords | None = None
        self.orders = Orders(
            kiosk,
            CommandGate(lambda: self._keys, self.store, self.link.clock, kiosk_id=self.link.topics.kiosk_id),
            self.link,
            self._audit_records,
            stop_channel=self._stop_link,
            resume_channel=self._resume_link,
            run=run_reboot,
            clock=self.link.clock,
        )
        #: Commands as they came: (req, raw, when they arrived).
        self._commands: queue.Queue[tuple[str, bytes, float] | None] = queue.Queue(COMMANDS_WAITING)
        self._worker: threading.Thread | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._link_lock = threading.Lock()
        self._link_running = False
        #: Held while this process runs the channel (`kiosk doctor` looks at it: kiosk.fleet.running).
        self._held = ChannelLock(kiosk.data_dir)
        self._started = False

    def start(self) -> bool:
        """Start reporting and connecting (returns at once; the broker may be away for days).
        False when another process holds this data directory's channel: one kiosk, one connection."""
        if not self._held.acquire():
            log.error(
                "no fleet channel: another kiosk process on %s holds it (%s)",
                self._kiosk.data_dir,
                self._held.path,
            )
            return False
        self._started = True
        self._unsubscribe = self._kiosk.bus.subscribe(SettingsChanged, self._settings_changed)
        self._worker = threading.Thread(target=self._work, name="fleet-commands", daemon=True)
        self._worker.start()
        self.reporter.start()
        self._resume_link()
        log.info(
            "fleet channel to %s as %s (%d command keys)",
            self._kiosk.settings.fleet.broker,
            self.link.topics.kiosk_id,
            len(self._keys),
        )
        return True

    def stop(self) -> None:
        """Stop cleanly: the reporter writes what it counted, the link says `offline` and disconnects."""
        if not self._started:
            self.store.close()
            return
        if self._unsubscribe is not None:
            self._unsubscribe()
        self.reporter.stop()
        if self._worker is not None and self._worker is not threading.current_thread():
            self._commands.put(None)
            self._worker.join(timeout=15)
        self._stop_link()
        self.store.close()
        self._held.release()

    # -- the link ----------------------------------------------------------------------------------

    def _link(self, password: str) -> FleetLink:
        settings = self._kiosk.settings
        return FleetLink(
            settings.kiosk.id, settings.fleet, self.store, on_command=self._command_came, password=password
        )

    def _resume_link(self) -> None:
        with self._link_lock:
            if self._link_running:
                return
            self.driver = ThreadDriver(self.link)
            self.driver.start()
            self._link_running = True

    def _stop_link(self) -> None:
        with self._link_lock:
            if not self._link_running:
                return
            self._link_running = False
            self.driver.stop(clean=True)

    # -- commands ----------------------------------------------------------------------------------

    def _command_came(self, req: str, raw: bytes) -> None:
        """On the link's thread: note when it came, hand over and return at once."""
        try:
            self._commands.put_nowait((req, raw, self.link.clock()))
        except queue.Full:
            log.warning("fleet command %s dropped: %d commands are already waiting", req, COMMANDS_WAITING)

    def _work(self) -> None:
        try:
            while (item := self._commands.get()) is not None:
                req, raw, arrived = item
                try:
                    self.orders.receive(req, raw, arrived)
                except Exception:
                    log.exception("fleet command %s could not be carried out", req)
        finally:
            if self._records is not None:
                self._records.close()

    def _audit_records(self) -> TechnicianRecords:
        """The technician records on the worker's own connection (opened there, on first use)."""
        if self._records is None:
            self._records = TechnicianRecords(state_path(self._kiosk.data_dir))
        return self._records

    def _settings_changed(self, event: SettingsChanged) -> None:
        fleet = event.settings.fleet
        keys = list(fleet.command_keys)
        if keys != self._keys:
            log.info("fleet command keys now in force: %d", len(keys))
        self._keys = keys
        self.reporter.telemetry_interval = fleet.telemetry_interval


def start_channel(kiosk: Kiosk) -> FleetChannel | None:
    """The kiosk's channel, started; None (said plainly in the log) when its password cannot be read."""
    try:
        password = fleet_password(kiosk.settings.fleet)
    except FleetNotConfigured as why:
        log.error("no fleet channel: %s", why)
        return None
    try:
        channel = FleetChannel(kiosk, password)
    except (OSError, ValueError) as error:  # a CA bundle that cannot be read, a bad TLS setting
        log.error("no fleet channel: %s", error)
        return None
    if not channel.start():
        channel.stop()
        return None
    return channel
