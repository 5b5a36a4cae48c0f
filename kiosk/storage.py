"""SQLite connections as the kiosk uses them: WAL, foreign keys, explicit transactions."""

from __future__ import annotations

import contextlib
import itertools
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_savepoints = itertools.count(1)


def connect(path: Path | str) -> sqlite3.Connection:
    """Open a database in autocommit mode; changes that belong together go through `transaction`.

    Python's implicit transactions do not cover DDL, so a migration could half-apply; with
    autocommit and explicit BEGIN/COMMIT every change that matters is all-or-nothing, whatever
    kills the process.
    """
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA foreign_keys = ON")
    if str(path) != ":memory:":
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run the block in one IMMEDIATE transaction: committed whole, or rolled back whole.

    Inside another transaction it becomes a savepoint, so an operation that is atomic on its own
    (importing guides) can also be one step of a larger atomic change (applying an update).
    """
    if conn.in_transaction:
        name = f"nested_{next(_savepoints)}"
        conn.execute(f"SAVEPOINT {name}")
        try:
            yield conn
        except BaseException:
            conn.execute(f"ROLLBACK TO {name}")
            conn.execute(f"RELEASE {name}")
            raise
        conn.execute(f"RELEASE {name}")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def write_file_atomically(path: Path, data: bytes, mode: int | None = None, group: int | None = None) -> None:
    """Replace `path` with `data` so that a crash at any instant leaves the old file or the new one.

    The new file is written under a name of its own beside `path` (two writers never share one),
    created readable by its owner only and given `mode` (else 0666 less the umask) and `group`
    before its first byte; the directory is synced too, so the replacement survives a power cut.
    """
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            os.fchmod(handle.fileno(), _default_mode() if mode is None else mode)
            if group is not None:
                os.fchown(handle.fileno(), -1, group)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)
        raise
    directory = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _default_mode() -> int:
    """What a plain open() would have created: 0666 less the process's umask.

    Read from /proc: setting the umask to learn it would change it, for a moment, for every thread.
    """
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
        umask = int(next(line.split()[1] for line in status.splitlines() if line.startswith("Umask:")), 8)
    except (OSError, StopIteration, ValueError):
        umask = 0o022
    return 0o666 & ~umask
