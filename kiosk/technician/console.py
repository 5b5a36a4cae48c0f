"""Technician mode: PIN pad, device status and tests, sync, recent log lines, restart, exit.

A UI-agnostic state machine the screens drive: closed -> PIN pad -> open -> closed. Entering ends
any resident session first (its data is dropped), so technician mode never runs inside one; card
reading for residents pauses while it is open. Without a touch for `technician.idle_minutes` it
closes and the attract screen returns. Every action is one row of the audit table.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol

from kiosk.background import Background, run_in_thread
from kiosk.bus import EventBus
from kiosk.devices import Devices
from kiosk.doctor import Check, Status
from kiosk.events import TechnicianUpdated, UiRestartRequested
from kiosk.journey import Journey, Screen
from kiosk.printing import PrintService
from kiosk.records import CardKind
from kiosk.settings import Settings
from kiosk.sync.outcome import SyncReport
from kiosk.technician import device_tests
from kiosk.technician.audit import Action, TechnicianRecords
from kiosk.technician.device_tests import TestResult
from kiosk.technician.lockout import PinGate, PinState, PinVerdict

log = logging.getLogger(__name__)


class Mode(StrEnum):
    """Where technician mode is."""

    CLOSED = "closed"
    PIN = "pin"
    OPEN = "open"


class Pausable(Protocol):
    """A background watcher technician mode stops while open (the identity service's card polling)."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


@dataclass(frozen=True)
class TechnicianServices:
    """What technician mode works with, besides the settings: devices, printing, checks, sync, log."""

    devices: Devices
    printing: PrintService
    checks: Callable[[], list[Check]]
    sync_now: Callable[[], SyncReport]
    log_lines: Callable[[int], list[str]]
    card_watch: Pausable


def utc_now() -> datetime:
    """The wall clock, aware, in UTC."""
    return datetime.now(UTC)


class TechnicianConsole:
    """Technician mode's state and actions; publishes TechnicianUpdated when anything changes."""

    def __init__(
        self,
        settings: Settings,
        records: TechnicianRecords,
        journey: Journey,
        bus: EventBus,
        services: TechnicianServices,
        *,
        background: Background = run_in_thread,
        now: Callable[[], datetime] = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
        card_wait: float = device_tests.WAIT_SECONDS,
    ) -> None:
        self._settings = settings
        self.records = records
        self.gate = PinGate(settings.technician, records, now)
        self._journey = journey
        self._bus = bus
        self.services = services
        self._background = background
        self._now = now
        self._monotonic = monotonic
        self.card_wait = card_wait
        self._lock = threading.RLock()
        #: Pausing and resuming card reading never overlap (a quick exit after opening).
        self._card_watch_lock = threading.Lock()
        self.mode = Mode.CLOSED
        self._last_touch = monotonic()
        #: The last result of each action (a CardKind, "print", "scan", "sync").
        self.results: dict[str, TestResult] = {}
        #: Actions running now (their button shows "working").
        self.running: set[str] = set()
        self.checks: list[Check] = []
        #: The last PIN verdict, for the PIN pad's message.
        self.verdict: PinVerdict = PinVerdict(PinState.READY)
        #: Set by "restart UI": the UI stops and `kiosk run` exits non-zero, so systemd restarts it.
        self.restart_requested = False

    def apply_settings(self, settings: Settings) -> None:
        """Use new settings (a PIN set by provisioning, another lockout time)."""
        self._settings = settings
        self.gate.section = settings.technician

    # -- entering and leaving -----------------------------------------------------------------

    def begin(self) -> None:
        """The hidden gesture: show the PIN pad (the journey ends any resident session first)."""
        with self._lock:
            if self.mode is not Mode.CLOSED:
                return
            self.mode = Mode.PIN
            self.verdict = self.gate.status()
            self._last_touch = self._monotonic()
        self._journey.show_technician(Screen.TECHNICIAN_PIN)
        self._updated()

    def submit_pin(self, pin: str) -> PinVerdict:
        """Check a PIN from the pad; the right one opens technician mode."""
        with self._lock:
            if self.mode is not Mode.PIN:
                return self.verdict
            self._last_touch = self._monotonic()
            verdict = self.gate.try_pin(pin)
            self.verdict = verdict
            if verdict.state is PinState.ACCEPTED:
                self.mode = Mode.OPEN
                self.results.clear()
                self.checks = []
        if verdict.state is PinState.ACCEPTED:
            self._audit(Action.OPENED, "ok", f"kiosk {self._settings.kiosk.id}")
            log.info("technician mode opened")
            self._journey.show_technician(Screen.TECHNICIAN)
            # Residents' card reading pauses: the tests read the readers themselves.
            self._background(lambda: self._card_watch(paused=True))
            self.check_devices()
        self._updated()
        return verdict

    def leave(self, reason: str = "exit") -> None:
        """Back to the attract screen (the exit button, the PIN pad's back, or the idle timeout)."""
        with self._lock:
            if self.mode is Mode.CLOSED:
                return
            was_open = self.mode is Mode.OPEN
            was_pin = self.mode is Mode.PIN
            self.mode = Mode.CLOSED
            self.results.clear()
            self.checks = []
        if was_open:
            self._audit(Action.EXIT, "ok", reason)
            log.info("technician mode closed (%s)", reason)
            self._background(lambda: self._card_watch(paused=False))
        elif was_pin:
            # Someone made the hidden gesture and went away without a right PIN: worth a line too.
            self._audit(Action.PIN_CANCELLED, "cancelled", reason)
        self._journey.to_attract()
        self._updated()

    def restart_ui(self) -> None:
        """Audit, then ask the UI to exit non-zero: systemd (Restart=always) starts it afresh."""
        with self._lock:
            if self.mode is not Mode.OPEN:
                return
            self.restart_requested = True
        self._audit(Action.RESTART_UI, "requested", "the UI exits with a non-zero status")
        log.warning("technician asked for a UI restart")
        self._bus.publish(UiRestartRequested())

    # -- idle ---------------------------------------------------------------------------------

    def touch(self) -> None:
        """The technician touched the screen."""
        self._last_touch = self._monotonic()

    def tick(self) -> None:
        """Close technician mode after `technician.idle_minutes` without a touch (the UI calls this)."""
        if self.mode is Mode.CLOSED:
            return
        if self._monotonic() - self._last_touch >= self._settings.technician.idle_minutes * 60:
            self.leave("idle timeout")

    # -- actions (open mode only; each runs off the UI thread) --------------------------------

    def check_devices(self) -> None:
        """Run the doctor's checks (`kiosk doctor`) and show them."""

        def work() -> None:
            checks = self.services.checks()
            failed = [check.name for check in checks if check.status is Status.FAIL]
            with self._lock:
                self.checks = checks
            self._audit(Action.DEVICE_STATUS, "fail" if failed else "ok", ", ".join(failed))

        self._run("status", work)

    def test_card(self, kind: CardKind) -> None:
        """Wait for a card on the ID reader or the social security reader and read it."""
        devices = self.services.devices
        reader = devices.id_reader if kind is CardKind.ID_CARD else devices.sscard_reader
        self._test(kind, Action.DEVICE_TEST, lambda: device_tests.read_card_test(reader, self.card_wait))

    def print_test_page(self) -> None:
        """Print the test page and follow it out of the printer."""
        kiosk = self._settings.kiosk
        self._test(
            "print",
            Action.PRINT_TEST_PAGE,
            lambda: device_tests.print_test_page_test(
                self.services.printing, kiosk.id, kiosk.site_name, lambda: self._now().astimezone()
            ),
        )

    def test_scan(self) -> None:
        """Wait for the next code shown to the scanner."""
        scanner = self.services.devices.scanner
        self._test("scan", Action.SCAN_TEST, lambda: device_tests.scan_test(scanner, self.card_wait))

    def sync_now(self) -> None:
        """Run the kiosk's sync once."""
        self._test("sync", Action.SYNC_NOW, lambda: device_tests.sync_test(self.services.sync_now))

    def log_lines(self, count: int = 40) -> list[str]:
        """The newest log lines (masked, in memory only)."""
        return self.services.log_lines(count)

    # -- helpers ------------------------------------------------------------------------------

    def _test(self, name: str, action: Action, test: Callable[[], TestResult]) -> None:
        def work() -> None:
            result = test()
            with self._lock:
                self.results[name] = result
            detail = f"{name}: {result.audit_detail}" if action is Action.DEVICE_TEST else result.audit_detail
            self._audit(action, "ok" if result.ok else "fail", detail)

        self._run(name, work)

    def _run(self, name: str, work: Callable[[], None]) -> None:
        with self._lock:
            if self.mode is not Mode.OPEN or name in self.running:
                return
            self.running.add(name)
            self._last_touch = self._monotonic()
        self._updated()

        def run() -> None:
            try:
                work()
            except Exception:  # a crashed test is that test's failure, not the kiosk's
                log.exception("technician action %s crashed", name)
            finally:
                with self._lock:
                    self.running.discard(name)
                self._updated()

        self._background(run)

    def _card_watch(self, paused: bool) -> None:
        with self._card_watch_lock:
            if paused:
                self.services.card_watch.stop()
            else:
                self.services.card_watch.start()

    def _audit(self, action: Action, outcome: str, detail: str) -> None:
        with self._lock:
            self.records.record(self._now(), action, outcome, detail)

    def _updated(self) -> None:
        self._bus.publish(TechnicianUpdated(self.mode))
