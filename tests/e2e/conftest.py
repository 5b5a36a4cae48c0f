"""Fixtures of the end-to-end tests."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def private_tmp(tmp_path: Path) -> Iterator[Path]:
    """The kiosk's temporary directory for this test, searched afterwards."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    previous = tempfile.tempdir
    tempfile.tempdir = str(folder)
    yield folder
    tempfile.tempdir = previous
