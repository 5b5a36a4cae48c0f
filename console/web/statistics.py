"""Ratings (好差评) and service statistics: counts by level, department, service, kiosk and day from
the kiosks' `service_rated` events, and visits and prints from the daily tallies.

Counts only: an event names a level, a department and a service, never a resident. Every table is
counted by the database (GROUP BY), so the page costs the same with 5,000 kiosks as with five.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from console.i18n import translate
from console.models import DailyTally, Kiosk, KioskEvent, Role
from console.web.pages import render
from console.web.state import console_state
from console.web.visitor import require
from kiosk.records.rating import LEVEL_MESSAGES, NATIONAL_NAMES, RatingLevel

RATED = "service_rated"
#: The kiosk's levels, best first, as values in the events.
LEVELS = [level.value for level in RatingLevel]
BAD_LEVELS = [level.value for level in RatingLevel if level.bad]
#: The date range a page opens with: the last seven days, today included.
DEFAULT_DAYS = 7
#: The longest range one request may count (a year and a day).
MAX_DAYS = 366
#: Rows a page shows of a table that can be as long as the fleet (the CSV has them all).
PAGE_ROWS = 50
RATING_TABLES = ("levels", "departments", "services", "kiosks", "days")
TALLY_TABLES = ("visits_days", "visits_kiosks", "tallies")
TABLES = RATING_TABLES + TALLY_TABLES
#: A spreadsheet reads a cell starting with one of these as a formula (or DDE): a kiosk's words must not.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """`value` as a spreadsheet cell: a text that a spreadsheet would run as a formula gets a leading
    `'` (a department, service, level or kiosk id comes from a kiosk, which is trusted less than an
    administrator). Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def level_name(level: str, language: str) -> str:
    """A level in the words the kiosk uses: the national name in Chinese, the kiosk's English."""
    try:
        known = RatingLevel(level)
    except ValueError:
        return level or "?"
    return NATIONAL_NAMES[known] if language == "zh_CN" else LEVEL_MESSAGES[known]


@dataclass(frozen=True)
class Period:
    """Local days `first`..`last` (both included), and optionally one sync group."""

    first: date
    last: date
    group: str = ""

    @property
    def start(self) -> float:
        return datetime.combine(self.first, datetime.min.time()).timestamp()

    @property
    def end(self) -> float:
        return datetime.combine(self.last + timedelta(days=1), datetime.min.time()).timestamp()

    def query(self) -> dict[str, str]:
        values = {"from": self.first.isoformat(), "to": self.last.isoformat()}
        if self.group:
            values["group"] = self.group
        return values


def period_from(request: Request, today: date | None = None) -> Period:
    """The range asked for in the query (`from`, `to`, `group`); the last seven days by default."""
    today = today or date.today()
    params = request.query_params
    try:
        last = date.fromisoformat(params["to"]) if params.get("to") else today
        first = (
            date.fromisoformat(params["from"]) if params.get("from") else last - timedelta(DEFAULT_DAYS - 1)
        )
    except ValueError as error:
        raise HTTPException(400, "a date is written YYYY-MM-DD") from error
    if first > last:
        first, last = last, first
    if (last - first).days >= MAX_DAYS:
        raise HTTPException(400, "a range is at most 366 days")
    return Period(first, last, params.get("group", "").strip()[:64])


@dataclass
class CountRow:
    """One row of a ratings table: its key (department, kiosk, day...) and a count per level."""

    key: tuple[str, ...]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def bad(self) -> int:
        return sum(self.counts.get(level, 0) for level in BAD_LEVELS)

    def count(self, level: str) -> int:
        return self.counts.get(level, 0)

    @property
    def bad_share(self) -> str:
        return f"{100 * self.bad / self.total:.1f}%" if self.total else "–"


