"""The alerts page: what is open now, what closed lately, and whether the webhook took each one."""

from __future__ import annotations

import time

from starlette.testclient import TestClient

from console.db import Database
from console.models import Alert, Role
from tests.console.web import add_account, sign_in


def alerts(db: Database) -> None:
    now = time.time()
    with db.session() as session:
        session.add_all(
            [
                Alert(kiosk_id="wh-001", kind="lost", detail="", opened_at=now - 900, notified_at=now - 890),
                Alert(
                    kiosk_id="wh-002",
                    kind="device_fault",
                    detail="printer: media-empty",
                    opened_at=now - 1800,
                    notify_error="webhook answered 502",
                ),
                Alert(
                    kiosk_id="wh-003",
                    kind="sync_failing",
                    detail="repository unreachable",
                    opened_at=now - 86400,
                    closed_at=now - 3600,
                ),
                Alert(
                    kiosk_id="wh-004",
                    kind="offline",
                    detail="",
                    opened_at=now - 40 * 86400,
                    closed_at=now - 30 * 86400,
                ),
            ]
        )


def test_open_and_recently_closed_alerts_are_shown(console_client: TestClient, console_db: Database) -> None:
    alerts(console_db)
    add_account(console_db, "li", Role.VIEWER)
    sign_in(console_client, "li")
    console_client.cookies.set("lang", "en")
    page = console_client.get("/alerts")
    assert page.status_code == 200
    html = page.text
    opened, closed = html.split("Closed in the last", 1)
    assert "wh-001" in opened and "wh-002" in opened and "printer: media-empty" in opened
    assert 'href="/kiosks/wh-002"' in opened
    assert "webhook answered 502" in opened
    assert "wh-003" in closed and "repository unreachable" in closed
    assert "wh-004" not in html  # closed a month ago


def test_alerts_filter_by_kind(console_client: TestClient, console_db: Database) -> None:
    alerts(console_db)
    add_account(console_db, "li", Role.VIEWER)
    sign_in(console_client, "li")
    page = console_client.get("/alerts?kind=device_fault").text
    assert "wh-002" in page and "wh-001" not in page and "wh-003" not in page
    # An unknown kind shows them all rather than nothing.
    assert "wh-001" in console_client.get("/alerts?kind=nonsense").text


def test_the_alerts_speak_chinese(console_client: TestClient, console_db: Database) -> None:
    alerts(console_db)
    add_account(console_db, "li", Role.VIEWER)
    sign_in(console_client, "li")
    console_client.cookies.set("lang", "zh_CN")
    page = console_client.get("/alerts").text
    assert "失联" in page and "设备故障" in page and "未发送" in page
