"""Driving the console's pages from tests: accounts, signing in, the CSRF token of a page."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from console.accounts import create_account
from console.db import Database
from console.models import Role

PASSWORD = "correct horse battery"


def add_account(db: Database, username: str, role: Role, password: str = PASSWORD) -> None:
    with db.session() as session:
        create_account(session, username, password, role)


def signin_token(client: TestClient) -> str:
    page = client.get("/signin")
    assert page.status_code == 200, page.text
    return form_value(page.text, "signin_token")


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in through the form; returns the session's CSRF token (read off a page)."""
    answer = client.post(
        "/signin", data={"username": username, "password": password, "signin_token": signin_token(client)}
    )
    assert answer.status_code == 303, answer.text
    return csrf_of(client)


def csrf_of(client: TestClient, path: str = "/signin") -> str:
    page = client.get(path)
    match = re.search(r'data-csrf="([^"]*)"', page.text)
    assert match and match.group(1), "the page carries no CSRF token"
    return match.group(1)


def form_value(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no {name} in the page"
    return match.group(1)