def _in_period(statement: Select[Any], period: Period) -> Select[Any]:
    # By the kiosk's own day (stored with the event, as the visits' tally); `at` narrows it first
    # (no time zone is more than a day from the console's).
    statement = statement.where(
        KioskEvent.type == RATED,
        KioskEvent.at >= period.start - 86400,
        KioskEvent.at < period.end + 86400,
        KioskEvent.day >= period.first.isoformat(),
        KioskEvent.day <= period.last.isoformat(),
    )
    if period.group:
        statement = statement.where(
            KioskEvent.kiosk_id.in_(select(Kiosk.id).where(Kiosk.group == period.group))
        )
    return statement


def _counted(db: Session, period: Period, by: str) -> dict[tuple[str, ...], CountRow]:
    """One GROUP BY of the period's ratings: per level and per `by` (services, kiosks or days)."""
    level = KioskEvent.details["level"].as_string()
    keys: list[ColumnElement[Any]] = {
        "services": [KioskEvent.details["department"].as_string(), KioskEvent.details["service"].as_string()],
        "kiosks": [KioskEvent.kiosk_id],
        "days": [KioskEvent.day],
    }[by]
    statement = _in_period(select(*keys, level, func.count()), period).group_by(*keys, level)
    rows: dict[tuple[str, ...], CountRow] = {}
    for found in db.execute(statement):
        *key_values, level_value, count = found
        key: tuple[str, ...]
        key = tuple("" if value is None else str(value) for value in key_values)
        row = rows.setdefault(key, CountRow(key))
        row.counts[str(level_value or "")] = row.counts.get(str(level_value or ""), 0) + int(count)
    return rows


def _summed(rows: dict[tuple[str, ...], CountRow], width: int) -> dict[tuple[str, ...], CountRow]:
    """`rows` added up over the first `width` parts of their keys (services -> departments -> levels)."""
    summed: dict[tuple[str, ...], CountRow] = {}
    for row in rows.values():
        total = summed.setdefault(row.key[:width], CountRow(row.key[:width]))
        for level, count in row.counts.items():
            total.counts[level] = total.counts.get(level, 0) + count
    return summed


def rating_tables(
    db: Session, period: Period, wanted: tuple[str, ...] = RATING_TABLES
) -> dict[str, list[CountRow]]:
    """The ratings of `period` counted per level and per each of `wanted` (levels, departments,
    services, kiosks, days), most rated first (days in order).

    Three GROUP BY queries at most: levels and departments are sums of the services' (a short table).
    """
    tables: dict[str, dict[tuple[str, ...], CountRow]] = {}
    if {"levels", "departments", "services"} & set(wanted):
        tables["services"] = _counted(db, period, "services")
        tables["departments"] = _summed(tables["services"], 1)
        tables["levels"] = _summed(tables["services"], 0)
    for by in ("kiosks", "days"):
        if by in wanted:
            tables[by] = _counted(db, period, by)
    return {
        by: sorted(tables[by].values(), key=lambda row: row.key)
        if by == "days"
        else sorted(tables[by].values(), key=lambda row: (-row.total, row.key))
        for by in wanted
    }


def rating_table(db: Session, period: Period, by: str) -> list[CountRow]:
    """One of `rating_tables`."""
    return rating_tables(db, period, (by,))[by]


@dataclass(frozen=True)
class TallyRow:
    key: tuple[str, ...]
    visits: int
    prints: int


def tally_table(db: Session, period: Period, by: str) -> list[TallyRow]:
    """Visits and prints in `period` per day (`visits_days`), per kiosk (`visits_kiosks`) or per
    kiosk and day (`tallies`)."""
    keys: list[Any] = {
        "visits_days": [DailyTally.day],
        "visits_kiosks": [DailyTally.kiosk_id],
        "tallies": [DailyTally.day, DailyTally.kiosk_id],
    }[by]
    visits = func.sum(DailyTally.visits)
    statement = (
        select(*keys, visits, func.sum(DailyTally.prints))
        .where(DailyTally.day >= period.first.isoformat(), DailyTally.day <= period.last.isoformat())
        .group_by(*keys)
    )
    if period.group:
        statement = statement.where(
            DailyTally.kiosk_id.in_(select(Kiosk.id).where(Kiosk.group == period.group))
        )
    statement = (
        statement.order_by(visits.desc(), *keys) if by == "visits_kiosks" else statement.order_by(*keys)
    )
    return [
        TallyRow(tuple(str(value) for value in found[:-2]), int(found[-2] or 0), int(found[-1] or 0))
        for found in db.execute(statement)
    ]


