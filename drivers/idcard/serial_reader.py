"""The ID card reader on a serial port: find, select, read over the SAM protocol, with pyserial."""

from __future__ import annotations

import contextlib
import logging
import termios
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import serial

from drivers.idcard import protocol
from drivers.idcard.protocol import Answer, Command, CorruptFrame, FrameReader
from drivers.idcard.settings import SerialIdReaderSettings
from kiosk.driver_api import CardUnreadable, DeviceUnavailable, DriverContext, IdCard

log = logging.getLogger(__name__)

#: How long each command may take before the reader counts as not answering. Find and select are
#: quick; a read includes the SAM's own work on the card (hundreds of ms) plus 112 ms on the wire.
COMMAND_TIMEOUTS: dict[Command, float] = {
    Command.RESET_SAM: 2.0,
    Command.SAM_STATUS: 0.5,
    Command.SAM_ID: 0.5,
    Command.FIND_CARD: 0.5,
    Command.SELECT_CARD: 0.5,
    Command.READ_BASIC: 3.0,
    Command.READ_WITH_FINGERPRINT: 4.0,
    Command.READ_APPENDED_ADDRESS: 1.0,
}
#: Pause between two finds while waiting for a card to be placed or lifted.
POLL_INTERVAL = 0.1


class _NoAnswer(Exception):
    """A command got no complete answer in time; carries how far the answer got."""

    def __init__(self, command: Command, received: int, expected: int | None) -> None:
        super().__init__(command)
        self.command = command
        self.received = received
        self.expected = expected


@dataclass(frozen=True)
class SamInfo:
    """What `kiosk hw idcard --sam` reports."""

    sam_id: str
    status: int
    status_meaning: str


