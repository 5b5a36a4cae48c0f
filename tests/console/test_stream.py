"""The fleet page's live stream (/fleet/stream, server-sent events), read in this process: the
summary comes first, a changed row arrives as its rendered table row, a kiosk falling silent
arrives as lost, the cursor resumes, and the stream ends when the client goes."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from console.db import Database
from console.models import Role
from tests.console.fleet_rows import add_kiosk, change_kiosk
from tests.console.web import add_account, sign_in

Event = dict[str, str]


def parse(text: str) -> list[Event]:
    events = []
    for block in text.split("\n\n"):
        fields: Event = {}
        for line in block.splitlines():
            name, _, value = line.partition(": ")
            fields[name] = value
        if "event" in fields:
            events.append(fields)
    return events


def read_stream(
    client: TestClient,
    path: str,
    until: Callable[[list[Event]], bool],
    *,
    on_event: Callable[[list[Event]], None] = lambda _events: None,
    headers: dict[str, str] | None = None,
    seconds: float = 10.0,
) -> tuple[int, dict[str, str], list[Event]]:
    """Drive the app as a server would, until `until(events)`; then the client goes away."""
    target, _, query = path.partition("?")
    cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    sent = [(b"cookie", cookie.encode()), (b"accept", b"text/event-stream")]
    sent += [(name.lower().encode(), value.encode()) for name, value in (headers or {}).items()]
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "https",
        "path": target,
        "raw_path": target.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": sent,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 443),
    }
    status: list[int] = []
    answer_headers: dict[str, str] = {}
    body: list[str] = []

    async def run() -> None:
        gone = asyncio.Event()

        async def receive() -> dict[str, Any]:
            await gone.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
                answer_headers.update({k.decode(): v.decode() for k, v in message["headers"]})
            elif message["type"] == "http.response.body":
                body.append(message.get("body", b"").decode())
                events = parse("".join(body))
                on_event(events)
                if until(events) or not message.get("more_body", False):
                    gone.set()

        await asyncio.wait_for(client.app(scope, receive, send), seconds)

    asyncio.run(run())
    return status[0], answer_headers, parse("".join(body))


@pytest.fixture
def viewer(console_client: TestClient, console_db: Database) -> TestClient:
    add_account(console_db, "li", Role.VIEWER)
    sign_in(console_client, "li")
    console_client.cookies.set("lang", "en")
    return console_client


def test_the_stream_needs_a_sign_in(console_client: TestClient) -> None:
    status, _headers, events = read_stream(console_client, "/fleet/stream", lambda _events: True)
    assert status == 401 and events == []


def test_the_summary_comes_first_and_a_changed_row_arrives(viewer: TestClient, console_db: Database) -> None:
    # Changed before the page was read (and past the stream's slack behind the cursor).
    add_kiosk(console_db, "k-1", updated_at=time.time() - 10)
    add_kiosk(console_db, "k-2", state="offline", updated_at=time.time() - 10)
    since = time.time() - 5
    changed = []

    def change_once(events: list[Event]) -> None:
        if any(event["event"] == "summary" for event in events) and not changed:
            change_kiosk(
                console_db,
                "k-2",
                state="online",
                last_seen=time.time(),
                problems=["printer: media-jam"],
                fault_since=time.time(),
            )
            changed.append(True)

    status, headers, events = read_stream(
        viewer,
        f"/fleet/stream?since={since!r}",
        lambda events: sum(event["event"] == "summary" for event in events) >= 2,
        on_event=change_once,
    )
    assert status == 200 and headers["content-type"].startswith("text/event-stream")
    assert headers["cache-control"] == "no-store"
    first = json.loads(events[0]["data"])
    assert events[0]["event"] == "summary" and first["online"] == 1 and first["offline"] == 1
    kiosks = [json.loads(event["data"]) for event in events if event["event"] == "kiosk"]
    assert [row["id"] for row in kiosks] == ["k-2"]
    assert '<tr id="kiosk-k-2"' in kiosks[0]["html"] and "printer: media-jam" in kiosks[0]["html"]
    assert 'class="pill online"' in kiosks[0]["html"]
    second = json.loads([event for event in events if event["event"] == "summary"][1]["data"])
    assert second["online"] == 2 and second["offline"] == 0 and second["faults"] == 1
    assert float(events[-1]["id"]) >= since


def test_a_kiosk_falling_silent_arrives_as_lost_by_the_consoles_clock(
    viewer: TestClient, console_db: Database
) -> None:
    state = viewer.app.state.console  # type: ignore[attr-defined]
    state.settings = state.settings.model_copy(update={"stale_after": 1.5})
    add_kiosk(console_db, "k-quiet", last_seen=time.time(), updated_at=time.time() - 60)
    _status, _headers, events = read_stream(
        viewer,
        f"/fleet/stream?since={time.time()!r}",
        lambda events: any(event["event"] == "kiosk" for event in events),
    )
    [row] = [json.loads(event["data"]) for event in events if event["event"] == "kiosk"]
    assert row["id"] == "k-quiet" and 'class="pill lost"' in row["html"] and "silent since" in row["html"]
    assert json.loads([event for event in events if event["event"] == "summary"][-1]["data"])["lost"] == 1


def test_last_event_id_resumes_after_what_the_client_has(viewer: TestClient, console_db: Database) -> None:
    add_kiosk(console_db, "k-old", updated_at=time.time() - 100)
    add_kiosk(console_db, "k-new", updated_at=time.time())
    _status, _headers, events = read_stream(
        viewer,
        "/fleet/stream?since=0",
        lambda events: any(event["event"] == "summary" for event in events),
        headers={"Last-Event-ID": repr(time.time() - 50)},
    )
    assert [json.loads(event["data"])["id"] for event in events if event["event"] == "kiosk"] == ["k-new"]


def test_the_stream_ends_when_the_session_is_closed(
    viewer: TestClient, console_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import delete

    from console.models import WebSession
    from console.web import fleet_stream

    monkeypatch.setattr(fleet_stream, "SESSION_CHECK", 0.5)
    signed_out = []

    def sign_out_elsewhere(events: list[Event]) -> None:
        if events and not signed_out:
            with console_db.session() as db:
                db.execute(delete(WebSession))
            signed_out.append(time.monotonic())

    started = time.monotonic()
    _status, _headers, events = read_stream(
        viewer, "/fleet/stream", lambda _events: False, on_event=sign_out_elsewhere, seconds=8
    )
    assert signed_out and events[0]["event"] == "summary"
    assert time.monotonic() - started < 5


def test_only_the_rows_the_page_shows_are_sent(viewer: TestClient, console_db: Database) -> None:
    for kiosk_id in ("k-1", "k-2", "k-3"):
        add_kiosk(console_db, kiosk_id, updated_at=time.time())
    _status, _headers, events = read_stream(
        viewer,
        "/fleet/stream?since=0&ids=k-1,k-3",
        lambda events: any(event["event"] == "summary" for event in events),
    )
    assert sorted(json.loads(event["data"])["id"] for event in events if event["event"] == "kiosk") == [
        "k-1",
        "k-3",
    ]
    assert json.loads(events[-1]["data"])["total"] == 3
