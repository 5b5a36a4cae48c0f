"""Where a camera scanner gets its frames: a real camera through OpenCV, or image files."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

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
    """A V4L2/UVC camera read through OpenCV, converted to grayscale for zbar."""

    def __init__(self, device: str) -> None:
        import cv2  # imported here: only kiosks with a camera scanner load OpenCV

        self._cv2 = cv2
        target: int | str = int(device) if ascii_digits(device) else device
        self._capture = cv2.VideoCapture(target)
        if not self._capture.isOpened():
            raise DeviceUnavailable(
                f"scanner: camera {device!r} could not be opened (unplugged, or used by another process?)"
            )

    def read(self) -> Frame | None:
        """The camera's next frame, or None when it gave none."""
        ok, image = self._capture.read()
        if not ok or image is None:
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
