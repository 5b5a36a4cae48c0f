"""What a driver may use of the core: the one module drivers import from `kiosk`.

A driver package (built in under drivers/, or a site's own for another reader brand) registers its
factory in the `kiosk.drivers` entry-point group as "<device>.<driver>" (e.g. "id_reader.serial"),
and may register a settings model under the same name in `kiosk.driver_settings`: a subclass of its
device's section below declaring the keys of its own (`[devices.id_reader] port = ...`).
Everything a driver needs from the core is re-exported here, so the core can move its rooms around
without breaking a driver; import-linter holds drivers/ to this module (pyproject.toml). See
docs/drivers.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from kiosk.devices import DriverContext
from kiosk.digits import ascii_digits
from kiosk.fonts import FontMissing, find_cjk_font
from kiosk.nations import NATIONS
from kiosk.paths import printed_dir
from kiosk.ports import (
    CardUnreadable,
    CodeScanner,
    DeviceError,
    DeviceUnavailable,
    FaceCamera,
    IdCardReader,
    Printer,
    SocialSecurityCardReader,
    Speaker,
)
from kiosk.records import (
    IdCard,
    JobState,
    JobStatus,
    PrinterStatus,
    PrintJob,
    ResidentCode,
    SocialSecurityCard,
)
from kiosk.records.identity import CardType
from kiosk.settings.schema import (
    SYMBOLOGY_NAMES,
    CameraSection,
    DeviceSection,
    IdReaderSection,
    PrinterSection,
    ScannerSection,
    SocialSecurityReaderSection,
    SpeakerSection,
)
from kiosk.thread_guard import ThreadGuard

if TYPE_CHECKING:
    from kiosk.barcodes import FrameDecoder
    from kiosk.printing import PRINTER_REASONS
    from kiosk.provision.detect import Candidate

#: Handed out on first use: they load zbar, the print service and provisioning's detection, which a
#: driver's settings module (imported whenever settings are loaded) must not pull in.
_ON_FIRST_USE = {
    "FrameDecoder": "kiosk.barcodes",
    "PRINTER_REASONS": "kiosk.printing",
    "Candidate": "kiosk.provision.detect",
}


def __getattr__(name: str) -> Any:
    module = _ON_FIRST_USE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "NATIONS",
    "PRINTER_REASONS",
    "SYMBOLOGY_NAMES",
    "CameraSection",
    "Candidate",
    "CardType",
    "CardUnreadable",
    "CodeScanner",
    "DeviceError",
    "DeviceSection",
    "DeviceUnavailable",
    "DriverContext",
    "FaceCamera",
    "FontMissing",
    "FrameDecoder",
    "IdCard",
    "IdCardReader",
    "IdReaderSection",
    "JobState",
    "JobStatus",
    "PrintJob",
    "Printer",
    "PrinterSection",
    "PrinterStatus",
    "ResidentCode",
    "ScannerSection",
    "SocialSecurityCard",
    "SocialSecurityCardReader",
    "SocialSecurityReaderSection",
    "Speaker",
    "SpeakerSection",
    "ThreadGuard",
    "ascii_digits",
    "find_cjk_font",
    "printed_dir",
]
