"""The driver registry: builds each device's driver by name, found through entry points."""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

from kiosk.out_of_service import (
    OutOfServiceCardReader,
    OutOfServicePrinter,
    OutOfServiceScanner,
    OutOfServiceSpeaker,
)
from kiosk.ports import CodeScanner, IdCardReader, Printer, SocialSecurityCardReader, Speaker
from kiosk.settings import Settings
from kiosk.settings.schema import DeviceSection, KioskMode, PrinterSection

#: The entry-point group drivers register in; names are "<device>.<driver>", e.g. "printer.sim".
ENTRY_POINT_GROUP = "kiosk.drivers"
#: The driver name of every device's simulator.
SIMULATOR = "sim"
#: Drivers for a developer's machine that fall back to the simulator when the real device is not
#: there (drivers/printer/auto.py): on an appliance, as much a pretence as the simulator itself.
FALLS_BACK_TO_SIMULATOR = frozenset({"auto"})
#: The driver name of a device this kiosk does not have: out of service, and said so.
NO_DEVICE = "none"
#: The kiosk modes in which a device on its simulator runs (see `out_of_service_reason`).
SIMULATORS_RUN_IN: frozenset[KioskMode] = frozenset({"development", "showroom"})

log = logging.getLogger(__name__)


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
    #: The devices that are out of service (kiosk.out_of_service stands in), each with its reason.
    out_of_service: Mapping[str, str] = field(default_factory=dict)


def available_drivers(device: str) -> list[str]:
    """The driver names `device` may be given: those installed (e.g. "printer" -> ["cups", "sim"]),
    and "none" (a device this kiosk does not have), which every device has."""
    prefix = f"{device}."
    installed = [ep.name[len(prefix) :] for ep in _entry_points() if ep.name.startswith(prefix)]
    return sorted({*installed, NO_DEVICE})


def out_of_service_reason(device: str, section: DeviceSection, mode: KioskMode) -> str:
    """Why `device` is out of service on a kiosk in `mode`, for a technician; "" when it is in service.

    The one rule: a device is out of service when the site says this kiosk does not have it
    (`driver = "none"`), or when it is still on its simulator on an appliance. A laptop (mode
    "development") and a showroom kiosk run simulators; an installed appliance never pretends.
    """
    if section.driver == NO_DEVICE:
        return _none_here(device)
    if mode in SIMULATORS_RUN_IN:
        return ""
    if section.driver == SIMULATOR:
        return (
            f'{device}: never provisioned, still on its simulator (devices.{device}.driver = "{SIMULATOR}") '
            f'on an appliance (kiosk.mode = "{mode}"); set it up with `sudo kiosk provision`'
        )
    if section.driver in FALLS_BACK_TO_SIMULATOR:
        return (
            f'{device}: devices.{device}.driver = "{section.driver}" falls back to its simulator, which an '
            f'appliance (kiosk.mode = "{mode}") never runs; name the real driver with `sudo kiosk provision`'
        )
    return ""


def build_driver(device: str, section: DeviceSection, context: DriverContext) -> Any:
    """Build the driver named in `section.driver` for `device` (`none`: the out-of-service stand-in)."""
    name = section.driver
    if name == NO_DEVICE:
        return out_of_service_device(device, section, _none_here(device))
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


def out_of_service_device(device: str, section: DeviceSection, reason: str) -> Any:
    """The stand-in for `device` that says it is out of service (kiosk.out_of_service)."""
    if device in {"id_reader", "sscard_reader"}:
        return OutOfServiceCardReader(reason)
    if device == "scanner":
        return OutOfServiceScanner(reason)
    if device == "printer":
        paper = section.paper if isinstance(section, PrinterSection) else "a4"
        return OutOfServicePrinter(reason, paper)
    if device == "speaker":
        return OutOfServiceSpeaker(reason)
    raise UnknownDriver(f"devices.{device}: no such device")


def build_device(device: str, section: DeviceSection, settings: Settings, context: DriverContext) -> Any:
    """Build `device` as this kiosk runs it: its driver, or the stand-in that says it is out of service."""
    reason = out_of_service_reason(device, section, settings.kiosk.mode)
    return (
        out_of_service_device(device, section, reason) if reason else build_driver(device, section, context)
    )


def build_devices(settings: Settings, data_dir: Path) -> Devices:
    """Build every device of the kiosk from its settings; one out of service is logged and stood in for."""
    context = DriverContext(data_dir=data_dir, kiosk_id=settings.kiosk.id)
    out_of_service: dict[str, str] = {}

    def build(device: str, section: DeviceSection) -> Any:
        reason = out_of_service_reason(device, section, settings.kiosk.mode)
        if reason:
            out_of_service[device] = reason
            log.error("device out of service: %s", reason)
        return build_device(device, section, settings, context)

    devices = settings.devices
    return Devices(
        id_reader=build("id_reader", devices.id_reader),
        sscard_reader=build("sscard_reader", devices.sscard_reader),
        scanner=build("scanner", devices.scanner),
        printer=build("printer", devices.printer),
        speaker=build("speaker", devices.speaker),
        out_of_service=out_of_service,
    )


def _none_here(device: str) -> str:
    return f'{device}: this kiosk has none (devices.{device}.driver = "{NO_DEVICE}")'


def _entry_points() -> list[EntryPoint]:
    return list(entry_points(group=ENTRY_POINT_GROUP))
