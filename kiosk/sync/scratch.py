"""The private folder one sync downloads into, and the removal of those a killed sync left behind."""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

#: Scratch folders are named sync-XXXXXXXX, directly in the data directory.
PREFIX = "sync-"


@contextmanager
def sync_scratch(data: Path) -> Iterator[Path]:
    """A fresh folder for one sync's downloads, removed afterwards; leftovers of killed syncs go first.

    A sync holds an exclusive lock on its folder for as long as it runs; the kernel drops the lock
    when the process dies, however it dies. A folder nobody holds is therefore a leftover, and one
    that is held belongs to a sync running now in another process (the UI's scheduler while a
    technician runs `kiosk sync --once`): it is never touched. Finding leftovers and creating a
    folder happen under a lock on the data directory itself, so that no sync can take the folder
    another has created and not yet locked.
    """
    with _locked(data):
        remove_leftovers(data)
        scratch = Path(tempfile.mkdtemp(prefix=PREFIX, dir=data))
        held = os.open(scratch, os.O_RDONLY | os.O_DIRECTORY)
        fcntl.flock(held, fcntl.LOCK_EX)
    try:
        yield scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        os.close(held)


def remove_leftovers(data: Path) -> list[Path]:
    """Remove every scratch folder no running sync holds; returns those removed.

    The data directory is writable by the kiosk user and this may run as root: a link named like a
    scratch folder is never followed (rmtree does not follow links inside a folder either).
    """
    removed: list[Path] = []
    for entry in os.scandir(data):
        if not entry.name.startswith(PREFIX) or not entry.is_dir(follow_symlinks=False):
            continue
        try:
            folder = os.open(entry.path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError:
            continue  # gone meanwhile, or replaced by a link
        try:
            fcntl.flock(folder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(folder)
            continue  # a sync running now in another process
        try:
            shutil.rmtree(entry.path)
            removed.append(Path(entry.path))
        except OSError as error:
            log.warning("could not remove the leftover of an interrupted sync %s: %s", entry.path, error)
        finally:
            os.close(folder)
    if removed:
        log.info("removed %d folder(s) left by interrupted syncs", len(removed))
    return removed


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)