def groups(db: Session) -> list[str]:
    return [
        str(group)
        for group in db.scalars(select(Kiosk.group).where(Kiosk.group != "").distinct().order_by(Kiosk.group))
    ]


async def statistics_page(request: Request) -> Response:
    who = require(request, Role.VIEWER)
    period = period_from(request)
    with console_state(request).db.session() as db:
        ratings = rating_tables(db, period)
        tallies = {by: tally_table(db, period, by) for by in ("visits_days", "visits_kiosks")}
        known_groups = groups(db)
    overall = CountRow(())
    for row in ratings["levels"]:
        for level, count in row.counts.items():
            overall.counts[level] = overall.counts.get(level, 0) + count
    extra_levels = sorted(level for level in overall.counts if level not in LEVELS)
    return render(
        request,
        "statistics.html",
        area="statistics",
        period=period,
        groups=known_groups,
        ratings=ratings,
        tallies=tallies,
        overall=overall,
        levels=LEVELS + extra_levels,
        level_name=lambda level: level_name(level, who.language),
        page_rows=PAGE_ROWS,
        query=period.query(),
    )


def _csv_rows(db: Session, period: Period, table: str, language: str, _: Any) -> list[list[Any]]:
    if table in ("visits_days", "visits_kiosks", "tallies"):
        heads = {"visits_days": [_("Day")], "visits_kiosks": [_("Kiosk")], "tallies": [_("Day"), _("Kiosk")]}[
            table
        ]
        found = tally_table(db, period, table)
        return [[*heads, _("Visits"), _("Prints")]] + [[*row.key, row.visits, row.prints] for row in found]
    rows = rating_table(db, period, table)
    levels = LEVELS + sorted({level for row in rows for level in row.counts if level not in LEVELS})
    heads = {
        "levels": [],
        "departments": [_("Department")],
        "services": [_("Department"), _("Service")],
        "kiosks": [_("Kiosk")],
        "days": [_("Day")],
    }[table]
    if table == "levels":
        return [[_("Level"), _("Ratings")]] + [
            [level_name(level, language), sum(row.count(level) for row in rows)] for level in levels
        ]
    head = [*heads, *(level_name(level, language) for level in levels), _("Total"), _("Bad ratings")]
    return [head] + [[*row.key, *(row.count(level) for level in levels), row.total, row.bad] for row in rows]


async def statistics_csv(request: Request) -> Response:
    """One table of the page as CSV (UTF-8 with a byte-order mark, which spreadsheets want)."""
    who = require(request, Role.VIEWER)
    table = request.path_params["table"]
    if table not in TABLES:
        raise HTTPException(404, "Not Found")
    period = period_from(request)

    def _(message: str) -> str:
        return translate(message, who.language)

    with console_state(request).db.session() as db:
        rows = _csv_rows(db, period, table, who.language, _)
    out = io.StringIO()
    out.write("\ufeff")
    csv.writer(out).writerows([csv_cell(cell) for cell in row] for row in rows)
    name = f"{table}-{period.first.isoformat()}-{period.last.isoformat()}"
    if period.group:
        name += "-" + "".join(c for c in period.group if (c.isascii() and c.isalnum()) or c in "-_")
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"', "Cache-Control": "no-store"},
    )


routes = [
    Route("/statistics", statistics_page, methods=["GET"]),
    Route("/statistics/{table}.csv", statistics_csv, methods=["GET"]),
]
