"""The face camera on a V4L2/UVC camera, through OpenCV: opened for each picture, released after it."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any, Protocol

from drivers.camera.settings import V4lCameraSettings
from drivers.scanner.frames import OpenCvCamera
from kiosk.driver_api import DeviceError, DeviceUnavailable, DriverContext


class PictureSource(Protocol):
    """An opened camera, as the face camera uses it (drivers.scanner.frames.OpenCvCamera)."""

    def ask_size(self, width: int, height: int) -> None: ...

    def read_picture(self) -> Any | None: ...

    def close(self) -> None: ...


def open_opencv_camera(port: str) -> PictureSource:
    """The camera `port` names (an index or a device path), opened through OpenCV."""
    return OpenCvCamera(port, owner="camera")


class V4lFaceCamera:
    """Implements kiosk.ports.FaceCamera on a camera OpenCV opens (an index, /dev/videoN).

    The camera is opened for each picture and released right after it: between pictures it is
    free and its light is off, so a resident sees it on only while their picture is taken. Each
    capture runs on a thread of its own, the camera's I/O confined to it: a camera that hangs
    costs the caller `timeout`, never more, and while that thread is still stuck the next capture
    is refused at once rather than opening the camera a second time. A picture that comes too
    late is dropped with its thread. Nothing is written, nothing is logged.
    """

    def __init__(
        self,
        section: V4lCameraSettings,
        context: DriverContext,
        open_camera: Callable[[str], PictureSource] = open_opencv_camera,
    ) -> None:
        self.section = section
        self._open_camera = open_camera
        self._idle = threading.Lock()  # held by the thread taking a picture
        self._closed = False

    @property
    def where(self) -> str:
        """The camera, for a technician's message."""
        return f"camera {self.section.port!r}"

    def capture(self, timeout: float) -> bytes:
        """One picture as JPEG, taken on the capture thread within `timeout` seconds."""
        if self._closed:
            raise DeviceUnavailable(f"camera: {self.where} is closed")
        if not self.section.port:
            raise DeviceUnavailable("camera: devices.camera.port is empty; name the camera (0, /dev/video2)")
        if not self._idle.acquire(blocking=False):
            raise DeviceError(f"camera: {self.where} is still busy with a picture that did not come in time")
        outcome: queue.Queue[bytes | DeviceError] = queue.Queue(maxsize=1)
        thread = threading.Thread(target=self._take, args=(outcome,), name="camera-capture", daemon=True)
        try:
            thread.start()
        except RuntimeError:
            self._idle.release()
            raise
        try:
            result = outcome.get(timeout=timeout)
        except queue.Empty:
            raise DeviceError(f"camera: {self.where} gave no picture within {timeout:g} s") from None
        if isinstance(result, DeviceError):
            raise result
        return result

    def close(self) -> None:
        """No capture from now on (a capture under way still releases the camera when it ends)."""
        self._closed = True

    def _take(self, outcome: queue.Queue[bytes | DeviceError]) -> None:
        """The capture thread: open, warm up, one picture, release; the JPEG or the error to `outcome`."""
        try:
            outcome.put(self._picture())
        except DeviceError as error:
            outcome.put(error)
        except Exception as error:  # OpenCV's own errors: the camera failed, said for a technician
            outcome.put(DeviceError(f"camera: {self.where} failed: {type(error).__name__}: {error}"))
        finally:
            self._idle.release()

    def _picture(self) -> bytes:
        section = self.section
        camera = self._open_camera(section.port)
        try:
            camera.ask_size(section.width, section.height)
            for _ in range(section.warmup_frames):
                camera.read_picture()
            picture = camera.read_picture()
        finally:
            camera.close()
        if picture is None:
            raise DeviceError(f"camera: {self.where} opened but gave no picture")
        return _jpeg(picture, section.jpeg_quality, self.where)


def _jpeg(picture: Any, quality: int, where: str) -> bytes:
    import cv2  # imported here: only a kiosk with a real camera loads OpenCV

    ok, encoded = cv2.imencode(".jpg", picture, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise DeviceError(f"camera: {where} gave a picture OpenCV could not encode as JPEG")
    return bytes(encoded.tobytes())
