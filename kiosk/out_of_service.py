"""Stand-ins for a device that is out of service: it answers every call by saying so, never with a
success it did not have.

A device is out of service when this kiosk does not have it (`driver = "none"`) or when an appliance
was never given its real driver (still `driver = "sim"`, see kiosk.devices.out_of_service_reason).
Each stand-in implements the device's port, so the services run unchanged and tell the resident what
they tell them when a real device is gone: a card reader is unavailable (the identify screen says to
use the other card or ask at the help desk), the printer is not ready (the QR code instead), the
speaker says nothing (the journey does not offer voice), the camera takes no picture (a service that
needs the resident's face says so). `reason` is the technician's sentence.
"""

from __future__ import annotations

from kiosk.ports import DeviceError, DeviceUnavailable
from kiosk.records import IdCard, JobStatus, PrinterStatus, PrintJob, ResidentCode, SocialSecurityCard

#: The printer-state reason an out-of-service printer reports (kiosk.printing.PRINTER_REASONS).
OUT_OF_SERVICE_REASON = "out-of-service"


class OutOfServiceCardReader:
    """An ID card or social security card reader that is not there: every call is unavailable."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def read_card(self, timeout: float) -> IdCard | SocialSecurityCard | None:
        """Never a card: the reader is out of service."""
        raise DeviceUnavailable(self.reason)

    def card_present(self) -> bool:
        """Never an answer: the reader is out of service."""
        raise DeviceUnavailable(self.reason)

    def close(self) -> None:
        """Nothing to release."""


class OutOfServiceScanner:
    """A code scanner that is not there."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def scan(self, timeout: float) -> ResidentCode | None:
        """Never a code: the scanner is out of service."""
        raise DeviceUnavailable(self.reason)

    def close(self) -> None:
        """Nothing to release."""


class OutOfServicePrinter:
    """A printer that is not there: never ready, refuses every job."""

    def __init__(self, reason: str, paper: str) -> None:
        self.reason = reason
        self.paper = paper

    def __str__(self) -> str:
        return "no printer (out of service)"

    def status(self) -> PrinterStatus:
        """Not ready, with the reason a resident is told about before they try."""
        return PrinterStatus(ready=False, reasons=(OUT_OF_SERVICE_REASON,), detail=self.reason)

    def submit(self, job: PrintJob) -> str:
        """Refused: nothing is printed, and nothing is kept."""
        raise DeviceUnavailable(self.reason)

    def job_status(self, job_id: str) -> JobStatus:
        """No job was ever accepted."""
        raise DeviceError(f"{self.reason}: no job {job_id}")

    def cancel(self, job_id: str) -> None:
        """No job to cancel."""


class OutOfServiceSpeaker:
    """A speaker that is not there: says nothing (the journey does not offer voice with it)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def say(self, text: str, language: str, *, interrupt: bool = True) -> None:
        """Silence."""

    def stop(self) -> None:
        """Nothing is being said."""

    def close(self) -> None:
        """Nothing to release."""


class OutOfServiceCamera:
    """A face camera that is not there: every capture is unavailable."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def capture(self, timeout: float) -> bytes:
        """Never a picture: the camera is out of service."""
        raise DeviceUnavailable(self.reason)

    def close(self) -> None:
        """Nothing to release."""
