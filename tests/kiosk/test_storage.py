"""Files replaced atomically: the old or the new one after a crash, the right mode and group throughout."""

from __future__ import annotations

import os
import stat
import threading
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
    assert [path.name for path in tmp_path.iterdir()] == ["kiosk.toml"]


def test_without_a_mode_the_file_gets_what_open_would_give_it(tmp_path: Path) -> None:
    before = os.umask(0o027)
    try:
        write_file_atomically(tmp_path / "all.toml", b"x")
    finally:
        os.umask(before)
    assert stat.S_IMODE((tmp_path / "all.toml").stat().st_mode) == 0o640


def test_two_writers_at_once_each_replace_the_file_whole(tmp_path: Path) -> None:
    """The UI's own sync and a technician's `sudo kiosk sync --once` may write pushed/ together."""
    target = tmp_path / "all.toml"
    payloads = {name: name.encode() * 50_000 for name in ("ui", "technician")}
    errors: list[BaseException] = []

    def write(name: str) -> None:
        try:
            for _ in range(100):
                write_file_atomically(target, payloads[name])
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    writers = [threading.Thread(target=write, args=(name,)) for name in payloads]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert errors == []
    assert target.read_bytes() in payloads.values()
    assert [path.name for path in tmp_path.iterdir()] == ["all.toml"]


def test_a_write_that_fails_leaves_the_old_file_and_no_partial_one(tmp_path: Path) -> None:
    target = tmp_path / "trust"
    target.mkdir()  # a directory cannot be replaced by a file
    with pytest.raises(IsADirectoryError):
        write_file_atomically(target, b"x")
    assert [path.name for path in tmp_path.iterdir()] == ["trust"]


@pytest.mark.skipif(os.geteuid() != 0, reason="only root gives a file another group")
def test_the_file_gets_the_group_asked_for(tmp_path: Path) -> None:
    target = tmp_path / "kiosk.toml"
    write_file_atomically(target, b"x", mode=0o640, group=65534)
    assert target.stat().st_gid == 65534
