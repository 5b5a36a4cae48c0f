"""The running kiosk's own periodic sync: interval, jitter and backoff from settings."""

from __future__ import annotations

import random
from collections.abc import Callable

from kiosk.background import PeriodicWork
from kiosk.bus import EventBus
from kiosk.events import SyncCompleted, SyncFailed
from kiosk.settings.schema import SyncSection
from kiosk.sync.outcome import SyncError, SyncReport
from kiosk.thread_guard import ThreadGuard


def next_delay(section: SyncSection, failures: int, jitter: float) -> float:
    """Seconds until the next attempt: the interval, doubled per failure up to the cap, plus jitter."""
    base = section.interval_minutes * 60 * float(2 ** min(failures, 16))
    return min(base, section.backoff_max_minutes * 60) + jitter * section.jitter_seconds


class SyncScheduler:
    """Runs `sync_once` on a worker thread now and then; never on the UI thread."""

    def __init__(
        self,
        sync_once: Callable[[], SyncReport],
        section: SyncSection,
        bus: EventBus,
        chooser: random.Random | None = None,
    ) -> None:
        self._sync_once = sync_once
        self._section = section
        self._bus = bus
        self._chooser = chooser or random.Random()
        self._work = PeriodicWork(
            "kiosk-sync",
            self.run_once,
            lambda: next_delay(self._section, self.failures, self._chooser.random()),
        )
        self.failures = 0
        #: Counts and logs attempts that crashed; the backoff, not the guard, spaces the next one.
        self.guard = ThreadGuard("sync", pause=lambda: 0.0)

    def start(self, first_delay: float = 5.0) -> None:
        """Begin syncing in the background, first after `first_delay` seconds."""
        self._work.start(first_delay)

    def sync_now(self) -> None:
        """Ask for a sync at once (a technician's "sync now")."""
        self._work.wake()

    def stop(self) -> None:
        """Stop after the attempt in progress."""
        self._work.stop(timeout=30)

    def run_once(self) -> SyncReport | None:
        """One attempt, announced on the bus; returns the report or None when it failed."""
        report: SyncReport | None = None
        with self.guard:  # a bug in one attempt must not end periodic syncing
            try:
                report = self._sync_once()
            except SyncError as error:
                self.failures += 1
                self._bus.publish(SyncFailed(str(error), self.failures))
                return None
        if report is None:  # the attempt crashed (the guard logged it): backed off like a failure
            self.failures += 1
            return None
        self.failures = 0
        self._bus.publish(SyncCompleted(report))
        return report
