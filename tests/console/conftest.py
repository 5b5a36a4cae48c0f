"""Fixtures of the console's tests: its database (every test that takes `console_db` runs on each
database the console supports), its settings, and the web application in this process."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from console.db import Database
from console.settings import ConsoleSettings
from console.web.app import create_app
from tests.chromium import browser, make_browser  # noqa: F401 - fixtures of the browser tests
from tests.postgres import PrivatePostgres

DATABASES = ["sqlite", "postgresql"]
#: The migrated, empty database every test's PostgreSQL database is a copy of.
TEMPLATE = "console_template"
_numbers = itertools.count(1)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Each phase's report on the test (`rep_call`): the browser adds its logs to a failure's."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def postgres() -> Iterator[PrivatePostgres]:
    """A real PostgreSQL (Debian's) for the test session, with a migrated template database."""
    with PrivatePostgres() as server:
        template = Database(server.create_database(TEMPLATE))
        template.migrate()
        template.dispose()  # CREATE DATABASE ... TEMPLATE needs nobody connected to it
        yield server


@pytest.fixture(params=DATABASES)
def console_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database of each kind: SQLite in the test's folder, or a new PostgreSQL
    database (a copy of the migrated template, which takes milliseconds) dropped after the test."""
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'console.db'}")
        db.migrate()
        yield db
        db.dispose()
        return
    server: PrivatePostgres = request.getfixturevalue("postgres")
    name = f"console_test_{next(_numbers)}"
    db = Database(server.create_database(name, template=TEMPLATE))
    yield db
    db.dispose()
    server.drop_database(name)


@pytest.fixture
def console_settings(tmp_path: Path) -> ConsoleSettings:
    return ConsoleSettings(data_dir=tmp_path / "console-data")


@pytest.fixture
def console_client(console_db: Database, console_settings: ConsoleSettings) -> Iterator[TestClient]:
    """The console's web application without background work, over https (its cookies are Secure)."""
    app = create_app(console_settings, background=False, db=console_db)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        yield client
