"""Files replaced atomically: the old or the new one after a crash, the right mode and group throughout."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from kiosk.storage import write_file_atomically


def test_the_new_file_replaces_the_old_with_its_mode_whatever_the_umask(tmp_path: Path) -> None:
    target = tmp_path / "kiosk.toml"
    target.write_text("old")
    before = os.umask(0)  # the widest umask a technician's shell could have
    try:
        write_file_atomically(target, b"new", mode=0o640)
    finally:
        os.umask(before)
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert not target.with_name("kiosk.toml.part").exists()


def test_a_crash_leftover_part_file_is_not_reused(tmp_path: Path) -> None:
    """A world-readable .part left by a crash must not lend its mode to the secret written next."""
    target = tmp_path / "kiosk.toml"
    leftover = target.with_name("kiosk.toml.part")
    leftover.write_text("half a file")
    leftover.chmod(0o666)
    write_file_atomically(target, b"pin_hash = 'x'", mode=0o600)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_bytes() == b"pin_hash = 'x'"


@pytest.mark.skipif(os.geteuid() != 0, reason="only root gives a file another group")
def test_the_group_is_set_before_the_file_takes_the_old_ones_place(tmp_path: Path) -> None:
    target = tmp_path / "kiosk.toml"
    write_file_atomically(target, b"x", mode=0o640, group=65534)
    assert target.stat().st_gid == 65534
