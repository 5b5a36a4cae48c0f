from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

pytestmark = pytest.mark.ui

EXPECTED = [
    "attract",
    "home",
    "search",
    "guide_list",
    "guide_detail",
    "qr",
    "printing",
    "print_done",
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
