"""A full sync through the prebuilt catalogue database: the same catalogue, checked, applied whole."""

from __future__ import annotations

import gzip
import json
import os
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.guides import Catalogue, bounded_lines, read_jsonl
from kiosk.guides.prebuilt import DatabaseInvalid, build_database, database_format, inflate
from kiosk.publishing.catalogue_release import promote_catalogue, publish_catalogue, stage_catalogue
from kiosk.release_format import INDEX, database_target, full_target
from kiosk.sync import SyncError
from tests.sync.conftest import Kiosk, Server, catalogue_state, write_catalogue
from tests.sync.test_sync_process import KIOSK, run_kiosk, scratch_folders, version_and_count

#: What residents type: characters, pinyin, initials, Traditional, one character, a material.
QUERIES = [
    "社保",
    "社会保障卡",
    "sbk",
    "shebao",
    "gongjijin",
    "gjj",
    "身份證",
    "户口",
    "结婚登记",
    "证",
    "z",
    "营业执照",
    "（12）",
]


def searches(catalogue: Catalogue) -> list[object]:
    return [catalogue.search(query, limit=30) for query in QUERIES]


def test_an_empty_kiosk_takes_the_prebuilt_database_and_finds_what_an_import_finds(
    fleet: Server, make_kiosk_for: Callable[..., Kiosk], tmp_path: Path
) -> None:
    source = write_catalogue(tmp_path / "v1.jsonl", 400)
    publish_catalogue(fleet.repository, source)
    kiosk = make_kiosk_for(fleet)
    report = kiosk.sync().sync_once()
    assert report.used_database and not report.used_delta and report.catalogue_version == 1

    # `kiosk guides import` of the same file, on a kiosk that has imported something else before.
    imported = Catalogue(tmp_path / "imported.db")
    imported.import_guides(
        read_jsonl(bounded_lines(write_catalogue(tmp_path / "other.jsonl", 50).open("rb")))
    )
    with source.open("rb") as handle:
        imported.import_guides(read_jsonl(bounded_lines(handle)), replace=True)
    synced = kiosk.catalogue()
    assert synced.count() == imported.count() == 400
    assert searches(synced) == searches(imported)
    assert all(searches(synced))  # every query finds something: the comparison means something
    assert list(synced.iter_guides()) == list(imported.iter_guides())
    assert synced.departments() == imported.departments() and synced.life_events() == imported.life_events()

    # The next version comes as a delta, applied on top of the prebuilt one.
    publish_catalogue(fleet.repository, write_catalogue(tmp_path / "v2.jsonl", 400, changed={3, 250}))
    delta = kiosk.sync().sync_once()
    assert delta.used_delta and not delta.used_database
    assert synced.get("371000-T-000250").name.endswith("（已更新）")
    assert synced.search("已更新")[0].summary.id == "371000-T-000003"


def test_residents_search_the_old_catalogue_until_the_new_one_is_whole(
    fleet: Server, make_kiosk_for: Callable[..., Kiosk], tmp_path: Path
) -> None:
    kiosk = make_kiosk_for(fleet)
    publish_catalogue(fleet.repository, write_catalogue(tmp_path / "v1.jsonl", 30))
    kiosk.sync().sync_once()
    _publish_without_deltas(fleet, tmp_path, 2, write_catalogue(tmp_path / "v2.jsonl", 1500))

    serving = kiosk.catalogue()  # the UI's own connection
    old = (serving.count(), len(serving.search("证", limit=2000)))
    seen: set[tuple[int, int]] = set()
    errors: list[BaseException] = []
    done = threading.Event()

    def resident() -> None:
        # One read transaction per look: both answers from the same catalogue, old or new.
        while not done.is_set():
            try:
                serving.conn.execute("BEGIN")
                seen.add((serving.count(), len(serving.search("证", limit=2000))))
                serving.conn.execute("COMMIT")
            except BaseException as error:  # any error a resident would meet
                errors.append(error)
                return

    reader = threading.Thread(target=resident)
    reader.start()
    try:
        report = kiosk.sync().sync_once()
    finally:
        done.set()
        reader.join()
    assert report.used_database and not errors
    # The copy went through the WAL; it is not left there taking the catalogue's size on disk again.
    assert (
        (kiosk.data / "guides.db-wal").stat().st_size < 1_000_000 < (kiosk.data / "guides.db").stat().st_size
    )
    new = (serving.count(), len(serving.search("证", limit=2000)))
    assert old[0] == 30 and new[0] == 1500 and old[1] < new[1]
    assert seen <= {old, new} and old in seen
    assert serving.meta("version") == "2"


