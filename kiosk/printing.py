"""Printing a document through the printer port and following it until the paper is out."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.bus import EventBus
from kiosk.events import PrintCompleted, PrintFailed, PrintProgress, PrintSubmitted
from kiosk.i18n import N_
from kiosk.ports import DeviceError, Printer
from kiosk.records import JobState, PrintJob

log = logging.getLogger(__name__)

#: What a resident is told for each IPP printer-state reason (message ids, translated by the UI),
#: and what a technician is told (English, names the cause). The first known reason wins.
PRINTER_REASONS: dict[str, tuple[str, str]] = {
    "media-empty": (N_("The printer is out of paper."), "media-empty: load paper"),
    "media-needed": (N_("The printer is out of paper."), "media-needed: load paper"),
    "media-jam": (N_("Paper is stuck in the printer."), "media-jam: clear the paper path"),
    "toner-empty": (N_("The printer has run out of ink."), "toner-empty: replace the cartridge"),
    "marker-supply-empty": (
        N_("The printer has run out of ink."),
        "marker-supply-empty: replace the supply",
    ),
    "door-open": (N_("The printer's cover is open."), "door-open: close the printer cover"),
    "offline": (
        N_("The printer is switched off or disconnected."),
        "offline: check power and cable",
    ),
    "paused": (
        N_("The printer is not available right now."),
        "paused: queue is paused (cupsenable)",
    ),
    "not-accepting": (
        N_("The printer is not available right now."),
        "not-accepting: queue rejects jobs (cupsaccept)",
    ),
    "timed-out": (N_("The printer did not finish in time."), "timed-out: job did not complete"),
    # No printer, or one never provisioned on an appliance (kiosk.out_of_service); the detail says which.
    "out-of-service": (N_("The printer is not available right now."), "out-of-service"),
}
FALLBACK_RESIDENT = N_("The printer is not available right now.")


@dataclass(frozen=True)
class PrintOutcome:
    """How a print request ended."""

    job_id: str | None
    completed: bool
    resident_message: str = ""
    technician_message: str = ""


def explain(reasons: tuple[str, ...], detail: str = "") -> tuple[str, str]:
    """Turn printer-state reasons into (resident message id, technician sentence)."""
    for reason in reasons:
        base = reason.removesuffix("-error").removesuffix("-warning").removesuffix("-report")
        if base in PRINTER_REASONS:
            resident, technician = PRINTER_REASONS[base]
            return resident, f"{technician}{f' ({detail})' if detail else ''}"
    technician = ", ".join(reasons) or detail or "printer refused the job"
    return FALLBACK_RESIDENT, technician


class PrintService:
    """Submits documents, follows them to completion, and cancels a session's unfinished jobs."""

    def __init__(
        self,
        printer: Printer,
        bus: EventBus,
        job_timeout: float,
        *,
        poll_interval: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.printer = printer
        self._bus = bus
        self._job_timeout = job_timeout
        self._poll_interval = poll_interval
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        #: request key -> job id, so that a retry of the same request never prints twice.
        self._submitted: dict[str, str] = {}
        self._unfinished: set[str] = set()

    def print_and_wait(self, job: PrintJob, request_key: str) -> PrintOutcome:
        """Print `job` once per `request_key` and wait until it completes, fails or times out.

        Blocking: call it from a worker thread, never from the UI thread.
        """
        with self._lock:
            job_id = self._submitted.get(request_key)
        if job_id is None:
            outcome = self._submit(job, request_key)
            if outcome is not None:
                return outcome
            with self._lock:
                job_id = self._submitted[request_key]
        return self._follow(job_id, request_key)

    def readiness(self) -> str:
        """Why printing cannot work now, as a resident message id; "" when the printer is ready.

        Blocking (it asks the printer): call it from a worker thread, never from the UI thread.
        """
        try:
            status = self.printer.status()
        except DeviceError as error:
            log.warning("printer status unknown: %s", error)
            return FALLBACK_RESIDENT
        return "" if status.ready else explain(status.reasons, status.detail)[0]

    def cancel_unfinished(self) -> int:
        """Cancel every job that has not finished (the session ended); returns how many."""
        with self._lock:
            pending = list(self._unfinished)
            self._unfinished.clear()
            self._submitted.clear()
        for job_id in pending:
            try:
                self.printer.cancel(job_id)
            except DeviceError as error:
                log.warning("could not cancel print job %s: %s", job_id, error)
        return len(pending)

    def _submit(self, job: PrintJob, request_key: str) -> PrintOutcome | None:
        try:
            status = self.printer.status()
            if not status.ready:
                resident, technician = explain(status.reasons, status.detail)
                return self._failed(None, resident, technician)
            job_id = self.printer.submit(job)
        except DeviceError as error:
            return self._failed(None, FALLBACK_RESIDENT, str(error))
        with self._lock:
            self._submitted[request_key] = job_id
            self._unfinished.add(job_id)
        log.info("print job %s submitted: %s", job_id, job.title)
        self._bus.publish(PrintSubmitted(job_id, job.title))
        return None

    def _follow(self, job_id: str, request_key: str) -> PrintOutcome:
        deadline = self._clock() + self._job_timeout
        last_state: JobState | None = None
        while True:
            try:
                status = self.printer.job_status(job_id)
            except DeviceError as error:
                return self._failed(job_id, FALLBACK_RESIDENT, str(error), request_key)
            if status.state is not last_state:
                last_state = status.state
                self._bus.publish(PrintProgress(job_id, status.state))
            if status.state is JobState.COMPLETED:
                with self._lock:
                    self._unfinished.discard(job_id)
                log.info("print job %s completed", job_id)
                self._bus.publish(PrintCompleted(job_id))
                return PrintOutcome(job_id, completed=True)
            if status.state.finished or status.state is JobState.STOPPED:
                if not status.state.finished:
                    # A stopped job must not come out later, after the resident has gone.
                    self.printer.cancel(job_id)
                resident, technician = explain(status.reasons, f"job {job_id} {status.state}")
                return self._failed(job_id, resident, technician, request_key)
            if self._clock() >= deadline:
                self.printer.cancel(job_id)
                resident, technician = explain((*status.reasons, "timed-out"), f"job {job_id}")
                return self._failed(job_id, resident, technician, request_key)
            self._sleep(self._poll_interval)

    def _failed(
        self, job_id: str | None, resident: str, technician: str, request_key: str | None = None
    ) -> PrintOutcome:
        if request_key is not None:
            with self._lock:
                # A failed job may be printed again; a completed or pending one may not.
                self._submitted.pop(request_key, None)
                if job_id is not None:
                    self._unfinished.discard(job_id)
        log.warning("printing failed: %s", technician)
        self._bus.publish(PrintFailed(job_id, resident_message=resident, technician_message=technician))
        return PrintOutcome(job_id, completed=False, resident_message=resident, technician_message=technician)
