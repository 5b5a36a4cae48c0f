"""Signing in: argon2 accounts, sessions in the database, the rate limit, and CSRF on every form."""

from __future__ import annotations

from sqlalchemy import select
from starlette.testclient import TestClient

from console.db import Database
from console.models import Account, AuditEntry, Role, WebSession
from tests.console.web import PASSWORD, add_account, csrf_of, sign_in, signin_token


def test_a_password_is_stored_as_an_argon2_hash_only(console_db: Database) -> None:
    add_account(console_db, "wang", Role.ADMIN)
    with console_db.session() as db:
        account = db.scalar(select(Account).where(Account.username == "wang"))
    assert account is not None
    assert account.password_hash.startswith("$argon2id$")
    assert PASSWORD not in account.password_hash


def test_signing_in_opens_a_session_whose_token_is_not_stored(
    console_client: TestClient, console_db: Database
) -> None:
    add_account(console_db, "wang", Role.VIEWER)
    sign_in(console_client, "wang")
    cookie = console_client.cookies.get("console_session")
    assert cookie
    with console_db.session() as db:
        stored = db.scalars(select(WebSession.token_hash)).all()
        actions = db.scalars(select(AuditEntry.action)).all()
    assert len(stored) == 1 and cookie not in stored[0]
    assert "sign_in" in actions


def test_the_session_cookie_is_secure_httponly_and_strict(
    console_client: TestClient, console_db: Database
) -> None:
    add_account(console_db, "wang", Role.VIEWER)
    answer = console_client.post(
        "/signin",
        data={"username": "wang", "password": PASSWORD, "signin_token": signin_token(console_client)},
    )
    header = answer.headers["set-cookie"].lower()
    assert "console_session=" in header
    for flag in ("secure", "httponly", "samesite=strict"):
        assert flag in header


def test_a_wrong_password_is_refused_and_audited(console_client: TestClient, console_db: Database) -> None:
    add_account(console_db, "wang", Role.VIEWER)
    answer = console_client.post(
        "/signin",
        data={"username": "wang", "password": "wrong" * 4, "signin_token": signin_token(console_client)},
    )
    assert answer.status_code == 401
    assert "Wrong username or password" in answer.text or "用户名或密码错误" in answer.text
    assert "console_session" not in console_client.cookies
    with console_db.session() as db:
        assert db.scalar(select(AuditEntry).where(AuditEntry.action == "sign_in_failed")) is not None


def test_sign_in_without_the_forms_token_is_refused(console_client: TestClient, console_db: Database) -> None:
    add_account(console_db, "wang", Role.VIEWER)
    answer = console_client.post("/signin", data={"username": "wang", "password": PASSWORD})
    assert answer.status_code == 403
    assert "console_session" not in console_client.cookies


def test_failures_past_the_limit_lock_the_username_even_with_the_right_password(
    console_client: TestClient, console_db: Database
) -> None:
    add_account(console_db, "wang", Role.VIEWER)
    for _ in range(5):
        console_client.post(
            "/signin",
            data={"username": "wang", "password": "guess" * 3, "signin_token": signin_token(console_client)},
        )
    answer = console_client.post(
        "/signin",
        data={"username": "wang", "password": PASSWORD, "signin_token": signin_token(console_client)},
    )
    assert answer.status_code == 429
    assert "console_session" not in console_client.cookies


def test_a_form_without_a_session_is_refused(console_client: TestClient) -> None:
    answer = console_client.post("/signout")
    assert answer.status_code == 401


def test_signing_out_needs_the_csrf_token_and_ends_the_session(
    console_client: TestClient, console_db: Database
) -> None:
    add_account(console_db, "wang", Role.VIEWER)
    csrf = sign_in(console_client, "wang")
    assert console_client.post("/signout").status_code == 403
    assert console_client.post("/signout", data={"csrf": csrf}).status_code == 303
    with console_db.session() as db:
        assert db.scalars(select(WebSession)).all() == []


def test_every_page_carries_the_security_headers(console_client: TestClient) -> None:
    headers = console_client.get("/signin").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"


def test_a_signed_in_page_carries_its_csrf_token(console_client: TestClient, console_db: Database) -> None:
    add_account(console_db, "wang", Role.VIEWER)
    token = sign_in(console_client, "wang")
    assert token == csrf_of(console_client)


def test_a_refusal_by_the_rate_limit_is_audited_once_per_key_and_window(
    console_client: TestClient, console_db: Database
) -> None:
    """An anonymous client hammering a locked username adds one `sign_in_refused` entry per window,
    not one per request; each failure itself is still audited."""
    for attempt in range(35):
        token = signin_token(console_client)
        data = {"username": "xX"[attempt % 2] * 64, "password": "guess" * 3, "signin_token": token}
        answer = console_client.post("/signin", data=data)
        assert answer.status_code == (401 if attempt < 5 else 429)
    with console_db.session() as db:
        audited = list(db.scalars(select(AuditEntry.action)))
    assert audited.count("sign_in_failed") == 5
    assert audited.count("sign_in_refused") == 1


def test_usernames_differing_only_in_case_are_one_name_for_the_rate_limit(
    console_client: TestClient, console_db: Database
) -> None:
    """Sign-in takes the username exactly as created (`WANG` is not `wang`'s name), while the rate
    limit counts failures by the case-folded name: with usernames unique in that form (see
    test_accounts_page), one key is one account, and `WANG`'s failures lock `wang`."""
    add_account(console_db, "wang", Role.VIEWER)

    def attempt(name: str, password: str) -> int:
        token = signin_token(console_client)
        data = {"username": name, "password": password, "signin_token": token}
        return console_client.post("/signin", data=data).status_code

    assert attempt("WANG", PASSWORD) == 401
    for name in ("Wang", "WANG", "ｗａｎｇ", "wAng"):
        assert attempt(name, "guess" * 3) == 401
    assert attempt("wang", PASSWORD) == 429
