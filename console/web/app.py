"""The console's web application: Starlette, Jinja2 templates, one route module per area."""

from __future__ import annotations

import importlib
import pkgutil
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from jinja2 import Environment, FileSystemLoader
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import console.web
from console.background import Periodic, jobs, webhook_jobs
from console.db import Database
from console.published import PublishedReader
from console.settings import ConsoleSettings
from console.web.pages import render
from console.web.state import ConsoleState
from console.web.visitor import SignInNeeded, require

PACKAGE = Path(__file__).resolve().parent.parent
#: No inline script or style, nothing from another origin: a page can run only the console's own file.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def area_routes() -> list[BaseRoute]:
    """The routes of every area module in console.web (each module's `routes`)."""
    found: list[BaseRoute] = []
    for module in sorted(pkgutil.iter_modules(console.web.__path__), key=lambda m: m.name):
        loaded = importlib.import_module(f"console.web.{module.name}")
        found.extend(getattr(loaded, "routes", []))
    return found


async def home(request: Request) -> Response:
    require(request)
    return RedirectResponse("/fleet", status_code=303)


async def _sign_in_needed(request: Request, _exc: Exception) -> Response:
    if request.headers.get("accept", "").startswith("text/event-stream") or request.method != "GET":
        return Response("sign in first", status_code=401)
    return RedirectResponse(f"/signin?next={request.url.path}", status_code=303)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return render(
        request, "error.html", status_code=exc.status_code, status=exc.status_code, detail=exc.detail
    )


class SecurityHeaders:
    """Headers every response carries (CSP, no framing, no sniffing, no referrer)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                headers.extend(
                    [
                        (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
                        (b"x-frame-options", b"DENY"),
                        (b"x-content-type-options", b"nosniff"),
                        (b"referrer-policy", b"no-referrer"),
                    ]
                )
            await send(message)

        await self.app(scope, receive, send_with_headers)


class ServerTiming:
    """`Server-Timing: app;dur=<ms>` on every response: the time the console spent on the request,
    as a browser's developer tools and the benchmark (bench/console.py) read it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()

        async def send_with_timing(message: Message) -> None:
            if message["type"] == "http.response.start":
                spent = (time.perf_counter() - began) * 1000
                message.setdefault("headers", []).append((b"server-timing", f"app;dur={spent:.1f}".encode()))
            await send(message)

        await self.app(scope, receive, send_with_timing)


def create_app(
    settings: ConsoleSettings, *, background: bool = True, db: Database | None = None
) -> Starlette:
    """The console for `settings`; `background` starts the channel and the periodic jobs with it."""
    database = db or Database(settings.database_url)
    environment = Environment(loader=FileSystemLoader(PACKAGE / "templates"), autoescape=True)
    templates = Jinja2Templates(env=environment)
    state = ConsoleState(
        settings=settings, db=database, templates=templates, published=PublishedReader(settings.repository)
    )

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if background:
            start_background(state)
        try:
            yield
        finally:
            stop_background(state)

    app = Starlette(
        routes=[
            Route("/", home),
            *area_routes(),
            Mount("/static", StaticFiles(directory=str(PACKAGE / "static")), name="static"),
        ],
        exception_handlers={SignInNeeded: _sign_in_needed, HTTPException: _http_error},
        lifespan=lifespan,
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(ServerTiming)
    app.state.console = state
    return app


def start_background(state: ConsoleState) -> None:
    """The fleet channel (when a broker is set) and the periodic jobs."""
    if state.settings.broker:
        from console.channel import ConsoleChannel

        channel = ConsoleChannel(state.settings, state.db)
        channel.start()
        state.channel = channel
        state.background.append(channel)
    for periodic in (Periodic(state, jobs()), Periodic(state, webhook_jobs(), name="console-webhook")):
        periodic.start()
        state.background.append(periodic)


def stop_background(state: ConsoleState) -> None:
    for worker in state.background:
        worker.stop()
    state.background.clear()
    state.channel = None
