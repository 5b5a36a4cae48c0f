"""Testing devices while provisioning, with the doctor's own checks (one way of checking a device)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kiosk.devices import DriverContext
from kiosk.doctor import Check, device_checks, run_bounded
from kiosk.doctor.devices import check_id_reader
from kiosk.doctor.report import CheckEnvironment
from kiosk.ports import DeviceError
from kiosk.provision.detect import Candidate, detect
from kiosk.settings import Settings
from kiosk.settings.schema import DeviceSection, IdReaderSection

#: Seconds a port may take to answer the SAM status command before the next port is tried.
PORT_PROBE_TIMEOUT = 5.0


@dataclass(frozen=True)
class Detected:
    """What detection found for a device, or why it could not look (pcscd down, cupsd down)."""

    candidates: list[Candidate]
    problem: str = ""


def detect_safely(device: str, section: DeviceSection) -> Detected:
    """`detect`, with a device or service that cannot be asked reported instead of raised."""
    try:
        return Detected(detect(device, section))
    except DeviceError as error:
        return Detected([], str(error))


def probe_id_reader_ports(
    section: IdReaderSection, ports: list[str], context: DriverContext
) -> list[tuple[str, Check]]:
    """Each port asked for the SAM status through the serial driver, in order: (port, its check)."""

    def probe(section: IdReaderSection) -> Check:
        return run_bounded("id_reader", True, lambda: check_id_reader(section, context), PORT_PROBE_TIMEOUT)

    return [(port, probe(section.model_copy(update={"driver": "serial", "port": port}))) for port in ports]


def check_devices(settings: Settings, data: Path) -> list[Check]:
    """The chosen devices and the daemons they need, checked as `kiosk doctor` checks them."""
    return device_checks(settings, data, CheckEnvironment())
