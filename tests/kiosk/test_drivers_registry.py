from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.devices import (
    DriverContext,
    UnknownDriver,
    available_drivers,
    build_devices,
    build_driver,
)
from kiosk.ports import CodeScanner, FaceCamera, IdCardReader, Printer, SocialSecurityCardReader, Speaker
from kiosk.settings import LoadedSettings


def test_every_port_has_a_simulator_registered_by_entry_point() -> None:
    for device in PORTS:
        assert "sim" in available_drivers(device)


def test_defaults_build_simulators_that_implement_the_ports(
    make_settings: Callable[..., LoadedSettings], tmp_path: Path
) -> None:
    devices = build_devices(make_settings().settings, tmp_path)
    assert isinstance(devices.id_reader, IdCardReader)
    assert isinstance(devices.sscard_reader, SocialSecurityCardReader)
    assert isinstance(devices.scanner, CodeScanner)
    assert isinstance(devices.printer, Printer)
    assert isinstance(devices.speaker, Speaker)
    assert isinstance(devices.camera, FaceCamera)


def test_unknown_driver_is_a_clear_error(
    make_settings: Callable[..., LoadedSettings], tmp_path: Path
) -> None:
    # Settings refuse such a name when they load; a section built in code reaches the registry.
    section = make_settings().settings.devices.printer.model_copy(update={"driver": "simm"})
    with pytest.raises(UnknownDriver) as caught:
        build_driver("printer", section, DriverContext(tmp_path, "k1"))
    message = str(caught.value)
    assert "devices.printer.driver" in message and "'simm'" in message
    assert "did you mean 'sim'" in message


def test_none_is_a_driver_of_every_device_and_its_stand_ins_implement_the_ports(
    make_settings: Callable[..., LoadedSettings], tmp_path: Path
) -> None:
    devices_none = {device: {"driver": "none"} for device in PORTS}
    # The settings accept it as they accept an installed driver (config show, kiosk run).
    settings = make_settings({"devices": devices_none}).settings
    devices = build_devices(settings, tmp_path)
    for device, port in PORTS.items():
        assert "none" in available_drivers(device)
        assert isinstance(getattr(devices, device), port), device
    assert sorted(devices.out_of_service) == sorted(PORTS)


PORTS = {
    "id_reader": IdCardReader,
    "sscard_reader": SocialSecurityCardReader,
    "scanner": CodeScanner,
    "printer": Printer,
    "speaker": Speaker,
    "camera": FaceCamera,
}
