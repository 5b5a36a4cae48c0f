"""A catalogue the kiosk cannot use is set aside, kept, and replaced: the kiosk starts anyway."""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

import pytest

from kiosk.appliance import build_kiosk
from kiosk.guides import Catalogue, CatalogueUnusable
from kiosk.guides.migrations import CATALOGUE_MIGRATIONS
from kiosk.migrations import migrate
from kiosk.settings import load_settings


def pre_release_catalogue(path: Path) -> None:
    """A catalogue from before the search index, holding a record today's codec rejects."""
    conn = sqlite3.connect(path)
    migrate(conn, CATALOGUE_MIGRATIONS.before("create_search_index"))
    conn.execute(
        "INSERT INTO guides (id, name, department, record) VALUES (?, ?, ?, ?)",
        ("371000-OLD-1", "旧事项", "威海市测试局", '{"id": "371000-OLD-1", "name": "旧事项"}'),
    )
    conn.commit()
    conn.close()


def set_aside(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.unusable-*"))


def test_a_catalogue_that_fails_its_migration_is_kept_aside_and_replaced(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "guides.db"
    pre_release_catalogue(path)
    with pytest.raises(CatalogueUnusable, match="GuideInvalid: guide '371000-OLD-1': department"):
        Catalogue(path)  # opening it as it is fails, and changes nothing
    with caplog.at_level(logging.WARNING, logger="kiosk.guides.catalogue"):
        catalogue = Catalogue.open(path)
    try:
        assert catalogue.count() == 0 and catalogue.meta("version") is None
    finally:
        catalogue.close()
    [aside] = set_aside(path)
    with sqlite3.connect(aside) as kept:  # kept as it was (rolled back), for a technician to look at
        assert kept.execute("SELECT id FROM guides").fetchall() == [("371000-OLD-1",)]
        assert kept.execute("SELECT count(*) FROM migration_ledger").fetchone() == (1,)
    assert "unusable" in caplog.text and "GuideInvalid" in caplog.text and aside.name in caplog.text


def test_a_file_that_is_not_a_database_is_kept_aside_and_replaced(tmp_path: Path) -> None:
    path = tmp_path / "guides.db"
    path.write_bytes(b"\x00not a database\x00" * 512)
    catalogue = Catalogue.open(path)
    catalogue.close()
    assert [p.read_bytes()[:16] for p in set_aside(path)] == [b"\x00not a database\x00"]
    Catalogue.open(path).close()  # the new one opens as it is
    assert len(set_aside(path)) == 1


def test_a_catalogue_that_cannot_be_opened_is_not_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "guides.db"
    path.mkdir()  # not a damaged catalogue: an error of the machine, raised as it is
    with pytest.raises(sqlite3.OperationalError):
        Catalogue.open(path)
    assert path.is_dir() and set_aside(path) == []


def test_the_kiosk_starts_with_the_demo_guides_over_an_unusable_catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    pre_release_catalogue(data / "guides.db")
    monkeypatch.setenv("KIOSK_DATA_DIR", str(data))
    for device in ("ID_READER", "SSCARD_READER", "SCANNER", "PRINTER", "SPEAKER", "CAMERA"):
        monkeypatch.setenv(f"KIOSK__DEVICES__{device}__DRIVER", "sim")
    kiosk = build_kiosk(load_settings())
    try:
        assert kiosk.catalogue.count() > 100
    finally:
        kiosk.close()
    assert len(set_aside(data / "guides.db")) == 1


def catalogue_before_the_limits(path: Path, record: dict[str, object]) -> None:
    """A catalogue at the schema before `check_guide_limits`, holding `record` as it was imported then."""
    conn = sqlite3.connect(path)
    migrate(conn, CATALOGUE_MIGRATIONS.before("check_guide_limits"))
    conn.execute(
        "INSERT INTO guides (id, name, department, record) VALUES (?, ?, ?, ?)",
        (record["id"], record["name"], record["department"], json.dumps(record, ensure_ascii=False)),
    )
    conn.commit()
    conn.close()


def test_a_catalogue_holding_a_guide_over_the_limits_is_set_aside_on_upgrade(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "guides.db"
    catalogue_before_the_limits(path, {"id": "371000-BIG-1", "name": "a" * 1000, "department": "局"})
    with caplog.at_level(logging.WARNING, logger="kiosk.guides.catalogue"):
        catalogue = Catalogue.open(path)
    try:
        assert catalogue.count() == 0 and catalogue.meta("version") is None  # the next sync fetches all
    finally:
        catalogue.close()
    assert len(set_aside(path)) == 1
    assert "guide '371000-BIG-1': name: 1,000 characters, the limit is 200" in caplog.text


def test_a_catalogue_within_the_limits_is_kept_on_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "guides.db"
    catalogue_before_the_limits(path, {"id": "371000-OK-1", "name": "结婚登记", "department": "民政局"})
    catalogue = Catalogue.open(path)
    try:
        assert catalogue.get("371000-OK-1").name == "结婚登记"
    finally:
        catalogue.close()
    assert set_aside(path) == []
