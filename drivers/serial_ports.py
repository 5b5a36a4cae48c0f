"""The serial ports of this machine, as candidates for a serial ID card reader or scanner."""

from __future__ import annotations

from serial.tools import list_ports

from kiosk.driver_api import Candidate, DeviceSection


def serial_port_candidates(section: DeviceSection) -> list[Candidate]:
    """Every port pyserial finds (USB adapters, CDC devices, on-board UARTs), by device path."""
    ports = sorted(list_ports.comports(), key=lambda port: port.device)
    return [Candidate(port.device, _label(port.device, port.description, port.hwid)) for port in ports]


def _label(device: str, description: str, hwid: str) -> str:
    known = [part for part in (description, hwid) if part and part != "n/a"]
    return f"{device} ({', '.join(known)})" if known else device
