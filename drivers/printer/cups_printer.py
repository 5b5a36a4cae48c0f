"""A printer behind a CUPS queue, driven through pycups (IPP to cupsd)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import cups

from drivers.printer.settings import CupsPrinterSettings
from kiosk.driver_api import (
    PRINTER_REASONS,
    DeviceError,
    DeviceUnavailable,
    DriverContext,
    JobState,
    JobStatus,
    PrinterStatus,
    PrintJob,
)

log = logging.getLogger(__name__)

#: IPP job-state values (RFC 8011 5.3.7) in the port's words.
_JOB_STATES = {
    3: JobState.PENDING,
    4: JobState.HELD,
    5: JobState.PROCESSING,
    6: JobState.STOPPED,
    7: JobState.CANCELLED,
    8: JobState.ABORTED,
    9: JobState.COMPLETED,
}
_PRINTER_STOPPED = 5
#: IPP status codes pycups raises as IPPError(code, message).
_NOT_FOUND = 0x0406
_NOT_POSSIBLE = 0x0404
_NOT_ACCEPTING = 0x0506
#: Reasons that stop a printer beyond those the print service explains to residents.
_BLOCKING = {"shutdown", "stopped", "input-tray-missing", "output-area-full"}
#: IPP `media` keyword per paper; an 80 mm roll printer's own PPD knows its roll, so none is sent.
_MEDIA = {"a4": "iso_a4_210x297mm"}
_PRINTER_ATTRIBUTES = [
    "printer-state",
    "printer-state-reasons",
    "printer-state-message",
    "printer-is-accepting-jobs",
]

#: The system's CUPS server (CUPS_SERVER, client.conf or the local socket), read before any change.
_SYSTEM_SERVER: str = cups.getServer()
_SYSTEM_PORT: int = cups.getPort()


class CupsPrinter:
    """Prints PDFs on the CUPS queue named in `devices.printer.queue`. Implements kiosk.ports.Printer.

    A fresh IPP connection serves each call, so a cupsd that restarts is picked up at the next call
    and the worker threads of the print service never share one. Documents are streamed from
    memory (no temporary file), job names are the document's title (never personal data), and a
    job that ended is purged from cupsd's history at once; the queue keeps no spool file when
    cupsd runs with `PreserveJobFiles No` (see the README's printing section).
    """

    def __init__(self, section: CupsPrinterSettings, context: DriverContext) -> None:
        self.paper: str = section.paper
        self.queue = section.queue
        self.server = section.server
        self._lock = threading.Lock()
        #: Jobs that ended and were purged from cupsd, with their final state.
        self._ended: dict[int, JobState] = {}

    def __repr__(self) -> str:
        return f"CupsPrinter(queue={self.queue!r}, server={self.where!r})"

    def __str__(self) -> str:
        return f"CUPS queue {self.queue!r} on {self.where}"

    @property
    def where(self) -> str:
        """The CUPS server this printer talks to, as a technician would type it."""
        return self.server or _SYSTEM_SERVER

    # -- the port -----------------------------------------------------------------------------

    def status(self) -> PrinterStatus:
        """Whether the queue exists, accepts jobs and is not paused; its reasons as CUPS gives them."""
        with self._connection() as connection:
            attributes = self._printer_attributes(connection)
        reasons = self._reasons(attributes)
        blocking = [reason for reason in reasons if blocks(reason)]
        for reason in set(reasons) - set(blocking):
            # toner-low and the like: printing goes on, the technician should know.
            log.warning("%s: %s", self._name(), reason)
        detail = str(attributes.get("printer-state-message") or "")
        return PrinterStatus(ready=not blocking, reasons=tuple(reasons), detail=self._detail(detail))

    def submit(self, job: PrintJob) -> str:
        """Stream `job`'s PDF to the queue as one IPP job; returns the CUPS job id."""
        options = {"copies": str(job.copies)}
        if self.paper in _MEDIA:
            options["media"] = _MEDIA[self.paper]
        with self._connection() as connection:
            self._printer_attributes(connection)  # a missing queue gives a misleading error below
            try:
                job_id = connection.createJob(self.queue, job.title, options)
                connection.startDocument(self.queue, job_id, "document.pdf", "application/pdf", 1)
                connection.writeRequestData(job.pdf, len(job.pdf))
                connection.finishDocument(self.queue)
            except cups.IPPError as error:
                code, message = _ipp(error)
                if code == _NOT_ACCEPTING:
                    raise DeviceError(
                        f"{self._name()} is not accepting jobs (run cupsaccept {self.queue}): {message}"
                    ) from error
                raise DeviceError(f"{self._name()} refused the job: {message} (IPP {code:#06x})") from error
        log.info("%s: job %s submitted (%d bytes)", self._name(), job_id, len(job.pdf))
        return str(job_id)

    def job_status(self, job_id: str) -> JobStatus:
        """The job's state and the queue's reasons; a job that ended is purged from cupsd's history."""
        number = int(job_id)
        with self._lock:
            if number in self._ended:
                return JobStatus(self._ended[number])
        with self._connection() as connection:
            try:
                job = connection.getJobAttributes(number, requested_attributes=["job-state"])
            except cups.IPPError as error:
                # Deleting a queue deletes its jobs: say so rather than "no such job".
                self._printer_attributes(connection)
                _, message = _ipp(error)
                raise DeviceError(f"{self._name()}: job {job_id} is unknown to cupsd: {message}") from error
            state = _JOB_STATES.get(int(job["job-state"]), JobState.PENDING)
            reasons = self._reasons(self._printer_attributes(connection))
            if state.finished:
                self._purge(connection, number, state)
        return JobStatus(state, tuple(reasons))

    def cancel(self, job_id: str) -> None:
        """Cancel the job and purge it from cupsd's history; a job that ended is left alone."""
        number = int(job_id)
        with self._lock:
            if number in self._ended:
                return
        with self._connection() as connection:
            self._purge(connection, number, JobState.CANCELLED)

    # -- helpers ------------------------------------------------------------------------------

    def _name(self) -> str:
        return f"printer: CUPS queue {self.queue!r} on {self.where}"

    def _detail(self, message: str) -> str:
        return f"{self._name()}{f': {message}' if message else ''}"

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        if not self.queue:
            raise DeviceUnavailable(
                "printer: devices.printer.queue is empty; name the CUPS queue (lpstat -p lists them)"
            )
        connection = connect(self.server)
        try:
            yield connection
        except cups.HTTPError as error:
            raise DeviceUnavailable(
                f"printer: cupsd at {self.where} stopped answering (HTTP {error})"
            ) from error
        except cups.IPPError as error:
            code, message = _ipp(error)
            raise DeviceError(f"{self._name()}: {message} (IPP {code:#06x})") from error

    def _printer_attributes(self, connection: Any) -> dict[str, Any]:
        # Asking for the queue first turns "no such queue" into a sentence: printing to a missing
        # queue fails with IPP 1280 "No such file or directory", which sends technicians astray.
        if self.queue not in connection.getPrinters():
            raise DeviceUnavailable(
                f"{self._name()} does not exist; add it with lpadmin or fix devices.printer.queue"
            )
        attributes: dict[str, Any] = connection.getPrinterAttributes(
            self.queue, requested_attributes=_PRINTER_ATTRIBUTES
        )
        return attributes

    @staticmethod
    def _reasons(attributes: dict[str, Any]) -> list[str]:
        raw = attributes.get("printer-state-reasons") or []
        reasons = [raw] if isinstance(raw, str) else list(raw)
        reasons = [reason for reason in reasons if reason != "none"]
        if attributes.get("printer-state") == _PRINTER_STOPPED and not any(
            reason.startswith("paused") for reason in reasons
        ):
            reasons.append("paused")
        if attributes.get("printer-is-accepting-jobs") is False:
            reasons.append("not-accepting")
        return reasons

    def _purge(self, connection: Any, number: int, final: JobState) -> None:
        try:
            connection.cancelJob(number, purge_job=True)
        except cups.IPPError as error:
            code, message = _ipp(error)
            if code not in {_NOT_FOUND, _NOT_POSSIBLE}:
                raise
            log.debug("%s: job %d already gone: %s", self._name(), number, message)
        with self._lock:
            self._ended[number] = final


def connect(server: str) -> Any:
    """An IPP connection to cupsd at `server` ("host:port" or a socket path; empty: the system's)."""
    # pycups names a queue in its requests as ipp://localhost:<port>/printers/<queue>, the port
    # being libcups' per-thread setting: set it with the server, or cupsd says "no such printer"
    # for a server on another port.
    if server:
        cups.setServer(server)
    else:
        cups.setServer(_SYSTEM_SERVER)
        cups.setPort(_SYSTEM_PORT)
    try:
        return cups.Connection()
    except RuntimeError as error:
        where = server or _SYSTEM_SERVER
        raise DeviceUnavailable(
            f"printer: cannot reach cupsd at {where} ({error}); is the cups service running?"
        ) from error


def blocks(reason: str) -> bool:
    """Whether a printer-state reason stops printing (toner-low-report, connecting-to-device do not)."""
    base = reason.removesuffix("-error").removesuffix("-warning").removesuffix("-report")
    if reason.endswith("-error") or reason == "offline-report":
        return True
    return reason == base and (base in _BLOCKING or base in PRINTER_REASONS)


def _ipp(error: Exception) -> tuple[int, str]:
    code, message = (*error.args, 0, "")[:2]
    return int(code), str(message)
