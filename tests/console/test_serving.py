"""Serving the console for real (uvicorn, as `kiosk-console serve` configures it): behind a reverse
proxy the client's address is the one the proxy names, believed only from the proxies configured."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from console.db import Database
from console.models import AuditEntry
from console.settings import ConsoleSettings
from tests.console.running_demo import cookie
from tests.console.served import ServedConsole

CLIENT = "203.0.113.7"


def failed_sign_in_address(settings: ConsoleSettings, db: Database) -> str:
    """Fail a sign-in through the console with X-Forwarded-For: CLIENT; the address audited."""
    with ServedConsole(settings, db, background=False) as served, httpx.Client(base_url=served.url) as client:
        page = client.get("/signin", headers={"x-forwarded-for": CLIENT})
        token = re.search(r'name="signin_token" value="([^"]*)"', page.text)
        assert token
        answer = client.post(
            "/signin",
            data={"username": "nobody", "password": "wrong password", "signin_token": token.group(1)},
            headers={
                "x-forwarded-for": CLIENT,
                "cookie": f"console_signin={cookie(page, 'console_signin')}",
            },
        )
        assert answer.status_code == 401, answer.text
    with db.session() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "sign_in_failed"))
    assert entry is not None
    return str(entry.address)


@pytest.mark.parametrize("console_db", ["sqlite"], indirect=True)
def test_behind_a_trusted_proxy_the_client_is_the_address_it_forwards(
    console_db: Database, tmp_path: Path
) -> None:
    settings = ConsoleSettings(data_dir=tmp_path, forwarded_allow_ips="127.0.0.1")
    assert failed_sign_in_address(settings, console_db) == CLIENT


@pytest.mark.parametrize("console_db", ["sqlite"], indirect=True)
def test_without_a_proxy_configured_a_forwarded_address_is_not_believed(
    console_db: Database, tmp_path: Path
) -> None:
    settings = ConsoleSettings(data_dir=tmp_path)
    assert failed_sign_in_address(settings, console_db) == "127.0.0.1"
