"""`kiosk provision` with a fleet: the trust root is checked and kept, and the kiosk then syncs."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.publishing.config_release import publish_config
from tests.sync.conftest import Server

DEVICES = ["--id-reader-port", "sim", "--sscard-reader", "sim", "--scanner", "sim", "--printer-queue", "sim"]


def test_provisioned_with_a_fleet_then_synced(fleet: Server, tmp_path: Path) -> None:
    env = {"KIOSK_CONFIG": str(tmp_path / "kiosk.toml"), "KIOSK_DATA_DIR": str(tmp_path / "data")}
    args = ["provision", "--non-interactive", "--kiosk-id", "wh-9", "--site-name", "S", "--site-address",
            "A", "--help-desk", "H", *DEVICES, "--pin", "246813", "--group", "villages", "--repo-url",
            fleet.url, "--trust-root", str(fleet.repository.trust_root)]  # fmt: skip
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    trusted = tmp_path / "data" / "trust" / "root.json"
    assert trusted.read_bytes() == fleet.repository.trust_root.read_bytes()
    assert f"sync:           {fleet.url} (group villages), trust root {trusted}" in result.output
    site = tomllib.loads((tmp_path / "kiosk.toml").read_text(encoding="utf-8"))
    assert site["sync"] == {"repo_url": fleet.url, "group": "villages"} and site["kiosk"]["id"] == "wh-9"

    synced = CliRunner().invoke(main, ["sync", "--once"], env=env)
    assert synced.exit_code == 0, synced.output
    assert synced.output.strip() == "up to date"


def test_the_fleet_questions_check_the_trust_root_where_it_is_typed(fleet: Server, tmp_path: Path) -> None:
    env = {"KIOSK_CONFIG": str(tmp_path / "kiosk.toml"), "KIOSK_DATA_DIR": str(tmp_path / "data")}
    not_root = tmp_path / "not-root.json"
    not_root.write_text('{"signed": {}}', encoding="utf-8")
    answers = ["wh-10", "S", "A", "H", "y", "ftp://fleet", fleet.url, "villages", str(not_root),
               str(fleet.repository.trust_root), "0", "n", "n", "n", "246813", "246813"]  # fmt: skip
    devices = [
        "--id-reader-port",
        "sim",
        "--sscard-reader",
        "sim",
        "--scanner",
        "sim",
        "--printer-queue",
        "sim",
        "--speaker",
        "sim",
        "--camera",
        "sim",
    ]
    # Devices given as `sim` are answered: no question about them.
    result = CliRunner().invoke(main, ["provision", *devices], input="\n".join(answers) + "\n", env=env)
    assert result.exit_code == 0, result.output
    assert "sync.repo_url: Value error, must be an http(s) address" in result.output
    assert f"trust root {not_root} is not TUF root metadata" in result.output
    site = tomllib.loads((tmp_path / "kiosk.toml").read_text(encoding="utf-8"))
    assert site["sync"] == {"repo_url": fleet.url, "group": "villages"}
    assert (
        tmp_path / "data" / "trust" / "root.json"
    ).read_bytes() == fleet.repository.trust_root.read_bytes()


NOBODY = 65534  # the kiosk user stand-in: any uid other than the tests' own


def test_provisioning_and_syncing_as_root_leave_the_data_directory_to_its_owner(
    fleet: Server, tmp_path: Path
) -> None:
    # The installer makes the data directory the kiosk user's; root runs `kiosk provision`, the kiosk
    # user then syncs, and the TUF client writes the metadata it fetches beside the trust root. A
    # technician's `sudo kiosk sync --once` must not leave root's files behind either.
    if os.geteuid() != 0:
        pytest.skip("only root provisions an appliance and can give files away")
    data = tmp_path / "data"
    data.mkdir()
    os.chown(data, NOBODY, NOBODY)
    env = {"KIOSK_CONFIG": str(tmp_path / "kiosk.toml"), "KIOSK_DATA_DIR": str(data)}
    args = ["provision", "--non-interactive", "--kiosk-id", "wh-9", "--site-name", "S", "--site-address",
            "A", "--help-desk", "H", *DEVICES, "--pin", "246813", "--group", "villages", "--repo-url",
            fleet.url, "--trust-root", str(fleet.repository.trust_root)]  # fmt: skip
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    written = sorted(data.rglob("*"))
    assert data / "trust" / "root.json" in written
    assert {(path.name, path.stat().st_uid, path.stat().st_gid) for path in written} == {
        (path.name, NOBODY, NOBODY) for path in written
    }

    pushed = tmp_path / "all.toml"
    pushed.write_text('[kiosk]\nhelp_desk = "H2"\n', encoding="utf-8")
    publish_config(fleet.repository, pushed, "all")
    synced = CliRunner().invoke(main, ["sync", "--once"], env=env)
    assert synced.exit_code == 0, synced.output
    written = sorted(data.rglob("*"))
    assert {data / "state.db", data / "guides.db", data / "pushed" / "all.toml"} <= set(written)
    assert {(path.name, path.stat().st_uid, path.stat().st_gid) for path in written} == {
        (path.name, NOBODY, NOBODY) for path in written
    }
