"""One kiosk's page: what it reports, its events newest first and paged, the commands sent to it
with their results (logs as text, a screenshot as an image, no-store), its audit trail; 404 for a
kiosk the console does not know."""

from __future__ import annotations

import re
import time

import pytest
from starlette.testclient import TestClient

from console import audit
from console.db import Database
from console.models import Command, KioskEvent, Role
from tests.console.fleet_rows import add_kiosk
from tests.console.web import add_account, sign_in

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

REPORTED = {
    "software": {"version": "2.4.1"},
    "catalogue": {"version": 12, "guides": 80},
    "config": {"version": "all=aaaaaaaaaaaa"},
    "devices": {
        "printer": {"state": "stopped", "reasons": ["media-empty"]},
        "id_reader": {"state": "absent", "reason": "no USB device 1a2b:3c4d"},
    },
    "screen": "attract",
    "disk": {"free": 12_000_000_000, "total": 64_000_000_000},
    "clock": {"synchronized": True, "timezone": "Asia/Shanghai"},
}


@pytest.fixture
def viewer(console_client: TestClient, console_db: Database) -> TestClient:
    add_account(console_db, "li", Role.VIEWER)
    sign_in(console_client, "li")
    console_client.cookies.set("lang", "en")
    return console_client


def add_command(db: Database, req: str, command: str, state: str, at: float, **values: object) -> None:
    with db.session() as session:
        session.add(
            Command(
                req=req,
                kiosk_id="k-7",
                command=command,
                args={},
                issued_by="zhang",
                issued_at=at,
                expires_at=at + 120,
                state=state,
                **values,
            )
        )


def test_an_unknown_kiosk_is_404(viewer: TestClient) -> None:
    answer = viewer.get("/kiosks/k-nowhere")
    assert answer.status_code == 404
    assert "No such kiosk" in answer.text
    assert viewer.get("/kiosks/k-nowhere/screenshots/abc.png").status_code == 404


def test_the_page_shows_what_the_kiosk_reports(viewer: TestClient, console_db: Database) -> None:
    add_kiosk(
        console_db,
        "k-7",
        site="Huancui Hall",
        group="east",
        reported=REPORTED,
        telemetry={"uptime": {"process": 3600}, "visits_today": 4},
        software="2.4.1",
        catalogue_version=12,
        problems=["printer: media-empty", "id_reader: absent"],
        fault_since=time.time() - 300,
        sync_error="repository unreachable",
    )
    page = viewer.get("/kiosks/k-7")
    assert page.status_code == 200
    text = page.text
    for shown in (
        "Huancui Hall",
        "east",
        "media-empty",
        "no USB device 1a2b:3c4d",
        "12.0 / 64.0 GB",
        "Asia/Shanghai",
        "2.4.1",
        "repository unreachable",
        "process: 3600",
    ):
        assert shown in text, shown
    assert 'class="pill online"' in text


def test_events_newest_first_and_paged(viewer: TestClient, console_db: Database) -> None:
    add_kiosk(console_db, "k-7")
    now = time.time()
    with console_db.session() as db:
        for n in range(60):
            db.add(
                KioskEvent(
                    kiosk_id="k-7",
                    type="printer_paper_out",
                    at=now - 1000 + n,
                    details={"n": n},
                    received_at=now,
                )
            )
        db.add(KioskEvent(kiosk_id="k-8", type="reader_lost", at=now, details={}, received_at=now))
    first = viewer.get("/kiosks/k-7").text
    numbers = [int(n) for n in re.findall(r"<td>n: (\d+)</td>", first)]
    assert numbers == list(range(59, 9, -1))
    assert "reader_lost" not in first
    assert 'href="/kiosks/k-7?events=2#events"' in first
    second = viewer.get("/kiosks/k-7?events=2").text
    assert [int(n) for n in re.findall(r"<td>n: (\d+)</td>", second)] == list(range(9, -1, -1))


def test_commands_with_their_results_logs_as_text_and_a_screenshot(
    viewer: TestClient, console_db: Database
) -> None:
    add_kiosk(console_db, "k-7")
    now = time.time()
    add_command(
        console_db,
        "r-logs",
        "logs",
        "ok",
        now - 30,
        result={"lines": ["started <ui>", "printer idle"]},
        answered_at=now - 29,
    )
    add_command(console_db, "r-shot", "screenshot", "ok", now - 20, png=PNG, answered_at=now - 18)
    add_command(
        console_db, "r-busy", "screenshot", "failed", now - 10, error="busy: a resident is using the kiosk"
    )
    add_command(console_db, "r-wait", "sync_now", "sent", now - 1)
    page = viewer.get("/kiosks/k-7").text
    assert "started &lt;ui&gt;\nprinter idle" in page
    assert '<img class="screenshot" src="/kiosks/k-7/screenshots/r-shot.png"' in page
    assert "busy: a resident is using the kiosk" in page
    assert re.findall(r'<tr id="command-([^"]+)"', page) == ["r-wait", "r-busy", "r-shot", "r-logs"]
    assert 'data-pending="1"' in page
    image = viewer.get("/kiosks/k-7/screenshots/r-shot.png")
    assert image.status_code == 200 and image.content == PNG
    assert image.headers["content-type"] == "image/png" and image.headers["cache-control"] == "no-store"
    assert viewer.get("/kiosks/k-8/screenshots/r-shot.png").status_code == 404


def test_the_commands_fragment_follows_a_result(viewer: TestClient, console_db: Database) -> None:
    add_kiosk(console_db, "k-7")
    add_command(console_db, "r-shot", "screenshot", "sent", time.time())
    waiting = viewer.get("/kiosks/k-7/commands").text
    assert 'data-pending="1"' in waiting and "<img" not in waiting and "<html" not in waiting
    with console_db.session() as db:
        row = db.get(Command, "r-shot")
        assert row is not None
        row.state, row.png, row.answered_at = "ok", PNG, time.time()
    answered = viewer.get("/kiosks/k-7/commands").text
    assert "data-pending" not in answered and 'src="/kiosks/k-7/screenshots/r-shot.png"' in answered


def test_the_audit_trail_is_the_kiosks_own(viewer: TestClient, console_db: Database) -> None:
    add_kiosk(console_db, "k-7")
    with console_db.session() as db:
        audit.record(db, "zhang", "command", "kiosk:k-7", address="10.0.0.9", command="reboot")
        audit.record(db, "zhang", "command", "kiosk:k-70", command="blank")
    page = viewer.get("/kiosks/k-7").text
    rows = re.findall(r'<tr class="audit">.*?</tr>', page, re.S)
    assert len(rows) == 1 and "reboot" in rows[0] and "zhang" in rows[0] and "10.0.0.9" in rows[0]
