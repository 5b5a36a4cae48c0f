"""Where a camera scanner gets its frames (a real camera through OpenCV, or image files); the face
camera takes its pictures through the same OpenCV camera."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from kiosk.driver_api import DeviceUnavailable, ascii_digits


@dataclass(frozen=True, repr=False)
class Frame:
    """One 8-bit grayscale frame, row-major."""

    pixels: bytes
    width: int
    height: int

    def __repr__(self) -> str:
        return f"Frame({self.width}x{self.height})"


class FrameSource(Protocol):
    """Gives frames one at a time; None when there is no frame (yet, or any more)."""

    def read(self) -> Frame | None:
        """The next frame, or None."""
        ...

    def close(self) -> None:
        """Release the camera or files."""
        ...


class OpenCvCamera:
    """A V4L2/UVC camera read through OpenCV: grayscale frames for zbar, or the pictures it gives.

    `owner` is the device the camera serves, for a technician's message ("scanner", "camera").
    """

    def __init__(self, device: str, owner: str = "scanner") -> None:
        import cv2  # imported here: only kiosks with a camera load OpenCV

        self._cv2 = cv2
        target: int | str = int(device) if ascii_digits(device) else device
        self._capture = cv2.VideoCapture(target)
        if not self._capture.isOpened():
            raise DeviceUnavailable(
                f"{owner}: camera {device!r} could not be opened (unplugged, or used by another process?)"
            )

    def ask_size(self, width: int, height: int) -> None:
        """Ask the camera for pictures of this size (it may give its nearest, or ignore it)."""
        self._capture.set(self._cv2.CAP_PROP_FRAME_WIDTH, width)
        self._capture.set(self._cv2.CAP_PROP_FRAME_HEIGHT, height)

    def read_picture(self) -> Any | None:
        """The camera's next picture as OpenCV gives it (a BGR or gray array), or None when it gave none."""
        ok, image = self._capture.read()
        return image if ok and image is not None else None

    def read(self) -> Frame | None:
        """The camera's next frame, in grayscale, or None when it gave none."""
        image = self.read_picture()
        if image is None:
            return None
        gray = image if image.ndim == 2 else self._cv2.cvtColor(image, self._cv2.COLOR_BGR2GRAY)
        height, width = gray.shape[:2]
        return Frame(gray.tobytes(), int(width), int(height))

    def close(self) -> None:
        """Release the camera."""
        self._capture.release()


class ImageFiles:
    """Frames from image files, in order, once each (a stand-in camera for tests and demos)."""

    def __init__(self, paths: Sequence[Path]) -> None:
        self._paths = list(paths)

    def read(self) -> Frame | None:
        """The next file as a frame; None once every file was read."""
        if not self._paths:
            return None
        from PIL import Image

        with Image.open(self._paths.pop(0)) as image:
            gray = image.convert("L")
            return Frame(gray.tobytes(), gray.width, gray.height)

    def close(self) -> None:
        """Forget the files not read yet."""
        self._paths.clear()
