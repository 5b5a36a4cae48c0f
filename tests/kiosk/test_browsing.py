"""Browsing the catalogue by department, life event and audience, with counts and pages."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kiosk.appliance import Kiosk
from kiosk.guides import Catalogue, Category, GuideQuery, guide_from_dict, load_demo_if_empty
from kiosk.journey import GUIDE_PAGE, Screen


def make(number: int, **extra: object) -> dict[str, object]:
    return {"id": f"T-{number:04d}", "name": f"事项{number:04d}", "department": "威海市测试局", **extra}


@pytest.fixture
def catalogue() -> Catalogue:
    catalogue = Catalogue(":memory:")
    records = [make(n) for n in range(1, 71)]  # 70 guides in one department: more than a page
    records += [
        make(101, department="威海市甲局", audience="enterprise", life_events=["开办"]),
        make(102, department="威海市甲局", audience="both", life_events=["开办", "住房"]),
        make(103, department="威海市乙局", life_events=["出生"]),
    ]
    catalogue.import_guides(guide_from_dict(record) for record in records)
    return catalogue


def test_audiences_count_guides_for_both_in_each(catalogue: Catalogue) -> None:
    assert catalogue.audiences() == [Category("individual", 72), Category("enterprise", 2)]


def test_departments_and_life_events_narrowed_to_an_audience(catalogue: Catalogue) -> None:
    assert catalogue.departments("enterprise") == [Category("威海市甲局", 2)]
    assert [c.name for c in catalogue.departments("individual")] == [
        "威海市测试局",
        "威海市乙局",
        "威海市甲局",
    ]
    # Life events come in the order of a life, then of a business, not by size.
    assert catalogue.life_events() == [Category("出生", 1), Category("住房", 1), Category("开办", 2)]
    # Narrowed to an audience: that audience's events only, though a guide for both is in 开办 too.
    assert catalogue.life_events("individual") == [Category("出生", 1), Category("住房", 1)]
    assert catalogue.life_events("enterprise") == [Category("开办", 2)]


def test_pages_of_a_large_department_are_ordered_and_complete(catalogue: Catalogue) -> None:
    query = GuideQuery(department="威海市测试局")
    assert catalogue.count_guides(query) == 70
    first = catalogue.guides(query, limit=40)
    rest = catalogue.guides(query, limit=40, offset=40)
    names = [s.name for s in first + rest]
    assert len(first) == 40 and len(rest) == 30
    assert names == sorted(names) and len(set(names)) == 70


def test_queries_combine(catalogue: Catalogue) -> None:
    query = GuideQuery(department="威海市甲局", life_event="住房", audience="individual")
    assert [s.id for s in catalogue.guides(query)] == ["T-0102"]
    assert catalogue.count_guides(GuideQuery(audience="enterprise", life_event="开办")) == 2
    assert catalogue.count_guides(GuideQuery()) == 73


def test_a_long_list_reads_more_pages_on_request(make_kiosk: Callable[..., Kiosk]) -> None:
    kiosk = make_kiosk()
    kiosk.catalogue.import_guides(guide_from_dict(make(n)) for n in range(1, GUIDE_PAGE + 11))
    journey = kiosk.journey
    journey.wake()
    journey.open_department("威海市测试局")
    assert journey.view.total == GUIDE_PAGE + 10 and len(journey.view.guides) == GUIDE_PAGE
    journey.more_guides()
    assert len(journey.view.guides) == GUIDE_PAGE + 10 and journey.depth == 1
    journey.more_guides()  # nothing more to read
    assert len(journey.view.guides) == GUIDE_PAGE + 10
    names = [s.name for s in journey.view.guides]
    assert names == sorted(names)


def test_browsing_by_audience_stays_within_three_touches(make_kiosk: Callable[..., Kiosk]) -> None:
    kiosk = make_kiosk()
    journey = kiosk.journey
    journey.wake()
    journey.open_audience("enterprise")
    view = journey.view
    assert view.screen is Screen.BROWSE_AUDIENCE and view.audience == "enterprise"
    assert [c.name for c in view.life_events] == ["开办", "经营", "变更", "注销"]
    department = next(c for c in view.departments if c.name == "威海市市场监督管理局")
    journey.open_department(department.name, audience="enterprise")
    assert journey.view.total == department.count == len(journey.view.guides)
    assert {kiosk.catalogue.get(s.id).audience for s in journey.view.guides} <= {"enterprise", "both"}
    journey.open_guide(journey.view.guides[0].id)
    assert journey.view.screen is Screen.GUIDE_DETAIL and journey.depth == 3


def test_more_departments_lists_every_department(make_kiosk: Callable[..., Kiosk]) -> None:
    kiosk = make_kiosk()
    journey = kiosk.journey
    journey.wake()
    journey.open_all_departments()
    assert journey.view.screen is Screen.DEPARTMENTS
    assert sum(c.count for c in journey.view.departments) == kiosk.catalogue.count()
    journey.open_department(journey.view.departments[-1].name)
    journey.open_guide(journey.view.guides[0].id)
    assert journey.depth == 3


def test_the_plain_version_is_one_touch_away_and_back(make_kiosk: Callable[..., Kiosk]) -> None:
    journey = make_kiosk().journey
    journey.wake()
    journey.open_department("威海市公安局")
    journey.open_guide("371000-GA-0001")
    assert journey.view.plain is False
    journey.toggle_plain()
    assert journey.view.plain is True and journey.view.screen is Screen.GUIDE_DETAIL
    assert journey.depth == 2  # a toggle, not a new screen: back still goes to the list
    journey.toggle_plain()
    assert journey.view.plain is False
    journey.back()
    assert journey.view.screen is Screen.GUIDE_LIST


def test_no_plain_toggle_without_a_plain_version(make_kiosk: Callable[..., Kiosk]) -> None:
    kiosk = make_kiosk()
    kiosk.catalogue.import_guides([guide_from_dict(make(1))])
    kiosk.journey.wake()
    kiosk.journey.open_guide("T-0001")
    kiosk.journey.toggle_plain()
    assert kiosk.journey.view.plain is False


def test_demo_catalogue_has_more_departments_than_home_tiles() -> None:
    catalogue = Catalogue(":memory:")
    load_demo_if_empty(catalogue)
    assert len(catalogue.departments()) > 12  # so the "more departments" path is exercised by the demo
