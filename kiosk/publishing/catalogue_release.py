"""Publishing a catalogue version: the full catalogue plus deltas from the versions kiosks may hold
(the targets' names and contents: kiosk.release_format).

A kiosk on version N downloads `delta-N-M` (only the guides that changed) when it exists, and the
full catalogue otherwise. Deltas are made from each of the last `KEEP_VERSIONS` versions, so a
kiosk that was offline for a few publications still catches up cheaply. A full catalogue is also
published prebuilt, search index included (kiosk.guides.prebuilt): built here once, not on every
kiosk (docs/storage.md, "Full syncs").
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kiosk.guides import bounded_lines, check_replacement, guide_to_json, read_jsonl
from kiosk.guides.prebuilt import build_database, database_format, write_gzip
from kiosk.publishing.repository import FleetRepository, RepositoryError
from kiosk.records import Guide
from kiosk.release_format import (
    INDEX,
    PREFIX,
    STAGED_PREFIX,
    database_target,
    delta_target,
    full_target,
    index_targets,
    staged_target,
)
from kiosk.storage import write_file_atomically

KEEP_VERSIONS = 5


@dataclass(frozen=True)
class CataloguePublication:
    """What one publication produced."""

    version: int
    guides: int
    full_bytes: int
    delta_bytes: dict[int, int]
    #: The prebuilt database's target (kiosk.guides.prebuilt), compressed.
    database_bytes: int = 0


@dataclass(frozen=True)
class CatalogueBuild:
    """A catalogue version's targets, built and checked, not yet published."""

    version: int
    #: Target path -> content: the full catalogue, each delta, the index (INDEX).
    files: dict[str, bytes]
    lines: dict[str, str]
    delta_bytes: dict[int, int]

    @property
    def publication(self) -> CataloguePublication:
        return CataloguePublication(
            self.version,
            len(self.lines),
            len(self.files[full_target(self.version)]),
            self.delta_bytes,
            len(self.files[database_target(self.version)]),
        )


def publish_catalogue(
    repository: FleetRepository, source: Path, allow_shrink: bool = False
) -> CataloguePublication:
    """Validate `source` (JSON Lines) and publish it as the next catalogue version.

    A catalogue with a bad line raises CatalogueInvalid before anything is written, one that
    keeps fewer than half the guides of the version before raises CatalogueShrinks (unless
    `allow_shrink`): kiosks apply what is signed, so an empty or truncated file is stopped here.
    """
    with repository.lock():
        build = build_catalogue(repository, source, allow_shrink)
        _save_digests(repository, build.version, build.lines)
        staged = [path for path in repository.targets() if _is_staged_index(path)]
        # A catalogue published for everyone supersedes any staged one (whose targets it drops).
        repository.publish(build.files, replace_prefix=PREFIX, remove=staged)
    return build.publication


def build_catalogue(repository: FleetRepository, source: Path, allow_shrink: bool = False) -> CatalogueBuild:
    """The next catalogue version's targets from `source`, checked as `publish_catalogue` checks it
    (CatalogueInvalid, CatalogueShrinks). Call it with the repository's lock held, then publish or
    stage what it built before releasing the lock (the version number is the next one free)."""
    with source.open("rb") as handle:
        guides = read_jsonl(bounded_lines(handle))
    lines = {guide.id: guide_to_json(guide) for guide in guides}
    previous = _published_versions(repository)
    current = _current_version(repository, previous)
    if current is not None and not allow_shrink:
        check_replacement(len(_digests(repository, current)), len(lines))
    # Never a number used before, even by a rollout that was stopped: a kiosk that kept that version
    # would otherwise take the new catalogue for the one it holds.
    version = (max(previous) if previous else 0) + 1
    full = _gzip(f"{lines[key]}\n" for key in sorted(lines))
    files = {full_target(version): full}
    # The same guides in the same order as the full catalogue: what a kiosk importing it would build.
    files[database_target(version)] = _database(
        repository, sorted(guides, key=lambda guide: guide.id), version
    )
    deltas: dict[str, str] = {}
    delta_sizes: dict[int, int] = {}
    for old in sorted(previous)[-KEEP_VERSIONS:]:
        delta = _gzip(_delta_lines(_digests(repository, old), lines))
        name = delta_target(old, version)
        files[name] = delta
        deltas[str(old)] = name
        delta_sizes[old] = len(delta)
    index = {
        "version": version,
        "guides": len(lines),
        "full": full_target(version),
        "deltas": deltas,
        "database": {"path": database_target(version), "format": database_format()},
    }
    files[INDEX] = json.dumps(index, ensure_ascii=False, sort_keys=True).encode()
    return CatalogueBuild(version, files, lines, delta_sizes)


def stage_catalogue(repository: FleetRepository, build: CatalogueBuild, group: str) -> str:
    """Publish `build` for the kiosks of sync group `group` only: its full catalogue and deltas join
    the current version's (which stay, so a canary can go back to it), its index goes to
    staged/<group>/catalogue/index.json. Returns that target."""
    staged = staged_target(group, INDEX)
    with repository.lock():
        _save_digests(repository, build.version, build.lines)
        files = {path: data for path, data in build.files.items() if path != INDEX}
        files[staged] = build.files[INDEX]
        repository.publish(files, remove=[staged_target(group, PREFIX)])
    return staged