class SerialIdCardReader:
    """A SAM reader on a serial port. Implements kiosk.ports.IdCardReader.

    The port is opened on first use and again after it went away (USB unplugged), so a reader
    that comes back is used again without restarting the kiosk. One lock keeps the frames of two
    callers from interleaving.
    """

    def __init__(
        self,
        section: SerialIdReaderSettings,
        context: DriverContext | None = None,
        *,
        open_port: Callable[..., Any] = serial.Serial,
    ) -> None:
        self.port = section.port
        self.baud = section.baud
        self._open_port = open_port
        # The configured timeout bounds the reads, which include the SAM's work on the card.
        self.timeouts = {
            **COMMAND_TIMEOUTS,
            Command.READ_BASIC: section.timeout,
            Command.READ_WITH_FINGERPRINT: section.timeout + 1.0,
        }
        self._serial: Any = None
        self._lock = threading.Lock()
        # A read card lies on the reader until lifted; it must not be read again before that.
        self._awaiting_lift = False

    # -- the port ------------------------------------------------------------------------------

    def _device(self) -> Any:
        if self._serial is None:
            if not self.port:
                raise DeviceUnavailable("ID card reader: no serial port configured (devices.id_reader.port)")
            try:
                self._serial = self._open_port(self.port, self.baud, timeout=0.1, write_timeout=1.0)
            except (serial.SerialException, OSError) as error:
                raise DeviceUnavailable(
                    f"ID card reader on {self.port}: cannot open the port: {error}"
                ) from error
        return self._serial

    def close(self) -> None:
        """Release the port."""
        with self._lock:
            self._drop_port()

    def _drop_port(self) -> None:
        if self._serial is not None:
            # A port that is already gone has nothing more to release.
            with contextlib.suppress(serial.SerialException, OSError, termios.error):
                self._serial.close()
            self._serial = None

    # -- one command ---------------------------------------------------------------------------

    def _exchange(self, command: Command) -> Answer:
        """Send one command and return its answer; a damaged answer is asked for once more."""
        for attempt in (1, 2):
            result = self._send_and_receive(command)
            # A damaged answer, or the SAM saying our command arrived damaged: both are asked again.
            if isinstance(result, Answer) and result.sw3 != protocol.RECEIVE_CHECKSUM_ERROR:
                return result
            log.warning(
                "ID card reader on %s: checksum error on %s (attempt %d)", self.port, command.name, attempt
            )
        raise CardUnreadable(
            f"ID card reader on {self.port}: {command.name} answer failed its checksum twice "
            "(line noise or a faulty cable)"
        )

    def _send_and_receive(self, command: Command) -> Answer | CorruptFrame:
        device = self._device()
        frames = FrameReader()
        timeout = self.timeouts[command]
        received = 0
        try:
            device.reset_input_buffer()  # an answer nobody waited for must not pass as this one's
            device.write(protocol.build_command(command))
            deadline = time.monotonic() + timeout
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise _NoAnswer(command, received, frames.expected_total())
                device.timeout = remaining
                chunk = device.read(frames.wanted())
                received += len(chunk)
                completed = frames.feed(chunk)
                if completed:
                    return completed[0]
        except (serial.SerialException, OSError, termios.error) as error:
            self._drop_port()
            raise DeviceUnavailable(f"ID card reader on {self.port}: the port failed: {error}") from error

    # -- the port protocol (kiosk.ports.IdCardReader) ------------------------------------------

    def card_present(self) -> bool:
        """Whether a card lies on the reader now (find answers 9F); "no card" re-arms the next read."""
        with self._lock:
            status = self._find()
            if status == protocol.NO_CARD:
                self._awaiting_lift = False
            return status == protocol.FOUND

    def _find(self) -> int:
        try:
            return self._exchange(Command.FIND_CARD).sw3
        except _NoAnswer as error:
            raise DeviceUnavailable(
                f"ID card reader on {self.port}: no answer to find card within "
                f"{self.timeouts[Command.FIND_CARD]} s (reader off, wrong port or wrong baud rate "
                f"{self.baud})"
            ) from error

    def read_card(self, timeout: float) -> IdCard | None:
        """Wait up to `timeout` seconds for a card placed after the last read, and read it whole."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                status = self._find()
                if status == protocol.NO_CARD:
                    self._awaiting_lift = False
                elif status == protocol.FOUND and not self._awaiting_lift:
                    card = self._read_found_card()
                    if card is not None:
                        self._awaiting_lift = True
                        return card
                elif status not in {protocol.FOUND, protocol.NO_CARD}:
                    raise CardUnreadable(
                        f"ID card reader on {self.port}: find card answered {status:02X} "
                        f"({protocol.status_meaning(status)})"
                    )
                if time.monotonic() + POLL_INTERVAL > deadline:
                    return None
                time.sleep(POLL_INTERVAL)

    def _read_found_card(self) -> IdCard | None:
        """Select and read the card just found; None when it left before select (a passing card)."""
        try:
            select = self._exchange(Command.SELECT_CARD)
            if select.sw3 == protocol.SELECT_FAILED:
                return None
            self._expect(select, Command.SELECT_CARD)
            answer = self._exchange(Command.READ_BASIC)
            self._expect(answer, Command.READ_BASIC)
            basic = protocol.parse_read(answer.data)
            appended = self._exchange(Command.READ_APPENDED_ADDRESS)
            address = ""
            if appended.sw3 == protocol.SUCCESS:
                address = protocol.parse_appended_address(appended.data)
            elif appended.sw3 != protocol.NO_CONTENT:
                self._expect(appended, Command.READ_APPENDED_ADDRESS)
            return protocol.parse_text(basic.text, basic.photo_wlt, address)
        except _NoAnswer as error:
            got = (
                f"{error.received} of {error.expected} bytes" if error.expected else f"{error.received} bytes"
            )
            raise CardUnreadable(
                f"ID card reader on {self.port}: {error.command.name} stopped after {got} "
                "(card lifted during the read?)"
            ) from error
        except protocol.MalformedRecord as error:
            raise CardUnreadable(
                f"ID card reader on {self.port}: the card's data is malformed: {error}"
            ) from error

    def _expect(self, answer: Answer, command: Command) -> None:
        if answer.sw3 != protocol.SUCCESS:
            raise CardUnreadable(
                f"ID card reader on {self.port}: {command.name} answered {answer.sw3:02X} ({answer.meaning})"
            )

    # -- technician's commands -----------------------------------------------------------------

    def sam_info(self) -> SamInfo:
        """The SAM id and its self-reported status."""
        with self._lock:
            try:
                status = self._exchange(Command.SAM_STATUS)
                ident = self._exchange(Command.SAM_ID)
            except _NoAnswer as error:
                raise DeviceUnavailable(
                    f"ID card reader on {self.port}: no answer to {error.command.name} (reader off, wrong "
                    f"port or wrong baud rate {self.baud})"
                ) from error
            self._expect(ident, Command.SAM_ID)
            try:
                sam_id = protocol.format_sam_id(ident.data)
            except protocol.MalformedRecord as error:
                raise CardUnreadable(f"ID card reader on {self.port}: {error}") from error
            return SamInfo(sam_id, status.sw3, status.meaning)
