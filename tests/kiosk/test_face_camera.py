"""The face camera as the kiosk runs it: its settings, the doctor's check, `kiosk hw camera`, its
release at shutdown, and that no picture is ever left in a file (a picture is personal data)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from PIL import Image

from kiosk.appliance import Kiosk
from kiosk.cli import main
from kiosk.devices import DriverContext, driver_section
from kiosk.doctor import Status, device_checks
from kiosk.doctor.devices import check_camera
from kiosk.doctor.report import CheckEnvironment
from kiosk.ports import DeviceUnavailable
from kiosk.settings import LoadedSettings, SettingsError
from tests.kiosk.test_provision import IDENTITY, PIN, provision, site


def camera_frames(folder: Path, count: int = 8) -> str:
    """A camera as OpenCV reads one from numbered images (the real driver's real frame path)."""
    folder.mkdir()
    for index in range(count):
        Image.new("RGB", (320, 240), (20 * index, 90, 160)).save(folder / f"f{index:02d}.png")
    return str(folder / "f%02d.png")


def files_in(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.exists() else []


def test_the_camera_settings_default_to_the_simulator_and_are_checked(
    make_settings: Callable[..., LoadedSettings],
) -> None:
    camera = make_settings().settings.devices.camera
    assert (camera.driver, camera.capture_timeout) == ("sim", 5.0)
    v4l = make_settings({"devices": {"camera": {"driver": "v4l", "port": "/dev/video2"}}}).settings
    section = v4l.devices.camera
    assert section.driver_setting("port") == "/dev/video2" and section.driver_setting("jpeg_quality") == 85
    for values, key, words in [
        ({"jpeg_quality": 0}, "devices.camera.jpeg_quality", "greater than or equal to 1"),
        ({"width": "640"}, "devices.camera.width", "valid integer"),
        ({"capture_timeout": 0}, "devices.camera.capture_timeout", "greater than 0"),
        ({"prot": "0"}, "devices.camera.prot", "did you mean 'devices.camera.port'"),
    ]:
        with pytest.raises(SettingsError) as refused:
            make_settings({"devices": {"camera": values}})
        assert refused.value.key == key and words in str(refused.value), refused.value


def test_the_doctor_takes_a_picture_and_reports_its_size_only(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    port = camera_frames(tmp_path / "camera")
    section = driver_section(
        "camera",
        {"driver": "v4l", "capture_timeout": 5.0, "port": port, "width": 640, "height": 480}
        | {"warmup_frames": 1, "jpeg_quality": 85},
    )
    check = check_camera(section, DriverContext(data, "k1"), "appliance")
    assert check.status is Status.OK and check.critical
    assert check.detail.startswith(f"face camera (v4l driver) on {port}: a picture of 320x240, ")
    assert files_in(data) == []


def test_the_doctor_names_a_camera_that_is_not_there(
    make_settings: Callable[..., LoadedSettings], tmp_path: Path
) -> None:
    settings = make_settings({"devices": {"camera": {"driver": "v4l", "port": "/dev/video97"}}}).settings
    (check,) = (
        c for c in device_checks(settings, tmp_path / "data", CheckEnvironment()) if c.name == "camera"
    )
    assert check.status is Status.FAIL and check.critical
    assert (
        check.detail
        == "camera: camera '/dev/video97' could not be opened (unplugged, or used by another process?)"
    )


def test_kiosk_doctor_with_a_real_camera_leaves_no_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {
        "KIOSK_DATA_DIR": str(data),
        "KIOSK__DEVICES__CAMERA__DRIVER": "v4l",
        "KIOSK__DEVICES__CAMERA__PORT": camera_frames(tmp_path / "camera"),
    }
    result = CliRunner().invoke(main, ["doctor", "--json"], env=env)
    checks = {check["name"]: check for check in json.loads(result.stdout)["checks"]}
    assert checks["camera"]["status"] == "ok", checks["camera"]
    assert "a picture of 320x240" in checks["camera"]["detail"]
    assert not [path for path in files_in(data) if path.suffix.lower() in {".jpg", ".jpeg", ".png", ".bmp"}]
    assert not any(path.read_bytes().startswith(b"\xff\xd8") for path in files_in(data))


def hw_camera(tmp_path: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["hw", "camera", *args], env={"KIOSK_DATA_DIR": str(tmp_path / "data")})


def test_kiosk_hw_camera_prints_the_pictures_size_and_writes_nothing(tmp_path: Path) -> None:
    result = hw_camera(tmp_path, "--driver", "sim", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "driver": "sim", "port": "", "format": "JPEG", "width": 640, "height": 480,
        "bytes": json.loads(result.stdout)["bytes"],
    }  # fmt: skip
    assert 1000 < json.loads(result.stdout)["bytes"] < 100 * 1024
    real = hw_camera(tmp_path, "--port", camera_frames(tmp_path / "camera"))
    assert real.exit_code == 0, real.output
    assert real.stdout.startswith("camera.v4l on ") and "a JPEG picture of 320x240" in real.stdout
    assert files_in(tmp_path / "data") == []


def test_kiosk_hw_camera_exit_codes(tmp_path: Path) -> None:
    missing = hw_camera(tmp_path, "--port", "/dev/video97")
    assert missing.exit_code == 5 and "camera '/dev/video97' could not be opened" in missing.stderr
    empty = hw_camera(tmp_path)  # the packaged settings name no camera
    assert empty.exit_code == 5 and "devices.camera.port is empty" in empty.stderr
    silent = hw_camera(tmp_path, "--port", camera_frames(tmp_path / "short", count=2))  # warm-up eats both
    assert silent.exit_code == 4 and "opened but gave no picture" in silent.stderr
    unknown = hw_camera(tmp_path, "--driver", "nikon")
    assert unknown.exit_code == 2 and "no driver named 'nikon'" in unknown.stderr
    for failed in (missing, empty, silent, unknown):
        assert len(failed.stderr.strip().splitlines()) == 1


def test_the_kiosk_takes_pictures_in_memory_and_releases_the_camera_when_it_closes(
    make_kiosk: Callable[..., Kiosk], tmp_path: Path
) -> None:
    kiosk = make_kiosk()
    picture = kiosk.devices.camera.capture(kiosk.settings.devices.camera.capture_timeout)
    assert picture.startswith(b"\xff\xd8")
    assert not any(path.read_bytes().startswith(b"\xff\xd8") for path in files_in(tmp_path / "data"))
    kiosk.close()
    with pytest.raises(DeviceUnavailable, match="closed"):
        kiosk.devices.camera.capture(1.0)


APPLIANCE_SITE = '[kiosk]\nmode = "appliance"\n'
PROVISIONED = [*IDENTITY, "--id-reader-port", "none", "--sscard-reader", "none", "--scanner", "none"]
PROVISIONED += ["--printer-queue", "none", "--speaker", "none", "--pin", PIN]


def test_provisioning_an_appliance_tests_the_camera_it_is_given_and_saves_it(tmp_path: Path) -> None:
    (tmp_path / "kiosk.toml").write_text(APPLIANCE_SITE, encoding="utf-8")
    port = camera_frames(tmp_path / "camera")
    result = provision(tmp_path, "--non-interactive", *PROVISIONED, "--camera", port)
    assert result.exit_code == 0, result.output
    assert f"face camera (v4l driver) on {port}: a picture of 320x240" in result.output
    assert site(tmp_path)["devices"]["camera"] == {"driver": "v4l", "port": port}  # type: ignore[index]
    assert not any(path.read_bytes().startswith(b"\xff\xd8") for path in files_in(tmp_path / "data"))


def test_provisioning_refuses_a_camera_that_takes_no_picture(tmp_path: Path) -> None:
    (tmp_path / "kiosk.toml").write_text(APPLIANCE_SITE, encoding="utf-8")
    result = provision(tmp_path, "--non-interactive", *PROVISIONED, "--camera", "/dev/video97")
    assert result.exit_code == 1, result.output
    assert "camera: camera '/dev/video97' could not be opened" in result.output
    assert (tmp_path / "kiosk.toml").read_text(encoding="utf-8") == APPLIANCE_SITE


@pytest.mark.skipif(any(Path("/dev").glob("video*")), reason="this machine has a camera")
def test_provisioning_auto_without_a_camera_says_so(tmp_path: Path) -> None:
    result = provision(tmp_path, "--non-interactive", *PROVISIONED, "--camera", "auto")
    assert result.exit_code == 2
    assert "--camera auto: no camera found (no /dev/video*)" in result.output
