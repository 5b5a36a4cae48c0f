"""Publishing a catalogue version: the full catalogue plus deltas from the versions kiosks may hold
(the targets' names and contents: kiosk.release_format).

A kiosk on version N downloads `delta-N-M` (only the guides that changed) when it exists, and the
full catalogue otherwise. Deltas are made from each of the last `KEEP_VERSIONS` versions, so a
kiosk that was offline for a few publications still catches up cheaply.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kiosk.guides import bounded_lines, check_replacement, guide_to_json, read_jsonl
from kiosk.publishing.repository import FleetRepository
from kiosk.release_format import INDEX, PREFIX, delta_target, full_target
from kiosk.storage import write_file_atomically

KEEP_VERSIONS = 5


@dataclass(frozen=True)
class CataloguePublication:
    """What one publication produced."""

    version: int
    guides: int
    full_bytes: int
    delta_bytes: dict[int, int]


def publish_catalogue(
    repository: FleetRepository, source: Path, allow_shrink: bool = False
) -> CataloguePublication:
    """Validate `source` (JSON Lines) and publish it as the next catalogue version.

    A catalogue with a bad line raises CatalogueInvalid before anything is written, one that
    keeps fewer than half the guides of the version before raises CatalogueShrinks (unless
    `allow_shrink`): kiosks apply what is signed, so an empty or truncated file is stopped here.
    """
    with source.open("rb") as handle:
        guides = read_jsonl(bounded_lines(handle))
    lines = {guide.id: guide_to_json(guide) for guide in guides}
    previous = _published_versions(repository)
    if previous and not allow_shrink:
        check_replacement(len(_digests(repository, max(previous))), len(lines))
    version = (max(previous) if previous else 0) + 1
    full = _gzip(f"{lines[key]}\n" for key in sorted(lines))
    files = {full_target(version): full}
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
    }
    files[INDEX] = json.dumps(index, ensure_ascii=False, sort_keys=True).encode()
    _save_digests(repository, version, lines)
    repository.publish(files, replace_prefix=PREFIX)
    return CataloguePublication(version, len(lines), len(full), delta_sizes)


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
