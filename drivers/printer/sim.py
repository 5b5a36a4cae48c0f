"""A simulated printer that writes each completed job as a PDF into <data_dir>/printed."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from kiosk.driver_api import (
    DeviceError,
    DriverContext,
    JobState,
    JobStatus,
    PrinterSection,
    PrinterStatus,
    PrintJob,
    printed_dir,
)

#: Finished jobs whose state is still answered; older ones are forgotten (CUPS keeps a bounded
#: job history too). A kiosk on the simulated printer for months must not keep every document.
KEPT_FINISHED_JOBS = 100


@dataclass
class _Job:
    job: PrintJob
    submitted: float
    state: JobState = JobState.PENDING


class SimPrinter:
    """A printer with the states of a real one, settable by tests and technicians.

    A job is pending, then processing, then completed `seconds_per_job` after submission, when its
    PDF is written to the output folder. `reasons` set on the printer (e.g. "media-empty") make it
    refuse new jobs and stop the ones in progress, as CUPS reports them.
    """

    def __init__(
        self,
        section: PrinterSection,
        context: DriverContext,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.paper: str = section.paper
        self.output = printed_dir(context.data_dir)
        self.seconds_per_job = 1.0
        self.reasons: tuple[str, ...] = ()
        self._clock = clock
        self._jobs: dict[str, _Job] = {}
        self._ids = itertools.count(1)
        # Job ids stay unique across restarts, so a new process never overwrites older output.
        self._started = time.strftime("%Y%m%d%H%M%S")
        self._lock = threading.Lock()

    def __str__(self) -> str:
        return f"simulated printer (PDFs in {self.output})"

    def status(self) -> PrinterStatus:
        """Ready unless reasons have been set."""
        return PrinterStatus(ready=not self.reasons, reasons=self.reasons, detail="simulated printer")

    def submit(self, job: PrintJob) -> str:
        """Accept a job unless the printer has reasons to refuse."""
        if self.reasons:
            raise DeviceError(f"simulated printer refuses jobs: {', '.join(self.reasons)}")
        with self._lock:
            job_id = f"sim-{self._started}-{next(self._ids)}"
            self._jobs[job_id] = _Job(job, self._clock())
            finished = [key for key, record in self._jobs.items() if record.state.finished]
            for key in finished[: max(0, len(finished) - KEPT_FINISHED_JOBS)]:
                del self._jobs[key]
        return job_id

    def job_status(self, job_id: str) -> JobStatus:
        """Advance the job by the clock and report its state."""
        with self._lock:
            record = self._jobs.get(job_id)
            if record is None:
                raise DeviceError(f"simulated printer: no job {job_id}")
            if not record.state.finished:
                self._advance(job_id, record)
            return JobStatus(record.state, self.reasons)

    def cancel(self, job_id: str) -> None:
        """Cancel an unfinished job."""
        with self._lock:
            record = self._jobs.get(job_id)
            if record is not None and not record.state.finished:
                self._finish(record, JobState.CANCELLED)

    def completed_files(self) -> list[str]:
        """Names of the PDFs printed so far."""
        return sorted(path.name for path in self.output.glob("*.pdf")) if self.output.is_dir() else []

    def _advance(self, job_id: str, record: _Job) -> None:
        if self.reasons:
            record.state = JobState.STOPPED
            return
        elapsed = self._clock() - record.submitted
        if elapsed < self.seconds_per_job / 2:
            record.state = JobState.PENDING if elapsed <= 0 else JobState.PROCESSING
            return
        if elapsed < self.seconds_per_job:
            record.state = JobState.PROCESSING
            return
        self.output.mkdir(parents=True, exist_ok=True)
        final = self.output / f"{job_id}.pdf"
        partial = final.with_suffix(".part")
        partial.write_bytes(record.job.pdf)
        partial.replace(final)
        self._finish(record, JobState.COMPLETED)

    @staticmethod
    def _finish(record: _Job, state: JobState) -> None:
        """End the job; its document is on paper (or never will be): keep no copy of it."""
        record.state = state
        record.job = replace(record.job, pdf=b"")
