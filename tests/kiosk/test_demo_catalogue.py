"""The demo catalogue: valid, Weihai-shaped, and covering what docs/guide-elements.md asks for."""

from __future__ import annotations

from collections import Counter

import pytest

from kiosk.guides import DEMO_CATALOGUE, read_jsonl
from kiosk.records import ENTERPRISE_LIFE_EVENTS, INDIVIDUAL_LIFE_EVENTS, Guide

#: The departments docs/guide-elements.md lists for the demo, and how the catalogue names them.
REFERENCE_DEPARTMENTS = {
    "公安": ["威海市公安局"],
    "税务": ["国家税务总局威海市税务局"],
    "不动产登记": ["威海市自然资源和规划局"],
    "住房公积金": ["威海市住房公积金管理中心"],
    "人力资源和社会保障": ["威海市人力资源和社会保障局"],
    "医疗保障": ["威海市医疗保障局"],
    "民政": ["威海市民政局"],
    "市场监管": ["威海市市场监督管理局"],
    "卫生健康": ["威海市卫生健康委员会"],
    "教育": ["威海市教育局"],
    "残联": ["威海市残疾人联合会"],
    "水电气热": ["威海市水务集团", "国网威海供电公司", "威海市燃气公司", "威海市热电集团"],
}
#: Sub-topics the note names inside a department, found in guide names.
TOPICS = {
    "威海市公安局": ["户口", "身份证"],
    "威海市人力资源和社会保障局": ["社会保", "就业"],
    "威海市民政局": ["婚姻", "老年人"],
    "威海市市场监督管理局": ["个体工商户", "企业开办"],
}


@pytest.fixture(scope="module")
def guides() -> list[Guide]:
    with DEMO_CATALOGUE.open(encoding="utf-8") as handle:
        return read_jsonl(handle)


def test_at_least_80_demo_guides_with_unique_ids(guides: list[Guide]) -> None:
    assert len(guides) >= 80
    ids = [guide.id for guide in guides]
    assert len(set(ids)) == len(ids)
    assert all(guide.demo for guide in guides)
    # The ids the first demo catalogue had stay, so links printed from it still work.
    for kept in ("371000-GA-0001", "371000-SB-0012", "371000-GJJ-0003", "371000-SD-0001"):
        assert kept in ids


def test_every_department_of_the_reference_note_and_its_topics(guides: list[Guide]) -> None:
    counts = Counter(guide.department for guide in guides)
    for topic, departments in REFERENCE_DEPARTMENTS.items():
        assert all(counts[department] >= 2 for department in departments), topic
    assert set(counts) == {d for names in REFERENCE_DEPARTMENTS.values() for d in names}
    for department, words in TOPICS.items():
        names = " ".join(
            guide.name + " ".join(guide.conditions) for guide in guides if guide.department == department
        )
        assert all(word in names for word in words), department


def test_individual_and_enterprise_services_and_every_life_event(guides: list[Guide]) -> None:
    audiences = Counter(guide.audience for guide in guides)
    assert audiences["individual"] >= 30 and audiences["enterprise"] >= 20 and audiences["both"] >= 1
    members = Counter(event for guide in guides for event in guide.life_events)
    for event in INDIVIDUAL_LIFE_EVENTS + ENTERPRISE_LIFE_EVENTS:
        assert members[event] >= 3, event
    for guide in guides:
        if set(guide.life_events) & set(ENTERPRISE_LIFE_EVENTS):
            assert guide.audience != "individual", guide.id


def test_every_guide_is_complete_enough_to_act_on(guides: list[Guide]) -> None:
    for guide in guides:
        assert guide.plain and guide.materials and guide.steps and guide.locations, guide.id
        assert guide.promised_days is not None or guide.kind == "公共服务" or guide.annual_report, guide.id
        assert guide.max_visits is not None and guide.levels and guide.phone, guide.id
        for place in guide.locations:
            assert place.address.endswith("（演示地址）") and place.hours, guide.id
        for url in (guide.channels.online_url, *(m.form_url for m in guide.materials)):
            assert not url or url.startswith("https://zwfw.weihai.example/"), guide.id


def test_the_catalogue_is_realistic_in_its_variety(guides: list[Guide]) -> None:
    materials = [m for guide in guides for m in guide.materials]
    assert any(m.copies for m in materials) and any(m.e_license for m in materials)
    assert any(not m.required and m.condition for m in materials)
    assert any(m.form == "electronic" for m in materials)
    assert any(guide.fee.charged for guide in guides) and any(not guide.fee.charged for guide in guides)
    assert {p.name for guide in guides for p in guide.special_procedures} >= {"公示", "现场勘验", "鉴定"}
    assert {level for guide in guides for level in guide.levels} == {"city", "county", "town", "village"}
    assert {c for guide in guides for c in guide.cross_region} == {"跨省通办", "全省通办"}
    assert any(guide.max_visits == 0 for guide in guides) and any(guide.commitment for guide in guides)
    halls = " ".join(place.hall for guide in guides for place in guide.locations)
    for district in ("环翠区", "文登区", "荣成市", "乳山市", "高区", "经区", "临港区"):
        assert district in halls, district
