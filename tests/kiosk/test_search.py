from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from bench.catalogue import synthetic_guides
from kiosk.cli import main
from kiosk.guides import Catalogue, load_demo_if_empty
from kiosk.guides.pinyin import spell, syllable_starts
from kiosk.guides.search_index import GRAM_TABLES, TRIGRAM_TABLES
from kiosk.guides.synonyms import SYNONYMS_FILE, Synonyms
from kiosk.records import Guide, Material, SearchHit


@pytest.fixture(scope="module")
def demo() -> Catalogue:
    catalogue = Catalogue(":memory:")
    load_demo_if_empty(catalogue)
    return catalogue


@pytest.fixture(scope="module")
def generated() -> Catalogue:
    """A catalogue nobody wrote by hand: 400 guides drawn from a vocabulary."""
    catalogue = Catalogue(":memory:")
    catalogue.import_guides(synthetic_guides(400, seed=11))
    return catalogue


def guide(guide_id: str, name: str, **elements: object) -> Guide:
    return Guide(id=guide_id, name=name, department="威海市测试局", **elements)  # type: ignore[arg-type]


def names(hits: list[SearchHit]) -> list[str]:
    return [hit.summary.name for hit in hits]


def in_name(word: str) -> Callable[[SearchHit], bool]:
    return lambda hit: word in hit.summary.name and hit.field == "name"


# What residents type, and what the first hit must be, on the demo and on a generated catalogue.
KINDS = [
    ("社会保障卡", in_name("社会保障卡")),  # characters
    ("社保卡", in_name("社会保障卡")),  # a colloquial name
    ("sbk", in_name("社会保障卡")),  # its initials
    ("shebaoka", in_name("社会保障卡")),  # its full pinyin
    ("社會保障卡", in_name("社会保障卡")),  # Traditional
    ("gjj", in_name("公积金")),  # initials
    ("gongjijin", in_name("公积金")),  # full pinyin
    ("公積金", in_name("公积金")),
    ("身份证", in_name("居民身份证")),
    ("sfz", in_name("身份证")),
    # 退休: a name with the word itself, or one with its synonym 养老保险待遇 (see also the next test)
    (
        "退休",
        lambda hit: hit.field == "name" and any(w in hit.summary.name for w in ("退休", "养老保险待遇")),
    ),
    ("证", in_name("证")),  # one character
    ("社保", lambda hit: any(word in hit.summary.name for word in ("社保", "社会保险", "社会保障"))),
]


@pytest.mark.parametrize(("query", "expected"), KINDS, ids=[kind[0] for kind in KINDS])
def test_every_kind_of_query_finds_the_right_guide_first(
    demo: Catalogue, generated: Catalogue, query: str, expected: Callable[[SearchHit], bool]
) -> None:
    for catalogue in (demo, generated):
        hits = catalogue.search(query, limit=5)
        assert hits and expected(hits[0]), (query, names(hits))


def test_retirement_brings_the_pension_guide_near_the_top(demo: Catalogue, generated: Catalogue) -> None:
    # 退休 is a synonym of 养老保险待遇: the pension guide is found even where its name says neither
    # (generated catalogue), and next to other guides named for retirees (demo: 住房公积金提取（离退休）).
    for catalogue in (demo, generated):
        hits = catalogue.search("退休", limit=3)
        assert any("养老保险待遇" in hit.summary.name and hit.field == "name" for hit in hits), names(hits)


def test_colloquial_medical_insurance_finds_the_medical_security_guides(generated: Catalogue) -> None:
    hits = generated.search("医保", limit=5)
    assert hits and all("医疗保障" in hit.summary.name or "医疗保险" in hit.summary.name for hit in hits)
    assert generated.search("yb", limit=3)[0].summary.name == hits[0].summary.name


