"""The answers given before any question (the command's flags), and what each one answers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.devices import NO_DEVICE, SIMULATOR
from kiosk.provision.questions import BadAnswer

#: The questions about the site: (its answer in `Given`, its flag, the settings key, the prompt).
IDENTITY = (
    ("kiosk_id", "--kiosk-id", "kiosk.id", "Kiosk id (in the fleet, on printouts)"),
    ("site_name", "--site-name", "kiosk.site_name", "Site name (on the attract screen)"),
    ("site_address", "--site-address", "kiosk.site_address", "Site address"),
    ("help_desk", "--help-desk", "kiosk.help_desk", "Where residents get help from a person"),
)
PIN_FLAGS = "--pin, --pin-file, --pin-hash or KIOSK_PROVISION_PIN"
AUTO = "auto"
ESPEAK = "espeak"
#: The answers that name no real device: its simulator (a laptop, a showroom), or none at all.
NOT_REAL = (SIMULATOR, NO_DEVICE)
#: The screen rotations a panel may be mounted at, in degrees.
ROTATIONS = ("0", "90", "180", "270")


@dataclass(frozen=True)
class Given:
    """What `kiosk provision` was told up front, one field a flag (None: not given)."""

    non_interactive: bool = False
    kiosk_id: str | None = None
    site_name: str | None = None
    site_address: str | None = None
    help_desk: str | None = None
    repo_url: str | None = None
    group: str | None = None
    trust_root: Path | None = None
    no_sync: bool = False
    id_reader_port: tuple[str, ...] = ()
    sscard_reader: str | None = None
    scanner: str | None = None
    printer_queue: str | None = None
    printer_device: str | None = None
    printer_server: str | None = None
    speaker: str | None = None
    camera: str | None = None
    rotation: str | None = None
    touch_swap_xy: bool | None = None
    touch_invert_x: bool | None = None
    touch_invert_y: bool | None = None
    pin: str | None = None
    pin_file: Path | None = None
    pin_hash: str | None = None
    broker: str | None = None
    broker_password_file: Path | None = None
    allow_failing: bool = False

    def identity(self, name: str) -> str | None:
        """The identity answer `name` (a field named in IDENTITY)."""
        value: str | None = getattr(self, name)
        return value

    def display(self) -> dict[str, Any]:
        """The screen's settings given: rotation and touch calibration (dotted keys)."""
        values: dict[str, Any] = {}
        if self.rotation is not None:
            values["display.rotation"] = int(self.rotation)
        for name in ("touch_swap_xy", "touch_invert_x", "touch_invert_y"):
            if getattr(self, name) is not None:
                values[f"display.{name}"] = getattr(self, name)
        return values

    def pin_text(self) -> tuple[str, str] | None:
        """The PIN given in the clear (the flag it came by, the PIN), or None."""
        if self.pin is not None:
            return "--pin (or KIOSK_PROVISION_PIN)", self.pin
        if self.pin_file is not None:
            lines = Path(self.pin_file).read_text(encoding="utf-8").splitlines()
            return "--pin-file", (lines or [""])[0].strip()
        return None


def scanner_values(answer: str) -> dict[str, Any]:
    """The scanner settings an answer names: sim, none, camera:DEVICE or serial:PORT."""
    if answer in NOT_REAL:
        return {"devices.scanner.driver": answer}
    driver, _, port = answer.partition(":")
    if driver not in {"camera", "serial"} or not port:
        raise BadAnswer(f"--scanner: {answer!r} is not sim, none, camera:DEVICE or serial:PORT")
    return {"devices.scanner.driver": driver, "devices.scanner.port": port}
