"""The PIN pad's gate: the PIN checked against its hash, and too many wrong ones lock it for a while."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from kiosk.settings.schema import TechnicianSection
from kiosk.technician.audit import Action, PinLock, TechnicianRecords
from kiosk.technician.pin import verify_pin


class PinState(StrEnum):
    """What the PIN pad may do now, or what an entered PIN came to."""

    #: No PIN is set on this kiosk (technician.pin_hash empty): technician mode cannot be opened.
    NO_PIN = "no_pin"
    #: Too many wrong PINs: nothing is checked until `locked_until`.
    LOCKED = "locked"
    #: A PIN may be entered (before any entry), or the last one was wrong (after one).
    READY = "ready"
    WRONG = "wrong"
    #: The PIN was right.
    ACCEPTED = "accepted"


@dataclass(frozen=True)
class PinVerdict:
    """The PIN pad's state, with what the technician is told: attempts left, or locked until when."""

    state: PinState
    attempts_left: int = 0
    locked_until: datetime | None = None


class PinGate:
    """Checks PINs; `max_pin_attempts` wrong ones in a row lock it for `lockout_minutes`.

    The count and the lock live in the state database, so a restart (or pulled plug) between
    guesses changes nothing. The clock is injected: tests move it, the kiosk uses the wall clock,
    because a lock must end at a time a technician can be told.
    """

    def __init__(
        self, section: TechnicianSection, records: TechnicianRecords, now: Callable[[], datetime]
    ) -> None:
        self.section = section
        self._records = records
        self._now = now

    def status(self) -> PinVerdict:
        """What the PIN pad shows before a PIN is entered."""
        if not self.section.pin_hash:
            return PinVerdict(PinState.NO_PIN)
        lock = self._current()
        if lock.locked_until is not None:
            return PinVerdict(PinState.LOCKED, locked_until=lock.locked_until)
        return PinVerdict(PinState.READY, attempts_left=self.section.max_pin_attempts - lock.failures)

    def try_pin(self, pin: str) -> PinVerdict:
        """Check `pin` (unless no PIN is set or the gate is locked), audit it and count it."""
        status = self.status()
        if status.state is not PinState.READY:
            if status.state is PinState.LOCKED and status.locked_until is not None:
                shown = status.locked_until.isoformat(timespec="seconds")
                self._records.record(self._now(), Action.OPENED, "refused", f"locked until {shown}")
            elif status.state is PinState.NO_PIN:
                self._records.record(self._now(), Action.OPENED, "refused", "no technician PIN is set")
            return status
        if verify_pin(pin, self.section.pin_hash):
            self._records.store_pin_lock(PinLock())
            return PinVerdict(PinState.ACCEPTED)
        failures = self._current().failures + 1
        left = self.section.max_pin_attempts - failures
        self._records.record(self._now(), Action.PIN_WRONG, "wrong", f"{failures} wrong in a row")
        if left > 0:
            self._records.store_pin_lock(PinLock(failures))
            return PinVerdict(PinState.WRONG, attempts_left=left)
        until = self._now() + timedelta(minutes=self.section.lockout_minutes)
        self._records.store_pin_lock(PinLock(failures, until))
        self._records.record(
            self._now(),
            Action.LOCKED,
            "locked",
            f"{failures} wrong PINs in a row; locked until {until.isoformat(timespec='seconds')}",
        )
        return PinVerdict(PinState.LOCKED, locked_until=until)

    def _current(self) -> PinLock:
        """The stored lock; an expired lock counts from zero again."""
        lock = self._records.pin_lock()
        if lock.locked_until is not None and self._now() >= lock.locked_until:
            lock = PinLock()
            self._records.store_pin_lock(lock)
        return lock
