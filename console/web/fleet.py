"""The fleet page: every kiosk, its state by the console's own clock, versions against what is
published (drift), device faults, sync; filtered, counted, sorted and paged in SQL (5,000 kiosks),
every view a URL of query parameters."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, and_, case, false, func, or_, select, true
from sqlalchemy.orm import Session, defer
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from console.models import Kiosk, Role
from console.published import Published
from console.web.pages import render
from console.web.state import console_state
from console.web.visitor import require

PER_PAGE = 100
#: The highest page number taken as asked (a page past the last shows no kiosks).
MAX_PAGE = 1_000_000
STATES = ("online", "offline", "lost")
PROBLEMS = ("fault", "drift", "sync", "any")
#: Sortable columns: the query parameter's word -> the column.
SORTS: dict[str, Any] = {
    "id": Kiosk.id,
    "site": Kiosk.site,
    "group": Kiosk.group,
    "state": Kiosk.state,
    "since": Kiosk.state_since,
    "software": Kiosk.software,
    "catalogue": Kiosk.catalogue_version,
    "fault": Kiosk.fault_since,
    "sync": Kiosk.last_sync,
    "seen": Kiosk.last_seen,
    "visits": Kiosk.visits_today,
    "prints": Kiosk.prints_today,
}
_DEFAULTS: dict[str, Any] = {
    "group": "",
    "state": "",
    "problem": "",
    "q": "",
    "sort": "id",
    "order": "",
    "page": 1,
}
_KIOSK_CONFIG = re.compile(r"(?:^|/)config/kiosk/([^/]+)\.toml$")


@dataclass(frozen=True)
class FleetView:
    """What the query parameters ask for (unknown values fall back to the defaults)."""

    group: str = ""
    state: str = ""
    problem: str = ""
    q: str = ""
    sort: str = "id"
    desc: bool = False
    page: int = 1

    @classmethod
    def of(cls, params: Any) -> FleetView:
        state = str(params.get("state", ""))
        problem = str(params.get("problem", ""))
        sort = str(params.get("sort", "id"))
        try:
            # Bounded: a page past the last shows no kiosks; a huge one must not overflow OFFSET.
            page = min(MAX_PAGE, max(1, int(str(params.get("page", "1")))))
        except ValueError:
            page = 1
        return cls(
            group=str(params.get("group", "")).strip()[:64],
            state=state if state in STATES else "",
            problem=problem if problem in PROBLEMS else "",
            q=str(params.get("q", "")).strip()[:100],
            sort=sort if sort in SORTS else "id",
            desc=params.get("order", "") == "desc",
            page=page,
        )

    def url(self, **changes: Any) -> str:
        """This view's URL with `changes` (a new filter goes back to page 1)."""
        values = {
            "group": self.group,
            "state": self.state,
            "problem": self.problem,
            "q": self.q,
            "sort": self.sort,
            "order": "desc" if self.desc else "",
            "page": self.page,
            **changes,
        }
        kept = {key: value for key, value in values.items() if value != _DEFAULTS[key]}
        return "/fleet" + ("?" + urlencode(kept) if kept else "")

    def sort_url(self, column: str) -> str:
        """The URL sorting by `column`: ascending first, descending when it is sorted so already."""
        descending = self.sort == column and not self.desc
        return self.url(sort=column, order="desc" if descending else "", page=1)


def channel_trouble(state: Any) -> str:
    """Why the console is not following the fleet now, in words ("" when it is, or has no broker)."""
    channel = state.channel
    if channel is None or getattr(channel, "connected", True):
        return ""
    return str(getattr(channel, "last_error", "") or "connecting to the broker")


def database_trouble(state: Any) -> str:
    """Why what the kiosks send is not being written now (the database cannot be reached), or ""."""
    return str(getattr(state.channel, "database_error", "") or "")


def lost_condition(cutoff: float) -> ColumnElement[bool]:
    """Lost: the broker said so, or online but silent since before `cutoff` (the console's clock)."""
    return or_(Kiosk.state == "lost", and_(Kiosk.state == "online", Kiosk.last_seen < cutoff))


def state_condition(state: str, cutoff: float) -> ColumnElement[bool]:
    if state == "online":
        return and_(Kiosk.state == "online", Kiosk.last_seen >= cutoff)
    if state == "lost":
        return lost_condition(cutoff)
    return Kiosk.state == state


def expected_for(published: Published, kiosk_id: str, group: str) -> tuple[int | None, str]:
    """What `kiosk_id` in `group` should run; a group whose name no target can have (a kiosk may
    report anything) has nothing staged and no configuration of its own."""
    try:
        return published.expected(kiosk_id, group)
    except ValueError:
        return published.expected(kiosk_id, "")


def drift_condition(db: Session, published: Published) -> ColumnElement[bool]:
    """Kiosks whose catalogue or configuration differs from what is published for them.

    Expected versions depend on the group (and, for the few kiosks with a configuration of their
    own, on the kiosk): one condition per group present, one per such kiosk.
    """
    if not published.catalogue and not published.config:
        return false()
    own = {match.group(1) for path in published.config if (match := _KIOSK_CONFIG.search(path))}
    conditions: list[ColumnElement[bool]] = []
    for group in db.scalars(select(Kiosk.group).distinct()).all():
        catalogue, config = expected_for(published, "", group)
        conditions.append(and_(Kiosk.group == group, Kiosk.id.not_in(own), _differs(catalogue, config)))
    if own:
        for kiosk_id, group in db.execute(select(Kiosk.id, Kiosk.group).where(Kiosk.id.in_(own))).all():
            catalogue, config = expected_for(published, kiosk_id, group)
            conditions.append(and_(Kiosk.id == kiosk_id, _differs(catalogue, config)))
    return or_(false(), *conditions)


