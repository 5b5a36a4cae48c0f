"""Each console process's background work: periodic jobs (alerts, rollouts, commands' expiry) on a
thread of their own. Every job is safe to run in several processes at once: it changes rows only
under conditions that make a second run a no-op."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from console import alerts

if TYPE_CHECKING:
    from console.web.state import ConsoleState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """Work done every `interval` seconds; a failure is logged and the next round runs anyway."""

    name: str
    interval: float
    run: Callable[[ConsoleState, float], None]


class Periodic:
    """Runs the jobs on one daemon thread until stopped."""

    def __init__(self, state: ConsoleState, jobs: list[Job], name: str = "console-periodic") -> None:
        self.state = state
        self.jobs = jobs
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._due = {job.name: 0.0 for job in jobs}

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def run_due(self, now: float) -> None:
        """Run every job whose time has come (the tests call this with their own clock)."""
        for job in self.jobs:
            if now < self._due[job.name]:
                continue
            self._due[job.name] = now + job.interval
            try:
                job.run(self.state, now)
            except Exception:
                log.exception("console job %s failed; it runs again in %.0f s", job.name, job.interval)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.run_due(time.time())
            self._stop.wait(0.5)


def jobs() -> list[Job]:
    """Every periodic job of a console process."""
    from console.commands import expiry_job
    from console.rollout import rollout_job

    return [
        Job("rollouts", 5.0, rollout_job),
        Job("alerts", alerts.INTERVAL, alerts.evaluate_job),
        expiry_job(),
    ]


def webhook_jobs() -> list[Job]:
    """The alert webhook's job: on a thread of its own, so that a webhook that does not answer
    never holds up the jobs above."""
    return [Job("webhook", alerts.INTERVAL, alerts.notify_job)]
