"""The audit log: every action in the console, newest first, filtered by actor, action and target."""

from __future__ import annotations

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from console.models import AuditEntry, Role
from console.web.pages import render
from console.web.state import console_state
from console.web.visitor import require

PAGE_SIZE = 50


def _like_prefix(text: str) -> str:
    """`text` as a LIKE prefix pattern, its own % and _ taken literally (escape character \\)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


async def audit_page(request: Request) -> Response:
    require(request, Role.VIEWER)
    params = request.query_params
    actor = params.get("actor", "").strip()[:64]
    action = params.get("action", "").strip()[:64]
    target = params.get("target", "").strip()[:128]
    try:
        page = max(1, int(params.get("page", "1")))
    except ValueError:
        page = 1
    query = select(AuditEntry)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if action:
        query = query.where(AuditEntry.action == action)
    if target:
        # A prefix: "kiosk:" finds every kiosk's entries, "kiosk:wh-0001" that kiosk's.
        query = query.where(AuditEntry.target.like(_like_prefix(target), escape="\\"))
    with console_state(request).db.session() as db:
        found = db.scalars(
            query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE + 1)
        ).all()
        actions = db.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)).all()
    filters = {
        key: value for key, value in (("actor", actor), ("action", action), ("target", target)) if value
    }
    return render(
        request,
        "audit.html",
        area="audit",
        entries=found[:PAGE_SIZE],
        page=page,
        more=len(found) > PAGE_SIZE,
        actor=actor,
        action=action,
        target=target,
        actions=actions,
        filters=filters,
    )


routes = [Route("/audit", audit_page, methods=["GET"])]
