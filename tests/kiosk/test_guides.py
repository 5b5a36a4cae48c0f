from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.guides import (
    DEMO_CATALOGUE,
    Catalogue,
    CatalogueInvalid,
    GuideInvalid,
    GuideNotFound,
    GuideQuery,
    guide_from_dict,
    load_demo_if_empty,
    read_jsonl,
    write_jsonl,
)
from kiosk.guides.migrations import CATALOGUE_MIGRATIONS
from kiosk.migrations import migrate

MINIMAL = {"id": "371000-X-1", "name": "测试事项", "department": "威海市测试局"}


@pytest.fixture
def catalogue() -> Catalogue:
    return Catalogue(":memory:")


def test_only_id_name_and_department_are_required() -> None:
    guide = guide_from_dict(MINIMAL)
    assert guide.materials == () and guide.fee.charged is False
    for missing in ("id", "name", "department"):
        with pytest.raises(GuideInvalid, match=missing):
            guide_from_dict({k: v for k, v in MINIMAL.items() if k != missing})


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"materails": []}, "materails: unknown element"),
        (
            {"materials": [{"name": "身份证", "orignals": 1}]},
            "materials.0.orignals: unknown element",
        ),
        ({"audience": "aliens"}, "audience"),
        ({"kind": "行政许可证"}, "kind"),
        ({"legal_days": "twenty"}, "legal_days"),
        ({"materials": [{"name": "身份证", "copies": -1}]}, "cannot be negative"),
        ({"name": "   "}, "name: must not be empty"),
        ({"levels": ["市级"]}, "levels.0"),
        ({"levels": ["city", "city"]}, "levels: lists a value twice"),
        ({"result": {"delivery": ["窗口领取"]}}, "result.delivery.0"),
        ({"cross_region": ["全国通办"]}, "cross_region.0"),
        ({"special_procedures": [{"name": "抽签"}]}, "special_procedures.0.name"),
        ({"special_procedures": [{"name": "公示", "days": -5}]}, "special_procedures.0.days"),
        ({"life_events": ["毕业"]}, "life_events.0"),
        ({"promised_days": -1}, "promised_days: cannot be negative"),
        ({"legal_days": 5, "promised_days": 10}, "promise cannot be longer"),
        ({"channels": {"online_url": "zwfw.weihai.example/x"}}, "channels.online_url"),
        ({"materials": [{"name": ""}]}, "materials.0.name: must not be empty"),
        ({"updated": "15.10.2026"}, "updated"),
    ],
)
def test_invalid_guides_name_the_element(extra: dict[str, object], message: str) -> None:
    with pytest.raises(GuideInvalid, match=message):
        guide_from_dict({**MINIMAL, **extra})


def test_bad_lines_are_reported_with_numbers_and_nothing_is_kept() -> None:
    lines = [
        json.dumps(MINIMAL, ensure_ascii=False),
        "",
        "{not json",
        json.dumps({"id": "2", "name": "无部门"}, ensure_ascii=False),
        json.dumps(MINIMAL, ensure_ascii=False),
    ]
    with pytest.raises(CatalogueInvalid) as caught:
        read_jsonl(lines)
    errors = {error.line: error.reason for error in caught.value.errors}
    assert sorted(errors) == [3, 4, 5]
    assert "not valid JSON" in errors[3]
    assert "department" in errors[4]
    assert "already used on line 1" in errors[5]


def test_demo_catalogue_is_valid_and_round_trips() -> None:
    with DEMO_CATALOGUE.open(encoding="utf-8") as handle:
        guides = read_jsonl(handle)
    assert len(guides) >= 12
    assert all(guide.demo for guide in guides)
    assert read_jsonl(list(write_jsonl(guides))) == guides


def test_import_browse_and_get(catalogue: Catalogue) -> None:
    assert load_demo_if_empty(catalogue) >= 12
    assert load_demo_if_empty(catalogue) == 0  # only into an empty catalogue
    departments = {category.name: category.count for category in catalogue.departments()}
    assert departments["威海市公安局"] == 10
    police = catalogue.by_department("威海市公安局")
    assert [summary.id for summary in police] == sorted(
        [summary.id for summary in police], key=lambda i: catalogue.get(i).name
    )
    guide = catalogue.get("371000-GA-0001")
    assert guide.name == "居民身份证换领"
    assert guide.materials[0].e_license is True
    housing = {summary.id for summary in catalogue.by_life_event("住房")}
    assert {"371000-GJJ-0003", "371000-BDC-0007"} <= housing
    with pytest.raises(GuideNotFound):
        catalogue.get("no-such-guide")


def test_reimport_updates_and_replace_drops_the_rest(catalogue: Catalogue) -> None:
    load_demo_if_empty(catalogue)
    before = catalogue.count()
    renamed = guide_from_dict({**MINIMAL, "id": "371000-GA-0001", "life_events": ["出生"]})
    catalogue.import_guides([renamed])
    assert catalogue.count() == before
    assert catalogue.get("371000-GA-0001").name == "测试事项"
    assert "371000-GA-0001" in {s.id for s in catalogue.by_life_event("出生")}
    catalogue.import_guides([guide_from_dict(MINIMAL)], replace=True)
    assert catalogue.count() == 1
    assert catalogue.life_events() == []


