"""A TUF repository of static files: metadata signed per role, targets stored content-addressed."""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import threading
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tuf.api.metadata import (
    Metadata,
    MetaFile,
    Root,
    Signed,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

from kiosk.publishing import keys
from kiosk.storage import write_file_atomically

#: How long each role's signature stays valid. The timestamp is re-signed by `kiosk fleet refresh`
#: (a cron job), so a kiosk notices within a day when it is being fed stale metadata.
EXPIRY = {
    "root": timedelta(days=365),
    "targets": timedelta(days=90),
    "snapshot": timedelta(days=7),
    "timestamp": timedelta(days=1),
}
_SERIALIZER = JSONSerializer(compact=False)
_VERSIONED = re.compile(r"^(\d+)\.(root|targets|snapshot)\.json$", re.ASCII)


class RepositoryError(RuntimeError):
    """The repository folder is missing, damaged, or cannot do what was asked."""


@dataclass(frozen=True)
class RoleInfo:
    """What `kiosk fleet show` reports of one role."""

    role: str
    version: int
    expires: datetime
    keys: tuple[str, ...]


@dataclass
class _PublishLock:
    """One repository's publishing lock: a thread lock in this process (re-entered by the thread
    holding it) and an flock on DIR/state/publish.lock between processes (consoles, the CLI)."""

    path: Path
    thread_lock: threading.RLock = field(default_factory=threading.RLock)
    depth: int = 0
    fd: int = -1

    @contextmanager
    def held(self) -> Iterator[None]:
        with self.thread_lock:
            if self.depth == 0:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                except BaseException:
                    os.close(fd)
                    raise
                self.fd = fd
            self.depth += 1
            try:
                yield
            finally:
                self.depth -= 1
                if self.depth == 0:
                    os.close(self.fd)  # closing the file releases the flock
                    self.fd = -1


_LOCKS: dict[Path, _PublishLock] = {}
_LOCKS_GUARD = threading.Lock()


def _publish_lock(base: Path) -> _PublishLock:
    path = (base / "state" / "publish.lock").resolve()
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(path, _PublishLock(path))


def _expiry(role: str, now: datetime) -> datetime:
    return (now + EXPIRY[role]).replace(microsecond=0)


class FleetRepository:
    """DIR/repository is what a web server serves; DIR/keys holds one folder of keys per role."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.repository = base / "repository"
        self.metadata_dir = self.repository / "metadata"
        self.targets_dir = self.repository / "targets"
        self.keys_dir = base / "keys"
        self.state_dir = base / "state"
        if not (self.metadata_dir / "timestamp.json").is_file():
            raise RepositoryError(f"{base} is not a fleet repository (run `kiosk fleet init {base}`)")

    # -- creation ------------------------------------------------------------------------------

    @classmethod
    def init(cls, base: Path, now: datetime | None = None) -> FleetRepository:
        """Create a repository with a fresh key for every role; refuses an existing one."""
        now = now or datetime.now(UTC)
        metadata_dir = base / "repository" / "metadata"
        if metadata_dir.exists() and any(metadata_dir.iterdir()):
            raise RepositoryError(f"{base} already holds a repository")
        metadata_dir.mkdir(parents=True, exist_ok=True)
        (base / "repository" / "targets").mkdir(parents=True, exist_ok=True)
        signers = {role: keys.generate(base / "keys", role) for role in keys.ROLES}
        root = Metadata(Root(expires=_expiry("root", now), consistent_snapshot=True))
        for role, signer in signers.items():
            root.signed.add_key(signer.public_key, role)
        documents: dict[str, Metadata[Any]] = {
            "root": root,
            "targets": Metadata(Targets(expires=_expiry("targets", now))),
            "snapshot": Metadata(Snapshot(expires=_expiry("snapshot", now))),
            "timestamp": Metadata(Timestamp(expires=_expiry("timestamp", now))),
        }
        for role in keys.ROLES:
            documents[role].sign(signers[role])
            _write(metadata_dir, role, documents[role])
        return cls(base)

    @property
    def trust_root(self) -> Path:
        """The root metadata a kiosk must be given to trust this repository (the first version)."""
        return self.metadata_dir / "1.root.json"

    # -- reading -------------------------------------------------------------------------------

    def load(self, role: str) -> Metadata[Any]:
        """The newest metadata of `role`."""
        if role == "timestamp":
            return Metadata.from_file(str(self.metadata_dir / "timestamp.json"))
        versions = [
            int(match.group(1))
            for path in self.metadata_dir.iterdir()
            if (match := _VERSIONED.match(path.name)) and match.group(2) == role
        ]
        if not versions:
            raise RepositoryError(f"no {role} metadata in {self.metadata_dir}")
        return Metadata.from_file(str(self.metadata_dir / f"{max(versions)}.{role}.json"))

    def roles(self) -> list[RoleInfo]:
        """Version, expiry and key ids of every role."""
        root: Root = self.load("root").signed
        info = []
        for role in keys.ROLES:
            signed: Signed = self.load(role).signed
            info.append(RoleInfo(role, signed.version, signed.expires, tuple(root.roles[role].keyids)))
        return info

    def targets(self) -> dict[str, TargetFile]:
        """Every published target by path."""
        targets: Targets = self.load("targets").signed
        return dict(targets.targets)

    def target_bytes(self, path: str) -> bytes:
        """The content of a published target (read back from the repository folder)."""
        target = self.targets()[path]
        return self._stored_path(path, target.hashes["sha256"]).read_bytes()

    # -- publishing ----------------------------------------------------------------------------

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the repository's publishing lock (DIR/state/publish.lock): no other process or
        thread signs a targets version meanwhile. Re-entered freely by the thread that holds it, so a
        read-then-publish (the next catalogue version, a promotion) is one step for the others."""
        with _publish_lock(self.base).held():
            yield

    def publish(
        self,
        files: Mapping[str, bytes],
        *,
        replace_prefix: str | None = None,
        remove: Collection[str] = (),
        custom: Mapping[str, Mapping[str, Any]] | None = None,
        now: datetime | None = None,
    ) -> int:
        """Add targets in a new targets version, dropping first every earlier target under
        `replace_prefix` and every target `remove` names (a path, or a prefix when it ends in "/").

        Target files are written before the metadata that names them, and the timestamp last, so a
        kiosk that fetches in the middle sees the old, complete state. Holds the publishing lock.
        """
        with self.lock():
            return self._publish(files, replace_prefix, remove, custom, now or datetime.now(UTC))

    def _publish(
        self,
        files: Mapping[str, bytes],
        replace_prefix: str | None,
        remove: Collection[str],
        custom: Mapping[str, Mapping[str, Any]] | None,
        now: datetime,
    ) -> int:
        targets_md: Metadata[Targets] = self.load("targets")
        listed = targets_md.signed.targets
        prefixes = [item for item in remove if item.endswith("/")]
        if replace_prefix is not None:
            prefixes.append(replace_prefix)
        for path in list(listed):
            if path in remove or any(path.startswith(prefix) for prefix in prefixes):
                del listed[path]
        for path, data in files.items():
            target = TargetFile.from_data(path, data, ["sha256"])
            if custom and path in custom:
                target.unrecognized_fields["custom"] = dict(custom[path])
            stored = self._stored_path(path, target.hashes["sha256"])
            stored.parent.mkdir(parents=True, exist_ok=True)
            if not stored.exists():
                write_file_atomically(stored, data)
            listed[path] = target
        return self._sign_chain(targets_md, now)

    def refresh(self, now: datetime | None = None) -> None:
        """Re-sign the timestamp (and the snapshot when it expires within two days): run from cron."""
        with self.lock():
            self._refresh(now or datetime.now(UTC))

    def _refresh(self, now: datetime) -> None:
        snapshot_md: Metadata[Snapshot] = self.load("snapshot")
        if snapshot_md.signed.expires - now < timedelta(days=2):
            self._sign_snapshot_and_timestamp(snapshot_md, now)
            return
        timestamp_md: Metadata[Timestamp] = self.load("timestamp")
        timestamp_md.signed.version += 1
        timestamp_md.signed.expires = _expiry("timestamp", now)
        self._sign_and_write("timestamp", timestamp_md)

    def rotate_key(self, role: str, now: datetime | None = None) -> str:
        """Replace the key of `role` with a new one; needs the root key. Returns the new key id."""
        if role not in keys.ROLES:
            raise RepositoryError(f"unknown role {role!r} (roles: {', '.join(keys.ROLES)})")
        with self.lock():
            return self._rotate_key(role, now or datetime.now(UTC))

    def _rotate_key(self, role: str, now: datetime) -> str:
        old_root_signer = keys.load(self.keys_dir, "root")
        root_md: Metadata[Root] = self.load("root")
        for keyid in list(root_md.signed.roles[role].keyids):
            root_md.signed.revoke_key(keyid, role)
        new_signer = keys.generate(self.keys_dir, role)
        root_md.signed.add_key(new_signer.public_key, role)
        root_md.signed.version += 1
        root_md.signed.expires = _expiry("root", now)
        root_md.signatures.clear()
        # A new root is signed by the old root key (so kiosks trust it) and, when the root key
        # itself changes, by the new one too (so it satisfies its own threshold).
        root_md.sign(old_root_signer, append=True)
        if role == "root":
            root_md.sign(new_signer, append=True)
        _write(self.metadata_dir, "root", root_md)
        if role == "targets":
            self._sign_chain(self.load("targets"), now)
        elif role == "snapshot":
            self._sign_snapshot_and_timestamp(self.load("snapshot"), now)
        elif role == "timestamp":
            timestamp_md: Metadata[Timestamp] = self.load("timestamp")
            timestamp_md.signed.version += 1
            timestamp_md.signed.expires = _expiry("timestamp", now)
            self._sign_and_write("timestamp", timestamp_md)
        return str(new_signer.public_key.keyid)

    # -- helpers -------------------------------------------------------------------------------

    def _stored_path(self, path: str, sha256: str) -> Path:
        directory, _, name = path.rpartition("/")
        return self.targets_dir / directory / f"{sha256}.{name}"

    def _sign_chain(self, targets_md: Metadata[Targets], now: datetime) -> int:
        targets_md.signed.version += 1
        targets_md.signed.expires = _expiry("targets", now)
        self._sign_and_write("targets", targets_md)
        snapshot_md: Metadata[Snapshot] = self.load("snapshot")
        snapshot_md.signed.meta["targets.json"] = MetaFile(version=targets_md.signed.version)
        self._sign_snapshot_and_timestamp(snapshot_md, now)
        return targets_md.signed.version

    def _sign_snapshot_and_timestamp(self, snapshot_md: Metadata[Snapshot], now: datetime) -> None:
        snapshot_md.signed.version += 1
        snapshot_md.signed.expires = _expiry("snapshot", now)
        self._sign_and_write("snapshot", snapshot_md)
        timestamp_md: Metadata[Timestamp] = self.load("timestamp")
        timestamp_md.signed.snapshot_meta = MetaFile(version=snapshot_md.signed.version)
        timestamp_md.signed.version += 1
        timestamp_md.signed.expires = _expiry("timestamp", now)
        self._sign_and_write("timestamp", timestamp_md)

    def _sign_and_write(self, role: str, document: Metadata[Any]) -> None:
        document.signatures.clear()
        document.sign(keys.load(self.keys_dir, role))
        _write(self.metadata_dir, role, document)


def _write(metadata_dir: Path, role: str, document: Metadata[Any]) -> None:
    name = "timestamp.json" if role == "timestamp" else f"{document.signed.version}.{role}.json"
    write_file_atomically(metadata_dir / name, document.to_bytes(_SERIALIZER))


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of `data` in hex."""
    return hashlib.sha256(data).hexdigest()
