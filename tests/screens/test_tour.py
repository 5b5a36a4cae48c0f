from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageFilter

from kiosk.barcodes import decode_image

pytestmark = pytest.mark.ui

EXPECTED = [
    "attract",
    "home",
    "browse_audience",
    "departments",
    "life_events",
    "print",
    "print_unavailable",
    "home_elder",
    "identify",
    "identified",
    "search",
    "guide_list",
    "guide_detail",
    "guide_plain",
    "qr",
    "printing",
    "print_done",
    "rating",
    "rating_bad",
    "rating_thanks",
    "idle_warning",
]


@pytest.mark.parametrize("size", ["1920x1080", "1080x1920"])
def test_tour_saves_a_real_picture_of_every_screen(tmp_path: Path, size: str) -> None:
    env = {key: value for key, value in os.environ.items() if key not in {"DISPLAY", "WAYLAND_DISPLAY"}}
    kiosk = Path(sys.executable).with_name("kiosk")
    result = subprocess.run(
        [str(kiosk), "tour", "--out", str(tmp_path), "--size", size],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    width, height = (int(part) for part in size.split("x"))
    for name in EXPECTED:
        path = tmp_path / f"{name}.png"
        assert str(path) in result.stdout
        image = Image.open(path).convert("RGB")
        assert image.size == (width, height)
        colours = image.resize((96, 54)).getcolors(maxcolors=100_000)
        assert colours is not None and len(colours) > 20, f"{name} looks blank"
        if name == "qr":
            assert_phone_can_read(image)


def assert_phone_can_read(screenshot: Image.Image) -> None:
    """The QR screen as a phone at arm's length sees it: a 640-pixel-wide, slightly blurred frame."""
    scale = 640 / max(screenshot.size)
    seen = screenshot.resize((round(screenshot.width * scale), round(screenshot.height * scale)))
    seen = seen.filter(ImageFilter.GaussianBlur(0.8))
    codes = decode_image(seen, ["qrcode"])
    assert len(codes) == 1 and codes[0].data.startswith("https://zwfw.weihai.example/guide/")
    assert codes[0].width >= 0.2 * seen.width  # large on screen, not a stamp in a corner
