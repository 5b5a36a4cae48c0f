"""What the machine offers for each device (serial ports, PC/SC readers, CUPS queues, cameras).

Driver packages contribute one detector per driver in the `kiosk.detectors` entry-point group,
named like the driver (`id_reader.serial`, `printer.cups`), so the core never imports a driver.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kiosk import plugins
from kiosk.settings.schema import DeviceSection

#: The entry-point group detectors register in, with the driver's name: "<device>.<driver>".
ENTRY_POINT_GROUP = "kiosk.detectors"


@dataclass(frozen=True)
class Candidate:
    """One thing the machine offers for a device setting, as a technician chooses among them.

    `value` is what goes into the setting (a port path, a reader name, a queue name); `device`
    is where the device is when that differs (a queue's printer URI). A device that needs setting
    up first (a USB printer without a CUPS queue) carries `prepare`, which does that under the
    name it is given (`value` is a free one) and returns the value to store.
    """

    value: str
    label: str
    device: str = ""
    prepare: Callable[[str], str] | None = None


Detector = Callable[[DeviceSection], list[Candidate]]


def detect(device: str, section: DeviceSection) -> list[Candidate]:
    """What the machine offers for `device` with `section.driver`; empty when nothing detects it."""
    detector: Detector | None = plugins.load(ENTRY_POINT_GROUP, f"{device}.{section.driver}")
    return detector(section) if detector else []
