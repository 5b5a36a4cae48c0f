"""A serial (or USB CDC) scanner that sends each code as a line of text."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import serial

from drivers.scanner.read_loop import ThreadedScanner
from drivers.scanner.settings import SerialScannerSettings
from kiosk.driver_api import DeviceUnavailable, DriverContext, ResidentCode

log = logging.getLogger(__name__)

#: AIM symbology identifiers (ISO/IEC 15424) scanners may put before a code: "]Q1..." is a QR code.
_AIM = {"Q": "qrcode", "E": "ean13", "C": "code128", "A": "code39", "I": "i25", "e": "databar"}
_LONGEST_LINE = 4096


def parse_line(line: bytes) -> ResidentCode | None:
    """One line from the scanner as a code; its AIM prefix, when there is one, names the symbology.

    Pure: bytes in, record out. Empty lines (a CR LF split in two) give None.
    """
    text = line.strip(b"\r\n").decode("utf-8", errors="replace")
    if not text:
        return None
    if len(text) >= 3 and text[0] == "]" and text[1] in _AIM:
        return ResidentCode(_AIM[text[1]], text[3:])
    return ResidentCode("unknown", text)


class SerialCodeScanner(ThreadedScanner):
    """Implements kiosk.ports.CodeScanner on a serial port; a thread reads lines as they come."""

    def __init__(
        self,
        section: SerialScannerSettings,
        context: DriverContext,
        *,
        open_port: Callable[..., Any] = serial.Serial,
    ) -> None:
        if not section.port:
            raise DeviceUnavailable("scanner: devices.scanner.port is empty; name the serial port")
        self.port = section.port
        try:
            self._serial = open_port(section.port, section.baud, timeout=0.1)
        except serial.SerialException as error:
            raise DeviceUnavailable(f"scanner: cannot open {section.port}: {error}") from error
        super().__init__("scanner-serial")
        #: Bytes of a line not ended yet.
        self._pending = b""
        self._start_reading()

    def _run(self) -> None:
        self._read_until_closed(self._read_lines)

    def _release(self) -> None:
        self._serial.close()

    def _read_lines(self) -> None:
        """Read what the scanner sent and queue the codes of the lines it completed."""
        try:
            chunk = self._serial.read(self._serial.in_waiting or 1)
        except (serial.SerialException, OSError) as error:
            log.warning("scanner: %s stopped answering: %s", self.port, error)
            self._stop.wait(0.5)
            return
        self._pending += chunk
        # A scanner ends a code with CR, LF or CR LF. Each line leaves the buffer before it is
        # parsed: a line that fails to parse is lost, never parsed (and failing) again and again.
        while (end := _line_end(self._pending)) >= 0:
            line, self._pending = self._pending[: end + 1], self._pending[end + 1 :]
            code = parse_line(line)
            if code is not None:
                self._codes.put(code)
        if len(self._pending) > _LONGEST_LINE:
            log.warning(
                "scanner: %s sent %d bytes without a line end; dropped", self.port, len(self._pending)
            )
            self._pending = b""


def _line_end(buffer: bytes) -> int:
    ends = [index for index in (buffer.find(b"\r"), buffer.find(b"\n")) if index >= 0]
    return min(ends) if ends else -1
