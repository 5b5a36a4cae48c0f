"""SQLite connections as the kiosk uses them: WAL, foreign keys, explicit transactions."""

from __future__ import annotations

import itertools
import os
import sqlite3
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

    With `mode`, the new file is created with no more than that mode and has exactly it (whatever
    the umask) before its first byte; with `group`, it has that group before it takes the old
    one's place. The directory is synced too, so that the replacement survives a power cut.
    """
    partial = path.with_name(path.name + ".part")
    partial.unlink(missing_ok=True)  # a crash's leftover may carry a wider mode: start afresh
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else mode)
    with os.fdopen(descriptor, "wb") as handle:
        if mode is not None:
            os.fchmod(handle.fileno(), mode)
        if group is not None:
            os.fchown(handle.fileno(), -1, group)
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    partial.replace(path)
    directory = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
