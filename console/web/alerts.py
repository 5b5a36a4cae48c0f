"""Alerts: the conditions open now (a kiosk lost or offline too long, a device fault lasting, sync
failing) and those closed lately, with whether the webhook took each one.

The rows are opened and closed by the alert evaluation (console.alerts); this page only shows them.
"""

from __future__ import annotations

import time

from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from console.models import Alert, AlertKind, Role
from console.web.pages import render
from console.web.state import console_state
from console.web.visitor import require

#: Closed alerts are listed for this long after they closed.
RECENT_SECONDS = 7 * 86400
#: At most this many closed alerts on the page.
RECENT_ROWS = 200
KINDS = [kind.value for kind in AlertKind]
#: Each kind in words (message ids).
KIND_WORDS = {
    AlertKind.LOST.value: "Lost",
    AlertKind.OFFLINE.value: "Offline too long",
    AlertKind.DEVICE_FAULT.value: "Device fault",
    AlertKind.SYNC_FAILING.value: "Sync failing",
}


async def alerts_page(request: Request) -> Response:
    require(request, Role.VIEWER)
    kind = request.query_params.get("kind", "")
    if kind not in KINDS:
        kind = ""
    now = time.time()
    with console_state(request).db.session() as db:
        open_query = select(Alert).where(Alert.closed_at.is_(None))
        closed_query = select(Alert).where(Alert.closed_at >= now - RECENT_SECONDS)
        if kind:
            open_query = open_query.where(Alert.kind == kind)
            closed_query = closed_query.where(Alert.kind == kind)
        open_alerts = db.scalars(open_query.order_by(Alert.opened_at.desc(), Alert.id.desc())).all()
        closed = db.scalars(
            closed_query.order_by(Alert.closed_at.desc(), Alert.id.desc()).limit(RECENT_ROWS)
        ).all()
        counted = db.execute(
            select(Alert.kind, func.count()).where(Alert.closed_at.is_(None)).group_by(Alert.kind)
        )
        counts = {str(row[0]): int(row[1]) for row in counted}
    return render(
        request,
        "alerts.html",
        area="alerts",
        kind=kind,
        kinds=KINDS,
        kind_words=KIND_WORDS,
        open_alerts=open_alerts,
        closed=closed,
        counts=counts,
        recent_days=RECENT_SECONDS // 86400,
        webhook=bool(console_state(request).settings.webhook_url),
    )


routes = [Route("/alerts", alerts_page, methods=["GET"])]
