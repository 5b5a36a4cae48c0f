"""Fixtures shared by the core's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kiosk.platform.simulator import PlatformSimulator


@pytest.fixture
def simulator() -> Iterator[PlatformSimulator]:
    """The platform simulator on a free loopback port, with the demo paas id and token."""
    with PlatformSimulator() as running:
        yield running
