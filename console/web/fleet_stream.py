"""Live updates of the fleet page: server-sent events (`/fleet/stream`).

Stateless: the client says which rows it shows (`?ids=`, else every kiosk) and where it is
(`Last-Event-ID`, or `?since=` the first time: the page's newest `updated_at`). Every second the
stream reads the kiosks changed since (and those that just fell silent: lost by the console's clock
without any row changing), sends each as its table row rendered like the page's (`kiosk` events)
and the fleet's counts (`summary`), with a heartbeat comment in between. Any console process can
serve any client; it ends when the client goes.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import and_, or_, select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from console.i18n import translate
from console.models import Account, Kiosk, Role, WebSession
from console.web.fleet import drift_condition, shown, summary
from console.web.pages import ago, when
from console.web.state import ConsoleState, console_state
from console.web.visitor import SESSION_COOKIE, require, token_hash

#: Seconds between two reads of the database.
POLL_INTERVAL = 1.0
#: Seconds between heartbeats when nothing changes (proxies close idle connections).
HEARTBEAT = 15.0
#: A row may commit a little after a later one: look this far behind the cursor (repeats are
#: harmless: a row replaced by itself).
SLACK = 2.0
#: Seconds between two checks that the session is still open (signed out, expired, disabled: the
#: stream ends, and the browser's reconnection is refused).
SESSION_CHECK = 30.0
#: At most this many kiosks named in `?ids=` (the rows a page shows: 100).
MAX_IDS = 200
#: At most this many rows per read (a burst is sent over the next reads).
BATCH = 500


def _cursor(request: Request) -> float:
    for text in (request.headers.get("last-event-id", ""), request.query_params.get("since", "")):
        try:
            value = float(text)
        except ValueError:
            continue
        if math.isfinite(value):
            return value
    return time.time()


class FleetPoll:
    """One read: what changed after `cursor`, and what fell silent since the last read."""

    def __init__(
        self, state: ConsoleState, language: str, cursor: float, only: frozenset[str] = frozenset()
    ) -> None:
        self.state = state
        self.cursor = cursor
        #: The kiosks whose rows the page shows (empty: every kiosk).
        self.only = only
        self.cutoff = time.time() - state.settings.stale_after
        self.template = state.templates.env.get_template("fleet_row.html")
        #: What this connection sent lately: id -> (updated_at, silent), so a row is sent once.
        self.sent: dict[str, tuple[float, bool]] = {}

        def _(message: str, **values: Any) -> str:
            text = translate(str(message), language)
            return str(text.format(**values)) if values else text

        self.words = {"_": _, "when": when, "ago": lambda at: ago(at, _)}

    def read(self) -> tuple[list[dict[str, str]], dict[str, int]]:
        """The changed rows ({"id", "html"}) and the fleet's counts; moves the cursor on."""
        now = time.time()
        cutoff = now - self.state.settings.stale_after
        published = self.state.published.read()
        with self.state.db.session() as db:
            fell_silent = and_(
                Kiosk.state == "online", Kiosk.last_seen < cutoff, Kiosk.last_seen >= self.cutoff
            )
            changed = or_(Kiosk.updated_at > self.cursor - SLACK, fell_silent)
            if self.only:
                changed = and_(Kiosk.id.in_(self.only), changed)
            rows = db.scalars(select(Kiosk).where(changed).order_by(Kiosk.updated_at).limit(BATCH)).all()
            counts = summary(db, cutoff, drift_condition(db, published))
        self.cutoff = cutoff
        sent = []
        for kiosk in rows:
            row = shown(kiosk, published, cutoff)
            if self.sent.get(kiosk.id) == (kiosk.updated_at, row.silent):
                continue
            self.sent[kiosk.id] = (kiosk.updated_at, row.silent)
            self.cursor = max(self.cursor, kiosk.updated_at)
            html = self.template.render(r=row, **self.words)
            sent.append({"id": kiosk.id, "html": html})
        # Forget what cannot come back (the memory stays small on a long connection).
        horizon = self.cursor - SLACK
        self.sent = {key: seen for key, seen in self.sent.items() if seen[0] >= horizon}
        return sent, counts


def session_open(state: ConsoleState, token: str) -> bool:
    """Whether the session of cookie `token` is still open (an open stream does not extend it)."""
    now = time.time()
    settings = state.settings
    with state.db.session() as db:
        row = db.get(WebSession, token_hash(token))
        account = db.get(Account, row.account_id) if row is not None else None
        return (
            row is not None
            and account is not None
            and account.active
            and now - row.last_seen <= settings.session_idle
            and now - row.created_at <= settings.session_max
        )


def sse(event: str, data: Any, event_id: str | None = None) -> str:
    """One server-sent event (its data one JSON line)."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def fleet_stream(request: Request) -> Response:
    who = require(request, Role.VIEWER)
    state = console_state(request)
    shown = frozenset(filter(None, request.query_params.get("ids", "").split(",")[:MAX_IDS]))
    poll = FleetPoll(state, who.language, _cursor(request), shown)
    token = request.cookies.get(SESSION_COOKIE, "")

    async def events() -> AsyncIterator[str]:
        yield "retry: 3000\n\n"
        last_counts: dict[str, int] | None = None
        quiet_since = checked = time.monotonic()
        while True:
            if time.monotonic() - checked >= SESSION_CHECK:
                if not await run_in_threadpool(session_open, state, token):
                    return
                checked = time.monotonic()
            changed, counts = await run_in_threadpool(poll.read)
            for row in changed:
                yield sse("kiosk", row, repr(poll.cursor))
            if counts != last_counts:
                yield sse("summary", counts, repr(poll.cursor))
                last_counts = counts
            if changed or time.monotonic() - quiet_since >= HEARTBEAT:
                if not changed:
                    yield ": heartbeat\n\n"
                quiet_since = time.monotonic()
            await asyncio.sleep(POLL_INTERVAL)

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


routes = [Route("/fleet/stream", fleet_stream, methods=["GET"])]
