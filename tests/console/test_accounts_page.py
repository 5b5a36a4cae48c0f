"""Accounts in the console (admin role) and every administrator's own password: the console always
keeps an active admin, a change ends the account's sessions, and every change is audited."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from starlette.testclient import TestClient

from console.accounts import authenticate
from console.db import Database
from console.models import Account, AuditEntry, Role, WebSession
from tests.console.web import PASSWORD, add_account, sign_in, signin_token

NEW = "a brand new secret"


def account(db: Database, username: str) -> Account:
    with db.session() as session:
        found = session.scalar(select(Account).where(Account.username == username))
    assert found is not None
    return found


def actions(db: Database) -> list[tuple[str, str, str]]:
    with db.session() as session:
        return [
            (e.actor, e.action, e.target) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]


def sessions_of(db: Database, username: str) -> int:
    with db.session() as session:
        return len(
            session.scalars(select(WebSession).where(WebSession.account_id == account(db, username).id)).all()
        )


def admin_client(client: TestClient, db: Database) -> str:
    add_account(db, "root", Role.ADMIN)
    return sign_in(client, "root")


def test_only_an_admin_sees_the_accounts(console_client: TestClient, console_db: Database) -> None:
    add_account(console_db, "pub", Role.PUBLISHER)
    sign_in(console_client, "pub")
    assert console_client.get("/accounts").status_code == 403


def test_an_admin_creates_an_account_with_the_password_typed_twice(
    console_client: TestClient, console_db: Database
) -> None:
    csrf = admin_client(console_client, console_db)
    form = {"csrf": csrf, "username": "zhao", "role": "operator", "password": NEW, "password2": NEW}
    answer = console_client.post("/accounts", data=form)
    assert answer.status_code == 200, answer.text
    assert account(console_db, "zhao").role == "operator"
    assert ("root", "account_created", "account:zhao") in actions(console_db)
    page = console_client.get("/accounts")
    assert "zhao" in page.text


def test_a_new_account_is_refused_plainly(console_client: TestClient, console_db: Database) -> None:
    csrf = admin_client(console_client, console_db)
    console_client.cookies.set("lang", "en")
    cases = [
        (
            {"username": "zhao", "role": "viewer", "password": NEW, "password2": NEW + "x"},
            "The two passwords differ",
        ),
        ({"username": "zhao", "role": "viewer", "password": "short", "password2": "short"}, "at least 12"),
        ({"username": "root", "role": "viewer", "password": NEW, "password2": NEW}, "is taken"),
        ({"username": "zhao", "role": "emperor", "password": NEW, "password2": NEW}, "Choose a role"),
    ]
    for form, words in cases:
        answer = console_client.post("/accounts", data={"csrf": csrf, **form})
        assert answer.status_code == 400 and words in answer.text, form
    with console_db.session() as db:
        assert db.scalar(select(Account).where(Account.username == "zhao")) is None


def test_a_role_change_ends_the_accounts_sessions_and_is_audited(
    console_client: TestClient, console_db: Database
) -> None:
    add_account(console_db, "zhao", Role.VIEWER)
    with TestClient(console_client.app, base_url="https://testserver", follow_redirects=False) as other:
        sign_in(other, "zhao")
    assert sessions_of(console_db, "zhao") == 1
    csrf = admin_client(console_client, console_db)
    target = account(console_db, "zhao").id
    answer = console_client.post(f"/accounts/{target}/role", data={"csrf": csrf, "role": "publisher"})
    assert answer.status_code == 303
    assert account(console_db, "zhao").role == "publisher"
    assert sessions_of(console_db, "zhao") == 0
    assert ("root", "account_role_changed", "account:zhao") in actions(console_db)


def test_a_disabled_account_is_signed_out_at_once_and_cannot_sign_in(
    console_client: TestClient, console_db: Database
) -> None:
    add_account(console_db, "zhao", Role.OPERATOR)
    with TestClient(console_client.app, base_url="https://testserver", follow_redirects=False) as other:
        sign_in(other, "zhao")
        csrf = admin_client(console_client, console_db)
        target = account(console_db, "zhao").id
        answer = console_client.post(f"/accounts/{target}/active", data={"csrf": csrf, "active": "0"})
        assert answer.status_code == 303
        assert sessions_of(console_db, "zhao") == 0
        assert other.get("/statistics").status_code == 303  # back to the sign-in page
    with console_db.session() as db:
        assert authenticate(db, "zhao", PASSWORD) is None
    assert ("root", "account_disabled", "account:zhao") in actions(console_db)
    console_client.post(f"/accounts/{target}/active", data={"csrf": csrf, "active": "1"})
    assert account(console_db, "zhao").active
    assert ("root", "account_enabled", "account:zhao") in actions(console_db)


def test_an_admin_cannot_disable_or_demote_themself(console_client: TestClient, console_db: Database) -> None:
    add_account(console_db, "other", Role.ADMIN)
    csrf = admin_client(console_client, console_db)
    me = account(console_db, "root").id
    assert (
        console_client.post(f"/accounts/{me}/active", data={"csrf": csrf, "active": "0"}).status_code == 409
    )
    assert (
        console_client.post(f"/accounts/{me}/role", data={"csrf": csrf, "role": "viewer"}).status_code == 409
    )
    root = account(console_db, "root")
    assert root.active and root.role == "admin"


def test_the_last_admin_rule_counts_only_active_admins(console_db: Database) -> None:
    from console.web.accounts import Refused, _take_from
    from console.web.visitor import Visitor

    add_account(console_db, "root", Role.ADMIN)
    add_account(console_db, "boss", Role.ADMIN)
    add_account(console_db, "ops", Role.OPERATOR)
    with console_db.session() as db:
        root = db.scalar(select(Account).where(Account.username == "root"))
        boss = db.scalar(select(Account).where(Account.username == "boss"))
        assert root is not None and boss is not None
        root.active = False
    # ops would not be allowed by the routes (admin role needed); the rule itself does not care who asks.
    ops = Visitor(account(console_db, "ops").id, "ops", Role.ADMIN, "en", "", "")
    with console_db.session() as db:
        boss = db.scalar(select(Account).where(Account.username == "boss"))
        assert boss is not None
        with pytest.raises(Refused, match="last active admin"):
            _take_from(db, ops, boss, role="viewer")


def test_an_admin_resets_a_password_and_the_accounts_sessions_end(
    console_client: TestClient, console_db: Database
) -> None:
    add_account(console_db, "zhao", Role.VIEWER)
    with TestClient(console_client.app, base_url="https://testserver", follow_redirects=False) as other:
        sign_in(other, "zhao")
    csrf = admin_client(console_client, console_db)
    target = account(console_db, "zhao").id
    bad = console_client.post(
        f"/accounts/{target}/password", data={"csrf": csrf, "password": NEW, "password2": "x"}
    )
    assert bad.status_code == 400
    answer = console_client.post(
        f"/accounts/{target}/password", data={"csrf": csrf, "password": NEW, "password2": NEW}
    )
    assert answer.status_code == 200
    assert sessions_of(console_db, "zhao") == 0
    with console_db.session() as db:
        assert authenticate(db, "zhao", NEW) is not None
        assert authenticate(db, "zhao", PASSWORD) is None
    assert ("root", "account_password_reset", "account:zhao") in actions(console_db)


def test_anyone_changes_their_own_password_with_the_current_one(
    console_client: TestClient, console_db: Database
) -> None:
    add_account(console_db, "li", Role.VIEWER)
    with TestClient(console_client.app, base_url="https://testserver", follow_redirects=False) as other:
        sign_in(other, "li")
    csrf = sign_in(console_client, "li")
    assert console_client.get("/password").status_code == 200
    wrong = console_client.post(
        "/password", data={"csrf": csrf, "current": "not it at all", "password": NEW, "password2": NEW}
    )
    assert wrong.status_code == 400
    answer = console_client.post(
        "/password", data={"csrf": csrf, "current": PASSWORD, "password": NEW, "password2": NEW}
    )
    assert answer.status_code == 200, answer.text
    with console_db.session() as db:
        assert authenticate(db, "li", NEW) is not None
    # This browser stays signed in; the other one is signed out.
    assert sessions_of(console_db, "li") == 1
    assert console_client.get("/password").status_code == 200
    assert ("li", "password_changed", "account:li") in actions(console_db)


def test_two_admins_demoting_each_other_at_once_leave_one_admin(console_db: Database) -> None:
    """root demotes boss and, while that transaction is still open, boss demotes root: the second
    is refused once the first commits (PostgreSQL: it waits on the locked rows; SQLite: on the lock
    of its one writer), so an admin is left."""
    from console.web.accounts import Refused, _take_from
    from console.web.visitor import Visitor

    add_account(console_db, "root", Role.ADMIN)
    add_account(console_db, "boss", Role.ADMIN)
    root, boss = account(console_db, "root"), account(console_db, "boss")
    first_done = threading.Event()
    outcome: dict[str, str] = {}

    def boss_demotes_root() -> None:
        first_done.wait(10)
        try:
            with console_db.session() as db:
                target = db.get(Account, root.id)
                assert target is not None
                _take_from(db, Visitor(boss.id, "boss", Role.ADMIN, "en", "", ""), target, role="viewer")
            outcome["boss"] = "demoted root"
        except Refused as refused:
            outcome["boss"] = str(refused)
        except OperationalError as error:  # SQLite may also say the database was locked
            outcome["boss"] = f"failed: {error}"

    second = threading.Thread(target=boss_demotes_root)
    second.start()
    with console_db.session() as db:
        target = db.get(Account, boss.id)
        assert target is not None
        _take_from(db, Visitor(root.id, "root", Role.ADMIN, "en", "", ""), target, role="viewer")
        first_done.set()
        time.sleep(0.5)  # boss's change is now waiting on this open transaction
    second.join(30)
    assert outcome["boss"] != "demoted root"
    with console_db.session() as db:
        admins = db.scalars(
            select(Account.username).where(Account.role == "admin", Account.active.is_(True))
        ).all()
    assert admins == ["root"]


def test_a_username_differing_only_in_case_is_taken(console_client: TestClient, console_db: Database) -> None:
    """`Admin` and `ＡＤＭＩＮ` are refused while `admin` exists (NFKC, case-folded): the audit log's
    names and the sign-in rate limit's keys each mean one account. (The console has no renaming.)"""
    csrf = admin_client(console_client, console_db)
    add_account(console_db, "admin", Role.ADMIN)
    for name in ("Admin", "ADMIN", "ＡＤＭＩＮ", " admin "):
        answer = console_client.post(
            "/accounts",
            data={"csrf": csrf, "username": name, "role": "viewer", "password": NEW, "password2": NEW},
        )
        assert answer.status_code == 400, name
        assert "taken" in answer.text or "已被占用" in answer.text
    with console_db.session() as db:
        assert sorted(db.scalars(select(Account.username))) == ["admin", "root"]


