"""An installed appliance never pretends: a device still on its simulator is out of service there.

A laptop (kiosk.mode "development", the packaged default) and a showroom run the simulators; an
appliance (scripts/install-appliance writes kiosk.mode = "appliance") tells the resident what does
not work and what to do instead, and tells the technician (log, doctor, technician mode) how to
provision it. Kivy-free: the journey as the screens drive it; tests/screens/test_appliance_ui.py
walks the same through the real UI.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from drivers.camera.sim import SimFaceCamera
from drivers.printer.sim import SimPrinter
from drivers.speech.sim import SimSpeaker
from kiosk.appliance import Kiosk
from kiosk.doctor import Status, device_checks, overall
from kiosk.doctor.report import CheckEnvironment
from kiosk.events import DeviceLost
from kiosk.identity import ReaderWatch
from kiosk.journey import Screen
from kiosk.out_of_service import OutOfServiceCamera, OutOfServiceCardReader, OutOfServicePrinter
from kiosk.ports import DeviceUnavailable
from kiosk.release_format import validate_pushed_config
from kiosk.settings import LoadedSettings, SettingsError
from tests.kiosk.test_appliance_content import fill_catalogue

DEVICES = ("id_reader", "sscard_reader", "scanner", "printer", "speaker", "camera")
APPLIANCE = {"kiosk": {"mode": "appliance"}}


def test_a_laptop_runs_the_simulators_by_default(make_kiosk: Callable[..., Kiosk]) -> None:
    kiosk = make_kiosk()
    assert kiosk.settings.kiosk.mode == "development"  # config/default.toml: make run, demos, tests
    assert isinstance(kiosk.devices.printer, SimPrinter) and isinstance(kiosk.devices.speaker, SimSpeaker)
    assert isinstance(kiosk.devices.camera, SimFaceCamera)
    assert kiosk.devices.out_of_service == {} and kiosk.journey.voice_offered


def test_an_unprovisioned_appliance_logs_every_device_out_of_service(
    make_kiosk: Callable[..., Kiosk], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="kiosk.devices"):
        kiosk = make_kiosk(APPLIANCE)
    assert sorted(kiosk.devices.out_of_service) == sorted(DEVICES)
    for device in DEVICES:
        reason = kiosk.devices.out_of_service[device]
        assert f'devices.{device}.driver = "sim"' in reason and "kiosk provision" in reason
        assert any(reason in record.getMessage() for record in caplog.records), device
    assert isinstance(kiosk.devices.printer, OutOfServicePrinter)
    assert isinstance(kiosk.devices.id_reader, OutOfServiceCardReader)


def test_an_unprovisioned_appliance_identifies_nobody_and_says_to_ask_at_the_help_desk(
    make_kiosk: Callable[..., Kiosk],
) -> None:
    kiosk = make_kiosk(APPLIANCE)
    lost: list[str] = []
    kiosk.bus.subscribe(DeviceLost, lambda event: lost.append(event.device))
    kiosk.identity.watch = ReaderWatch(poll=0.01, read=0.1, retry=0.01)
    kiosk.journey.wake()
    kiosk.journey.open_identify()
    # Both readers are unavailable from the first screen on, before their watchers ever ran.
    assert kiosk.journey.view.screen is Screen.IDENTIFY
    assert kiosk.journey.view.identify.unavailable == {"id_reader", "sscard_reader"}

    kiosk.identity.start()
    deadline = time.monotonic() + 5
    while len(lost) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sorted(lost) == ["id_reader", "sscard_reader"]  # reported once each, then polled quietly
    time.sleep(0.1)
    assert kiosk.session.identity is None and kiosk.journey.view.screen is Screen.IDENTIFY
    assert kiosk.journey.view.identify.unavailable == {"id_reader", "sscard_reader"}


def test_an_unprovisioned_appliance_prints_nothing_and_offers_the_qr_code(
    make_kiosk: Callable[..., Kiosk], tmp_path: Path
) -> None:
    kiosk = make_kiosk(APPLIANCE)
    fill_catalogue(kiosk.catalogue)  # never the demo guides on an appliance: its own, as a sync leaves them
    journey = kiosk.journey
    journey.wake()
    journey.open_guide("371000-SB-0012")
    # Said on the guide before the resident tries (the screen adds: the QR code instead).
    assert journey.view.printer_problem == "The printer is not available right now."
    journey.print_checklist()
    view = journey.view
    assert view.screen is Screen.PRINT_FAILED and view.print_outcome is not None
    assert not view.print_outcome.completed and view.print_outcome.job_id is None
    assert view.print_outcome.resident_message == "The printer is not available right now."
    assert "kiosk provision" in view.print_outcome.technician_message
    assert not (tmp_path / "data" / "printed").exists()  # no PDF pretending to be a printout


def test_an_unprovisioned_appliance_takes_no_picture(make_kiosk: Callable[..., Kiosk]) -> None:
    kiosk = make_kiosk(APPLIANCE)
    camera = kiosk.devices.camera
    assert isinstance(camera, OutOfServiceCamera)
    with pytest.raises(DeviceUnavailable, match=r'never provisioned.*devices\.camera\.driver = "sim"'):
        camera.capture(1.0)
    # The site file alone makes a showroom's camera simulated, and says so.
    assert isinstance(make_kiosk({"kiosk": {"mode": "showroom"}}).devices.camera, SimFaceCamera)


def test_an_unprovisioned_appliance_does_not_offer_voice(make_kiosk: Callable[..., Kiosk]) -> None:
    kiosk = make_kiosk({**APPLIANCE, "devices": {"speaker": {"enabled": True}}})
    journey = kiosk.journey
    assert not journey.voice_offered
    journey.wake()
    assert not journey.voice  # the site asked for voice at the start of a visit: no speaker, no voice
    journey.set_voice(True)
    assert not journey.voice


def test_technician_mode_shows_every_unprovisioned_device_failing(make_kiosk: Callable[..., Kiosk]) -> None:
    kiosk = make_kiosk(APPLIANCE)
    checks = {check.name: check for check in kiosk.technician.services.checks()}
    for device in DEVICES:
        assert checks[device].status is Status.FAIL and checks[device].critical, device
        assert "sudo kiosk provision" in checks[device].detail
    assert overall(list(checks.values())) is Status.FAIL


def test_doctor_on_an_appliance_fails_on_a_simulator_and_says_how_to_provision(
    make_settings: Callable[..., LoadedSettings], tmp_path: Path
) -> None:
    settings = make_settings(APPLIANCE).settings
    checks = device_checks(settings, tmp_path / "data", CheckEnvironment(timeout=5))
    names = [check.name for check in checks]
    assert names == ["id_reader", "sscard_reader", "printer", "scanner", "speaker", "camera"]
    for check in checks:
        assert check.status is Status.FAIL and check.critical
        assert check.detail == (
            f"out of service: {check.name}: never provisioned, still on its simulator "
            f'(devices.{check.name}.driver = "sim") on an appliance (kiosk.mode = "appliance"); '
            "set it up with `sudo kiosk provision`"
        )


def test_a_showroom_runs_its_simulators_and_says_so(
    make_settings: Callable[..., LoadedSettings], make_kiosk: Callable[..., Kiosk], tmp_path: Path
) -> None:
    showroom = {"kiosk": {"mode": "showroom"}}
    kiosk = make_kiosk(showroom)
    assert isinstance(kiosk.devices.printer, SimPrinter) and kiosk.devices.out_of_service == {}
    checks = device_checks(make_settings(showroom).settings, tmp_path / "data", CheckEnvironment(timeout=5))
    for check in checks:
        assert check.status is Status.OK and 'showroom: kiosk.mode = "showroom"' in check.detail, check


@pytest.mark.parametrize("mode", ["development", "appliance", "showroom"])
def test_none_is_a_device_this_kiosk_does_not_have_in_any_mode(
    make_settings: Callable[..., LoadedSettings], make_kiosk: Callable[..., Kiosk], tmp_path: Path, mode: str
) -> None:
    overrides = {
        "kiosk": {"mode": mode},
        "devices": {
            "scanner": {"driver": "none"},
            "printer": {"driver": "none"},
            "camera": {"driver": "none"},
        },
    }
    kiosk = make_kiosk(overrides)
    assert isinstance(kiosk.devices.printer, OutOfServicePrinter)
    assert 'devices.printer.driver = "none"' in kiosk.devices.out_of_service["printer"]
    checks = {
        c.name: c
        for c in device_checks(make_settings(overrides).settings, tmp_path / "d", CheckEnvironment())
    }
    # The site said so: not a fault to fix, but said plainly.
    assert checks["scanner"].status is Status.OK and "this kiosk has none" in checks["scanner"].detail
    assert checks["camera"].status is Status.OK and "this kiosk has none" in checks["camera"].detail
    with pytest.raises(
        DeviceUnavailable, match=r'camera: this kiosk has none \(devices\.camera\.driver = "none"\)'
    ):
        kiosk.devices.camera.capture(1.0)


def test_an_unknown_mode_is_refused_with_its_key(make_settings: Callable[..., LoadedSettings]) -> None:
    with pytest.raises(SettingsError) as raised:
        make_settings({"kiosk": {"mode": "kiosk"}})
    assert raised.value.key == "kiosk.mode" and raised.value.source == "test"


def test_the_auto_printer_falls_back_to_its_simulator_so_an_appliance_has_it_out_of_service(
    make_kiosk: Callable[..., Kiosk], make_settings: Callable[..., LoadedSettings], tmp_path: Path
) -> None:
    # "auto" (make run's printer) prints to the simulator when cupsd has no kiosk queue: on an
    # appliance that would be a checklist "printed" into the data directory.
    auto = {**APPLIANCE, "devices": {"printer": {"driver": "auto", "server": "127.0.0.1:9"}}}
    kiosk = make_kiosk(auto)
    assert isinstance(kiosk.devices.printer, OutOfServicePrinter)
    fill_catalogue(kiosk.catalogue)
    kiosk.journey.wake()
    kiosk.journey.open_guide("371000-SB-0012")
    kiosk.journey.print_checklist()
    assert kiosk.journey.view.screen is Screen.PRINT_FAILED
    assert not (tmp_path / "data" / "printed").exists()
    (printer,) = (
        c for c in device_checks(make_settings(auto).settings, tmp_path / "data") if c.name == "printer"
    )
    assert printer.status is Status.FAIL and printer.critical
    assert 'driver = "auto" falls back to its simulator' in printer.detail
    assert "sudo kiosk provision" in printer.detail
    # On a laptop it stays make run's printer.
    assert not isinstance(make_kiosk({"devices": auto["devices"]}).devices.printer, OutOfServicePrinter)


def test_no_pushed_configuration_can_change_the_kiosk_mode() -> None:
    # Only the machine's own site file says it is a showroom: a pushed all.toml saying so would turn
    # every appliance of the fleet back to simulators and demo guides.
    with pytest.raises(SettingsError) as refused:
        validate_pushed_config(b'[kiosk]\nmode = "showroom"\n', "config/all.toml")
    assert refused.value.key == "kiosk.mode"
    assert "cannot be pushed" in refused.value.reason
