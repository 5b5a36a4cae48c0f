"""Publishing from the console and its staged rollout, on every database, with a real fleet
repository; Kiosk and KioskEvent rows play the canaries as the ingest would write them."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from console.background import Periodic, jobs
from console.db import Database
from console.models import AuditEntry, Kiosk, KioskEvent, Publication
from console.published import short_hash
from console.rollout import (
    PublishingOff,
    RolloutError,
    abort,
    drive_rollouts,
    progress,
    promote,
    published_config,
    start_rollout,
)
from console.settings import ConsoleSettings
from console.web.app import create_app
from kiosk.publishing import FleetRepository
from kiosk.publishing.catalogue_release import publish_catalogue
from kiosk.release_format import INDEX, config_target, full_target, staged_target
from tests.sync.conftest import write_catalogue

NOW = 1_800_000_000.0
NEW = b'[display]\ntheme = "elder"\n'
SOAK = 60.0
DEADLINE = 600.0


@pytest.fixture
def repository(tmp_path: Path) -> FleetRepository:
    return FleetRepository.init(tmp_path / "fleet")


@pytest.fixture
def settings(tmp_path: Path, repository: FleetRepository) -> ConsoleSettings:
    return ConsoleSettings(
        data_dir=tmp_path / "console-data",
        repository=repository.base,
        rollout_soak=SOAK,
        rollout_deadline=DEADLINE,
    )


def add_kiosk(db: Database, kiosk_id: str, group: str, **values: object) -> None:
    fields: dict[str, object] = {"state": "online", "last_seen": NOW, **values}
    with db.session() as session:
        session.add(Kiosk(id=kiosk_id, group=group, **fields))


def report(db: Database, kiosk_id: str, at: float, **values: object) -> None:
    """What the ingest writes when a kiosk reports (the versions it runs) and is heard."""
    with db.session() as session:
        kiosk = session.get(Kiosk, kiosk_id)
        assert kiosk is not None
        for key, value in {"last_seen": at, **values}.items():
            setattr(kiosk, key, value)


def publication(db: Database, publication_id: int) -> Publication:
    with db.session() as session:
        row = session.get(Publication, publication_id)
        assert row is not None
        return row


def audit(db: Database) -> list[tuple[str, str, str]]:
    with db.session() as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(entry.actor, entry.action, entry.target) for entry in entries]


def start_config(
    settings: ConsoleSettings, db: Database, data: bytes = NEW, *, direct: bool = False
) -> Publication:
    return start_rollout(
        settings, db, "pat", kind="config", scope="all", name="", data=data, now=NOW, direct=direct
    )


def test_a_configuration_is_staged_for_the_canary_group_first(
    console_db: Database, settings: ConsoleSettings, repository: FleetRepository
) -> None:
    add_kiosk(console_db, "wh-c1", "canary")
    started = start_config(settings, console_db)
    assert (started.state, started.canary_group, started.version) == ("canary", "canary", short_hash(NEW))
    targets = repository.targets()
    assert staged_target("canary", config_target("all")) in targets
    assert config_target("all") not in targets
    assert audit(console_db) == [("pat", "publication.stage", f"publication:{started.id}")]


def test_a_configuration_that_the_kiosk_schema_refuses_is_not_signed(
    console_db: Database, settings: ConsoleSettings, repository: FleetRepository
) -> None:
    add_kiosk(console_db, "wh-c1", "canary")
    before = repository.load("targets").signed.version
    with pytest.raises(RolloutError, match=r"session\.idle_seconds"):
        start_config(settings, console_db, b"[session]\nidle_seconds = -5\n")
    with pytest.raises(RolloutError, match=r"kiosk\.id.*cannot be pushed"):
        start_config(settings, console_db, b'[kiosk]\nid = "wh-9"\n')
    with pytest.raises(RolloutError, match="not valid TOML"):
        start_config(settings, console_db, b"[display\n")
    assert repository.load("targets").signed.version == before
    with console_db.session() as session:
        assert session.scalars(select(Publication)).all() == []


def test_an_empty_canary_group_is_said_and_direct_publishing_needs_asking(
    console_db: Database, settings: ConsoleSettings, repository: FleetRepository
) -> None:
    add_kiosk(console_db, "wh-v1", "villages")
    with pytest.raises(RolloutError, match="canary group 'canary' has no kiosks"):
        start_config(settings, console_db)
    assert config_target("all") not in repository.targets()
    direct = start_config(settings, console_db, direct=True)
    assert direct.state == "published" and direct.canary_group == ""
    assert repository.target_bytes(config_target("all")) == NEW
    assert published_config(settings, "all", "") == NEW.decode()


def test_one_kiosk_configuration_is_published_directly(
    console_db: Database, settings: ConsoleSettings, repository: FleetRepository
) -> None:
    started = start_rollout(settings, console_db, "pat", kind="config", scope="kiosk", name="wh-7", data=NEW)
    assert started.state == "published"
    assert repository.target_bytes(config_target("kiosk", "wh-7")) == NEW


def test_a_group_configuration_is_tried_on_that_group_with_rollback(
    console_db: Database, settings: ConsoleSettings, repository: FleetRepository
) -> None:
    add_kiosk(console_db, "wh-v1", "villages")
    started = start_rollout(
        settings, console_db, "pat", kind="config", scope="group", name="villages", data=NEW, now=NOW
    )
    assert started.canary_group == "villages"
    assert staged_target("villages", config_target("group", "villages")) in repository.targets()


def test_canaries_on_the_new_version_for_the_soak_promote_it(
    console_db: Database, settings: ConsoleSettings, repository: FleetRepository
) -> None:
    add_kiosk(console_db, "wh-c1", "canary", config_version="all=000000000000")
    add_kiosk(console_db, "wh-c2", "canary")
    add_kiosk(console_db, "wh-v1", "villages")
    started = start_config(settings, console_db)
    version = started.version
    report(console_db, "wh-c1", NOW + 10, config_version=f"all={version}")
    drive_rollouts(settings, console_db, NOW + 10)
    shown = progress(settings, console_db, publication(console_db, started.id), NOW + 10)
    assert (shown.ready, shown.total, shown.soak_left) == (1, 2, None)
    assert shown.deadline_left == DEADLINE - 10
    report(console_db, "wh-c2", NOW + 20, config_version=f"all={version},group=abcdefabcdef")
    drive_rollouts(settings, console_db, NOW + 20)
    ready = publication(console_db, started.id)
    assert ready.state == "canary" and ready.canaries_ready_at == NOW + 20
    assert progress(settings, console_db, ready, NOW + 30).soak_left == SOAK - 10

    for at in (NOW + 30, NOW + 20 + SOAK - 1):
        report(console_db, "wh-c1", at)
        report(console_db, "wh-c2", at)
        drive_rollouts(settings, console_db, at)
        assert publication(console_db, started.id).state == "canary"
    report(console_db, "wh-c1", NOW + 20 + SOAK)
    report(console_db, "wh-c2", NOW + 20 + SOAK)
    drive_rollouts(settings, console_db, NOW + 20 + SOAK)
    done = publication(console_db, started.id)
    assert done.state == "published" and "ran version" in done.reason
    targets = repository.targets()
    assert repository.target_bytes(config_target("all")) == NEW
    assert staged_target("canary", config_target("all")) not in targets
    assert audit(console_db)[-1] == ("console", "publication.promote", f"publication:{started.id}")


def test_a_canary_that_fails_to_sync_after_the_start_stops_the_rollout(
    console_db: Database, settings: ConsoleSettings, repository: FleetRepository
) -> None:
    add_kiosk(console_db, "wh-c1", "canary")
    with console_db.session() as session:  # an old failure is not this rollout's business
        session.add(
            KioskEvent(
                kiosk_id="wh-c1", type="sync_failed", at=NOW - 5, details={"error": "old"}, received_at=NOW
            )
        )
    started = start_config(settings, console_db)
    drive_rollouts(settings, console_db, NOW + 5)
    assert publication(console_db, started.id).state == "canary"
    with console_db.session() as session:
        session.add(
            KioskEvent(
                kiosk_id="wh-c1",
                type="sync_failed",
                at=NOW + 6,
                details={"error": "published configuration rejected on this kiosk: printer.driver"},
                received_at=NOW + 7,
            )
        )
    report(console_db, "wh-c1", NOW + 10)
    drive_rollouts(settings, console_db, NOW + 10)
    stopped = publication(console_db, started.id)
    assert stopped.state == "aborted"
    assert stopped.reason == (
        "canary wh-c1 failed to sync: published configuration rejected on this kiosk: printer.driver"
    )
    assert staged_target("canary", config_target("all")) not in repository.targets()
    assert config_target("all") not in repository.targets()
    assert audit(console_db)[-1] == ("console", "publication.abort", f"publication:{started.id}")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"state": "offline"}, "canary wh-c1 is offline"),
        ({"state": "lost"}, "canary wh-c1 is lost"),
        ({"last_seen": NOW + 1}, "canary wh-c1 is lost: nothing heard for 200 s"),
    ],
)
def test_a_canary_lost_or_offline_stops_the_rollout(
    console_db: Database, settings: ConsoleSettings, change: dict[str, object], reason: str
) -> None:
    add_kiosk(console_db, "wh-c1", "canary")
    started = start_config(settings, console_db)
    report(console_db, "wh-c1", NOW + 1)
    with console_db.session() as session:
        kiosk = session.get(Kiosk, "wh-c1")
        assert kiosk is not None
        for key, value in change.items():
            setattr(kiosk, key, value)
    drive_rollouts(settings, console_db, NOW + 1 + settings.stale_after + 20)
    stopped = publication(console_db, started.id)
    assert (stopped.state, stopped.reason) == ("aborted", reason)


def test_canaries_not_on_the_new_version_by_the_deadline_stop_it(
    console_db: Database, settings: ConsoleSettings
) -> None:
    add_kiosk(console_db, "wh-c1", "canary")
    add_kiosk(console_db, "wh-c2", "canary")
    started = start_config(settings, console_db)
    report(console_db, "wh-c1", NOW + DEADLINE, config_version=f"all={started.version}")
    report(console_db, "wh-c2", NOW + DEADLINE)
    drive_rollouts(settings, console_db, NOW + DEADLINE)
    assert publication(console_db, started.id).state == "canary"
    report(console_db, "wh-c1", NOW + DEADLINE + 1)
    report(console_db, "wh-c2", NOW + DEADLINE + 1)
    drive_rollouts(settings, console_db, NOW + DEADLINE + 1)
    stopped = publication(console_db, started.id)
    assert stopped.state == "aborted" and stopped.reason.endswith(": wh-c2")


def test_one_rollout_at_a_time_per_target_and_a_finished_one_finishes_once(
    console_db: Database, settings: ConsoleSettings, repository: FleetRepository
) -> None:
    add_kiosk(console_db, "wh-c1", "canary")
    started = start_config(settings, console_db)
    with pytest.raises(RolloutError, match=f"publication {started.id} is still rolling out config/all.toml"):
        start_config(settings, console_db, b'[display]\ntheme = "standard"\n')
    assert promote(settings, console_db, started.id, actor="pat", reason="promoted by pat")
    assert not abort(settings, console_db, started.id, actor="sam", reason="too late")
    assert publication(console_db, started.id).reason == "promoted by pat"
    again = start_config(settings, console_db, b'[display]\ntheme = "standard"\n')
    assert again.state == "canary"


def test_two_processes_finishing_one_rollout_change_it_once(
    console_db: Database, settings: ConsoleSettings, repository: FleetRepository
) -> None:
    add_kiosk(console_db, "wh-c1", "canary")
    started = start_config(settings, console_db)
    other = Database(console_db.url)
    results: list[bool] = []
    barrier = threading.Barrier(2)

    def finish(db: Database, verb: str) -> None:
        barrier.wait()
        step = promote if verb == "promote" else abort
        results.append(step(settings, db, started.id, actor=verb, reason=verb))

    workers = [
        threading.Thread(target=finish, args=(console_db, "promote")),
        threading.Thread(target=finish, args=(other, "abort")),
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    other.dispose()
    assert sorted(results) == [False, True]
    done = publication(console_db, started.id)
    staged = staged_target("canary", config_target("all"))
    assert staged not in repository.targets()
    assert (config_target("all") in repository.targets()) == (done.state == "published")
    assert [action for _, action, _ in audit(console_db)].count("publication.stage") == 1
    assert len(audit(console_db)) == 2


def test_a_catalogue_is_checked_staged_and_promoted(
    console_db: Database, settings: ConsoleSettings, repository: FleetRepository, tmp_path: Path
) -> None:
    add_kiosk(console_db, "wh-c1", "canary", catalogue_version=1)
    first = start_rollout(
        settings, console_db, "pat", kind="catalogue", scope="group", name="x",
        data=write_catalogue(tmp_path / "v1.jsonl", 20).read_bytes(), direct=True,
    )  # fmt: skip
    assert (first.scope, first.version, first.state) == ("all", "1", "published")
    with pytest.raises(RolloutError, match="bad line"):
        start_rollout(settings, console_db, "pat", kind="catalogue", scope="all", name="", data=b"{bad\n")
    with pytest.raises(RolloutError, match="fewer than 50%"):
        start_rollout(
            settings, console_db, "pat", kind="catalogue", scope="all", name="",
            data=write_catalogue(tmp_path / "small.jsonl", 5).read_bytes(),
        )  # fmt: skip
    staged = start_rollout(
        settings, console_db, "pat", kind="catalogue", scope="all", name="",
        data=write_catalogue(tmp_path / "v2.jsonl", 20, changed={2}).read_bytes(), now=NOW,
    )  # fmt: skip
    assert (staged.version, staged.state) == ("2", "canary")
    targets = repository.targets()
    assert json.loads(repository.target_bytes(INDEX))["version"] == 1
    assert json.loads(repository.target_bytes(staged_target("canary", INDEX)))["version"] == 2
    assert full_target(1) in targets and full_target(2) in targets
    report(console_db, "wh-c1", NOW + 5, catalogue_version=2)
    drive_rollouts(settings, console_db, NOW + 5)
    report(console_db, "wh-c1", NOW + 5 + SOAK)
    drive_rollouts(settings, console_db, NOW + 5 + SOAK)
    assert publication(console_db, staged.id).state == "published"
    assert json.loads(repository.target_bytes(INDEX))["version"] == 2
    assert staged_target("canary", INDEX) not in repository.targets()


def test_without_a_repository_publishing_is_off_and_says_how(console_db: Database, tmp_path: Path) -> None:
    settings = ConsoleSettings(data_dir=tmp_path / "c")
    with pytest.raises(PublishingOff, match="repository ="):
        start_config(settings, console_db)
    drive_rollouts(settings, console_db, NOW)  # nothing to drive, nothing raised


def test_rollouts_need_no_root_key_which_stays_offline(
    console_db: Database, settings: ConsoleSettings, repository: FleetRepository
) -> None:
    root = repository.keys_dir / "root"
    for key in root.iterdir():
        key.unlink()
    root.rmdir()
    add_kiosk(console_db, "wh-c1", "canary")
    started = start_config(settings, console_db)
    assert promote(settings, console_db, started.id, actor="pat", reason="by hand")
    second = start_config(settings, console_db, b'[display]\ntheme = "standard"\n')
    assert abort(settings, console_db, second.id, actor="pat", reason="by hand")
    assert repository.target_bytes(config_target("all")) == NEW


def test_a_missing_signing_key_is_said_and_nothing_is_recorded(
    console_db: Database, settings: ConsoleSettings, repository: FleetRepository
) -> None:
    (repository.keys_dir / "targets" / "targets.pem").unlink()
    add_kiosk(console_db, "wh-c1", "canary")
    with pytest.raises(RolloutError, match=r"the targets key is not at .*targets\.pem"):
        start_config(settings, console_db)
    with console_db.session() as session:
        assert session.scalars(select(Publication)).all() == []
        assert session.scalars(select(AuditEntry)).all() == []


def test_every_console_process_drives_rollouts_in_its_periodic_jobs(
    console_db: Database, settings: ConsoleSettings
) -> None:
    add_kiosk(console_db, "wh-c1", "canary")
    started = start_config(settings, console_db)
    state = create_app(settings, background=False, db=console_db).state.console
    report(console_db, "wh-c1", NOW + 1, state="offline")
    Periodic(state, jobs()).run_due(NOW + 1)
    assert publication(console_db, started.id).state == "aborted"


def test_a_catalogue_published_around_the_console_stops_its_rollout(
    console_db: Database, settings: ConsoleSettings, repository: FleetRepository, tmp_path: Path
) -> None:
    add_kiosk(console_db, "wh-c1", "canary")
    staged = start_rollout(
        settings, console_db, "pat", kind="catalogue", scope="all", name="",
        data=write_catalogue(tmp_path / "v1.jsonl", 10).read_bytes(), now=NOW,
    )  # fmt: skip
    # What `kiosk fleet publish --guides` does meanwhile:
    publish_catalogue(repository, write_catalogue(tmp_path / "v2.jsonl", 10, changed={1}))
    drive_rollouts(settings, console_db, NOW + 1)
    stopped = publication(console_db, staged.id)
    assert stopped.state == "aborted" and "no longer in the repository" in stopped.reason
    assert json.loads(repository.target_bytes(INDEX))["version"] == 2


def test_a_canary_group_name_a_release_cannot_stage_for_is_said(
    console_db: Database, settings: ConsoleSettings
) -> None:
    odd = settings.model_copy(update={"canary_group": "canary group"})
    add_kiosk(console_db, "wh-c1", "canary group")
    with pytest.raises(RolloutError, match="canary_group: group name 'canary group' must be"):
        start_config(odd, console_db)


def test_canaries_are_the_groups_kiosks_heard_at_the_start_and_only_they_can_stop_it(
    console_db: Database, settings: ConsoleSettings
) -> None:
    add_kiosk(console_db, "wh-c1", "canary")
    add_kiosk(console_db, "wh-c2", "canary", state="offline")  # switched off before the start
    add_kiosk(console_db, "wh-c3", "canary", last_seen=NOW - settings.stale_after - 60)  # silent
    add_kiosk(console_db, "wh-c4", "canary", state="offline", session=-1)  # never a status
    started = start_config(settings, console_db)
    assert started.canaries == ["wh-c1"]
    with console_db.session() as session:
        stage = session.scalars(select(AuditEntry).where(AuditEntry.action == "publication.stage")).one()
        assert stage.detail["not_taking_part"] == ["wh-c2", "wh-c3", "wh-c4"]
    assert [canary.kiosk_id for canary in progress(settings, console_db, started, NOW).canaries] == ["wh-c1"]
    report(console_db, "wh-c1", NOW + 10, config_version=f"all={started.version}")
    drive_rollouts(settings, console_db, NOW + 10)
    assert publication(console_db, started.id).state == "canary"
    drive_rollouts(settings, console_db, NOW + 10 + SOAK)
    assert publication(console_db, started.id).state == "published"
    # A canary that goes offline after the start still stops the next one.
    again = start_config(settings, console_db, b'[display]\ntheme = "standard"\n')
    report(console_db, "wh-c1", NOW + 20, state="offline")
    drive_rollouts(settings, console_db, NOW + 20)
    stopped = publication(console_db, again.id)
    assert (stopped.state, stopped.reason) == ("aborted", "canary wh-c1 is offline")


def test_a_canary_group_with_no_kiosk_heard_is_refused(
    console_db: Database, settings: ConsoleSettings, repository: FleetRepository
) -> None:
    add_kiosk(console_db, "wh-c1", "canary", state="lost")
    with pytest.raises(RolloutError, match=r"no kiosk of the canary group 'canary' is online now \(wh-c1\)"):
        start_config(settings, console_db)
    assert staged_target("canary", config_target("all")) not in repository.targets()