def test_a_wrong_current_password_counts_in_the_sign_in_limit_and_is_audited(
    console_client: TestClient, console_db: Database
) -> None:
    """A session cannot be used to guess its account's password: each wrong current password is a
    failure of the username's sign-in limit (5 in the window by default), audited; past it the form
    answers 429 even with the right one, and signing in by that name is refused too."""
    add_account(console_db, "li", Role.VIEWER)
    csrf = sign_in(console_client, "li")
    for attempt in range(5):
        wrong = console_client.post(
            "/password", data={"csrf": csrf, "current": f"guess {attempt}", "password": NEW, "password2": NEW}
        )
        assert wrong.status_code == 400
    refused = console_client.post(
        "/password", data={"csrf": csrf, "current": PASSWORD, "password": NEW, "password2": NEW}
    )
    assert refused.status_code == 429
    with console_db.session() as db:
        assert authenticate(db, "li", PASSWORD) is not None
    failed = [entry for entry in actions(console_db) if entry[1] == "password_change_failed"]
    assert failed == [("li", "password_change_failed", "account:li")] * 5
    with TestClient(console_client.app, base_url="https://testserver", follow_redirects=False) as other:
        token = signin_token(other)
        answer = other.post("/signin", data={"username": "li", "password": PASSWORD, "signin_token": token})
        assert answer.status_code == 429
