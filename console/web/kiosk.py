"""One kiosk's page: what it reports, its telemetry, its events, the commands sent to it with their
results (a screenshot shown, logs as text), buttons for commands (operator) and its audit trail."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import func, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from console.commands import LOG_LINES_DEFAULT, CommandNotSent, issue_command
from console.models import AuditEntry, Command, CommandState, Kiosk, KioskEvent, Role
from console.web.fleet import channel_trouble, expected_for, shown
from console.web.pages import render
from console.web.state import console_state
from console.web.visitor import checked_form, require
from kiosk.fleet.commands import CommandName
from kiosk.fleet.orders import LOG_LINES_MAX

EVENTS_PER_PAGE = 50
COMMANDS_SHOWN = 20
AUDIT_SHOWN = 50
#: The buttons, in order: the command and whether it asks for confirmation first.
BUTTONS = (
    (CommandName.SYNC_NOW, False),
    (CommandName.RESTART_UI, True),
    (CommandName.BLANK, False),
    (CommandName.UNBLANK, False),
    (CommandName.SCREENSHOT, False),
    (CommandName.REBOOT, True),
)


#: Words for what the channel names with identifiers (translated through the .po like the rest).
COMMAND_WORDS = {
    "sync_now": "Sync now",
    "restart_ui": "Restart UI",
    "blank": "Blank the screen",
    "unblank": "Unblank the screen",
    "screenshot": "Screenshot",
    "logs": "Logs",
    "reboot": "Reboot",
}
DEVICE_WORDS = {
    "printer": "Printer",
    "id_reader": "ID card reader",
    "sscard_reader": "Social security card reader",
    "scanner": "QR code scanner",
}
EVENT_WORDS = {
    "printer_paper_out": "Printer out of paper",
    "printer_jammed": "Printer jammed",
    "printer_back": "Printer back",
    "printer_lost": "Printer lost",
    "reader_lost": "Reader lost",
    "reader_back": "Reader back",
    "sync_failed": "Sync failed",
    "technician_mode_entered": "Technician mode entered",
    "reboot_failed": "Reboot failed",
    "events_dropped": "Events dropped",
    "service_rated": "Service rated",
}
SCREEN_WORDS = {
    "attract": "Attract screen",
    "in_use": "In use",
    "blank": "Blank",
    "technician": "Technician mode",
}


def _page_number(value: str | None) -> int:
    try:
        return max(1, int(value or "1"))
    except ValueError:
        return 1


def _commands(db: Any, kiosk_id: str) -> list[Command]:
    return list(
        db.scalars(
            select(Command)
            .where(Command.kiosk_id == kiosk_id)
            .order_by(Command.issued_at.desc(), Command.req)
            .limit(COMMANDS_SHOWN)
        ).all()
    )


def _kiosk_or_404(db: Any, kiosk_id: str) -> Kiosk:
    kiosk = db.get(Kiosk, kiosk_id)
    if kiosk is None:
        raise HTTPException(404, "No such kiosk is known to the console.")
    return kiosk  # type: ignore[no-any-return]


def _kiosk_page(request: Request, kiosk_id: str, status_code: int = 200, error: str = "") -> Response:
    state = console_state(request)
    events_page = _page_number(request.query_params.get("events"))
    published = state.published.read()
    cutoff = time.time() - state.settings.stale_after
    with state.db.session() as db:
        kiosk = _kiosk_or_404(db, kiosk_id)
        of_kiosk = KioskEvent.kiosk_id == kiosk_id
        event_count = int(db.scalar(select(func.count()).select_from(KioskEvent).where(of_kiosk)) or 0)
        events = db.scalars(
            select(KioskEvent)
            .where(of_kiosk)
            .order_by(KioskEvent.at.desc(), KioskEvent.id.desc())
            .offset((events_page - 1) * EVENTS_PER_PAGE)
            .limit(EVENTS_PER_PAGE)
        ).all()
        commands = _commands(db, kiosk_id)
        trail = db.scalars(
            select(AuditEntry)
            .where(AuditEntry.target == f"kiosk:{kiosk_id}")
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(AUDIT_SHOWN)
        ).all()
    expected_catalogue, expected_config = expected_for(published, kiosk.id, kiosk.group)
    return render(
        request,
        "kiosk.html",
        status_code=status_code,
        area="fleet",
        r=shown(kiosk, published, cutoff),
        k=kiosk,
        k_id=kiosk.id,
        expected_catalogue=expected_catalogue,
        expected_config=expected_config,
        events=events,
        events_page=events_page,
        events_pages=max(1, -(-event_count // EVENTS_PER_PAGE)),
        commands=commands,
        pending=any(command.state == CommandState.SENT.value for command in commands),
        trail=trail,
        buttons=BUTTONS,
        device_words=DEVICE_WORDS,
        events_words=EVENT_WORDS,
        screen_words=SCREEN_WORDS,
        command_words=COMMAND_WORDS,
        log_lines_default=LOG_LINES_DEFAULT,
        log_lines_max=LOG_LINES_MAX,
        error=error,
        commands_possible=_commands_possible(request),
        channel_trouble=channel_trouble(state),
    )


def _commands_possible(request: Request) -> str:
    """Why commands cannot be sent from this console ("" when they can)."""
    state = console_state(request)
    if state.settings.command_key is None:
        return "No command key is configured: this console cannot sign commands."
    if state.channel is None:
        return "No broker is configured: commands cannot reach kiosks."
    return ""


async def kiosk_page(request: Request) -> Response:
    require(request, Role.VIEWER)
    return _kiosk_page(request, request.path_params["kiosk_id"])


async def commands_fragment(request: Request) -> Response:
    """The commands and their results, for the page to follow them live (console.js polls it)."""
    require(request, Role.VIEWER)
    kiosk_id = request.path_params["kiosk_id"]
    state = console_state(request)
    with state.db.session() as db:
        _kiosk_or_404(db, kiosk_id)
        commands = _commands(db, kiosk_id)
    return render(
        request,
        "kiosk_commands.html",
        k_id=kiosk_id,
        command_words=COMMAND_WORDS,
        commands=commands,
        pending=any(command.state == CommandState.SENT.value for command in commands),
    )


async def send_command(request: Request) -> Response:
    who, form = await checked_form(request, Role.OPERATOR)
    kiosk_id = request.path_params["kiosk_id"]
    state = console_state(request)
    with state.db.session() as db:
        _kiosk_or_404(db, kiosk_id)
    command = str(form.get("command", ""))
    args: dict[str, Any] = {}
    if command == CommandName.LOGS.value:
        args["lines"] = str(form.get("lines", LOG_LINES_DEFAULT))
    try:
        issue_command(state, who, kiosk_id, command, args)
    except CommandNotSent as error:
        return _kiosk_page(request, kiosk_id, status_code=error.status, error=str(error))
    return RedirectResponse(f"/kiosks/{kiosk_id}#commands", status_code=303)


async def screenshot(request: Request) -> Response:
    require(request, Role.VIEWER)
    kiosk_id = request.path_params["kiosk_id"]
    state = console_state(request)
    with state.db.session() as db:
        command = db.get(Command, request.path_params["req"])
        png = command.png if command is not None and command.kiosk_id == kiosk_id else None
    if png is None:
        raise HTTPException(404, "No such screenshot.")
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})


routes = [
    Route("/kiosks/{kiosk_id}", kiosk_page, methods=["GET"]),
    Route("/kiosks/{kiosk_id}/commands", commands_fragment, methods=["GET"]),
    Route("/kiosks/{kiosk_id}/commands", send_command, methods=["POST"]),
    Route("/kiosks/{kiosk_id}/screenshots/{req}.png", screenshot, methods=["GET"]),
]
