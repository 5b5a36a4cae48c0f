"""Print jobs and printer states, as the printer port speaks of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class JobState(StrEnum):
    """Where a print job is, in IPP's words."""

    PENDING = "pending"
    HELD = "held"
    PROCESSING = "processing"
    STOPPED = "stopped"
    CANCELLED = "cancelled"
    ABORTED = "aborted"
    COMPLETED = "completed"

    @property
    def finished(self) -> bool:
        """True once the job will not change any more."""
        return self in {JobState.CANCELLED, JobState.ABORTED, JobState.COMPLETED}


@dataclass(frozen=True, repr=False)
class PrintJob:
    """A document to print. `title` becomes the CUPS job name: it never holds personal data."""

    title: str
    pdf: bytes
    copies: int = 1

    def __repr__(self) -> str:
        return f"PrintJob({self.title!r}, {len(self.pdf)} bytes, copies={self.copies})"


@dataclass(frozen=True)
class JobStatus:
    """A job's state and the printer's reasons (IPP printer-state-reasons) at the time."""

    state: JobState
    reasons: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class PrinterStatus:
    """Whether the printer can take a job now, and why not."""

    ready: bool
    reasons: tuple[str, ...] = ()
    detail: str = ""
