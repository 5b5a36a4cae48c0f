from __future__ import annotations

import ctypes
import ctypes.util
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UNITS = sorted(path.name for pattern in ("*.service", "*.timer") for path in (ROOT / "systemd").glob(pattern))
#: The most exposure `systemd-analyze security` may find in each service (issue 8's figures).
MAX_EXPOSURE = {"kiosk.service": 5.0, "kiosk-sync.service": 2.5}

pytestmark = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd is installed by make test"
)


def checkout_units(folder: Path) -> Path:
    """The units, pointed at this checkout's venv; cage (appliance only) replaced by any executable."""
    kiosk = Path(sys.executable).with_name("kiosk")
    for path in [*(ROOT / "systemd").glob("*.service"), *(ROOT / "systemd").glob("*.timer")]:
        text = path.read_text(encoding="utf-8").replace("/opt/kiosk/.venv/bin/kiosk", str(kiosk))
        text = text.replace("/usr/bin/cage", str(shutil.which("true")))
        (folder / path.name).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize("unit", UNITS)
def test_unit_passes_systemd_analyze_verify(tmp_path: Path, unit: str) -> None:
    result = subprocess.run(
        ["systemd-analyze", "verify", str(checkout_units(tmp_path) / unit)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == ""


@pytest.mark.parametrize(("unit", "limit"), sorted(MAX_EXPOSURE.items()))
def test_services_are_hardened(tmp_path: Path, unit: str, limit: float) -> None:
    result = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", str(checkout_units(tmp_path) / unit)],
        capture_output=True,
        text=True,
        check=False,
    )
    found = re.search(r"Overall exposure level for \S+: (\d+\.\d)", result.stdout)
    assert found, result.stdout[-500:] + result.stderr
    assert float(found.group(1)) <= limit


def sdl_video_drivers() -> set[str]:
    """The video drivers compiled into the SDL that Kivy uses: its wheel's own, else the system's."""
    spec = importlib.util.find_spec("kivy")
    assert spec is not None and spec.origin is not None
    bundled = sorted((Path(spec.origin).parents[1] / "Kivy.libs").glob("libSDL2-*.so*"))
    library = str(bundled[0]) if bundled else ctypes.util.find_library("SDL2")
    assert library, "no SDL2 library"
    sdl = ctypes.CDLL(library)
    sdl.SDL_GetVideoDriver.restype = ctypes.c_char_p
    return {sdl.SDL_GetVideoDriver(index).decode() for index in range(sdl.SDL_GetNumVideoDrivers())}


def test_the_ui_asks_sdl_for_a_video_driver_it_has() -> None:
    """Under cage the UI draws through Xwayland: Kivy's SDL has no Wayland backend to ask for."""
    unit = (ROOT / "systemd" / "kiosk.service").read_text(encoding="utf-8")
    wanted = re.search(r"^Environment=SDL_VIDEODRIVER=(\S+)$", unit, re.MULTILINE)
    assert wanted, "kiosk.service names no SDL video driver"
    assert wanted.group(1) in sdl_video_drivers()
