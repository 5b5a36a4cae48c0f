"""What the fleet's repository publishes, as kiosks report it: the catalogue version and each
configuration file's short hash. The fleet page compares these with what each kiosk runs (drift)."""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.publishing import FleetRepository, RepositoryError
from kiosk.release_format import INDEX, config_target, staged_target


def short_hash(data: bytes) -> str:
    """A configuration file's version as a kiosk reports it (kiosk.sync: the first 12 hex of SHA-256)."""
    return hashlib.sha256(data).hexdigest()[:12]


@dataclass(frozen=True)
class Published:
    """The repository's targets that kiosks compare against, read once per timestamp version."""

    #: Target path -> short hash, for every configuration file and every staged one.
    config: dict[str, str] = field(default_factory=dict)
    #: Target path of an index (catalogue/index.json, staged/G/catalogue/index.json) -> its version.
    catalogue: dict[str, int] = field(default_factory=dict)

    def expected(self, kiosk_id: str, group: str) -> tuple[int | None, str]:
        """The catalogue version and the `reported.config.version` text a kiosk should report."""
        catalogue = self.catalogue.get(INDEX)
        if group and staged_target(group, INDEX) in self.catalogue:
            catalogue = self.catalogue[staged_target(group, INDEX)]
        parts = []
        for scope, name in (("all", ""), ("group", group), ("kiosk", kiosk_id)):
            if scope != "all" and not name:
                continue
            try:
                target = config_target(scope, name)
            except ValueError:
                continue
            digest = self.config.get(target)
            if group:
                digest = self.config.get(staged_target(group, target), digest)
            if digest is not None:
                parts.append(f"{scope}={digest}")
        return catalogue, ",".join(parts)


class PublishedReader:
    """Reads the repository's targets again only when its timestamp changed."""

    def __init__(self, base: Path | None) -> None:
        self.base = base
        self._lock = threading.Lock()
        self._seen: float | None = None
        self._published = Published()

    def read(self) -> Published:
        if self.base is None:
            return Published()
        stamp = self.base / "repository" / "metadata" / "timestamp.json"
        try:
            mtime = stamp.stat().st_mtime
        except OSError:
            return Published()
        with self._lock:
            if mtime != self._seen:
                self._published = _read(self.base)
                self._seen = mtime
            return self._published


def _read(base: Path) -> Published:
    try:
        repository = FleetRepository(base)
        targets = repository.targets()
    except RepositoryError:
        return Published()
    config: dict[str, str] = {}
    catalogue: dict[str, int] = {}
    for path in targets:
        if path.endswith(".toml") and (path.startswith("config/") or "/config/" in path):
            config[path] = short_hash(repository.target_bytes(path))
        elif path == INDEX or path.endswith("/" + INDEX):
            catalogue[path] = int(json.loads(repository.target_bytes(path))["version"])
    return Published(config, catalogue)