def test_index_and_scan_agree_on_queries_taken_from_the_catalogue(generated: Catalogue) -> None:
    """Random substrings of names and texts, their initials and pinyin: the index ranks as the scan."""
    rng = random.Random(5)
    rows = generated.conn.execute("SELECT name, initials, spelling, body FROM search_docs").fetchall()
    queries: set[str] = set()
    for name, initials, spelling, body in rng.sample(rows, 40):
        start = rng.randrange(len(name))
        queries.add(name[start : start + rng.randint(1, 4)])
        start = rng.randrange(len(body))
        queries.add(body[start : start + rng.randint(1, 3)])
        start = rng.randrange(len(initials))
        queries.add(initials[start : start + rng.randint(1, 4)])
        queries.add(spelling.lower()[: rng.randint(2, 18)])
        start = rng.choice(syllable_starts(spelling))
        queries.add(spelling.lower()[start : start + rng.randint(3, 18)])
    searcher = generated._searcher
    for query in sorted(queries):
        assert generated.search(query, limit=10) == searcher.scan(query, limit=10), query


def test_name_matches_come_before_materials_and_text(tmp_path: Path) -> None:
    catalogue = Catalogue(tmp_path / "guides.db")
    catalogue.import_guides(
        [
            guide("T-TEXT", "老年人优待证办理", plain="带上居民户口簿去社区办理"),
            guide("T-MAT", "出生登记", materials=(Material(name="居民户口簿"),)),
            guide("T-CONTAINS", "补办居民户口簿"),
            guide("T-PREFIX", "居民户口簿首次申领"),
            guide("T-EXACT", "居民户口簿"),
        ]
    )
    hits = catalogue.search("居民户口簿")
    assert [hit.summary.id for hit in hits] == ["T-EXACT", "T-PREFIX", "T-CONTAINS", "T-MAT", "T-TEXT"]
    assert [hit.field for hit in hits] == ["name", "name", "name", "materials", "text"]
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
    assert hits[2].highlight == (("补办", False), ("居民户口簿", True))
    assert hits[3].highlight == (("出生登记", False),)  # nothing in the name to colour


def test_one_and_two_character_queries(tmp_path: Path) -> None:
    catalogue = Catalogue(tmp_path / "guides.db")
    catalogue.import_guides(
        [guide("A", "契税申报"), guide("B", "个人所得税汇算"), guide("C", "户籍迁入", plain="缴税后办理")]
    )
    assert [hit.summary.id for hit in catalogue.search("税")] == ["A", "B", "C"]
    assert [hit.summary.id for hit in catalogue.search("契税")] == ["A"]
    assert catalogue.search("契")[0].highlight == (("契", True), ("税申报", False))
    assert [hit.summary.id for hit in catalogue.search("迁入")] == ["C"]


def test_highlight_follows_pinyin_and_traditional_back_to_the_name(tmp_path: Path) -> None:
    catalogue = Catalogue(tmp_path / "guides.db", synonyms=Synonyms({}))
    catalogue.import_guides([guide("G", "住房公积金提取（购房）"), guide("S", "社会保障卡申领")])
    assert catalogue.search("tiqu")[0].highlight == (
        ("住房公积金", False),
        ("提取", True),
        ("（购房）", False),
    )
    assert catalogue.search("gjj")[0].highlight == (
        ("住房", False),
        ("公积金", True),
        ("提取（购房）", False),
    )
    assert catalogue.search("社會保障")[0].highlight == (("社会保障", True), ("卡申领", False))
    assert catalogue.search("ＳＨＥＨＵＩ")[0].matched == "社会"  # full-width letters fold too


def test_heteronyms_are_read_as_the_phrase_reads_them(tmp_path: Path) -> None:
    catalogue = Catalogue(tmp_path / "guides.db", synonyms=Synonyms({}))
    catalogue.import_guides(
        [guide("BANK", "银行卡挂失"), guide("CQ", "重庆户籍迁入"), guide("LONG", "长期护理保险申请")]
    )
    assert [hit.summary.id for hit in catalogue.search("yinhang")] == ["BANK"]
    assert catalogue.search("yinxing") == []
    assert [hit.summary.id for hit in catalogue.search("chongqing")] == ["CQ"]
    assert [hit.summary.id for hit in catalogue.search("changqi")] == ["LONG"]
    assert [hit.summary.id for hit in catalogue.search("cqhl")] == ["LONG"]


