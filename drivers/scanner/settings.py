"""The code scanners' settings: `[devices.scanner]` with `driver = "camera"` or `"serial"`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from kiosk.driver_api import SYMBOLOGY_NAMES, ScannerSection


class CameraScannerSettings(ScannerSection):
    """A camera whose frames zbar decodes, restricted to the symbologies the kiosk looks for."""

    #: The camera's index ("0") or device ("/dev/video0").
    port: str
    symbologies: list[str] = Field(min_length=1)

    @field_validator("symbologies")
    @classmethod
    def _symbologies(cls, value: list[str]) -> list[str]:
        unknown = [name for name in value if name not in SYMBOLOGY_NAMES]
        if unknown:
            raise ValueError(f"unknown symbology {unknown[0]!r}; known: {', '.join(SYMBOLOGY_NAMES)}")
        return value


class SerialScannerSettings(ScannerSection):
    """A scanner that sends each code as a line on a serial port."""

    #: The port ("/dev/ttyACM0").
    port: str
    baud: Literal[115200, 57600, 38400, 19200, 9600]