def test_migrations_are_recorded_and_not_applied_twice(tmp_path: Path) -> None:
    path = tmp_path / "guides.db"
    Catalogue(path).close()
    Catalogue(path).close()
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT store, position, name FROM migration_ledger").fetchall()
        journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
    names = CATALOGUE_MIGRATIONS.names()
    assert rows == [("catalogue", position, name) for position, name in enumerate(names, start=1)]
    assert journal == "wal"


def test_cli_import_export_show_and_stats(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"KIOSK_DATA_DIR": str(tmp_path / "data"), "KIOSK__GUIDES__LOAD_DEMO": "false"}
    imported = runner.invoke(main, ["guides", "import", str(DEMO_CATALOGUE)], env=env)
    assert imported.exit_code == 0, imported.output
    exported = tmp_path / "out.jsonl"
    assert runner.invoke(main, ["guides", "export", str(exported)], env=env).exit_code == 0
    assert len(read_jsonl(exported.read_text(encoding="utf-8").splitlines())) == len(
        read_jsonl(DEMO_CATALOGUE.read_text(encoding="utf-8").splitlines())
    )
    shown = runner.invoke(main, ["guides", "show", "371000-SB-0012", "--json"], env=env)
    assert json.loads(shown.output)["name"] == "社会保障卡申领"
    missing = runner.invoke(main, ["guides", "show", "nope"], env=env)
    assert missing.exit_code == 1 and "no guide with id 'nope'" in missing.output
    stats = json.loads(runner.invoke(main, ["guides", "stats", "--json"], env=env).output)
    assert stats["guides"] >= 80 and stats["departments"]["威海市公安局"] == 10
    audiences = stats["audiences"]
    both = sum(1 for line in DEMO_CATALOGUE.open(encoding="utf-8") if '"audience":"both"' in line)
    assert audiences["individual"] + audiences["enterprise"] == stats["guides"] + both
    text = runner.invoke(main, ["guides", "stats"], env=env).output
    assert "audiences:" in text and f"{audiences['enterprise']:5d}  enterprise" in text


def test_cli_import_with_a_bad_line_changes_nothing(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"KIOSK_DATA_DIR": str(tmp_path / "data")}
    assert runner.invoke(main, ["guides", "import", str(DEMO_CATALOGUE)], env=env).exit_code == 0
    before = (tmp_path / "data" / "guides.db").read_bytes()
    bad = tmp_path / "bad.jsonl"
    renamed = {**MINIMAL, "id": "371000-GA-0001"}
    bad.write_text(json.dumps(renamed, ensure_ascii=False) + '\n{"id": "x"}\n', encoding="utf-8")
    result = runner.invoke(main, ["guides", "import", "--replace", str(bad)], env=env)
    assert result.exit_code == 1
    assert f"{bad}:line 2:" in result.output and "nothing was imported" in result.output
    with sqlite3.connect(tmp_path / "data" / "guides.db") as conn:
        name = conn.execute("SELECT name FROM guides WHERE id = '371000-GA-0001'").fetchone()[0]
        assert name == "居民身份证换领"
        assert conn.execute("SELECT count(*) FROM guides").fetchone()[0] >= 12
    assert (tmp_path / "data" / "guides.db").read_bytes() == before


def test_self_service_guides_are_found_by_their_column(catalogue: Catalogue) -> None:
    load_demo_if_empty(catalogue)
    expected = sorted(
        (guide.name, guide.id) for guide in catalogue.iter_guides() if guide.channels.self_service
    )
    found = catalogue.guides(GuideQuery(self_service=True), limit=1000)
    assert expected and [(summary.name, summary.id) for summary in found] == expected


def test_a_catalogue_from_before_the_self_service_column_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "guides.db"
    conn = sqlite3.connect(path)
    migrate(conn, CATALOGUE_MIGRATIONS.before("add_self_service"))
    record = {**MINIMAL, "channels": {"self_service": True}}
    conn.execute(
        "INSERT INTO guides (id, name, department, record) VALUES (?, ?, ?, ?)",
        (MINIMAL["id"], MINIMAL["name"], MINIMAL["department"], json.dumps(record, ensure_ascii=False)),
    )
    conn.commit()
    conn.close()
    upgraded = Catalogue(path)
    assert [summary.id for summary in upgraded.guides(GuideQuery(self_service=True))] == [MINIMAL["id"]]
    upgraded.close()


def test_a_guide_is_written_as_dataclasses_asdict_would_write_it() -> None:
    import dataclasses

    from bench.catalogue import synthetic_guides
    from kiosk.guides import guide_to_dict
    from kiosk.records import Guide

    defaults = dataclasses.asdict(Guide(id="", name="", department=""))
    guides = [*read_jsonl(DEMO_CATALOGUE.read_text(encoding="utf-8").splitlines()), *synthetic_guides(200)]
    for guide in guides:
        expected = {
            key: value
            for key, value in dataclasses.asdict(guide).items()
            if key in {"id", "name", "department"} or value != defaults[key]
        }
        assert guide_to_dict(guide) == expected
        assert json.dumps(guide_to_dict(guide), ensure_ascii=False) == json.dumps(
            expected, ensure_ascii=False
        )
