"""The face camera's settings: `[devices.camera]` with `driver = "v4l"`."""

from __future__ import annotations

from pydantic import Field

from kiosk.driver_api import CameraSection


class V4lCameraSettings(CameraSection):
    """A V4L2/UVC camera read through OpenCV: which one, the picture's size and quality."""

    #: The camera's index ("0") or device ("/dev/video2").
    port: str
    #: The picture's size asked of the camera, in pixels (it may give its nearest).
    width: int = Field(ge=160, le=4096)
    height: int = Field(ge=120, le=4096)
    #: Frames read and thrown away first, while the camera settles its exposure and white balance.
    warmup_frames: int = Field(ge=0, le=60)
    #: JPEG quality, 1-100.
    jpeg_quality: int = Field(ge=1, le=100)