def test_a_database_of_another_format_is_not_applied_the_guides_are_imported(
    fleet: Server, make_kiosk_for: Callable[..., Kiosk], tmp_path: Path
) -> None:
    kiosk = make_kiosk_for(fleet)
    source = write_catalogue(tmp_path / "v1.jsonl", 25)
    _publish_without_deltas(fleet, tmp_path, 1, source, database_format="built-by-another-release")
    report = kiosk.sync().sync_once()
    assert report.catalogue_updated and not report.used_database
    assert catalogue_state(kiosk) == ("1", 25)


def test_a_tampered_database_target_is_refused_by_its_signed_hash(
    fleet: Server, make_kiosk_for: Callable[..., Kiosk], tmp_path: Path
) -> None:
    publish_catalogue(fleet.repository, write_catalogue(tmp_path / "v1.jsonl", 20))
    for stored in (fleet.repository.targets_dir / "catalogue").glob("*.db-1.sqlite.gz"):
        data = bytearray(stored.read_bytes())
        data[len(data) // 2] ^= 0xFF
        stored.write_bytes(bytes(data))
    kiosk = make_kiosk_for(fleet)
    with pytest.raises(SyncError, match="does not match its signed hash"):
        kiosk.sync().sync_once()
    assert catalogue_state(kiosk) == (None, 0)
    assert scratch_folders(kiosk) == set()


def _trigger(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TRIGGER spy AFTER INSERT ON guides BEGIN DELETE FROM guides; END")


def _long_name(conn: sqlite3.Connection) -> None:
    record = json.dumps({"id": "371000-T-000001", "name": "办" * 201, "department": "d"})
    conn.execute("UPDATE guides SET record = ? WHERE id = '371000-T-000001'", (record,))


def _columns(conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE guides SET department = '别的部门' WHERE id = '371000-T-000002'")


def _version(conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE catalogue_meta SET value = '7' WHERE key = 'version'")


def _index(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM search_docs WHERE guide_id = '371000-T-000003'")


def _life_events(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT INTO guide_life_events (guide_id, life_event) VALUES ('371000-T-000004', '退休')")


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        pytest.param(_trigger, "not a catalogue database of this release's format", id="trigger"),
        pytest.param(
            _long_name, "guide '371000-T-000001': name: 201 characters, the limit is 200", id="guide"
        ),
        pytest.param(_columns, "guide '371000-T-000002': its columns differ from its record", id="columns"),
        pytest.param(_version, "built as version 7, published as 2", id="version"),
        pytest.param(_index, "the search index does not match the guides", id="index"),
        pytest.param(_life_events, "the life events differ from the guides' records", id="life-events"),
    ],
)
def test_a_signed_database_that_is_not_this_catalogue_is_refused_and_the_old_one_kept(
    fleet: Server,
    make_kiosk_for: Callable[..., Kiosk],
    tmp_path: Path,
    spoil: Callable[[sqlite3.Connection], None],
    reason: str,
) -> None:
    kiosk = make_kiosk_for(fleet)
    publish_catalogue(fleet.repository, write_catalogue(tmp_path / "v1.jsonl", 20))
    kiosk.sync().sync_once()
    _publish_without_deltas(fleet, tmp_path, 2, write_catalogue(tmp_path / "v2.jsonl", 20), spoil=spoil)
    with pytest.raises(SyncError, match="catalogue version 2 could not be applied: ") as caught:
        kiosk.sync().sync_once()
    assert reason in str(caught.value)
    assert catalogue_state(kiosk) == ("1", 20)
    assert scratch_folders(kiosk) == set()


def test_a_decompressed_database_is_bounded_and_must_be_gzip(tmp_path: Path) -> None:
    compressed = tmp_path / "big.gz"
    compressed.write_bytes(gzip.compress(b"\0" * 3_000_000))
    with compressed.open("rb") as stream, pytest.raises(DatabaseInvalid, match="larger than the limit"):
        inflate(stream, tmp_path / "big.db", limit=2_000_000)
    plain = tmp_path / "plain.gz"
    plain.write_bytes(b"SQLite format 3\0" * 100)
    with plain.open("rb") as stream, pytest.raises(DatabaseInvalid, match="not a gzip file"):
        inflate(stream, tmp_path / "plain.db")


def test_kill_9_while_a_database_is_applied_leaves_the_old_or_the_new_catalogue_and_no_leftovers(
    fleet: Server, make_kiosk_for: Callable[..., Kiosk], tmp_path: Path
) -> None:
    kiosk = make_kiosk_for(fleet)
    publish_catalogue(fleet.repository, write_catalogue(tmp_path / "v1.jsonl", 100))
    assert run_kiosk(kiosk, "sync", "--once").returncode == 0
    _publish_without_deltas(fleet, tmp_path, 2, write_catalogue(tmp_path / "v2.jsonl", 4000))
    env = {**os.environ, **kiosk.environ, "KIOSK__GUIDES__LOAD_DEMO": "false"}
    seen: set[tuple[str | None, int]] = set()
    delay = 0.3
    for _ in range(20):
        process = subprocess.Popen([KIOSK, "sync", "--once"], env=env, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        state = version_and_count(kiosk)
        assert state in {("1", 100), ("2", 4000)}
        seen.add(state)
        if state == ("2", 4000):
            break
        delay += 0.25
    assert ("1", 100) in seen  # a kill landed before the copy committed
    final = run_kiosk(kiosk, "sync", "--once")
    assert final.returncode == 0, final.stderr
    assert version_and_count(kiosk) == ("2", 4000)
    assert scratch_folders(kiosk) == set()


def test_a_promoted_catalogue_keeps_its_database(
    fleet: Server, make_kiosk_for: Callable[..., Kiosk], tmp_path: Path
) -> None:
    publish_catalogue(fleet.repository, write_catalogue(tmp_path / "v1.jsonl", 20))
    with fleet.repository.lock():
        from kiosk.publishing.catalogue_release import build_catalogue

        build = build_catalogue(fleet.repository, write_catalogue(tmp_path / "v2.jsonl", 22))
        stage_catalogue(fleet.repository, build, "canary")
    assert promote_catalogue(fleet.repository, "canary") == 2
    assert database_target(2) in fleet.repository.targets()
    report = make_kiosk_for(fleet, "wh-0009", "villages").sync().sync_once()
    assert report.used_database and report.catalogue_version == 2


def _publish_without_deltas(
    fleet: Server,
    tmp_path: Path,
    version: int,
    source: Path,
    *,
    database_format: str = database_format(),
    spoil: Callable[[sqlite3.Connection], None] | None = None,
) -> None:
    """Sign and serve `source` as `version`, full and prebuilt only, the database spoilt by `spoil`:
    what the admin tool would never publish, but a kiosk must judge by itself all the same."""
    with source.open("rb") as handle:
        guides = read_jsonl(bounded_lines(handle))
    built = tmp_path / f"built-{version}.db"
    built.unlink(missing_ok=True)
    build_database(built, guides, version)
    if spoil is not None:
        with sqlite3.connect(built, isolation_level=None) as conn:
            spoil(conn)
        conn.close()
    full = full_target(version)
    database = database_target(version)
    index = {
        "version": version,
        "guides": len(guides),
        "full": full,
        "deltas": {},
        "database": {"path": database, "format": database_format},
    }
    files = {
        full: gzip.compress(source.read_bytes(), mtime=0),
        database: gzip.compress(built.read_bytes(), mtime=0),
        INDEX: json.dumps(index).encode(),
    }
    fleet.repository.publish(files, replace_prefix="catalogue/")
