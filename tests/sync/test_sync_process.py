"""Whole `kiosk` processes against the served repository: CLI contract, kill -9 and a full disk."""

from __future__ import annotations

import fcntl
import json
import os
import random
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from kiosk.cli import main
from kiosk.publishing.catalogue_release import publish_catalogue
from tests.sync.conftest import Kiosk, Server, write_catalogue

KIOSK = str(Path(sys.executable).with_name("kiosk"))


def run_kiosk(
    kiosk: Kiosk, *args: str, extra_env: dict[str, str] | None = None, **options: object
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **kiosk.environ, "KIOSK__GUIDES__LOAD_DEMO": "false", **(extra_env or {})}
    return subprocess.run(
        [KIOSK, *args], capture_output=True, text=True, env=env, check=False, timeout=120, **options
    )  # type: ignore[call-overload, no-any-return]


def version_and_count(kiosk: Kiosk) -> tuple[str | None, int]:
    with sqlite3.connect(kiosk.data / "guides.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        row = conn.execute("SELECT value FROM catalogue_meta WHERE key = 'version'").fetchone()
        return (row[0] if row else None), conn.execute("SELECT count(*) FROM guides").fetchone()[0]


def test_admin_and_kiosk_commands_end_to_end(
    fleet: Server, make_kiosk_for: Callable[..., Kiosk], tmp_path: Path
) -> None:
    runner = CliRunner()
    base = str(fleet.repository.base)
    catalogue = write_catalogue(tmp_path / "c.jsonl", 12)
    published = runner.invoke(main, ["fleet", "publish", base, "--guides", str(catalogue)])
    assert published.exit_code == 0 and "catalogue v1: 12 guides" in published.output
    config = tmp_path / "all.toml"
    config.write_text('[kiosk]\nsite_name = "全市统一名称"\n', encoding="utf-8")
    assert runner.invoke(main, ["fleet", "publish", base, "--config", str(config), "--all"]).exit_code == 0
    usage = runner.invoke(main, ["fleet", "publish", base, "--config", str(config)])
    assert usage.exit_code == 2 and "exactly one of --all" in usage.output
    shown = json.loads(runner.invoke(main, ["fleet", "show", base, "--json"]).output)
    assert shown["catalogue"]["version"] == 1
    assert {role["role"] for role in shown["roles"]} == {"root", "targets", "snapshot", "timestamp"}
    assert "config/all.toml" in shown["targets"]

    kiosk = make_kiosk_for(fleet)
    synced = run_kiosk(kiosk, "sync", "--once")
    assert synced.returncode == 0, synced.stderr
    assert "updated: catalogue v1, configuration" in synced.stdout
    assert run_kiosk(kiosk, "sync", "--once").stdout.strip() == "up to date"
    status = json.loads(run_kiosk(kiosk, "sync", "status", "--json").stdout)
    assert status["catalogue_version"] == 1 and status["last_error"] is None and "all" in status["config"]
    origins = json.loads(run_kiosk(kiosk, "config", "show", "--json", "--origins").stdout)
    assert origins["settings"]["kiosk"]["site_name"] == "全市统一名称"
    assert origins["origins"]["kiosk.site_name"].endswith("pushed/all.toml")

    fleet.daemon.stop()
    failed = run_kiosk(kiosk, "sync", "--once")
    assert failed.returncode == 1
    assert failed.stderr.count("\n") == 1 and "cannot fetch" in failed.stderr
    assert json.loads(run_kiosk(kiosk, "sync", "status", "--json").stdout)["catalogue_version"] == 1


def test_sync_logs_json_lines_for_journald_with_personal_numbers_masked(
    fleet: Server, make_kiosk_for: Callable[..., Kiosk]
) -> None:
    kiosk = make_kiosk_for(fleet)
    fleet.daemon.stop()
    # A repository address holding an ID number (a careless configuration): the failure names the
    # address, and the number must not reach the journal.
    id_number = "371002199001010023"
    repo_url = f"{fleet.url.rstrip('/')}/{id_number}/"
    failed = run_kiosk(
        kiosk,
        "sync",
        "--once",
        extra_env={"KIOSK__LOGGING__FORMAT": "json", "KIOSK__SYNC__REPO_URL": f'"{repo_url}"'},
    )
    assert failed.returncode == 1
    lines = failed.stderr.splitlines()
    assert lines, "a failed sync says why on stderr"
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all(entry.keys() >= {"time", "level", "logger", "message", "session"} for entry in entries)
    (error,) = [entry for entry in entries if entry["level"] == "ERROR"]
    assert error["message"].startswith("cannot fetch from ") and error["session"] is None
    assert id_number not in failed.stderr and "[ID number masked]" in error["message"]


def test_provision_refuses_a_file_that_is_not_a_trust_root(tmp_path: Path) -> None:
    fake = tmp_path / "root.json"
    fake.write_text('{"signed": {}}', encoding="utf-8")
    site = tmp_path / "kiosk.toml"
    result = CliRunner().invoke(
        main,
        [
            "provision",
            "--kiosk-id",
            "wh-1",
            "--group",
            "g",
            "--repo-url",
            "http://127.0.0.1:1",
            "--trust-root",
            str(fake),
        ],
        env={"KIOSK_CONFIG": str(site), "KIOSK_DATA_DIR": str(tmp_path / "data")},
    )
    assert result.exit_code == 1 and "nothing was changed" in result.output
    assert not site.exists()


def test_kill_9_during_apply_leaves_the_old_or_the_new_catalogue(
    fleet: Server, make_kiosk_for: Callable[..., Kiosk], tmp_path: Path
) -> None:
    publish_catalogue(fleet.repository, write_catalogue(tmp_path / "v1.jsonl", 1500))
    kiosk = make_kiosk_for(fleet)
    assert run_kiosk(kiosk, "sync", "--once").returncode == 0
    publish_catalogue(
        fleet.repository, write_catalogue(tmp_path / "v2.jsonl", 3000, changed=set(range(1500)))
    )
    env = {**os.environ, **kiosk.environ, "KIOSK__GUIDES__LOAD_DEMO": "false"}
    started = time.monotonic()
    assert run_kiosk(kiosk, "sync", "--once", "--help").returncode == 0  # warm the import cache
    full_run = time.monotonic() - started
    chooser = random.Random(20261127)
    seen: set[tuple[str | None, int]] = set()
    for _ in range(12):
        process = subprocess.Popen(
            [KIOSK, "sync", "--once"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(full_run * 0.5 + chooser.random() * 1.5)
        process.send_signal(signal.SIGKILL)
        process.wait()
        state = version_and_count(kiosk)
        assert state in {("1", 1500), ("2", 3000)}
        seen.add(state)
        if state == ("2", 3000):
            break
    final = run_kiosk(kiosk, "sync", "--once")
    assert final.returncode == 0, final.stderr
    assert version_and_count(kiosk) == ("2", 3000)
    assert ("1", 1500) in seen  # at least one kill landed before the new version was complete


def test_a_full_disk_applies_nothing(
    fleet: Server, make_kiosk_for: Callable[..., Kiosk], tmp_path: Path
) -> None:
    publish_catalogue(fleet.repository, write_catalogue(tmp_path / "v1.jsonl", 100))
    kiosk = make_kiosk_for(fleet)
    assert run_kiosk(kiosk, "sync", "--once").returncode == 0
    publish_catalogue(fleet.repository, write_catalogue(tmp_path / "v2.jsonl", 4000, changed=set(range(100))))
    limit = (kiosk.data / "guides.db").stat().st_size + 256 * 1024

    def small_disk() -> None:
        # Writing past RLIMIT_FSIZE fails with EFBIG, as on a full disk, once SIGXFSZ is ignored.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = run_kiosk(kiosk, "sync", "--once", preexec_fn=small_disk)
    assert result.returncode != 0
    assert "could not be stored" in result.stderr or "cannot store" in result.stderr
    assert version_and_count(kiosk) == ("1", 100)
    assert run_kiosk(kiosk, "sync", "--once").returncode == 0
    assert version_and_count(kiosk) == ("2", 4000)


def scratch_folders(kiosk: Kiosk) -> set[Path]:
    """The folders syncs download into (sync-*), in the kiosk's data directory."""
    return set(kiosk.data.glob("sync-*"))


def wait_for_new_scratch(kiosk: Kiosk, process: subprocess.Popen[bytes], before: set[Path]) -> Path:
    """The scratch folder `process` created, as soon as it appears."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        new = scratch_folders(kiosk) - before
        if new:
            return new.pop()
        assert process.poll() is None, "the sync ended before it was seen at work"
        time.sleep(0.001)
    raise AssertionError("no sync folder appeared within 60 s")


def test_the_next_sync_removes_the_folder_of_a_killed_one_never_that_of_a_running_one(
    fleet: Server, make_kiosk_for: Callable[..., Kiosk], tmp_path: Path
) -> None:
    publish_catalogue(fleet.repository, write_catalogue(tmp_path / "v1.jsonl", 200))
    kiosk = make_kiosk_for(fleet)
    assert run_kiosk(kiosk, "sync", "--once").returncode == 0
    env = {**os.environ, **kiosk.environ, "KIOSK__GUIDES__LOAD_DEMO": "false"}

    # A sync running now in another process (the UI's scheduler, say), caught while it fetches:
    # up to date, it holds no database lock, only its folder. The data directory's lock is taken
    # first so that it is stopped outside the moment when a sync creates its folder.
    running = subprocess.Popen(
        [KIOSK, "sync", "--once"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    running_folder = wait_for_new_scratch(kiosk, running, set())
    data_lock = os.open(kiosk.data, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(data_lock, fcntl.LOCK_EX)
        running.send_signal(signal.SIGSTOP)
    finally:
        os.close(data_lock)
    try:
        # A technician's sync of a large new catalogue, killed once it has downloaded it.
        publish_catalogue(
            fleet.repository, write_catalogue(tmp_path / "v2.jsonl", 1500, changed=set(range(200)))
        )
        killed = subprocess.Popen([KIOSK, "sync", "--once"], env=env, stderr=subprocess.DEVNULL)
        killed_folder = wait_for_new_scratch(kiosk, killed, {running_folder})
        deadline = time.monotonic() + 60
        while not any(killed_folder.iterdir()) and time.monotonic() < deadline:
            assert killed.poll() is None, "the sync ended before it had downloaded anything"
            time.sleep(0.001)
        killed.send_signal(signal.SIGKILL)
        killed.wait()
        assert scratch_folders(kiosk) == {running_folder, killed_folder}

        after = run_kiosk(kiosk, "sync", "--once")
        assert after.returncode == 0, after.stderr
        assert version_and_count(kiosk) == ("2", 1500)
        assert scratch_folders(kiosk) == {running_folder}  # the leftover gone, the running one kept
    finally:
        running.send_signal(signal.SIGCONT)
    _out, err = running.communicate(timeout=120)
    # Resumed, it may find the repository moved on under it: a failure said in one line is fine.
    assert running.returncode in {0, 1} and b"Traceback" not in err, err
    assert scratch_folders(kiosk) == set()
    assert version_and_count(kiosk) == ("2", 1500)
