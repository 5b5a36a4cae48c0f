"""The face camera's drivers: the simulator's drawn picture and its failures, and the real driver
through OpenCV on an image sequence (OpenCV reads numbered images as it reads a camera)."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from drivers.camera.settings import V4lCameraSettings
from drivers.camera.sim import PICTURE_SIZE, SimFaceCamera
from drivers.camera.v4l import V4lFaceCamera
from kiosk.devices import DriverContext, build_driver
from kiosk.ports import DeviceError, DeviceUnavailable, FaceCamera
from kiosk.settings.schema import CameraSection

SIM = CameraSection(driver="sim", capture_timeout=5.0)
V4L = V4lCameraSettings(
    driver="v4l", capture_timeout=5.0, port="", width=640, height=480, warmup_frames=2, jpeg_quality=85
)
#: The colours of the image sequence's frames, in order: the warm-up frames, then the picture.
COLOURS = [(200, 0, 0), (0, 200, 0), (0, 0, 200), (200, 200, 0)]


@pytest.fixture
def context(tmp_path: Path) -> DriverContext:
    data = tmp_path / "data"
    data.mkdir()
    return DriverContext(data, "k1")


def decoded(picture: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(picture), formats=["JPEG"])
    image.load()
    return image


def frames(folder: Path, count: int, size: tuple[int, int] = (320, 240)) -> str:
    """`count` frames of one colour each, as OpenCV's image-sequence "camera" reads them."""
    folder.mkdir()
    for index in range(count):
        Image.new("RGB", size, COLOURS[index % len(COLOURS)]).save(folder / f"f{index:02d}.png")
    return str(folder / "f%02d.png")


def test_the_simulator_gives_a_real_jpeg_of_a_drawn_figure(context: DriverContext) -> None:
    camera = build_driver("camera", SIM, context)
    assert isinstance(camera, SimFaceCamera) and isinstance(camera, FaceCamera)
    picture = camera.capture(timeout=2)
    image = decoded(picture)
    assert image.format == "JPEG" and image.size == PICTURE_SIZE == (640, 480) and image.mode == "RGB"
    assert len(picture) < 100 * 1024
    # The demo band across the top is dark, the backdrop under it light, the silhouette in the middle dark.
    assert max(image.getpixel((5, 5))) < 80  # type: ignore[arg-type]
    assert min(image.getpixel((20, 120))) > 150  # type: ignore[arg-type]
    assert max(image.getpixel((320, 200))) < 120  # type: ignore[arg-type]
    assert camera.capture(timeout=2) == picture and camera.captures == 2
    assert list(context.data_dir.iterdir()) == []  # nothing written


def test_the_simulator_unplugged_is_unavailable_until_plugged_in(context: DriverContext) -> None:
    camera = SimFaceCamera(SIM, context)
    camera.unplug()
    with pytest.raises(DeviceUnavailable, match=r"camera: the simulated camera \(camera.sim\) is unplugged"):
        camera.capture(timeout=1)
    camera.plug_in()
    assert camera.capture(timeout=1).startswith(b"\xff\xd8")


def test_the_simulator_fails_the_captures_it_is_told_to(context: DriverContext) -> None:
    camera = SimFaceCamera(SIM, context)
    camera.fail_next(2)
    for _ in range(2):
        with pytest.raises(DeviceError, match="gave no picture") as failed:
            camera.capture(timeout=1)
        assert not isinstance(failed.value, DeviceUnavailable)
    assert decoded(camera.capture(timeout=1)).size == PICTURE_SIZE
    assert camera.captures == 1


def test_a_slow_simulated_camera_never_blocks_past_the_timeout(context: DriverContext) -> None:
    camera = SimFaceCamera(SIM, context)
    camera.delay = 0.2
    started = time.monotonic()
    assert camera.capture(timeout=2).startswith(b"\xff\xd8")
    assert 0.2 <= time.monotonic() - started < 1.5
    camera.delay = 30
    started = time.monotonic()
    with pytest.raises(DeviceError, match=r"no picture within 0.3 s"):
        camera.capture(timeout=0.3)
    assert time.monotonic() - started < 2


def test_a_closed_simulator_takes_no_picture(context: DriverContext) -> None:
    camera = SimFaceCamera(SIM, context)
    camera.close()
    with pytest.raises(DeviceUnavailable, match="closed"):
        camera.capture(timeout=1)


