"""What every request of one console process shares: settings, the database, templates, the channel."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.templating import Jinja2Templates

from console.db import Database
from console.published import PublishedReader
from console.settings import ConsoleSettings


@dataclass
class ConsoleState:
    settings: ConsoleSettings
    db: Database
    templates: Jinja2Templates
    #: What the fleet's repository publishes (for drift and rollouts), re-read when it changes.
    published: PublishedReader = field(default_factory=lambda: PublishedReader(None))
    #: The process's link to the fleet's broker (console.channel), None without a broker.
    channel: Any = None
    #: Background work of this process (ingest, alerts, rollouts), started with the app.
    background: list[Any] = field(default_factory=list)


def console_state(request: Request) -> ConsoleState:
    return request.app.state.console  # type: ignore[no-any-return]