def _differs(catalogue: int | None, config: str) -> ColumnElement[bool]:
    parts: list[ColumnElement[bool]] = []
    if catalogue is not None:
        parts.append(or_(Kiosk.catalogue_version.is_(None), Kiosk.catalogue_version != catalogue))
    if config:
        parts.append(Kiosk.config_version != config)
    return or_(false(), *parts)


def drifts(kiosk: Kiosk, published: Published) -> list[str]:
    """What differs from the published versions, in words ("catalogue 7 ≠ 8")."""
    catalogue, config = expected_for(published, kiosk.id, kiosk.group)
    found = []
    if catalogue is not None and kiosk.catalogue_version != catalogue:
        running = "–" if kiosk.catalogue_version is None else kiosk.catalogue_version
        found.append(f"catalogue {running} ≠ {catalogue}")
    if config and kiosk.config_version != config:
        found.append(f"config {kiosk.config_version or '–'} ≠ {config}")
    return found


def problem_condition(problem: str, drift: ColumnElement[bool]) -> ColumnElement[bool]:
    fault = Kiosk.fault_since.is_not(None)
    sync = Kiosk.sync_error != ""
    if problem == "fault":
        return fault
    if problem == "drift":
        return drift
    if problem == "sync":
        return sync
    return or_(fault, drift, sync)


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def summary(db: Session, cutoff: float, drift: ColumnElement[bool]) -> dict[str, int]:
    """The whole fleet's counts, in one query."""
    lost = lost_condition(cutoff)

    def count(condition: ColumnElement[bool]) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = db.execute(
        select(
            func.count(),
            count(state_condition("online", cutoff)),
            count(Kiosk.state == "offline"),
            count(lost),
            count(Kiosk.fault_since.is_not(None)),
            count(drift),
            count(Kiosk.sync_error != ""),
        ).select_from(Kiosk)
    ).one()
    names = ("total", "online", "offline", "lost", "faults", "drifting", "sync_failing")
    return {name: int(value) for name, value in zip(names, row, strict=True)}


@dataclass(frozen=True)
class Shown:
    """One kiosk as a row of the page shows it."""

    kiosk: Kiosk
    #: online / offline / lost, by the console's clock.
    state: str
    #: Lost by the console's clock (the broker still says online): silent since last_seen.
    silent: bool
    drift: list[str]


def shown(kiosk: Kiosk, published: Published, cutoff: float) -> Shown:
    silent = kiosk.state == "online" and kiosk.last_seen < cutoff
    return Shown(kiosk, "lost" if silent else kiosk.state, silent, drifts(kiosk, published))


def query_fleet(
    db: Session, view: FleetView, published: Published, cutoff: float
) -> tuple[list[Kiosk], int, dict[str, int]]:
    """The page's kiosks, how many match the filters, and the whole fleet's summary."""
    drift = drift_condition(db, published)
    conditions: list[ColumnElement[bool]] = [true()]
    if view.group:
        conditions.append(Kiosk.group == view.group)
    if view.state:
        conditions.append(state_condition(view.state, cutoff))
    if view.problem:
        conditions.append(problem_condition(view.problem, drift))
    if view.q:
        pattern = _like(view.q)
        conditions.append(or_(Kiosk.id.ilike(pattern, escape="\\"), Kiosk.site.ilike(pattern, escape="\\")))
    where = and_(*conditions)
    matching = int(db.scalar(select(func.count()).select_from(Kiosk).where(where)) or 0)
    column = SORTS[view.sort]
    if view.sort == "state":
        # By the state shown: lost-by-clock sorts with lost.
        column = case((lost_condition(cutoff), "lost"), else_=Kiosk.state)
    # Kiosks without a value (no fault, never synced) last either way, on SQLite and PostgreSQL alike.
    order = (column.desc() if view.desc else column.asc()).nulls_last()
    rows = db.scalars(
        select(Kiosk)
        # The table shows neither: the whole reports stay in the database.
        .options(defer(Kiosk.reported), defer(Kiosk.telemetry))
        .where(where)
        .order_by(order, Kiosk.id)
        .offset((view.page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    ).all()
    return list(rows), matching, summary(db, cutoff, drift)


async def fleet_page(request: Request) -> Response:
    require(request, Role.VIEWER)
    state = console_state(request)
    view = FleetView.of(request.query_params)
    now = time.time()
    cutoff = now - state.settings.stale_after
    published = state.published.read()
    with state.db.session() as db:
        rows, matching, counts = query_fleet(db, view, published, cutoff)
        groups = [
            group for group in db.scalars(select(Kiosk.group).distinct().order_by(Kiosk.group)) if group
        ]
        newest = db.scalar(select(func.max(Kiosk.updated_at)))
    pages = max(1, -(-matching // PER_PAGE))
    return render(
        request,
        "fleet.html",
        area="fleet",
        view=view,
        rows=[shown(kiosk, published, cutoff) for kiosk in rows],
        matching=matching,
        counts=counts,
        groups=groups,
        pages=pages,
        states=STATES,
        problems=PROBLEMS,
        # The live stream sends what changed after this page was read.
        cursor=repr(float(newest or 0.0)),
        no_broker=not state.settings.broker,
        channel_trouble=channel_trouble(state),
        database_trouble=database_trouble(state),
    )


routes = [Route("/fleet", fleet_page, methods=["GET"])]
