"""The showroom a walk through the resident's screens runs in, set up before Kivy starts.

The tour (`kiosk tour`, screens/tour.py) and the soak benchmark (bench/soak.py) walk the real UI
offscreen on simulated devices, with a throwaway data directory and a clock the walk moves on
instead of waiting. Nothing here imports Kivy: it runs before `prepare_kivy`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.platform.sim_data import halls_toml

if TYPE_CHECKING:
    from kiosk.platform.simulator import PlatformSimulator

#: The technician PIN `kiosk tour` gives its throwaway kiosk (never a real kiosk's).
TOUR_PIN = "246810"

#: The ways a resident can set up their visit (zh, en, elder mode in Chinese); each is one tour.
VARIANTS = ("zh", "en", "elder")


@contextmanager
def showroom_platform() -> Iterator[PlatformSimulator]:
    """The platform simulator on a free loopback port, and this process's environment pointing the
    kiosk's `[platform]` at it (with its halls): a walk transacts with fictional residents only."""
    from kiosk.platform.simulator import PlatformSimulator  # loaded for a showroom walk only

    with PlatformSimulator() as simulator:
        os.environ["KIOSK__PLATFORM__URL"] = f'"{simulator.url}"'
        os.environ["KIOSK__PLATFORM__PAAS_ID"] = f'"{simulator.paas_id}"'
        os.environ["KIOSK__PLATFORM__TOKEN"] = f'"{simulator.kiosk_settings()["token"]}"'
        os.environ["KIOSK__PLATFORM__HALLS"] = halls_toml()
        yield simulator


#: Every device of a kiosk, as named in the settings' environment variables.
DEVICES = ("ID_READER", "SSCARD_READER", "SCANNER", "PRINTER", "SPEAKER", "CAMERA")


def simulated_offscreen_kiosk(data_dir: Path) -> None:
    """Set this process's environment for a walk: simulated devices, `data_dir`, no sync, no display."""
    for device in DEVICES:
        os.environ[f"KIOSK__DEVICES__{device}__DRIVER"] = "sim"
    os.environ["KIOSK_DATA_DIR"] = str(data_dir)
    os.environ["KIOSK__SYNC__REPO_URL"] = '""'  # a walk never syncs into its scratch folder
    # Whatever the display, the walk renders offscreen at exactly the size asked for.
    os.environ.pop("DISPLAY", None)
    os.environ.pop("WAYLAND_DISPLAY", None)


class WalkClock:
    """The kiosk's clock during a walk: monotonic time that the walk moves on instead of waiting.

    Give it to `build_kiosk(clock=...)`; `skew(seconds)` is what the walk calls where a resident
    would wait (the idle time, a print job).
    """

    def __init__(self) -> None:
        self.skewed = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.skewed

    def skew(self, seconds: float) -> None:
        """Move the clock on by `seconds`."""
        self.skewed += seconds
