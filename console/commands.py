"""Commands to kiosks: signed with the command key for one kiosk, published on the fleet channel
(QoS 1), kept as a Command row in state `sent` until the kiosk's result answers it (console.channel)
or it expires unanswered (`expire_commands`, a periodic job). Every command is audited."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy import update

from console import audit
from console.background import Job
from console.channel import ChannelDown
from console.models import Command, CommandState, Kiosk
from kiosk.fleet.commands import CommandName, private_key_from_text, sign_command
from kiosk.fleet.forms import Topics, encode
from kiosk.fleet.orders import LOG_LINES_MAX

if TYPE_CHECKING:
    from console.web.state import ConsoleState
    from console.web.visitor import Visitor

log = logging.getLogger(__name__)

#: How long a command may wait for its kiosk: long enough for a screenshot, logs or a reboot to
#: answer, short enough that a command found later (a kiosk back after an outage) is not carried out.
TTL = 120.0
#: `logs`: how many lines when none is said; the most is the kiosk's own LOG_LINES_MAX (it refuses more).
LOG_LINES_DEFAULT = 200


class CommandNotSent(Exception):
    """The command could not be sent; the message says why in a sentence for the administrator."""

    #: The HTTP status a page answers with: the console cannot send commands now.
    status = 503


class BadCommand(CommandNotSent):
    """The command or its arguments are wrong (the form was changed)."""

    status = 400


def command_args(command: str, raw: dict[str, Any]) -> dict[str, Any]:
    """The arguments `command` takes, checked (CommandNotSent when they are wrong)."""
    try:
        name = CommandName(command)
    except ValueError:
        raise BadCommand(f"unknown command {command[:40]!r}") from None
    if name is not CommandName.LOGS:
        return {}
    lines = raw.get("lines", LOG_LINES_DEFAULT)
    try:
        count = int(lines)
    except (TypeError, ValueError):
        raise BadCommand("the number of log lines must be a whole number") from None
    if not 1 <= count <= LOG_LINES_MAX:
        raise BadCommand(f"the number of log lines must be between 1 and {LOG_LINES_MAX}")
    return {"lines": count}


def issue_command(
    state: ConsoleState, who: Visitor, kiosk_id: str, command: str, args: dict[str, Any]
) -> Command:
    """Sign `command` for `kiosk_id`, record it (state sent) with its audit entry, and publish it.

    Raises CommandNotSent, saying why, when there is no command key, no broker, no such kiosk, or
    the broker did not take it (the row is then `failed` with the reason: the attempt stays audited).
    """
    settings = state.settings
    checked = command_args(command, args)
    if settings.command_key is None:
        raise CommandNotSent("no command key is configured (--command-key): the console cannot sign commands")
    try:
        key = private_key_from_text(settings.command_key.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise CommandNotSent(f"the command key {settings.command_key} cannot be read: {error}") from error
    channel = state.channel
    if channel is None:
        raise CommandNotSent("no broker is configured (--broker): commands cannot reach kiosks")
    signed = sign_command(key, command, checked, ttl=TTL, kiosk=kiosk_id)
    row = Command(
        req=signed["req"],
        kiosk_id=kiosk_id,
        command=command,
        args=checked,
        issued_by=who.username,
        issued_at=float(signed["issued_at"]),
        expires_at=float(signed["expires_at"]),
        state=CommandState.SENT.value,
    )
    # Recorded before it is published: the result may come back before this function returns.
    with state.db.session() as db:
        if db.get(Kiosk, kiosk_id) is None:
            raise CommandNotSent(f"no kiosk {kiosk_id!r} is known to the console")
        db.add(row)
        audit.record(
            db,
            who.username,
            "command",
            f"kiosk:{kiosk_id}",
            address=who.address,
            command=command,
            args=checked,
            req=row.req,
        )
    try:
        channel.publish(Topics(kiosk_id).command(row.req), encode(signed))
    except ChannelDown as error:
        reason = str(error)
        with state.db.session() as db:
            db.execute(
                update(Command)
                .where(Command.req == row.req, Command.state == CommandState.SENT.value)
                .values(state=CommandState.FAILED.value, error=f"not sent: {reason}")
            )
        log.warning("command %s to %s not sent: %s", command, kiosk_id, reason)
        raise CommandNotSent(f"the broker did not take the command: {reason}") from error
    return row


def expire_commands(state: ConsoleState, now: float) -> int:
    """Mark commands still unanswered past their expiry as expired; returns how many. Safe in
    several processes at once (the row's state is the condition)."""
    with state.db.session() as db:
        done = db.execute(
            update(Command)
            .where(Command.state == CommandState.SENT.value, Command.expires_at < now)
            .values(state=CommandState.EXPIRED.value, error="expired: no answer from the kiosk in time")
        )
        return int(getattr(done, "rowcount", 0) or 0)


def expiry_job() -> Job:
    """The periodic job that expires unanswered commands."""

    def run(state: ConsoleState, now: float) -> None:
        expired = expire_commands(state, now)
        if expired:
            log.info("%d command(s) expired unanswered", expired)

    return Job("commands-expiry", 5.0, run)
