"""The driver registry: builds each device's driver by name, found through entry points."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

from kiosk.ports import CodeScanner, IdCardReader, Printer, SocialSecurityCardReader, Speaker
from kiosk.settings import Settings
from kiosk.settings.schema import DeviceSection

#: The entry-point group drivers register in; names are "<device>.<driver>", e.g. "printer.sim".
ENTRY_POINT_GROUP = "kiosk.drivers"


class UnknownDriver(LookupError):
    """A device is configured with a driver name no installed package provides."""


@dataclass(frozen=True)
class DriverContext:
    """What a driver may need beyond its own settings section."""

    data_dir: Path
    kiosk_id: str


DriverFactory = Callable[[DeviceSection, DriverContext], Any]


@dataclass(frozen=True)
class Devices:
    """The kiosk's hardware, one driver per port."""

    id_reader: IdCardReader
    sscard_reader: SocialSecurityCardReader
    scanner: CodeScanner
    printer: Printer
    speaker: Speaker


def available_drivers(device: str) -> list[str]:
    """The driver names installed for `device` (e.g. "printer" -> ["cups", "sim"])."""
    prefix = f"{device}."
    return sorted(ep.name[len(prefix) :] for ep in _entry_points() if ep.name.startswith(prefix))


def build_driver(device: str, section: DeviceSection, context: DriverContext) -> Any:
    """Build the driver named in `section.driver` for `device`."""
    name = section.driver
    wanted = f"{device}.{name}"
    for entry_point in _entry_points():
        if entry_point.name == wanted:
            factory: DriverFactory = entry_point.load()
            return factory(section, context)
    known = available_drivers(device)
    hint = difflib.get_close_matches(name, known, n=1)
    suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
    raise UnknownDriver(
        f"devices.{device}.driver: no driver named {name!r} is installed "
        f"(installed: {', '.join(known) or 'none'}){suggestion}"
    )


def build_devices(settings: Settings, data_dir: Path) -> Devices:
    """Build every device of the kiosk from its settings."""
    context = DriverContext(data_dir=data_dir, kiosk_id=settings.kiosk.id)
    devices = settings.devices
    return Devices(
        id_reader=build_driver("id_reader", devices.id_reader, context),
        sscard_reader=build_driver("sscard_reader", devices.sscard_reader, context),
        scanner=build_driver("scanner", devices.scanner, context),
        printer=build_driver("printer", devices.printer, context),
        speaker=build_driver("speaker", devices.speaker, context),
    )


def _entry_points() -> list[EntryPoint]:
    return list(entry_points(group=ENTRY_POINT_GROUP))
