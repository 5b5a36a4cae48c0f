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


def write_file_atomically(path: Path, data: bytes, mode: int | None = None) -> None:
    """Replace `path` with `data` so that a crash at any instant leaves the old file or the new one.

    With `mode`, the new file has exactly that mode (whatever the umask) from its first byte on.
    """
    partial = path.with_name(path.name + ".part")
    with partial.open("wb") as handle:
        if mode is not None:
            os.fchmod(handle.fileno(), mode)
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    partial.replace(path)
