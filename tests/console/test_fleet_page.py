"""The fleet page: states by the console's own clock, drift against what is published, faults,
filters, search, sorting and pages, all as query parameters."""

from __future__ import annotations

import re
import time

import pytest
from starlette.testclient import TestClient

from console.db import Database
from console.models import Role
from console.published import Published
from console.web.state import ConsoleState
from tests.console.fleet_rows import add_kiosk
from tests.console.web import add_account, sign_in


class FixedPublished:
    """What the repository publishes, as the page reads it (a repository's reader without files)."""

    def __init__(self, published: Published) -> None:
        self.published = published

    def read(self) -> Published:
        return self.published


def kiosk_ids(html: str) -> list[str]:
    return re.findall(r'<tr id="kiosk-([^"]+)"', html)


def row_of(html: str, kiosk_id: str) -> str:
    match = re.search(rf'<tr id="kiosk-{re.escape(kiosk_id)}".*?</tr>', html, re.S)
    assert match, f"no row for {kiosk_id}"
    return match.group(0)


def state_of(client: TestClient) -> ConsoleState:
    return client.app.state.console  # type: ignore[attr-defined,no-any-return]


@pytest.fixture
def viewer(console_client: TestClient, console_db: Database) -> TestClient:
    add_account(console_db, "li", Role.VIEWER)
    sign_in(console_client, "li")
    console_client.cookies.set("lang", "en")
    return console_client


def test_the_fleet_page_needs_a_sign_in(console_client: TestClient) -> None:
    answer = console_client.get("/fleet")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/signin")


def test_every_kiosk_is_shown_with_its_state_site_group_and_counts(
    viewer: TestClient, console_db: Database
) -> None:
    add_kiosk(console_db, "k-001", site="Huancui Hall", group="east", visits_today=12, prints_today=3)
    add_kiosk(console_db, "k-002", state="offline", group="west")
    add_kiosk(console_db, "k-003", state="lost")
    page = viewer.get("/fleet", headers={"accept-language": "en"})
    assert page.status_code == 200
    assert kiosk_ids(page.text) == ["k-001", "k-002", "k-003"]
    first = row_of(page.text, "k-001")
    assert "Huancui Hall" in first and "east" in first and "<td>12</td>" in first and "<td>3</td>" in first
    assert 'class="pill online"' in first
    assert 'class="pill offline"' in row_of(page.text, "k-002")
    assert 'data-count="online">1<' in page.text
    assert 'data-count="offline">1<' in page.text
    assert 'data-count="lost">1<' in page.text


def test_an_online_kiosk_silent_past_stale_after_is_lost_by_the_consoles_clock(
    viewer: TestClient, console_db: Database
) -> None:
    stale = state_of(viewer).settings.stale_after
    add_kiosk(console_db, "k-quiet", state="online", last_seen=time.time() - stale - 30)
    add_kiosk(console_db, "k-alive", state="online", last_seen=time.time() - 5)
    page = viewer.get("/fleet")
    quiet = row_of(page.text, "k-quiet")
    assert 'class="pill lost"' in quiet and "silent since" in quiet
    assert 'class="pill online"' in row_of(page.text, "k-alive")
    assert 'data-count="lost">1<' in page.text and 'data-count="online">1<' in page.text
    assert kiosk_ids(viewer.get("/fleet?state=lost").text) == ["k-quiet"]
    assert kiosk_ids(viewer.get("/fleet?state=online").text) == ["k-alive"]


def test_drift_against_what_is_published_is_shown_and_filtered(
    viewer: TestClient, console_db: Database
) -> None:
    state_of(viewer).published = FixedPublished(  # type: ignore[assignment]
        Published(
            config={"config/all.toml": "aaaaaaaaaaaa", "config/kiosk/k-own.toml": "cccccccccccc"},
            catalogue={"catalogue/index.json": 8, "staged/canary/catalogue/index.json": 9},
        )
    )
    add_kiosk(console_db, "k-same", catalogue_version=8, config_version="all=aaaaaaaaaaaa")
    add_kiosk(console_db, "k-old", catalogue_version=7, config_version="all=aaaaaaaaaaaa")
    add_kiosk(console_db, "k-canary", group="canary", catalogue_version=9, config_version="all=aaaaaaaaaaaa")
    add_kiosk(console_db, "k-own", catalogue_version=8, config_version="all=aaaaaaaaaaaa,kiosk=cccccccccccc")
    add_kiosk(console_db, "k-ownold", catalogue_version=8, config_version="all=bbbbbbbbbbbb")
    # A group no target can be named after: nothing is staged for it.
    add_kiosk(console_db, "k-odd", group="east side", catalogue_version=8, config_version="all=aaaaaaaaaaaa")
    page = viewer.get("/fleet")
    assert "catalogue 7 ≠ 8" in row_of(page.text, "k-old")
    assert "config all=bbbbbbbbbbbb ≠ all=aaaaaaaaaaaa" in row_of(page.text, "k-ownold")
    for fine in ("k-same", "k-canary", "k-own", "k-odd"):
        assert "pill drift" not in row_of(page.text, fine), fine
    assert 'data-count="drifting">2<' in page.text
    assert kiosk_ids(viewer.get("/fleet?problem=drift").text) == ["k-old", "k-ownold"]