def staged_catalogue_version(repository: FleetRepository, group: str) -> int | None:
    """The catalogue version staged for `group`, None when none is."""
    staged = staged_target(group, INDEX)
    if staged not in repository.targets():
        return None
    return int(json.loads(repository.target_bytes(staged))["version"])


def promote_catalogue(repository: FleetRepository, group: str) -> int:
    """Publish the catalogue staged for `group` to every kiosk (the index, its full catalogue and
    deltas; the older versions' targets go) and drop the staged index. Returns its version."""
    staged = staged_target(group, INDEX)
    with repository.lock():
        targets = repository.targets()
        if staged not in targets:
            raise RepositoryError(f"no catalogue is staged for group {group!r}")
        index_bytes = repository.target_bytes(staged)
        index = json.loads(index_bytes)
        files = {INDEX: index_bytes}
        for path in index_targets(index):
            files[path] = repository.target_bytes(path)
        repository.publish(files, replace_prefix=PREFIX, remove=[staged_target(group, PREFIX)])
    return int(index["version"])


def abort_catalogue(repository: FleetRepository, group: str) -> None:
    """Drop the catalogue staged for `group` and the targets only it named: its canaries go back to
    the catalogue every other kiosk runs (a full download: the versions differ)."""
    with repository.lock():
        targets = repository.targets()
        keep: set[str] = set()
        if INDEX in targets:
            index = json.loads(repository.target_bytes(INDEX))
            keep = {INDEX, *index_targets(index)}
        for path in targets:
            if _is_staged_index(path) and path != staged_target(group, INDEX):
                other = json.loads(repository.target_bytes(path))
                keep |= set(index_targets(other))
        unused = [path for path in targets if path.startswith(PREFIX) and path not in keep]
        repository.publish({}, remove=[staged_target(group, PREFIX), *unused])


def _is_staged_index(path: str) -> bool:
    return path.startswith(STAGED_PREFIX) and path.endswith("/" + INDEX) and path.count("/") == 3


def _current_version(repository: FleetRepository, previous: list[int]) -> int | None:
    """The version every kiosk is given (the published index), or the newest built one."""
    if INDEX in repository.targets():
        version = int(json.loads(repository.target_bytes(INDEX))["version"])
        if version in previous:
            return version
    return max(previous) if previous else None


def _database(repository: FleetRepository, guides: list[Guide], version: int) -> bytes:
    """The catalogue as a prebuilt database (kiosk.guides.prebuilt), gzip-compressed."""
    repository.state_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="catalogue-build-", dir=repository.state_dir) as folder:
        path = Path(folder) / "guides.db"
        build_database(path, guides, version)
        compressed = io.BytesIO()
        write_gzip(path, compressed)
    return compressed.getvalue()


def _gzip(lines: Iterable[str]) -> bytes:
    # mtime=0 keeps the bytes (and so the content address) the same for the same catalogue.
    return gzip.compress("".join(lines).encode("utf-8"), compresslevel=6, mtime=0)


def _delta_lines(old: dict[str, str], new: dict[str, str]) -> Iterator[str]:
    for guide_id in sorted(new):
        line = new[guide_id]
        if old.get(guide_id) != _digest(line):
            yield f'{{"op":"upsert","guide":{line}}}\n'
    for guide_id in sorted(set(old) - set(new)):
        yield json.dumps({"op": "delete", "id": guide_id}, ensure_ascii=False) + "\n"


def _digest(line: str) -> str:
    return hashlib.sha256(line.encode("utf-8")).hexdigest()[:32]


def _digest_file(repository: FleetRepository, version: int) -> Path:
    return repository.state_dir / "catalogue" / f"{version}.digests.json.gz"


def _save_digests(repository: FleetRepository, version: int, lines: dict[str, str]) -> None:
    """Remember a digest per guide of each version: enough to compute later deltas, small to keep."""
    path = _digest_file(repository, version)
    path.parent.mkdir(parents=True, exist_ok=True)
    digests = {guide_id: _digest(line) for guide_id, line in lines.items()}
    write_file_atomically(path, gzip.compress(json.dumps(digests).encode(), mtime=0))
    for old in _published_versions(repository):
        if old <= version - KEEP_VERSIONS:
            _digest_file(repository, old).unlink(missing_ok=True)


def _digests(repository: FleetRepository, version: int) -> dict[str, str]:
    loaded: dict[str, str] = json.loads(gzip.decompress(_digest_file(repository, version).read_bytes()))
    return loaded


def _published_versions(repository: FleetRepository) -> list[int]:
    folder = repository.state_dir / "catalogue"
    if not folder.is_dir():
        return []
    return sorted(int(path.name.split(".")[0]) for path in folder.glob("*.digests.json.gz"))
