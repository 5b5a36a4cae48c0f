"""A rollout from the console as real kiosks take it: the repository served over HTTP, kiosks
provisioned against it, their sync client (kiosk.sync) verifying everything with TUF as always.
What each kiosk reports is written into its Kiosk row as the ingest would."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from console.db import Database
from console.models import Kiosk as KioskRow
from console.models import Publication
from console.rollout import abort, drive_rollouts, start_rollout
from console.settings import ConsoleSettings
from kiosk.provision.enrolment import provision
from kiosk.publishing import FleetRepository
from kiosk.sync import SyncReport
from tests.daemons import serve_directory
from tests.sync.conftest import Kiosk, write_catalogue

NOW = 1_800_000_000.0
SOAK = 30.0


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[FleetRepository, str]]:
    repository = FleetRepository.init(tmp_path / "fleet")
    daemon, url = serve_directory(repository.repository, tmp_path / "http.log")
    with daemon:
        yield repository, url


def make_kiosk(tmp_path: Path, url: str, repository: FleetRepository, kiosk_id: str, group: str) -> Kiosk:
    folder = tmp_path / kiosk_id
    site, data = folder / "kiosk.toml", folder / "data"
    environ = {"KIOSK_CONFIG": str(site), "KIOSK_DATA_DIR": str(data)}
    provision(
        site, kiosk_id=kiosk_id, group=group, repo_url=url, trust_root=repository.trust_root, environ=environ
    )
    return Kiosk(site, data, environ)


def sync_and_report(db: Database, kiosk_id: str, kiosk: Kiosk, at: float) -> SyncReport:
    """One sync of the real client, and its versions as the ingest stores them."""
    done = kiosk.sync().sync_once()
    with db.session() as session:
        row = session.get(KioskRow, kiosk_id)
        assert row is not None
        row.catalogue_version = done.catalogue_version
        row.config_version = ",".join(f"{scope}={digest}" for scope, digest in sorted(done.config.items()))
        row.last_seen = at
    return done


def state_of(db: Database, publication_id: int) -> str:
    with db.session() as session:
        row = session.get(Publication, publication_id)
        assert row is not None
        return row.state


def test_a_console_rollout_reaches_the_canary_first_then_everyone(
    console_db: Database, served: tuple[FleetRepository, str], tmp_path: Path
) -> None:
    repository, url = served
    settings = ConsoleSettings(data_dir=tmp_path / "c", repository=repository.base, rollout_soak=SOAK)
    kiosks = {
        "wh-c1": make_kiosk(tmp_path, url, repository, "wh-c1", "canary"),
        "wh-v1": make_kiosk(tmp_path, url, repository, "wh-v1", "villages"),
    }
    with console_db.session() as session:
        for kiosk_id, group in (("wh-c1", "canary"), ("wh-v1", "villages")):
            session.add(KioskRow(id=kiosk_id, group=group, state="online", last_seen=NOW))
    first = write_catalogue(tmp_path / "v1.jsonl", 20).read_bytes()
    start_rollout(
        settings, console_db, "pat", kind="catalogue", scope="all", name="", data=first, direct=True
    )
    for kiosk_id, kiosk in kiosks.items():
        assert sync_and_report(console_db, kiosk_id, kiosk, NOW).catalogue_version == 1

    config = b'[display]\ntheme = "elder"\n'
    rollout = start_rollout(
        settings, console_db, "pat", kind="config", scope="all", name="", data=config, now=NOW
    )
    catalogue = start_rollout(
        settings, console_db, "pat", kind="catalogue", scope="all", name="",
        data=write_catalogue(tmp_path / "v2.jsonl", 20, changed={1}).read_bytes(), now=NOW,
    )  # fmt: skip
    canary = sync_and_report(console_db, "wh-c1", kiosks["wh-c1"], NOW + 5)
    assert canary.catalogue_version == 2 and canary.used_delta
    assert (kiosks["wh-c1"].data / "pushed" / "all.toml").read_bytes() == config
    other = sync_and_report(console_db, "wh-v1", kiosks["wh-v1"], NOW + 5)
    assert other.catalogue_version == 1 and not other.updated
    assert not (kiosks["wh-v1"].data / "pushed" / "all.toml").exists()

    # The catalogue is stopped by hand: the canary goes back to version 1 at its next sync.
    assert abort(settings, console_db, catalogue.id, actor="pat", reason="wrong file")
    back = sync_and_report(console_db, "wh-c1", kiosks["wh-c1"], NOW + 10)
    assert back.catalogue_version == 1 and back.catalogue_updated
    assert (kiosks["wh-c1"].data / "pushed" / "all.toml").read_bytes() == config  # the config stays staged

    drive_rollouts(settings, console_db, NOW + 10)  # the canary runs the configuration: the soak starts
    sync_and_report(console_db, "wh-c1", kiosks["wh-c1"], NOW + 10 + SOAK)
    sync_and_report(console_db, "wh-v1", kiosks["wh-v1"], NOW + 10 + SOAK)
    drive_rollouts(settings, console_db, NOW + 10 + SOAK)
    assert state_of(console_db, rollout.id) == "published"
    assert state_of(console_db, catalogue.id) == "aborted"
    everyone = sync_and_report(console_db, "wh-v1", kiosks["wh-v1"], NOW + 11 + SOAK)
    assert everyone.config_updated and (kiosks["wh-v1"].data / "pushed" / "all.toml").read_bytes() == config
    assert not sync_and_report(console_db, "wh-c1", kiosks["wh-c1"], NOW + 11 + SOAK).updated
