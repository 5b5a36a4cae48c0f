"""Whether this machine's kiosk holds its live channel now: a lock on a file in its data directory.

The running kiosk's channel holds it for as long as it runs; `kiosk doctor` looks at it before it
opens a connection of its own, since a broker that names clients by their account (the fleet's, set
up by scripts/install-broker) would hand the kiosk's connection over to the doctor's.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

#: The lock file, in the kiosk's data directory.
LOCK_NAME = "fleet-channel.lock"


class ChannelLock:
    """Held by the running kiosk's channel (an advisory lock: gone with the process, however it ends)."""

    def __init__(self, data: Path) -> None:
        self.path = data / LOCK_NAME
        self._fd: int | None = None

    def acquire(self, patience: float = 2.0) -> bool:
        """Take the lock; False when another process holds it (a second kiosk on the same data).
        A doctor's look (`channel_running`) holds it for a moment: tried again for `patience` s."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o640)
        deadline = time.monotonic() + patience
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                time.sleep(0.05)
                continue
            self._fd = fd
            return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the lock
            self._fd = None


def channel_running(data: Path) -> bool:
    """Whether a kiosk process holds the live channel of this data directory now."""
    path = data / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False
