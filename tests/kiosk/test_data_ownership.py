"""Commands root runs before the kiosk's first start leave the data directory to the kiosk user.

The installer makes the data directory the kiosk user's; a technician runs `kiosk technician audit`
or `kiosk guides import` with sudo; the UI, running as the kiosk user, must then still write the
databases those commands created. (`kiosk provision`'s trust root: tests/sync/test_provision_fleet.py.)
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.guides import DEMO_CATALOGUE
from kiosk.paths import catalogue_path, hand_to_data_owner, state_path

NOBODY = 65534  # the kiosk user stand-in: any uid other than the tests' own

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="only root can give files away")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    os.chown(folder, NOBODY, NOBODY)
    return folder


def run(tmp_path: Path, data: Path, *args: str) -> str:
    (tmp_path / "kiosk.toml").write_text("")
    env = {"KIOSK_DATA_DIR": str(data), "KIOSK_CONFIG": str(tmp_path / "kiosk.toml")}
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.output


def owners(data: Path) -> dict[str, tuple[int, int]]:
    return {path.name: (path.stat().st_uid, path.stat().st_gid) for path in data.iterdir()}


def test_technician_audit_leaves_the_state_database_to_the_kiosk_user(tmp_path: Path, data: Path) -> None:
    assert "no technician actions recorded" in run(tmp_path, data, "technician", "audit")
    assert owners(data) == {state_path(data).name: (NOBODY, NOBODY)}


def test_sync_status_leaves_the_state_database_to_the_kiosk_user(tmp_path: Path, data: Path) -> None:
    assert "last success:" in run(tmp_path, data, "sync", "status")
    assert owners(data) == {state_path(data).name: (NOBODY, NOBODY)}


def test_guides_import_leaves_the_catalogue_to_the_kiosk_user(tmp_path: Path, data: Path) -> None:
    assert "imported" in run(tmp_path, data, "guides", "import", str(DEMO_CATALOGUE))
    made = owners(data)  # the write-ahead log too, while the command's connection is open
    assert catalogue_path(data).name in made
    assert made == dict.fromkeys(made, (NOBODY, NOBODY))


def test_a_link_in_the_data_directory_hands_over_nothing_it_points_to(tmp_path: Path, data: Path) -> None:
    """The kiosk user can write the data directory: a `pushed -> /etc` link must not give it /etc."""
    outside = tmp_path / "outside"
    (outside / "sub").mkdir(parents=True)
    (outside / "sub" / "secret").write_text("root's")
    (data / "pushed").symlink_to(outside)
    (data / "trust").mkdir()
    (data / "trust" / "root.json").write_text("{}")
    (data / "trust" / "escape").symlink_to(outside / "sub")
    hand_to_data_owner(data, data / "pushed", data / "trust", tmp_path / "outside")
    for path in (outside, outside / "sub", outside / "sub" / "secret"):
        assert (path.stat().st_uid, path.stat().st_gid) == (0, 0), path
    assert (data / "trust" / "root.json").stat().st_uid == NOBODY
    assert (data / "trust" / "escape").lstat().st_uid == NOBODY  # the link itself, not its target
