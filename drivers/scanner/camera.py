"""A camera scanner: frames read and decoded with zbar on the driver's own thread, never the UI's."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from drivers.scanner.frames import FrameSource, OpenCvCamera
from drivers.scanner.read_loop import ThreadedScanner
from drivers.scanner.settings import CameraScannerSettings
from kiosk.driver_api import (
    Candidate,
    DeviceSection,
    DeviceUnavailable,
    DriverContext,
    FrameDecoder,
    ResidentCode,
)

log = logging.getLogger(__name__)

#: zbar looks for codes on every second row and column: a frame is decoded in about two thirds of
#: the time. It needs QR modules of 3 px or more; a code held up to the camera has far larger ones.
SCAN_DENSITY = 2


class CameraScanner(ThreadedScanner):
    """Implements kiosk.ports.CodeScanner on a camera (or any FrameSource).

    One thread reads frames and decodes them, restricted to the configured symbologies. A code
    held in front of the camera is reported once, not once per frame, until it has been out of
    sight for `repeat_after` seconds.
    """

    def __init__(
        self,
        section: CameraScannerSettings,
        context: DriverContext,
        source: FrameSource | None = None,
        *,
        repeat_after: float = 2.0,
        idle_wait: float = 0.02,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if source is None:
            if not section.port:
                raise DeviceUnavailable(
                    "scanner: devices.scanner.port is empty; name the camera (0, /dev/video0)"
                )
            source = OpenCvCamera(section.port)
        super().__init__("scanner-camera")
        self._source = source
        self._symbologies = list(section.symbologies)
        self._repeat_after = repeat_after
        self._idle_wait = idle_wait
        self._clock = clock
        self._last_seen: dict[str, float] = {}
        self.frames_read = 0
        self._start_reading()

    def _run(self) -> None:
        decoder = FrameDecoder(self._symbologies, SCAN_DENSITY)
        try:
            # A camera that fails mid-way, or a frame zbar chokes on, costs a pass.
            self._read_until_closed(lambda: self._look(decoder))
        finally:
            decoder.close()

    def _release(self) -> None:
        self._source.close()
        self._last_seen.clear()

    def _look(self, decoder: FrameDecoder) -> None:
        """Read one frame and report the codes on it that were not seen just before."""
        frame = self._source.read()
        if frame is None:
            self._stop.wait(self._idle_wait)
            return
        self.frames_read += 1
        now = self._clock()
        for found in decoder.decode(frame.pixels, frame.width, frame.height):
            key = f"{found.symbology}:{found.data}"
            seen = self._last_seen.get(key)
            self._last_seen[key] = now
            if seen is None or now - seen > self._repeat_after:
                self._codes.put(ResidentCode(found.symbology, found.data))


def camera_candidates(section: DeviceSection, devices: Path = Path("/dev")) -> list[Candidate]:
    """The V4L2 cameras of this machine (/dev/video*), named as the kernel names them (for the
    scanner's camera and the face camera alike)."""
    found = sorted(devices.glob("video*"), key=lambda path: (len(path.name), path.name))
    return [Candidate(str(path), f"camera {path} ({_v4l2_name(path.name)})") for path in found]


def _v4l2_name(node: str) -> str:
    try:
        return Path(f"/sys/class/video4linux/{node}/name").read_text(encoding="utf-8").strip()
    except OSError:
        return "name unknown"
