"""The simulator's sync: what a simulated kiosk runs is what the fleet repository publishes for it,
a staged rollout's release for its group first, with the versions a real kiosk reports."""

from __future__ import annotations

import hashlib
from pathlib import Path

from kiosk.fleet.sim_release import RepositoryView
from kiosk.guides.demo import DEMO_CATALOGUE
from kiosk.publishing import FleetRepository
from kiosk.publishing.catalogue_release import publish_catalogue
from kiosk.publishing.config_release import publish_config
from kiosk.release_format import config_target, staged_target


def short(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def test_a_kiosk_runs_the_published_catalogue_and_its_scopes_configuration(tmp_path: Path) -> None:
    repository = FleetRepository.init(tmp_path / "fleet")
    release = publish_catalogue(repository, DEMO_CATALOGUE)
    every = tmp_path / "all.toml"
    every.write_text("[session]\nidle_seconds = 90\n")
    publish_config(repository, every, "all")
    east = tmp_path / "east.toml"
    east.write_text("[session]\nidle_seconds = 120\n")
    publish_config(repository, east, "group", "east")
    view = RepositoryView(tmp_path / "fleet")

    seen = view.release("k-1", "east")
    assert seen.catalogue_version == release.version and seen.guides == release.guides
    assert seen.config == {"all": short(every.read_bytes()), "group": short(east.read_bytes())}
    assert view.release("k-2", "west").config == {"all": short(every.read_bytes())}
    assert view.release("k-3", "").config == {"all": short(every.read_bytes())}


def test_a_staged_release_reaches_its_group_only_and_a_new_one_is_seen(tmp_path: Path) -> None:
    repository = FleetRepository.init(tmp_path / "fleet")
    publish_catalogue(repository, DEMO_CATALOGUE)
    view = RepositoryView(tmp_path / "fleet")
    assert view.release("k-1", "canary").config == {}
    staged = b"[session]\nidle_seconds = 60\n"
    repository.publish({staged_target("canary", config_target("all")): staged})

    assert view.release("k-1", "canary").config == {"all": short(staged)}
    assert view.release("k-2", "east").config == {}


def test_no_repository_yet_is_nothing_published(tmp_path: Path) -> None:
    view = RepositoryView(tmp_path / "nothing")
    release = view.release("k-1", "east")
    assert release.catalogue_version is None and release.config == {}