def test_the_real_driver_takes_the_picture_after_its_warm_up_frames(
    tmp_path: Path, context: DriverContext
) -> None:
    section = V4L.model_copy(update={"port": frames(tmp_path / "camera", 4)})
    camera = build_driver("camera", section, context)
    assert isinstance(camera, V4lFaceCamera) and isinstance(camera, FaceCamera)
    image = decoded(camera.capture(timeout=5))
    assert image.size == (320, 240)  # an image sequence keeps its size whatever is asked
    red, green, blue = image.getpixel((160, 120))  # type: ignore[misc]
    assert blue > 150 and red < 60 and green < 60  # the third frame: two were thrown away
    camera.close()
    assert sorted(path.name for path in (tmp_path / "camera").iterdir()) == [
        f"f{n:02d}.png" for n in range(4)
    ]
    assert list(context.data_dir.iterdir()) == []


def test_the_real_driver_opens_the_camera_afresh_for_each_picture(
    tmp_path: Path, context: DriverContext
) -> None:
    section = V4L.model_copy(update={"port": frames(tmp_path / "camera", 3), "warmup_frames": 0})
    camera = V4lFaceCamera(section, context)
    first, second = camera.capture(timeout=5), camera.capture(timeout=5)
    # Each capture starts again at the sequence's first frame: the camera was released in between.
    assert first == second
    red, _, _ = decoded(first).getpixel((10, 10))  # type: ignore[misc]
    assert red > 150


def test_a_camera_that_cannot_be_opened_is_unavailable_and_named(context: DriverContext) -> None:
    camera = V4lFaceCamera(V4L.model_copy(update={"port": "/dev/video97"}), context)
    with pytest.raises(DeviceUnavailable, match="camera: camera '/dev/video97' could not be opened"):
        camera.capture(timeout=5)


def test_a_camera_not_named_in_the_settings_is_unavailable(context: DriverContext) -> None:
    # Built without touching any camera (the kiosk starts whatever the camera does).
    camera = build_driver("camera", V4L, context)
    with pytest.raises(DeviceUnavailable, match=r"devices.camera.port is empty"):
        camera.capture(timeout=5)


def test_a_camera_that_opens_but_gives_no_picture_fails(tmp_path: Path, context: DriverContext) -> None:
    section = V4L.model_copy(update={"port": frames(tmp_path / "camera", 2), "warmup_frames": 5})
    with pytest.raises(DeviceError, match="opened but gave no picture") as failed:
        V4lFaceCamera(section, context).capture(timeout=5)
    assert not isinstance(failed.value, DeviceUnavailable)


class HungCamera:
    """A camera at the device boundary whose reads hang until released; counts opens and closes."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.opened = 0
        self.closed = 0

    def open(self, port: str) -> HungCamera:
        self.opened += 1
        return self

    def ask_size(self, width: int, height: int) -> None:
        pass

    def read_picture(self) -> Any | None:
        self.release.wait(10)
        return np.zeros((48, 64, 3), dtype=np.uint8)

    def close(self) -> None:
        self.closed += 1


def test_a_hung_camera_costs_the_timeout_and_is_not_opened_twice(context: DriverContext) -> None:
    hung = HungCamera()
    camera = V4lFaceCamera(V4L.model_copy(update={"port": "0", "warmup_frames": 0}), context, hung.open)
    started = time.monotonic()
    with pytest.raises(DeviceError, match=r"camera '0' gave no picture within 0.2 s"):
        camera.capture(timeout=0.2)
    assert time.monotonic() - started < 1.5
    with pytest.raises(DeviceError, match="still busy"):
        camera.capture(timeout=0.2)  # refused at once: the stuck capture still holds the camera
    assert hung.opened == 1
    hung.release.set()  # the camera answers at last: its late picture is dropped, the camera released
    deadline = time.monotonic() + 5
    while hung.closed < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert hung.closed == 1
    picture = None
    while picture is None and time.monotonic() < deadline:
        try:
            picture = camera.capture(timeout=2)
        except DeviceError:
            time.sleep(0.01)  # the late capture's thread is letting go of the camera
    assert picture is not None and decoded(picture).size == (64, 48)
    assert hung.opened == hung.closed == 2


def test_an_error_inside_opencv_is_a_device_error_and_the_camera_is_released(context: DriverContext) -> None:
    class Broken(HungCamera):
        def read_picture(self) -> Any | None:
            return np.zeros((0, 0, 3), dtype=np.uint8)  # an empty picture OpenCV refuses to encode

    broken = Broken()
    camera = V4lFaceCamera(V4L.model_copy(update={"port": "0", "warmup_frames": 1}), context, broken.open)
    with pytest.raises(DeviceError, match="camera '0'"):
        camera.capture(timeout=2)
    assert broken.opened == broken.closed == 1
