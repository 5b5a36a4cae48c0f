"""Where the kiosk keeps its files."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Mapping
from pathlib import Path

from kiosk.settings import Settings, SettingsError

log = logging.getLogger(__name__)

#: The data directory of an installed appliance (created by the installer, owned by the kiosk user).
APPLIANCE_DATA_DIR = Path("/var/lib/kiosk")


def data_dir(settings: Settings, environ: Mapping[str, str] | None = None) -> Path:
    """The data directory: KIOSK_DATA_DIR, else kiosk.data_dir, else the appliance's, else the user's."""
    return resolve_data_dir(settings.kiosk.data_dir, environ)


def resolve_data_dir(
    configured: str, environ: Mapping[str, str] | None = None, configured_in: str = "settings"
) -> Path:
    """`data_dir` for a configured value (used before the settings are complete), created if missing.

    A folder that cannot be created is a SettingsError naming what chose it: KIOSK_DATA_DIR, or
    kiosk.data_dir as set in `configured_in`, or the default.
    """
    env = os.environ if environ is None else environ
    if env.get("KIOSK_DATA_DIR"):
        chosen, key, source = Path(env["KIOSK_DATA_DIR"]), "KIOSK_DATA_DIR", "environment"
    elif configured:
        chosen, key, source = Path(configured), "kiosk.data_dir", configured_in
    elif APPLIANCE_DATA_DIR.is_dir() and os.access(APPLIANCE_DATA_DIR, os.W_OK):
        chosen, key, source = APPLIANCE_DATA_DIR, "kiosk.data_dir", "defaults"
    else:
        base = Path(env.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
        chosen, key, source = base / "kiosk", "kiosk.data_dir", "defaults"
    try:
        chosen.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        reason = f"the data directory {chosen} cannot be created: {_why_not_created(chosen, error)}"
        raise SettingsError(key, source, reason) from error
    return chosen


def _why_not_created(folder: Path, error: OSError) -> str:
    """The cause a technician can act on: the file in the way, or the folder that refused."""
    for parent in [*reversed(folder.parents), folder]:
        if parent.exists() and not parent.is_dir():
            return f"{parent} is a file, not a directory"
        if not parent.exists():
            break
    if isinstance(error, PermissionError) and error.filename:
        parent = Path(error.filename).parent
        return f"permission denied: {parent} is not writable by this user (uid {os.geteuid()})"
    return error.strerror or str(error)


def hand_to_data_owner(data: Path, *paths: Path) -> None:
    """Give `paths` (files or whole directories directly under `data`) the owner and group of `data`.

    Root runs `kiosk provision` and may run other commands before the kiosk first starts; what they
    create under the data directory must stay writable by the unprivileged kiosk user that owns it
    (the TUF client rewrites trust/, the UI writes state.db). Only root can give files away, and it
    only needs to when the owner differs.

    The kiosk user can write the data directory, so nothing in it is trusted: a symbolic link is
    never followed (a `pushed -> /etc` link must not hand /etc to the kiosk user), only paths
    directly inside `data` are taken, and an entry that disappears meanwhile (the running UI's own
    sync renames its files) is skipped. Best effort: a failure is logged, never raised, so that it
    cannot hide the outcome of the command that created the files.
    """
    if os.geteuid() != 0:
        return
    owner = data.stat()
    wanted = (owner.st_uid, owner.st_gid)
    for path in paths:
        if path.parent != data:
            log.warning("not handing %s to the kiosk user: not directly in %s", path, data)
            continue
        try:
            _hand_over(path, wanted)
        except OSError as error:
            log.warning("could not hand %s to the kiosk user: %s", path, error)


def _hand_over(path: Path, wanted: tuple[int, int]) -> None:
    """Chown `path` and, when it is a real directory, everything in it, never following a link."""
    parent = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        status = _chown_at(parent, path.name, wanted)
    finally:
        os.close(parent)
    if status is None or not stat.S_ISDIR(status.st_mode):
        return
    # fwalk neither enters a linked directory nor a top that is no longer the directory just seen.
    for _folder, folders, files, folder in os.fwalk(path, follow_symlinks=False):
        for name in (*folders, *files):
            _chown_at(folder, name, wanted)


def _chown_at(folder: int, name: str, wanted: tuple[int, int]) -> os.stat_result | None:
    """Chown the entry `name` of the open directory `folder` itself (a link, not its target)."""
    try:
        status = os.stat(name, dir_fd=folder, follow_symlinks=False)
        if (status.st_uid, status.st_gid) != wanted:
            os.chown(name, *wanted, dir_fd=folder, follow_symlinks=False)
    except FileNotFoundError:
        return None
    return status


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
    """The kiosk's state database: sync status, rating outbox, technician audit and PIN lockout."""
    return data / "state.db"
