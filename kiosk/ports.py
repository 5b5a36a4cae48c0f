"""What the core needs from hardware, as small protocols. Drivers in `drivers/` implement them."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from kiosk.records import (
    IdCard,
    JobStatus,
    PrinterStatus,
    PrintJob,
    ResidentCode,
    SocialSecurityCard,
)


class DeviceError(Exception):
    """A device could not do what was asked. The message is for a technician: device, port, cause."""


class DeviceUnavailable(DeviceError):
    """The device is not there or not answering (unplugged, daemon down, port gone)."""


class CardUnreadable(DeviceError):
    """A card is present but could not be read (refused, pulled out mid-read, not the right card)."""


@runtime_checkable
class IdCardReader(Protocol):
    """A resident ID card reader (二代证 SAM reader)."""

    def read_card(self, timeout: float) -> IdCard | None:
        """Wait up to `timeout` seconds for a card and read it; None when no card was placed."""
        ...

    def card_present(self) -> bool:
        """Whether a card lies on the reader now (a read card must be lifted before the next read)."""
        ...

    def close(self) -> None:
        """Release the port."""
        ...


@runtime_checkable
class SocialSecurityCardReader(Protocol):
    """A PC/SC reader holding social security cards."""

    def read_card(self, timeout: float) -> SocialSecurityCard | None:
        """Wait up to `timeout` seconds for an inserted card and read it; None when none came."""
        ...

    def card_present(self) -> bool:
        """Whether a card is inserted now."""
        ...

    def close(self) -> None:
        """Release the reader."""
        ...


@runtime_checkable
class CodeScanner(Protocol):
    """Anything that reads QR codes and barcodes residents show: camera, serial or HID scanner."""

    def scan(self, timeout: float) -> ResidentCode | None:
        """Wait up to `timeout` seconds for a code; None when none was shown."""
        ...

    def close(self) -> None:
        """Release the device."""
        ...


@runtime_checkable
class Printer(Protocol):
    """A printer for checklists, guides and receipts."""

    #: "a4" or "receipt80": documents are laid out for this paper.
    paper: str

    def status(self) -> PrinterStatus:
        """Whether the printer can take a job now."""
        ...

    def submit(self, job: PrintJob) -> str:
        """Hand a job to the printer; returns its job id. Raises DeviceError when refused."""
        ...

    def job_status(self, job_id: str) -> JobStatus:
        """The current state of a submitted job."""
        ...

    def cancel(self, job_id: str) -> None:
        """Cancel a job that has not finished; a finished job is left alone."""
        ...


@runtime_checkable
class Speaker(Protocol):
    """Voice guidance. Never blocks the caller: speech runs on the driver's own thread or device."""

    def say(self, text: str, language: str, *, interrupt: bool = True) -> None:
        """Start saying `text` in `language` ("zh_CN", "en"), interrupting whatever is being said.

        With `interrupt` False, `text` is said after what is being said (one screen's words can
        be in two voices: a guide's Chinese, then the English instruction).
        """
        ...

    def stop(self) -> None:
        """Stop talking now."""
        ...

    def close(self) -> None:
        """Stop talking and release the audio device."""
        ...


@runtime_checkable
class FaceCamera(Protocol):
    """The camera facing the resident: one live picture for the platform to compare (the kiosk
    compares nothing). The picture is personal data: never written to a file, never logged."""

    def capture(self, timeout: float) -> bytes:
        """Take one picture and return it as JPEG, within `timeout` seconds.

        Raises DeviceUnavailable when the camera is not there (unplugged, never found), DeviceError
        when it is there but gave no picture in time or a broken one.
        """
        ...

    def close(self) -> None:
        """Release the camera."""
        ...
