"""A simulated face camera: a drawn picture, plainly not a person, for the demo and the tests."""

from __future__ import annotations

import io
import threading
from functools import cache

from kiosk.driver_api import (
    CameraSection,
    DeviceError,
    DeviceUnavailable,
    DriverContext,
    FontMissing,
    find_cjk_font,
)

#: The simulated picture's size in pixels (a webcam's usual 4:3).
PICTURE_SIZE = (640, 480)
_BACKDROP_TOP = (196, 214, 232)
_BACKDROP_BOTTOM = (120, 146, 178)
_SILHOUETTE = (70, 82, 100)
_LABEL = (255, 255, 255)
#: How the simulator names itself to a technician.
_NAME = "camera: the simulated camera (camera.sim)"


class SimFaceCamera:
    """Gives the same drawn JPEG at every capture. Implements kiosk.ports.FaceCamera.

    What a test (or a demo of the failures a resident may meet) does to it: `unplug()` makes every
    capture DeviceUnavailable until `plug_in()`; `fail_next(count)` makes the next captures a
    DeviceError (a camera that is there but gives no picture); `delay` is how long a capture
    takes, and one that would take longer than its timeout fails after the timeout, as a hung
    camera does. Like a real camera, it keeps no picture: nothing is written or remembered.
    """

    def __init__(self, section: CameraSection, context: DriverContext) -> None:
        self.delay = 0.0
        #: Pictures given so far.
        self.captures = 0
        self._present = True
        self._failures = 0
        self._lock = threading.Lock()
        self._closed = threading.Event()

    def unplug(self) -> None:
        """Take the camera away: captures are unavailable until `plug_in`."""
        with self._lock:
            self._present = False

    def plug_in(self) -> None:
        """Put the camera back."""
        with self._lock:
            self._present = True

    def fail_next(self, count: int = 1) -> None:
        """The next `count` captures fail as a camera that gives no picture does."""
        with self._lock:
            self._failures = count

    def capture(self, timeout: float) -> bytes:
        """The demo picture as JPEG, after `delay` seconds; never later than `timeout`."""
        with self._lock:
            if self._closed.is_set():
                raise DeviceUnavailable(f"{_NAME} is closed")
            if not self._present:
                raise DeviceUnavailable(f"{_NAME} is unplugged")
            failing = self._failures > 0
            if failing:
                self._failures -= 1
        if self._closed.wait(min(self.delay, timeout)):
            raise DeviceUnavailable(f"{_NAME} was closed during a capture")
        if self.delay > timeout:
            raise DeviceError(f"{_NAME} gave no picture within {timeout:g} s")
        if failing:
            raise DeviceError(f"{_NAME} gave no picture (a failure asked for)")
        with self._lock:
            self.captures += 1
        return demo_picture()

    def close(self) -> None:
        """Release the camera: captures are unavailable from now on."""
        self._closed.set()


@cache
def demo_picture() -> bytes:
    """The simulated camera's picture: a head-and-shoulders silhouette on a backdrop, marked 演示 DEMO."""
    from PIL import Image, ImageDraw, ImageFont  # imported here: the kiosk's start does not need it

    width, height = PICTURE_SIZE
    picture = Image.new("RGB", PICTURE_SIZE)
    draw = ImageDraw.Draw(picture)
    for row in range(height):
        share = row / (height - 1)
        shade = zip(_BACKDROP_TOP, _BACKDROP_BOTTOM, strict=True)
        draw.line([(0, row), (width, row)], fill=tuple(round(a + (b - a) * share) for a, b in shade))
    centre = width // 2
    draw.ellipse((centre - 170, 330, centre + 170, height + 200), fill=_SILHOUETTE)  # shoulders
    draw.rectangle((centre - 38, 250, centre + 38, 350), fill=_SILHOUETTE)  # neck
    draw.ellipse((centre - 78, 110, centre + 78, 300), fill=_SILHOUETTE)  # head
    try:
        font_file = find_cjk_font()
        font: ImageFont.FreeTypeFont | ImageFont.ImageFont = ImageFont.truetype(
            str(font_file.path), 44, index=font_file.face_index
        )
        label = "演示 DEMO"
    except (FontMissing, OSError):
        font, label = ImageFont.load_default(44), "DEMO"  # no CJK font: the English word only
    draw.rectangle((0, 0, width, 72), fill=(40, 52, 70))
    draw.text((centre, 36), label, font=font, fill=_LABEL, anchor="mm")
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85)
    return out.getvalue()
