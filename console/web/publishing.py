"""Publishing (publisher role): upload a guide catalogue, edit a configuration for all kiosks, a group
or one kiosk, and follow each staged rollout (canaries on the new version, soak, promote, abort)."""

from __future__ import annotations

import time
from functools import partial
from typing import Any

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from console.models import Publication, PublicationState, Role
from console.rollout import (
    SCOPES,
    PublishingOff,
    RolloutError,
    abort,
    progress,
    promote,
    published_config,
    start_rollout,
)
from console.web.pages import render
from console.web.state import ConsoleState, console_state
from console.web.visitor import Visitor, checked_form, require

#: How many publications the page lists (newest first).
SHOWN = 50
#: What a catalogue upload's form carries besides the file (its other fields, the multipart framing).
FORM_SLACK = 64 * 1024


def _rows(state: ConsoleState, now: float) -> list[dict[str, Any]]:
    newest = select(Publication).order_by(Publication.id.desc()).limit(SHOWN)
    with state.db.session() as session:
        publications = list(session.scalars(newest))
    return [
        {"publication": row, "progress": progress(state.settings, state.db, row, now)} for row in publications
    ]


def _page(
    request: Request,
    *,
    status_code: int = 200,
    scope: str = "all",
    name: str = "",
    content: str | None = None,
    config_error: str = "",
    catalogue_error: str = "",
) -> Response:
    state = console_state(request)
    off = ""
    if scope not in SCOPES:
        scope = "all"
    try:
        loaded = published_config(state.settings, scope, name) if content is None else content
    except PublishingOff as error:
        off, loaded = str(error), ""
    except RolloutError as error:
        config_error, loaded = str(error), ""
    now = time.time()
    return render(
        request,
        "publishing.html",
        status_code=status_code,
        area="publishing",
        off=off,
        scope=scope,
        name=name,
        content=loaded,
        config_error=config_error,
        catalogue_error=catalogue_error,
        rows=[] if off else _rows(state, now),
    )


async def publishing_page(request: Request) -> Response:
    require(request, Role.PUBLISHER)
    query = request.query_params
    return _page(request, scope=query.get("scope", "all"), name=query.get("name", ""))


def _too_large(request: Request, limit: int) -> Response:
    megabytes = f"{limit / 1_000_000:g}"
    words = f"the catalogue is larger than the console takes ({megabytes} MB: setting max_upload_bytes)"
    return _page(request, status_code=413, catalogue_error=words)


async def publish_catalogue(request: Request) -> Response:
    """A catalogue upload: its size is checked by Content-Length before the form is parsed (the
    parser spools the file to a temporary file, not memory), and again once parsed; only then is it
    read (the kiosk's checks and the repository take it whole)."""
    require(request, Role.PUBLISHER)
    limit = console_state(request).settings.max_upload_bytes
    declared = request.headers.get("content-length", "")
    if not declared.isdigit():
        raise HTTPException(411, "an upload must say its length (Content-Length)")
    if int(declared) > limit + FORM_SLACK:
        return _too_large(request, limit)
    who, form = await checked_form(request, Role.PUBLISHER)
    upload = form.get("catalogue")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _page(
            request, status_code=400, catalogue_error="choose a catalogue file (JSON Lines) to upload"
        )
    if upload.size is None or upload.size > limit:
        return _too_large(request, limit)
    data = await upload.read()
    start = partial(_start, request, who, kind="catalogue", scope="all", name="", data=data)
    try:
        await run_in_threadpool(
            start, direct=form.get("direct") == "on", allow_shrink=form.get("shrink") == "on"
        )
    except RolloutError as error:
        return _page(request, status_code=400, catalogue_error=str(error))
    return RedirectResponse("/publishing", status_code=303)


async def publish_config(request: Request) -> Response:
    who, form = await checked_form(request, Role.PUBLISHER)
    scope = str(form.get("scope", "all"))
    name = str(form.get("name", "")).strip()
    content = str(form.get("content", "")).replace("\r\n", "\n")
    start = partial(_start, request, who, kind="config", scope=scope, name=name, data=content.encode("utf-8"))
    try:
        await run_in_threadpool(start, direct=form.get("direct") == "on", allow_shrink=False)
    except RolloutError as error:
        kept = {"scope": scope, "name": name, "content": content}
        return _page(request, status_code=400, config_error=str(error), **kept)
    return RedirectResponse("/publishing", status_code=303)


def _start(request: Request, who: Visitor, **release: Any) -> Publication:
    state = console_state(request)
    return start_rollout(state.settings, state.db, who.username, address=who.address, **release)


async def finish(request: Request) -> Response:
    who, _form = await checked_form(request, Role.PUBLISHER)
    state = console_state(request)
    publication_id = int(request.path_params["id"])
    verb = request.path_params["verb"]
    if verb not in {"promote", "abort"}:
        raise HTTPException(404, "Not Found")
    step = promote if verb == "promote" else abort
    reason = f"{'promoted' if verb == 'promote' else 'stopped'} by {who.username}"
    try:
        done = await run_in_threadpool(
            lambda: step(
                state.settings,
                state.db,
                publication_id,
                actor=who.username,
                reason=reason,
                address=who.address,
            )
        )
    except RolloutError as error:
        raise HTTPException(409, str(error)) from error
    if not done:
        raise HTTPException(409, "this publication is not rolling out any more")
    return RedirectResponse("/publishing", status_code=303)


async def rollout_progress(request: Request) -> Response:
    """The rollouts' progress for the page's live refresh (console.js polls it)."""
    require(request, Role.PUBLISHER)
    state = console_state(request)
    now = time.time()
    rows = [] if state.settings.repository is None else _rows(state, now)
    answer = {
        str(row["publication"].id): {
            "state": row["publication"].state,
            "reason": row["publication"].reason,
            "ready": row["progress"].ready,
            "total": row["progress"].total,
            "soak_left": row["progress"].soak_left,
            "deadline_left": row["progress"].deadline_left,
            "rolling": row["publication"].state == PublicationState.CANARY.value,
        }
        for row in rows
    }
    return JSONResponse(answer, headers={"Cache-Control": "no-store"})


routes = [
    Route("/publishing", publishing_page, methods=["GET"]),
    Route("/publishing/progress", rollout_progress, methods=["GET"]),
    Route("/publishing/catalogue", publish_catalogue, methods=["POST"]),
    Route("/publishing/config", publish_config, methods=["POST"]),
    Route("/publishing/{id:int}/{verb:str}", finish, methods=["POST"]),
]
