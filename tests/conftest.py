"""Fixtures shared by every test: settings built from layers, a kiosk on simulated devices."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.appliance import Kiosk, build_kiosk
from kiosk.fleet.commands import new_command_key
from kiosk.platform.simulator import PlatformSimulator
from kiosk.settings import DEFAULTS_FILE, Layer, LoadedSettings, load_settings, read_toml_layer
from tests.cupsd import PrivateCupsd
from tests.fleet.console import Console
from tests.mosquitto import PrivateMosquitto
from tests.smartcards import pcscd, virtual_cards  # noqa: F401 - fixtures shared by the suite


class FakeClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(autouse=True)
def root_log_level_restored() -> Iterator[None]:
    """Commands run in-process (`kiosk sync --once` sets ERROR) configure the root logger for a whole
    process; the next test gets the level back, so that its log capture sees what it expects."""
    root = logging.getLogger()
    level = root.level
    yield
    root.setLevel(level)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., LoadedSettings]:
    """Settings from the real defaults plus a test layer (data in tmp_path unless overridden)."""

    def make(overrides: dict[str, Any] | None = None) -> LoadedSettings:
        test_layer: dict[str, Any] = {"kiosk": {"data_dir": str(tmp_path / "data")}}
        for section, values in (overrides or {}).items():
            test_layer.setdefault(section, {}).update(values)
        return load_settings([read_toml_layer(DEFAULTS_FILE), Layer("test", test_layer)])

    return make


def run_now(work: Callable[[], None]) -> None:
    """A `background` that runs device work at once, so journeys are deterministic in tests."""
    work()


@pytest.fixture
def make_kiosk(
    make_settings: Callable[..., LoadedSettings], clock: FakeClock
) -> Iterator[Callable[..., Kiosk]]:
    """Build kiosks on simulated devices with a fake clock; closed after the test."""
    built: list[Kiosk] = []

    def make(overrides: dict[str, Any] | None = None, background: Any = run_now) -> Kiosk:
        kiosk = build_kiosk(make_settings(overrides), environ={}, background=background, clock=clock)
        kiosk.devices.printer.seconds_per_job = 0  # type: ignore[attr-defined]
        built.append(kiosk)
        return kiosk

    yield make
    for kiosk in built:
        kiosk.close()


@pytest.fixture(scope="session")
def cupsd() -> Iterator[PrivateCupsd]:
    """A real cupsd with a private configuration, for the whole test session."""
    with PrivateCupsd() as server:
        yield server


@pytest.fixture
def cups_queue(cupsd: PrivateCupsd, request: pytest.FixtureRequest) -> Iterator[tuple[str, Path]]:
    """A fresh Generic-PDF file queue on the private cupsd: (queue name, the file it prints to)."""
    name = "kiosk_" + "".join(char if char.isalnum() else "_" for char in request.node.name)[-24:]
    output = cupsd.add_queue(name)
    yield name, output
    if cupsd.daemon.process is not None and cupsd.daemon.process.poll() is None:
        cupsd.lp("lpadmin", "-x", name)


@pytest.fixture
def simulator() -> Iterator[PlatformSimulator]:
    """The platform simulator on a free loopback port, with the demo paas id and token."""
    with PlatformSimulator() as running:
        yield running


@pytest.fixture
def mosquitto(tmp_path: Path) -> Iterator[PrivateMosquitto]:
    """A real mosquitto on a free loopback port, anonymous, for one test (stopped by PID)."""
    with PrivateMosquitto(tmp_path / "mosquitto") as broker:
        yield broker


@pytest.fixture
def console(mosquitto: PrivateMosquitto) -> Iterator[Console]:
    """The administrators' end of the fleet channel, watching `kiosk/v1/#` on the test's broker."""
    watching = Console(mosquitto.port)
    yield watching
    watching.close()


@pytest.fixture
def key() -> Ed25519PrivateKey:
    """A fresh command key for the fleet channel."""
    return new_command_key()


def wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    """Whether `condition` came true within `seconds` (polled; for work on other threads)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()
