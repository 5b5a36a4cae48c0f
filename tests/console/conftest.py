"""Fixtures of the console's tests: its database (every test that takes `console_db` runs on each
database the console supports), its settings, and the web application in this process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from console.db import Database
from console.settings import ConsoleSettings
from console.web.app import create_app

DATABASES = ["sqlite"]


@pytest.fixture(params=DATABASES)
def console_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database of each kind."""
    db = Database(f"sqlite:///{tmp_path / 'console.db'}")
    db.migrate()
    yield db
    db.dispose()


@pytest.fixture
def console_settings(tmp_path: Path) -> ConsoleSettings:
    return ConsoleSettings(data_dir=tmp_path / "console-data")


@pytest.fixture
def console_client(console_db: Database, console_settings: ConsoleSettings) -> Iterator[TestClient]:
    """The console's web application without background work, over https (its cookies are Secure)."""
    app = create_app(console_settings, background=False, db=console_db)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        yield client
