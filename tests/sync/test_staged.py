"""A staged rollout as kiosks see it: a kiosk of the staged group takes staged/<group>/<target>,
the others the normal target; dropping the staged target brings the canaries back, promoting it
reaches everyone. Real repository, served over HTTP, verified by TUF as always."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.publishing import FleetRepository
from kiosk.publishing.catalogue_release import (
    abort_catalogue,
    build_catalogue,
    promote_catalogue,
    publish_catalogue,
    stage_catalogue,
    staged_catalogue_version,
)
from kiosk.publishing.config_release import abort_config, promote_config, publish_config, stage_config
from kiosk.release_format import INDEX, config_target, full_target, staged_target
from kiosk.settings import SettingsError
from tests.sync.conftest import Kiosk, Server, write_catalogue


def versions(kiosk: Kiosk) -> tuple[int | None, dict[str, str]]:
    report = kiosk.sync().sync_once()
    return report.catalogue_version, report.config


def pushed(kiosk: Kiosk, scope: str = "all") -> str | None:
    path = kiosk.data / "pushed" / f"{scope}.toml"
    return path.read_text(encoding="utf-8") if path.is_file() else None


OLD = '[display]\ntheme = "standard"\n'
NEW = '[display]\ntheme = "elder"\n'


def test_a_staged_configuration_reaches_its_group_only_and_goes_back_when_dropped(
    fleet: Server, make_kiosk_for: Callable[..., Kiosk], tmp_path: Path
) -> None:
    old = tmp_path / "old.toml"
    old.write_text(OLD, encoding="utf-8")
    publish_config(fleet.repository, old, "all")
    canary = make_kiosk_for(fleet, "wh-0001", "canary")
    other = make_kiosk_for(fleet, "wh-0002", "villages")
    canary.sync().sync_once()
    other.sync().sync_once()

    staged = stage_config(fleet.repository, NEW.encode(), "all", "", "canary")
    assert staged == "staged/canary/config/all.toml"
    canary.sync().sync_once()
    other.sync().sync_once()
    assert pushed(canary) == NEW
    assert pushed(other) == OLD

    abort_config(fleet.repository, "all", "", "canary")
    assert staged not in fleet.repository.targets()
    assert canary.sync().sync_once().config_updated
    assert pushed(canary) == OLD


def test_a_promoted_configuration_reaches_everyone_and_the_staged_target_goes(
    fleet: Server, make_kiosk_for: Callable[..., Kiosk]
) -> None:
    canary = make_kiosk_for(fleet, "wh-0001", "canary")
    other = make_kiosk_for(fleet, "wh-0002", "villages")
    stage_config(fleet.repository, NEW.encode(), "group", "canary", "canary")
    canary.sync().sync_once()
    assert pushed(canary, "group") == NEW
    # A group's configuration staged for the group's own kiosks: nobody else reads it.
    stage_config(fleet.repository, NEW.encode(), "kiosk", "wh-0002", "canary")
    other.sync().sync_once()
    assert pushed(other, "kiosk") is None

    promote_config(fleet.repository, "group", "canary", "canary")
    targets = fleet.repository.targets()
    assert config_target("group", "canary") in targets
    assert staged_target("canary", config_target("group", "canary")) not in targets
    assert not canary.sync().sync_once().config_updated  # same bytes: nothing to do
    assert pushed(canary, "group") == NEW


def test_a_staged_configuration_is_validated_before_it_is_signed(fleet: Server) -> None:
    before = fleet.repository.load("targets").signed.version
    with pytest.raises(SettingsError, match=r"kiosk\.id"):
        stage_config(fleet.repository, b'[kiosk]\nid = "x"\n', "all", "", "canary")
    assert fleet.repository.load("targets").signed.version == before


def test_a_staged_catalogue_reaches_the_canary_and_an_abort_brings_it_back(
    fleet: Server, make_kiosk_for: Callable[..., Kiosk], tmp_path: Path
) -> None:
    publish_catalogue(fleet.repository, write_catalogue(tmp_path / "v1.jsonl", 30))
    canary = make_kiosk_for(fleet, "wh-0001", "canary")
    other = make_kiosk_for(fleet, "wh-0002", "villages")
    assert versions(canary)[0] == versions(other)[0] == 1

    with fleet.repository.lock():
        build = build_catalogue(fleet.repository, write_catalogue(tmp_path / "v2.jsonl", 30, changed={3}))
        stage_catalogue(fleet.repository, build, "canary")
    targets = fleet.repository.targets()
    assert full_target(1) in targets and full_target(2) in targets  # both versions stay while staged
    assert staged_catalogue_version(fleet.repository, "canary") == 2
    report = canary.sync().sync_once()
    assert report.catalogue_version == 2 and report.used_delta
    assert versions(other)[0] == 1

    abort_catalogue(fleet.repository, "canary")
    targets = fleet.repository.targets()
    assert full_target(2) not in targets and staged_target("canary", INDEX) not in targets
    back = canary.sync().sync_once()
    assert back.catalogue_version == 1 and back.catalogue_updated and not back.used_delta
    assert canary.catalogue().get("371000-T-000003").name.endswith("（3）")

    # The next catalogue never reuses the stopped version's number.
    with fleet.repository.lock():
        build = build_catalogue(fleet.repository, write_catalogue(tmp_path / "v3.jsonl", 30, changed={4}))
        stage_catalogue(fleet.repository, build, "canary")
    assert build.version == 3
    assert versions(canary)[0] == 3
    assert promote_catalogue(fleet.repository, "canary") == 3
    targets = fleet.repository.targets()
    assert full_target(1) not in targets and staged_target("canary", INDEX) not in targets
    assert versions(other)[0] == 3
    assert not canary.sync().sync_once().catalogue_updated


def test_a_catalogue_published_for_everyone_supersedes_a_staged_one(
    fleet: Server, make_kiosk_for: Callable[..., Kiosk], tmp_path: Path
) -> None:
    publish_catalogue(fleet.repository, write_catalogue(tmp_path / "v1.jsonl", 10))
    with fleet.repository.lock():
        stage_catalogue(fleet.repository, build_catalogue(fleet.repository, tmp_path / "v1.jsonl"), "canary")
    publish_catalogue(fleet.repository, write_catalogue(tmp_path / "v3.jsonl", 10, changed={1}))
    assert staged_target("canary", INDEX) not in fleet.repository.targets()
    canary = make_kiosk_for(fleet, "wh-0001", "canary")
    assert versions(canary)[0] == 3


def _targets_version(repository: FleetRepository) -> int:
    return int(repository.load("targets").signed.version)


def test_publishing_waits_for_the_lock_held_by_another_thread(fleet: Server, tmp_path: Path) -> None:
    config = tmp_path / "all.toml"
    config.write_text(OLD, encoding="utf-8")
    done = threading.Event()

    def publish() -> None:
        publish_config(FleetRepository(fleet.repository.base), config, "all")
        done.set()

    with fleet.repository.lock():
        before = _targets_version(fleet.repository)
        worker = threading.Thread(target=publish)
        worker.start()
        assert not done.wait(0.5)
        assert _targets_version(fleet.repository) == before
    worker.join(10)
    assert done.is_set() and _targets_version(fleet.repository) == before + 1


def test_publishing_waits_for_the_lock_held_by_another_process(fleet: Server, tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from kiosk.publishing import FleetRepository\n"
            "with FleetRepository(Path(sys.argv[1])).lock():\n"
            "    print('held', flush=True); sys.stdin.readline()\n",
            str(fleet.repository.base),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        config = tmp_path / "all.toml"
        config.write_text(OLD, encoding="utf-8")
        before = _targets_version(fleet.repository)
        worker = threading.Thread(target=publish_config, args=(fleet.repository, config, "all"))
        started = time.monotonic()
        worker.start()
        worker.join(0.7)
        assert worker.is_alive() and _targets_version(fleet.repository) == before
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.flush()
        worker.join(10)
        assert not worker.is_alive() and time.monotonic() - started >= 0.7
        assert _targets_version(fleet.repository) == before + 1
    finally:
        holder.kill()
        holder.wait()