def test_pinyin_matches_start_at_a_syllable(tmp_path: Path) -> None:
    catalogue = Catalogue(tmp_path / "guides.db", synonyms=Synonyms({}))
    catalogue.import_guides([guide("G", "公积金提取")])
    assert catalogue.search("jijin") and catalogue.search("gongji")
    assert catalogue.search("ongji") == []  # inside "gong": not what anyone types
    assert catalogue.search("gongjijintiqu")[0].matched == "公积金提取"  # longer than a tail
    assert catalogue.search("jijintiquxyz") == []


def test_the_index_follows_every_import(tmp_path: Path) -> None:
    catalogue = Catalogue(tmp_path / "guides.db")
    catalogue.import_guides([guide("A", "结婚登记"), guide("B", "离婚登记")])
    catalogue.import_guides([guide("A", "婚姻登记档案查询")])
    assert names(catalogue.search("结婚")) == []
    assert names(catalogue.search("档案")) == ["婚姻登记档案查询"]
    assert len(catalogue.search("婚")) == 2
    catalogue.import_guides([guide("C", "残疾人证新办")], replace=True)
    assert catalogue.search("婚") == [] and names(catalogue.search("cjrz")) == ["残疾人证新办"]
    for table in TRIGRAM_TABLES:  # the external-content indexes still match their rows
        catalogue.conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('integrity-check', 1)")


def test_a_catalogue_from_before_search_is_indexed_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "guides.db"
    catalogue = Catalogue(path)
    catalogue.import_guides([guide("A", "社会保障卡申领")])
    catalogue.close()
    with sqlite3.connect(path) as conn:  # as a kiosk of the first release left it
        for table in (*TRIGRAM_TABLES, *GRAM_TABLES, "search_docs"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("DELETE FROM migration_ledger WHERE name = 'create_search_index'")
    reopened = Catalogue(path)
    assert names(reopened.search("sbk")) == ["社会保障卡申领"]


def test_queries_that_find_nothing_or_say_nothing(demo: Catalogue) -> None:
    assert demo.search("") == [] and demo.search("  ，。") == []
    assert demo.search("量子计算机") == []
    assert demo.search("证", limit=0) == []
    assert len(demo.search("证", limit=3)) == 3


def test_the_synonym_table_is_data_and_valid(tmp_path: Path) -> None:
    synonyms = Synonyms.load(SYNONYMS_FILE)
    assert "医疗保障" in synonyms.expand_text("医保")
    assert synonyms.expand_text("社保卡") == ["社会保障卡"]  # not also 社保 -> 社会保险 inside it
    assert "社会保障卡" in synonyms.expand_letters("sbk")
    assert spell("社保卡").initials == "sbk"
    bad = tmp_path / "synonyms.toml"
    bad.write_text('[terms]\n"医保" = "医疗保障"\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"terms\.医保"):
        Synonyms.load(bad)


def test_cli_search_prints_json_best_first(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"KIOSK_DATA_DIR": str(tmp_path / "data")}
    guides_file = tmp_path / "guides.jsonl"
    guides_file.write_text(
        "\n".join(
            json.dumps({"id": i, "name": n, "department": "威海市测试局"}, ensure_ascii=False)
            for i, n in (("A", "补领社会保障卡"), ("B", "社会保障卡申领"), ("C", "结婚登记"))
        ),
        encoding="utf-8",
    )
    assert runner.invoke(main, ["guides", "import", str(guides_file)], env=env).exit_code == 0
    result = runner.invoke(main, ["guides", "search", "sbk", "--json", "--limit", "5"], env=env)
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)
    assert [hit["id"] for hit in hits] == ["B", "A"]
    assert set(hits[0]) >= {"id", "name", "department", "score", "field"}
    plain = runner.invoke(main, ["guides", "search", "结婚"], env=env)
    assert plain.exit_code == 0 and "C  [结婚]登记  (威海市测试局)" in plain.output
    none = runner.invoke(main, ["guides", "search", "量子"], env=env)
    assert none.exit_code == 0 and "no guide" in none.output
