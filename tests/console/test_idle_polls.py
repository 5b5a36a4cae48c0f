"""The idle timeout: what a page asks by itself (console.js's polls, marked X-Console-Background: 1,
and the fleet's server-sent events) does not extend a session; what the administrator opens does."""

from __future__ import annotations

import time

from sqlalchemy import select, update
from starlette.testclient import TestClient

from console.db import Database
from console.models import Kiosk, Role, WebSession
from console.settings import ConsoleSettings
from tests.console.web import add_account, sign_in

BACKGROUND = {"X-Console-Background": "1"}
#: How the fleet stream's EventSource asks (it cannot carry a header of its own).
STREAM = {"Accept": "text/event-stream"}


def idle_for(db: Database, seconds: float) -> None:
    """Make every session look untouched for `seconds` more than it was."""
    with db.session() as session:
        session.execute(update(WebSession).values(last_seen=WebSession.last_seen - seconds))


def idle_time(db: Database) -> float:
    with db.session() as session:
        return time.time() - session.scalars(select(WebSession.last_seen)).one()


def test_polls_do_not_keep_an_idle_session_open(
    console_client: TestClient, console_db: Database, console_settings: ConsoleSettings
) -> None:
    add_account(console_db, "pub", Role.PUBLISHER)
    sign_in(console_client, "pub")
    with console_db.session() as session:
        session.add(Kiosk(id="k-1"))
    idle = console_settings.session_idle
    idle_for(console_db, idle - 30)
    for path, headers in (
        ("/publishing/progress", BACKGROUND),
        ("/kiosks/k-1/commands", BACKGROUND),
        ("/publishing/progress", STREAM),
    ):
        assert console_client.get(path, headers=headers).status_code == 200, path
        assert idle_time(console_db) >= idle - 31, f"{path} counted as activity"
    # Forty seconds on, the tab still polling: the session has ended.
    idle_for(console_db, 40)
    answer = console_client.get("/publishing/progress", headers=BACKGROUND)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/signin")
    with console_db.session() as session:
        assert session.scalars(select(WebSession)).all() == []


def test_a_page_the_administrator_opens_extends_the_session(
    console_client: TestClient, console_db: Database, console_settings: ConsoleSettings
) -> None:
    add_account(console_db, "pub", Role.PUBLISHER)
    sign_in(console_client, "pub")
    idle_for(console_db, console_settings.session_idle - 30)
    assert console_client.get("/publishing").status_code == 200
    assert idle_time(console_db) < 5
