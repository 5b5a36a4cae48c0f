"""Benchmark of secure sync: full sync of a large catalogue, then a 1% change through a delta.

    .venv/bin/python -m bench.sync [--guides 100000]   # -m: bench/platform.py would shadow the stdlib

Publishes a synthetic catalogue to a TUF repository served by a real HTTP server on loopback,
provisions a kiosk, and runs `kiosk sync --once` as its own process (so its peak memory is the
kiosk's alone). Baselines measured in the same run: for the full sync's time, a process that only
downloads and verifies (TUF) the target the kiosk applied; for the delta's bytes, the full sync's.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.catalogue import synthetic_guides
from kiosk.guides import guide_to_json
from kiosk.provision.enrolment import provision
from kiosk.publishing import FleetRepository
from kiosk.publishing.catalogue_release import publish_catalogue
from kiosk.release_format import INDEX, database_target
from kiosk.sync import SyncState
from tests.daemons import serve_directory

KIOSK = str(Path(sys.executable).with_name("kiosk"))


# A small process between this (large) benchmark and the kiosk: a child's ru_maxrss starts from the
# size of the process it was forked from, so the kiosk is forked from this wrapper, not from us.
_MEASURE = (
    "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(code)"
)


def sync_process(environ: dict[str, str]) -> tuple[float, int]:
    """Run one `kiosk sync --once`; returns (seconds, peak RSS of the kiosk process in MiB)."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, KIOSK, "sync", "--once"],
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    lines = result.stderr.strip().splitlines()
    if result.returncode != 0:
        raise SystemExit(f"sync failed: {' '.join(lines[:-1])}")
    return elapsed, int(lines[-1]) // 1024


# The baseline of the full sync: a process that fetches the same target through TUF, verifying its
# hashes, into a scratch folder, and does nothing with it.
_DOWNLOAD = """
import sys, tempfile
from pathlib import Path
from tuf.ngclient import Updater
url, root, target = sys.argv[1:]
with tempfile.TemporaryDirectory() as folder:
    metadata = Path(folder) / "metadata"
    metadata.mkdir()
    (metadata / "root.json").write_bytes(Path(root).read_bytes())
    updater = Updater(str(metadata), url + "/metadata/", folder, url + "/targets/", bootstrap=None)
    updater.refresh()
    updater.download_target(updater.get_targetinfo(target))
"""


def download_process(url: str, root: Path, target: str) -> float:
    """Seconds for a process to download and verify `target`, and nothing else (the baseline)."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", _DOWNLOAD, url, str(root), target], check=True)
    return time.perf_counter() - started


def write_catalogue(path: Path, count: int, changed: float = 0.0) -> int:
    """The synthetic catalogue as JSON Lines; a share `changed` of the guides get a new plain text."""
    chooser = random.Random(11)
    touched = 0
    with path.open("w", encoding="utf-8") as handle:
        for original in synthetic_guides(count):
            guide = original
            if changed and chooser.random() < changed:
                note = f"（已更新 {chooser.getrandbits(32):x}）"
                guide = dataclasses.replace(original, plain=original.plain + note)
                touched += 1
            handle.write(guide_to_json(guide) + "\n")
    return touched


def provision_kiosk(work: Path, name: str, url: str, repository: FleetRepository) -> dict[str, str]:
    """The environment of a new kiosk provisioned against the served repository."""
    site, data = work / f"{name}.toml", work / name
    environ = {
        **os.environ,
        "KIOSK_CONFIG": str(site),
        "KIOSK_DATA_DIR": str(data),
        "KIOSK__GUIDES__LOAD_DEMO": "false",
    }
    provision(
        site, kiosk_id=name, group="bench", repo_url=url, trust_root=repository.trust_root, environ=environ
    )
    return environ


def without_database(repository: FleetRepository) -> None:
    """Publish the current catalogue index again without its prebuilt database: kiosks import it."""
    index = json.loads(repository.target_bytes(INDEX))
    del index["database"]
    repository.publish({INDEX: json.dumps(index, ensure_ascii=False, sort_keys=True).encode()})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guides", type=int, default=100_000)
    parser.add_argument("--changed", type=float, default=0.01)
    parser.add_argument(
        "--import-too",
        action="store_true",
        help="Also time a full sync that imports the JSON Lines (as before the prebuilt database).",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    repository = FleetRepository.init(work / "fleet")
    v1, v2 = work / "v1.jsonl", work / "v2.jsonl"
    write_catalogue(v1, args.guides)
    touched = write_catalogue(v2, args.guides, changed=args.changed)

    started = time.perf_counter()
    first = publish_catalogue(repository, v1)
    publish_seconds = time.perf_counter() - started

    server, url = serve_directory(repository.repository, work / "http.log")
    environ = provision_kiosk(work, "bench-0001", url, repository)
    data = Path(environ["KIOSK_DATA_DIR"])
    imported: tuple[float, int] | None = None
    with server:
        download_seconds = download_process(url, repository.trust_root, database_target(first.version))
        full_seconds, full_rss = sync_process(environ)
        full_bytes = SyncState(data / "state.db").status().bytes_downloaded
        if args.import_too:
            without_database(repository)
            imported = sync_process(provision_kiosk(work, "bench-0002", url, repository))
        second = publish_catalogue(repository, v2)
        delta_seconds, delta_rss = sync_process(environ)
        delta_bytes = SyncState(data / "state.db").status().bytes_downloaded - full_bytes

    print(f"guides: {args.guides}, changed: {touched} ({touched / args.guides:.1%})")
    print(
        f"publish v1: {publish_seconds:.1f} s, full target {first.full_bytes / 1e6:.1f} MB, "
        f"prebuilt database target {first.database_bytes / 1e6:.1f} MB"
    )
    print(f"delta target v1->v2: {second.delta_bytes[1] / 1e6:.2f} MB")
    print(f"download and verify the database target alone: {download_seconds:.1f} s")
    print(f"full sync:  {full_seconds:.1f} s, {full_bytes / 1e6:.2f} MB downloaded, peak RSS {full_rss} MiB")
    if imported is not None:
        print(f"full sync importing the JSON Lines instead: {imported[0]:.1f} s, peak RSS {imported[1]} MiB")
    print(
        f"delta sync: {delta_seconds:.1f} s, {delta_bytes / 1e6:.3f} MB downloaded, peak RSS {delta_rss} MiB"
    )
    print(f"time ratio full sync/download alone: {full_seconds / download_seconds:.2f}")
    if imported is not None:
        print(f"time ratio full sync/importing the JSON Lines: {full_seconds / imported[0]:.2f}")
    print(f"time ratio delta/full:  {delta_seconds / full_seconds:.2f}")
    print(f"bytes ratio delta/full sync: {delta_bytes / full_bytes:.2%} (target <= 3%)")
    print(f"bytes ratio delta/full JSON Lines target: {delta_bytes / first.full_bytes:.2%}")
    print(f"database size: {(data / 'guides.db').stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
