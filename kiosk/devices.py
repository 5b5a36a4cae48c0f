"""The driver registry: builds each device's driver by name, found through entry points."""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import create_model

from kiosk import plugins
from kiosk.out_of_service import (
    OutOfServiceCamera,
    OutOfServiceCardReader,
    OutOfServicePrinter,
    OutOfServiceScanner,
    OutOfServiceSpeaker,
)
from kiosk.ports import CodeScanner, FaceCamera, IdCardReader, Printer, SocialSecurityCardReader, Speaker
from kiosk.settings import Settings, SettingsError
from kiosk.settings.schema import DeviceSection, DevicesSection, KioskMode, PrinterSection

#: The entry-point group drivers register in; names are "<device>.<driver>", e.g. "printer.sim".
ENTRY_POINT_GROUP = "kiosk.drivers"
#: A driver's own settings model, registered under the driver's name apart from its factory, so that
#: loading settings imports the small settings modules only, not every installed driver's library.
SETTINGS_GROUP = "kiosk.driver_settings"
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
    #: The face camera, for the services that need the resident's face (kiosk.ports.FaceCamera).
    camera: FaceCamera
    #: The devices that are out of service (kiosk.out_of_service stands in), each with its reason.
    out_of_service: Mapping[str, str] = field(default_factory=dict)


def available_drivers(device: str) -> list[str]:
    """The driver names `device` may be given: those installed (e.g. "printer" -> ["cups", "sim"]),
    and "none" (a device this kiosk does not have), which every device has."""
    prefix = f"{device}."
    installed = [name[len(prefix) :] for name in plugins.names(ENTRY_POINT_GROUP) if name.startswith(prefix)]
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
    factory: DriverFactory | None = plugins.load(ENTRY_POINT_GROUP, f"{device}.{name}")
    if factory is not None:
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
    if device == "camera":
        return OutOfServiceCamera(reason)
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
        camera=build("camera", devices.camera),
        out_of_service=out_of_service,
    )


def _none_here(device: str) -> str:
    return f'{device}: this kiosk has none (devices.{device}.driver = "{NO_DEVICE}")'


def driver_settings_model(device: str, driver: str) -> type[DeviceSection]:
    """The settings model of `device`'s driver named `driver` (its `kiosk.driver_settings` entry),
    else the section of the device's kind (a driver with no keys of its own, "none", or not installed)."""
    kind = _kind_section(device)
    found = plugins.load(SETTINGS_GROUP, f"{device}.{driver}") if driver != NO_DEVICE else None
    return _declared_model(device, driver, found, kind)


def driver_section(device: str, values: Mapping[str, Any]) -> DeviceSection:
    """`values` (a device's table, with its "driver") validated as that driver's settings; keys the
    driver does not declare (another driver's) are left out."""
    model = driver_settings_model(device, str(values.get("driver", "")))
    return model.model_validate({key: value for key, value in values.items() if key in model.model_fields})


def settings_schema() -> type[Settings]:
    """The kiosk's settings model, each device's table as the installed drivers declare it: the
    section of its kind together with the settings models of every driver installed for it (so
    their keys may all be set and are all checked, whichever driver runs)."""
    registered = [(entry_point.name, entry_point.value) for entry_point in plugins.registered(SETTINGS_GROUP)]
    return _settings_schema(*(_of_device(device, registered) for device in DevicesSection.model_fields))


def _of_device(device: str, registered: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple((name, target) for name, target in registered if name.startswith(f"{device}."))


@cache
def _settings_schema(*installed: tuple[tuple[str, str], ...]) -> type[Settings]:
    # Cached on the installed drivers' names and targets: a package installed since gets its own.
    devices = {
        device: (_combined_model(device, drivers), ...)
        for device, drivers in zip(DevicesSection.model_fields, installed, strict=True)
    }
    section: type[DevicesSection] = create_model(  # type: ignore[call-overload]  # fields by name
        "DevicesSection", __base__=DevicesSection, __module__=__name__, **devices
    )
    schema: type[Settings] = create_model(
        "Settings", __base__=Settings, __module__=__name__, devices=(section, ...)
    )
    return schema


@cache
def _combined_model(device: str, drivers: tuple[tuple[str, str], ...]) -> type[DeviceSection]:
    kind = _kind_section(device)
    models: list[type[DeviceSection]] = [kind]
    for name, target in drivers:
        driver = name.split(".", 1)[1]
        try:
            model = plugins.load(SETTINGS_GROUP, name)
        except Exception as error:  # a broken package of any kind: named, not a traceback
            raise SettingsError(
                f"devices.{device}.driver", f"driver {name} ({target})", f"cannot be loaded: {error!r}"
            ) from error
        models.append(_declared_model(device, driver, model, kind))
    # The most derived models only (a driver's model derives from its kind's section), each once.
    leaves = [
        model
        for model in dict.fromkeys(models)
        if not any(other is not model and issubclass(other, model) for other in models)
    ]
    _check_same_keys_agree(device, leaves)
    if len(leaves) == 1:
        return leaves[0]
    combined: type[DeviceSection] = type(kind.__name__, tuple(leaves), {"__module__": __name__})
    return combined


def _declared_model(device: str, driver: str, found: Any, kind: type[DeviceSection]) -> type[DeviceSection]:
    model = kind if found is None else found
    if not (isinstance(model, type) and issubclass(model, kind)):
        raise SettingsError(
            f"devices.{device}.driver",
            f"driver {device}.{driver}",
            f"its settings model must be a subclass of kiosk.driver_api.{kind.__name__}, not {model!r}",
        )
    return model


def _check_same_keys_agree(device: str, models: list[type[DeviceSection]]) -> None:
    """Two drivers of one device may share a key (a port) only when they agree on its type."""
    seen: dict[str, tuple[Any, str]] = {}
    for model in models:
        for key, info in model.model_fields.items():
            if key in seen and seen[key][0] != info.annotation:
                raise SettingsError(
                    f"devices.{device}.{key}",
                    f"drivers' settings {seen[key][1]} and {model.__qualname__}",
                    f"declared as {seen[key][0]!r} and as {info.annotation!r}; "
                    "the drivers of one device must agree on a key's type",
                )
            seen.setdefault(key, (info.annotation, model.__qualname__))


def _kind_section(device: str) -> type[DeviceSection]:
    field_info = DevicesSection.model_fields.get(device)
    if field_info is None:
        raise UnknownDriver(f"devices.{device}: no such device")
    kind: type[DeviceSection] = field_info.annotation  # type: ignore[assignment]
    return kind
