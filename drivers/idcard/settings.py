"""The serial ID card reader's settings: `[devices.id_reader]` with `driver = "serial"`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from kiosk.driver_api import IdReaderSection


class SerialIdReaderSettings(IdReaderSection):
    """Where the reader is and how fast it talks (SAM protocol over a serial line)."""

    #: The serial port ("/dev/ttyUSB0", or the pty of `kiosk sim idcard`).
    port: str
    baud: Literal[115200, 57600, 38400, 19200, 9600]
    #: Seconds a card read may take (the SAM's work on the card plus the frame on the wire).
    timeout: float = Field(gt=0, le=30)
