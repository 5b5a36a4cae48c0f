"""Scanner drivers: a serial scanner over a pty, a camera on real frames through zbar (and OpenCV)."""

from __future__ import annotations

import os
import termios
import time
import tty
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import serial

from drivers.scanner.camera import CameraScanner
from drivers.scanner.frames import ImageFiles, OpenCvCamera
from drivers.scanner.serial_scanner import SerialCodeScanner, parse_line
from kiosk.devices import DriverContext, build_driver
from kiosk.ports import CodeScanner, DeviceUnavailable
from kiosk.records import ResidentCode
from kiosk.settings import DEFAULTS_FILE, load_settings, read_toml_layer
from tests.qr_images import frame

SCANNER = load_settings([read_toml_layer(DEFAULTS_FILE)]).settings.devices.scanner
CONTEXT = DriverContext(Path("/nonexistent"), "k1")
CODE = "RC:0123456789abcdefXYZ"


@pytest.fixture
def pty_scanner() -> Iterator[tuple[int, SerialCodeScanner]]:
    """The scanner's end of a pty opened by the driver; the test writes to the other end."""
    controller, device = os.openpty()
    tty.setraw(device)
    scanner = SerialCodeScanner(SCANNER.model_copy(update={"port": os.ttyname(device)}), CONTEXT)
    yield controller, scanner
    scanner.close()
    os.close(controller)
    os.close(device)


def test_a_serial_scanner_reads_line_terminated_codes(pty_scanner: tuple[int, SerialCodeScanner]) -> None:
    controller, scanner = pty_scanner
    assert isinstance(scanner, CodeScanner)
    os.write(controller, b"]Q1" + CODE.encode() + b"\r\n")
    os.write(controller, b"6901234567892\r")
    # A code split across two reads, ended by a bare LF.
    os.write(controller, b"]C0ABC-")
    time.sleep(0.05)
    os.write(controller, b"123\n")
    assert scanner.scan(timeout=2) == ResidentCode("qrcode", CODE)
    assert scanner.scan(timeout=2) == ResidentCode("unknown", "6901234567892")
    assert scanner.scan(timeout=2) == ResidentCode("code128", "ABC-123")
    assert scanner.scan(timeout=0.05) is None


class PortThatFailsOnce:
    """A serial port whose first read fails as no driver expects (a USB adapter going odd mid-ioctl)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._port = serial.Serial(*args, **kwargs)
        self._failed = False

    @property
    def in_waiting(self) -> int:
        return int(self._port.in_waiting)

    def read(self, size: int) -> bytes:
        if not self._failed:
            self._failed = True
            raise termios.error(5, "Input/output error")
        return bytes(self._port.read(size))

    def close(self) -> None:
        self._port.close()


def test_a_serial_scanner_reads_on_after_a_failure_nobody_expected() -> None:
    controller, device = os.openpty()
    tty.setraw(device)
    section = SCANNER.model_copy(update={"port": os.ttyname(device)})
    scanner = SerialCodeScanner(section, CONTEXT, open_port=PortThatFailsOnce)
    try:
        os.write(controller, b"]Q1" + CODE.encode() + b"\r\n")
        assert scanner.scan(timeout=3) == ResidentCode("qrcode", CODE)
        assert scanner.guard.failures == 1
    finally:
        scanner.close()
        os.close(controller)
        os.close(device)


def test_codes_not_taken_are_forgotten_on_close(pty_scanner: tuple[int, SerialCodeScanner]) -> None:
    controller, scanner = pty_scanner
    os.write(controller, CODE.encode() + b"\n")
    deadline = time.monotonic() + 2
    while scanner._codes.empty() and time.monotonic() < deadline:
        time.sleep(0.01)
    scanner.close()
    assert scanner.scan(timeout=0.01) is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b"]Q1hello\r\n", ResidentCode("qrcode", "hello")),
        (b"]E06901234567892\n", ResidentCode("ean13", "6901234567892")),
        (b"plain\r", ResidentCode("unknown", "plain")),
        (b"\n", None),
        (b"]Z9odd\n", ResidentCode("unknown", "]Z9odd")),
    ],
)
def test_parse_line(line: bytes, expected: ResidentCode | None) -> None:
    assert parse_line(line) == expected


def test_a_missing_serial_port_is_a_technician_sentence() -> None:
    section = SCANNER.model_copy(update={"port": "/dev/ttyNOPE9"})
    with pytest.raises(DeviceUnavailable, match="cannot open /dev/ttyNOPE9"):
        SerialCodeScanner(section, CONTEXT)


def test_a_camera_reports_a_code_once_while_it_is_held_up(tmp_path: Path) -> None:
    paths = []
    for index, codes in enumerate([(), ((CODE, (200, 100)),), ((CODE, (210, 110)),), ()]):
        path = tmp_path / f"frame{index}.png"
        frame(codes=codes, seed=index).save(path)
        paths.append(path)
    scanner = CameraScanner(SCANNER, CONTEXT, ImageFiles(paths))
    try:
        assert scanner.scan(timeout=5) == ResidentCode("qrcode", CODE)
        assert scanner.scan(timeout=0.3) is None  # the second frame shows the same code: not again
        assert scanner.frames_read == 4
    finally:
        scanner.close()


def test_a_camera_through_opencv_reads_an_image_sequence(tmp_path: Path) -> None:
    # OpenCV's VideoCapture reads numbered images as it reads a camera: the real frame path.
    for index in range(3):
        frame(codes=((CODE, (100, 80)),) if index == 1 else (), seed=index).save(
            tmp_path / f"f{index:02d}.png"
        )
    section = SCANNER.model_copy(update={"driver": "camera", "port": str(tmp_path / "f%02d.png")})
    scanner = build_driver("scanner", section, CONTEXT)
    try:
        assert isinstance(scanner, CameraScanner)
        assert scanner.scan(timeout=5) == ResidentCode("qrcode", CODE)
    finally:
        scanner.close()


def test_a_camera_that_cannot_be_opened_is_named() -> None:
    with pytest.raises(DeviceUnavailable, match="camera '/dev/video97' could not be opened"):
        OpenCvCamera("/dev/video97")
