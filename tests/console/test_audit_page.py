"""The audit log page: newest first, filtered by actor, action and target, in pages; viewers may read it."""

from __future__ import annotations

from starlette.testclient import TestClient

from console import audit
from console.db import Database
from console.models import AuditEntry, Role
from console.web.audit import PAGE_SIZE
from tests.console.web import add_account, sign_in


def entries(db: Database) -> None:
    with db.session() as session:
        for n in range(PAGE_SIZE + 5):
            session.add(
                AuditEntry(
                    at=1000.0 + n,
                    actor="wang",
                    action="command_sent",
                    target=f"kiosk:wh-{n:03d}",
                    detail={"command": "sync"},
                )
            )
        session.add(
            AuditEntry(
                at=5000.0,
                actor="zhao",
                action="account_created",
                target="account:li_x",
                detail={"role": "viewer"},
            )
        )
        session.add(
            AuditEntry(at=5001.0, actor="zhao", action="account_created", target="account:li%y", detail={})
        )


def test_a_viewer_reads_the_log_newest_first_in_pages(
    console_client: TestClient, console_db: Database
) -> None:
    entries(console_db)
    add_account(console_db, "li", Role.VIEWER)
    sign_in(console_client, "li")
    first = console_client.get("/audit")
    assert first.status_code == 200
    html = first.text
    # The newest: li's own sign-in, then zhao's, then the commands counting down.
    assert (
        html.index("account:li%y") < html.index("account:li_x") < html.index(f"kiosk:wh-{PAGE_SIZE + 4:03d}")
    )
    assert 'rel="next"' in html and 'rel="prev"' not in html
    second = console_client.get("/audit?page=2").text
    assert "kiosk:wh-000" in second and 'rel="prev"' in second and 'rel="next"' not in second
    assert "kiosk:wh-000" not in html


def test_the_log_filters_by_actor_action_and_target(console_client: TestClient, console_db: Database) -> None:
    entries(console_db)
    add_account(console_db, "li", Role.VIEWER)
    sign_in(console_client, "li")
    by_actor = console_client.get("/audit?actor=zhao").text
    assert "account:li_x" in by_actor and "kiosk:wh-" not in by_actor
    by_action = console_client.get("/audit?action=sign_in").text
    assert "kiosk:wh-" not in by_action and "account:li_x" not in by_action
    one_kiosk = console_client.get("/audit?target=kiosk:wh-007").text
    assert "kiosk:wh-007" in one_kiosk and "kiosk:wh-008" not in one_kiosk
    assert 'href="/kiosks/wh-007"' in one_kiosk
    # The target is a prefix whose % and _ are taken as they are.
    literal = console_client.get("/audit?target=account:li_").text
    assert "account:li_x" in literal and "account:li%y" not in literal
    assert "account:li_x" not in console_client.get("/audit?target=account:li%25").text


def test_an_action_in_the_console_reaches_the_log(console_client: TestClient, console_db: Database) -> None:
    add_account(console_db, "li", Role.VIEWER)
    sign_in(console_client, "li")
    with console_db.session() as db:
        audit.record(db, "li", "password_changed", "account:li", address="10.0.0.9")
    page = console_client.get("/audit?actor=li").text
    assert "password_changed" in page and "10.0.0.9" in page and "sign_in" in page


def test_a_long_detail_is_cut_short(console_client: TestClient, console_db: Database) -> None:
    add_account(console_db, "li", Role.VIEWER)
    sign_in(console_client, "li")
    with console_db.session() as db:
        audit.record(db, "zhao", "config_published", "group:east", content="x" * 5000)
    page = console_client.get("/audit?actor=zhao").text
    assert "x" * 190 in page and "x" * 300 not in page
