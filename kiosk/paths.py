"""Where the kiosk keeps its files."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from kiosk.settings import Settings

#: The data directory of an installed appliance (created by the installer, owned by the kiosk user).
APPLIANCE_DATA_DIR = Path("/var/lib/kiosk")


def data_dir(settings: Settings, environ: Mapping[str, str] | None = None) -> Path:
    """The data directory: KIOSK_DATA_DIR, else kiosk.data_dir, else the appliance's, else the user's."""
    return resolve_data_dir(settings.kiosk.data_dir, environ)


def resolve_data_dir(configured: str, environ: Mapping[str, str] | None = None) -> Path:
    """`data_dir` for a configured value (used before the settings are complete)."""
    env = os.environ if environ is None else environ
    if env.get("KIOSK_DATA_DIR"):
        chosen = Path(env["KIOSK_DATA_DIR"])
    elif configured:
        chosen = Path(configured)
    elif APPLIANCE_DATA_DIR.is_dir() and os.access(APPLIANCE_DATA_DIR, os.W_OK):
        chosen = APPLIANCE_DATA_DIR
    else:
        base = Path(env.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
        chosen = base / "kiosk"
    chosen.mkdir(parents=True, exist_ok=True)
    return chosen


def hand_to_data_owner(data: Path, *paths: Path) -> None:
    """Give `paths` (files or whole directories under `data`) the owner and group of `data`.

    Root runs `kiosk provision` and may run other commands before the kiosk first starts; what they
    create under the data directory must stay writable by the unprivileged kiosk user that owns it
    (the TUF client rewrites trust/, the UI writes state.db). Only root can give files away, and it
    only needs to when the owner differs; paths that do not exist are skipped.
    """
    if os.geteuid() != 0:
        return
    owner = data.stat()
    for path in paths:
        if not path.exists():
            continue
        inside = sorted(path.rglob("*")) if path.is_dir() else []
        for each in (path, *inside):
            now = each.lstat()
            if (now.st_uid, now.st_gid) != (owner.st_uid, owner.st_gid):
                os.lchown(each, owner.st_uid, owner.st_gid)


def database_files(path: Path) -> list[Path]:
    """A SQLite database and the write-ahead log and shared-memory files beside it."""
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def catalogue_path(data: Path) -> Path:
    """The guide catalogue's database."""
    return data / "guides.db"


def printed_dir(data: Path) -> Path:
    """Where the simulated printer leaves its PDFs."""
    return data / "printed"


def trust_dir(data: Path) -> Path:
    """Where the kiosk keeps the fleet repository's trusted metadata (TUF)."""
    return data / "trust"


def pushed_dir(data: Path) -> Path:
    """Where configuration pushed by the fleet is kept, one file per scope."""
    return data / "pushed"


def state_path(data: Path) -> Path:
    """The kiosk's state database (sync status; later the outbox and the audit log)."""
    return data / "state.db"
