"""What a simulated kiosk would run after syncing from a fleet repository folder: the catalogue
version and each configuration file's short hash, as `reported` says them (the simulator's sync).

The simulator reads the folder's newest targets metadata as plain JSON, without TUF's verification:
it stands for kiosks that verified it (kiosk.sync does, on a real kiosk). A staged rollout applies:
a kiosk in sync group G takes `staged/G/<target>` before `<target>`, as kiosk.sync does.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.release_format import INDEX, config_target, staged_target

_VERSIONED = re.compile(r"^(\d+)\.targets\.json$", re.ASCII)
#: The first 12 hex digits of a file's SHA-256: how kiosk.sync names a configuration's version.
SHORT = 12


@dataclass(frozen=True)
class Release:
    """What one kiosk runs after a sync: None where the repository publishes nothing."""

    catalogue_version: int | None
    guides: int | None
    config: dict[str, str]


class RepositoryView:
    """A fleet repository folder (the one `kiosk fleet init DIR` made), re-read when it changes."""

    def __init__(self, folder: Path) -> None:
        self.repository = folder / "repository" if (folder / "repository").is_dir() else folder
        self._lock = threading.Lock()
        self._seen: tuple[str, float] | None = None
        self._targets: dict[str, Any] = {}
        self._indexes: dict[str, dict[str, Any]] = {}

    def release(self, kiosk_id: str, group: str) -> Release:
        """What a kiosk `kiosk_id` of sync group `group` runs once it synced."""
        targets, indexes = self._read()

        def pick(path: str) -> str:
            if group:
                try:
                    staged = staged_target(group, path)
                except ValueError:
                    return path
                if staged in targets:
                    return staged
            return path

        index = indexes.get(pick(INDEX))
        config = {}
        for scope, name in (("all", ""), ("group", group), ("kiosk", kiosk_id)):
            if scope != "all" and not name:
                continue
            try:
                path = pick(config_target(scope, name))
            except ValueError:
                continue
            if path in targets:
                config[scope] = str(targets[path]["hashes"]["sha256"])[:SHORT]
        return Release(
            int(index["version"]) if index else None,
            int(index.get("guides", 0)) if index else None,
            config,
        )

    def _read(self) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
        metadata = self.repository / "metadata"
        with self._lock:
            try:
                newest = max(
                    (int(m.group(1)), p) for p in metadata.iterdir() if (m := _VERSIONED.match(p.name))
                )[1]
                stamp = (newest.name, newest.stat().st_mtime)
            except (OSError, ValueError):
                return {}, {}
            if stamp != self._seen:
                self._targets = json.loads(newest.read_bytes())["signed"]["targets"]
                self._indexes = {
                    path: json.loads(self._stored(path, target))
                    for path, target in self._targets.items()
                    if path == INDEX or path.endswith("/" + INDEX)
                }
                self._seen = stamp
            return self._targets, self._indexes

    def _stored(self, path: str, target: dict[str, Any]) -> bytes:
        directory, _, name = path.rpartition("/")
        data = (self.repository / "targets" / directory / f"{target['hashes']['sha256']}.{name}").read_bytes()
        if hashlib.sha256(data).hexdigest() != target["hashes"]["sha256"]:
            raise ValueError(f"{path} does not match its hash")
        return data
