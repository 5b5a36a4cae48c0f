"""UI tests run the real Kivy UI in this process, offscreen, one window for the whole session."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from screens.environment import prepare_kivy

# Kivy reads its environment when first imported, which happens as the test modules are collected.
os.environ.pop("DISPLAY", None)
os.environ.pop("WAYLAND_DISPLAY", None)
# The tests show both orientations in this one window: its offscreen surface must hold both.
kivy_home = Path(tempfile.mkdtemp(prefix="kiosk-test-kivy-"))
prepare_kivy(kivy_home, (1920, 1080), fullscreen=False, resizes_to=[(1080, 1920)])

from kiosk.appliance import Kiosk  # noqa: E402  (after the Kivy environment is set)
from kiosk.background import run_in_thread  # noqa: E402
from screens.app import KioskApp  # noqa: E402
from screens.pilot import UiPilot  # noqa: E402


@pytest.fixture
def make_ui(make_kiosk: Callable[..., Kiosk]) -> Iterator[Callable[..., UiPilot]]:
    """Attach a fresh app for a fresh kiosk to the window; device work runs on real threads."""
    drivers: list[UiPilot] = []

    def make(size: tuple[int, int] = (1920, 1080), overrides: dict[str, Any] | None = None) -> UiPilot:
        kiosk = make_kiosk(overrides, background=run_in_thread)
        driver = UiPilot(KioskApp(kiosk), size)
        drivers.append(driver)
        return driver

    yield make
    for driver in drivers:
        driver.close()


@pytest.fixture
def ui(make_ui: Callable[..., UiPilot]) -> UiPilot:
    return make_ui()
