"""Guarantees over every route of the console, found by walking the application's routes: a form is
refused without a session (401) and without its CSRF token (403), and every page but the sign-in
page needs a session."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.testclient import TestClient

from console.db import Database
from console.models import Role
from tests.console.routes import Endpoint, endpoints
from tests.console.web import add_account, sign_in

#: Forms that work without a session, and why. Each still refuses a request without its own token.
NO_SESSION_FORMS = {
    # Signing in: its token is the pre-session cookie's (tests/console/test_signin.py).
    "/signin",
    # Choosing the language before signing in sets only the `lang` cookie; signed in, it needs the token.
    "/language",
}
#: Pages for visitors who are not signed in.
PUBLIC_PAGES = {"/signin"}


def app_of(client: TestClient) -> Starlette:
    app = client.app
    assert isinstance(app, Starlette)
    return app


def posts(client: TestClient) -> list[Endpoint]:
    found = [endpoint for endpoint in endpoints(app_of(client)) if endpoint.method == "POST"]
    # Not vacuous: the routes of the foundation and of the accounts area are among them.
    assert {"/signout", "/accounts"} <= {endpoint.pattern for endpoint in found}
    return found


def test_every_form_refuses_a_request_without_a_session(console_client: TestClient) -> None:
    wrong = []
    for endpoint in posts(console_client):
        if endpoint.pattern in NO_SESSION_FORMS:
            continue
        answer = console_client.post(endpoint.path, data={"csrf": "guessed"})
        if answer.status_code != 401:
            wrong.append(f"{endpoint}: {answer.status_code}")
    assert wrong == [], "forms that do not need a session:\n" + "\n".join(wrong)


def test_every_form_refuses_a_request_without_its_csrf_token(
    console_client: TestClient, console_db: Database
) -> None:
    add_account(console_db, "root", Role.ADMIN)
    sign_in(console_client, "root")
    wrong = []
    for endpoint in posts(console_client):
        for form, headers in (({}, {}), ({"csrf": "guessed"}, {}), ({}, {"x-csrf-token": "guessed"})):
            answer = console_client.post(endpoint.path, data=form, headers=headers)
            if answer.status_code != 403:
                wrong.append(f"{endpoint} with {form or headers or 'no token'}: {answer.status_code}")
    assert wrong == [], "forms taken without their token:\n" + "\n".join(wrong)
    # The session is still there: none of the refused forms signed the administrator out.
    assert console_client.get("/audit").status_code == 200


def test_the_token_is_accepted_as_a_form_field_or_a_header(
    console_client: TestClient, console_db: Database
) -> None:
    add_account(console_db, "root", Role.ADMIN)
    csrf = sign_in(console_client, "root")
    assert console_client.post("/password", headers={"x-csrf-token": csrf}).status_code == 400  # no password
    assert console_client.post("/signout", data={"csrf": csrf}).status_code == 303


def test_every_page_needs_a_session(console_client: TestClient) -> None:
    wrong = []
    pages = [endpoint for endpoint in endpoints(app_of(console_client)) if endpoint.method == "GET"]
    assert {"/", "/statistics", "/alerts", "/audit", "/accounts", "/password"} <= {e.pattern for e in pages}
    for endpoint in pages:
        if endpoint.pattern in PUBLIC_PAGES:
            continue
        answer = console_client.get(endpoint.path)
        to_signin = answer.status_code == 303 and answer.headers["location"].startswith("/signin")
        if not (to_signin or answer.status_code == 401):
            wrong.append(f"{endpoint}: {answer.status_code} {answer.headers.get('location', '')}")
    assert wrong == [], "pages shown without a session:\n" + "\n".join(wrong)


def test_the_sign_in_page_and_the_static_files_need_no_session(console_client: TestClient) -> None:
    assert console_client.get("/signin").status_code == 200
    assert console_client.get("/static/console.css").status_code == 200