def test_faults_and_sync_failures_are_shown_with_their_reasons_and_filtered(
    viewer: TestClient, console_db: Database
) -> None:
    now = time.time()
    add_kiosk(console_db, "k-paper", problems=["printer: media-empty"], fault_since=now - 600)
    add_kiosk(console_db, "k-sync", sync_error="repository unreachable", last_sync=now - 7200)
    add_kiosk(console_db, "k-fine", last_sync=now - 60)
    page = viewer.get("/fleet")
    assert "printer: media-empty" in row_of(page.text, "k-paper")
    assert "repository unreachable" in row_of(page.text, "k-sync")
    assert kiosk_ids(viewer.get("/fleet?problem=fault").text) == ["k-paper"]
    assert kiosk_ids(viewer.get("/fleet?problem=sync").text) == ["k-sync"]
    assert kiosk_ids(viewer.get("/fleet?problem=any").text) == ["k-paper", "k-sync"]
    assert 'data-count="faults">1<' in page.text and 'data-count="sync_failing">1<' in page.text


def test_filter_by_group_and_search_id_or_site(viewer: TestClient, console_db: Database) -> None:
    add_kiosk(console_db, "k-1", group="east", site="Library 100%")
    add_kiosk(console_db, "k-2", group="west", site="Town hall")
    add_kiosk(console_db, "hall-3", group="east", site="Post office")
    assert kiosk_ids(viewer.get("/fleet?group=east").text) == ["hall-3", "k-1"]
    assert kiosk_ids(viewer.get("/fleet?q=HALL").text) == ["hall-3", "k-2"]
    assert kiosk_ids(viewer.get("/fleet?q=100%25").text) == ["k-1"]
    assert kiosk_ids(viewer.get("/fleet?q=%25").text) == ["k-1"]
    assert kiosk_ids(viewer.get("/fleet?group=east&q=post").text) == ["hall-3"]


def test_sorting_by_a_column_both_ways(viewer: TestClient, console_db: Database) -> None:
    add_kiosk(console_db, "k-a", visits_today=5, site="Beta")
    add_kiosk(console_db, "k-b", visits_today=50, site="Alpha")
    add_kiosk(console_db, "k-c", visits_today=0, site="Gamma")
    assert kiosk_ids(viewer.get("/fleet?sort=visits").text) == ["k-c", "k-a", "k-b"]
    assert kiosk_ids(viewer.get("/fleet?sort=visits&order=desc").text) == ["k-b", "k-a", "k-c"]
    page = viewer.get("/fleet?sort=site")
    assert kiosk_ids(page.text) == ["k-b", "k-a", "k-c"]
    # The sorted column's link sorts the other way; the filter form keeps the sort.
    assert 'href="/fleet?sort=site&amp;order=desc"' in page.text


def test_pages_of_a_hundred(viewer: TestClient, console_db: Database) -> None:
    with console_db.session() as db:
        from console.models import Kiosk

        now = time.time()
        for n in range(250):
            db.add(Kiosk(id=f"k-{n:04d}", state="online", last_seen=now, updated_at=now))
    first = viewer.get("/fleet")
    assert len(kiosk_ids(first.text)) == 100 and kiosk_ids(first.text)[0] == "k-0000"
    assert "250 kiosks match" in first.text and 'href="/fleet?page=2"' in first.text
    last = viewer.get("/fleet?page=3")
    assert kiosk_ids(last.text) == [f"k-{n:04d}" for n in range(200, 250)]
    assert 'data-count="total">250<' in last.text


def test_the_page_is_in_chinese_for_a_chinese_browser(
    console_client: TestClient, console_db: Database
) -> None:
    add_account(console_db, "li", Role.VIEWER)
    sign_in(console_client, "li")
    add_kiosk(console_db, "k-1")
    page = console_client.get("/fleet", headers={"accept-language": "zh-CN"})
    assert "在线" in page.text


def test_kiosks_without_a_value_sort_last_both_ways_on_every_database(
    viewer: TestClient, console_db: Database
) -> None:
    now = time.time()
    add_kiosk(console_db, "fine1", fault_since=None)
    add_kiosk(console_db, "fine2", fault_since=None)
    add_kiosk(console_db, "faulty1", problems=["printer: media-empty"], fault_since=now - 600)
    add_kiosk(console_db, "faulty2", problems=["printer: media-jam"], fault_since=now - 60)
    assert kiosk_ids(viewer.get("/fleet?sort=fault").text) == ["faulty1", "faulty2", "fine1", "fine2"]
    assert kiosk_ids(viewer.get("/fleet?sort=fault&order=desc").text) == [
        "faulty2",
        "faulty1",
        "fine1",
        "fine2",
    ]


def test_a_huge_page_number_is_an_empty_page_not_an_error(viewer: TestClient, console_db: Database) -> None:
    add_kiosk(console_db, "k-a")
    page = viewer.get("/fleet?page=99999999999999999999")
    assert page.status_code == 200 and kiosk_ids(page.text) == []


def test_the_page_says_when_the_database_cannot_be_written_to(
    viewer: TestClient, console_db: Database
) -> None:
    from tests.console.channels import RecordingChannel

    channel = RecordingChannel()
    state_of(viewer).channel = channel  # type: ignore[assignment]
    assert "cannot write what the kiosks send" not in viewer.get("/fleet").text
    channel.database_error = "the database cannot be written to (OperationalError: x); 20 messages wait"  # type: ignore[attr-defined]
    page = viewer.get("/fleet").text
    assert "cannot write what the kiosks send" in page and "20 messages wait" in page
