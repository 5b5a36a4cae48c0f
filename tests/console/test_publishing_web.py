"""The publishing page (publisher role): catalogue upload, the configuration editor, the list of
publications with their rollout progress, promote and abort; CSRF and roles on every form."""

from __future__ import annotations

import html
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from console.db import Database
from console.models import AuditEntry, Kiosk, Publication, Role
from console.settings import ConsoleSettings
from console.web.app import create_app
from kiosk.publishing import FleetRepository
from kiosk.release_format import INDEX, config_target, staged_target
from tests.console.web import add_account, sign_in
from tests.sync.conftest import write_catalogue


@pytest.fixture
def repository(tmp_path: Path) -> FleetRepository:
    return FleetRepository.init(tmp_path / "fleet")


@pytest.fixture
def client(console_db: Database, repository: FleetRepository, tmp_path: Path) -> Iterator[TestClient]:
    settings = ConsoleSettings(data_dir=tmp_path / "c", repository=repository.base)
    app = create_app(settings, background=False, db=console_db)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as test_client:
        yield test_client


def publisher(client: TestClient, db: Database, name: str = "pat") -> str:
    add_account(db, name, Role.PUBLISHER)
    return sign_in(client, name)


def add_canary(db: Database, kiosk_id: str = "wh-c1", group: str = "canary") -> None:
    with db.session() as session:
        # Heard now: a rollout's canaries are the group's kiosks heard when it starts.
        session.add(Kiosk(id=kiosk_id, group=group, state="online", last_seen=time.time()))


def publications(db: Database) -> list[Publication]:
    with db.session() as session:
        return list(session.scalars(select(Publication).order_by(Publication.id)))


def test_without_a_repository_the_page_says_publishing_is_off_and_how(
    console_client: TestClient, console_db: Database
) -> None:
    csrf = publisher(console_client, console_db)
    page = console_client.get("/publishing")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "发布功能未开启。" in text  # the console speaks Chinese unless asked otherwise
    assert "kiosk fleet init" in text and 'repository = "/srv/fleet"' in text
    english = html.unescape(console_client.get("/publishing", headers={"accept-language": "en"}).text)
    assert "Publishing is off." in english
    refused = console_client.post("/publishing/config", data={"csrf": csrf, "scope": "all", "content": ""})
    assert refused.status_code == 400 and "publishing is off" in html.unescape(refused.text)


def test_publishing_needs_the_publisher_role_and_the_csrf_token(
    client: TestClient, console_db: Database
) -> None:
    add_account(console_db, "olga", Role.OPERATOR)
    csrf = sign_in(client, "olga")
    assert client.get("/publishing").status_code == 403
    assert client.post("/publishing/config", data={"csrf": csrf, "content": ""}).status_code == 403
    client.post("/signout", data={"csrf": csrf})
    publisher(client, console_db)
    for path in (
        "/publishing/config",
        "/publishing/catalogue",
        "/publishing/1/promote",
        "/publishing/1/abort",
    ):
        assert client.post(path, data={"scope": "all", "content": "x"}).status_code == 403, path
    assert publications(console_db) == []


def test_a_refused_configuration_names_the_key_and_keeps_the_text(
    client: TestClient, console_db: Database, repository: FleetRepository
) -> None:
    add_canary(console_db)
    csrf = publisher(client, console_db)
    text = '[display]\ntheme = "elder"\n\n[session]\nidle_seconds = "soon"\n'
    answer = client.post(
        "/publishing/config", data={"csrf": csrf, "scope": "all", "name": "", "content": text}
    )
    assert answer.status_code == 400
    page = html.unescape(answer.text)
    assert "session.idle_seconds" in page
    assert f">{text}</textarea>" in page
    assert publications(console_db) == [] and repository.targets() == {}


def test_a_configuration_is_staged_listed_with_its_progress_and_aborted(
    client: TestClient, console_db: Database, repository: FleetRepository
) -> None:
    add_canary(console_db)
    add_canary(console_db, "wh-c2")
    csrf = publisher(client, console_db)
    text = '[display]\ntheme = "elder"\n'
    answer = client.post(
        "/publishing/config", data={"csrf": csrf, "scope": "all", "name": "", "content": text}
    )
    assert answer.status_code == 303
    [started] = publications(console_db)
    assert started.state == "canary" and started.created_by == "pat"
    assert staged_target("canary", config_target("all")) in repository.targets()
    page = client.get("/publishing").text
    assert f'data-publication="{started.id}"' in page and ">0/2<" in page
    assert f'action="/publishing/{started.id}/promote"' in page
    progress = client.get("/publishing/progress").json()
    assert progress[str(started.id)]["rolling"] and progress[str(started.id)]["total"] == 2

    assert client.post(f"/publishing/{started.id}/abort", data={"csrf": csrf}).status_code == 303
    [stopped] = publications(console_db)
    assert (stopped.state, stopped.reason) == ("aborted", "stopped by pat")
    assert staged_target("canary", config_target("all")) not in repository.targets()
    assert client.post(f"/publishing/{started.id}/promote", data={"csrf": csrf}).status_code == 409
    with console_db.session() as session:
        actions = [(e.actor, e.action) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert ("pat", "publication.stage") in actions and ("pat", "publication.abort") in actions


def test_the_editor_is_prefilled_with_what_is_published_for_the_scope(
    client: TestClient, console_db: Database, repository: FleetRepository
) -> None:
    csrf = publisher(client, console_db)
    text = '[display]\ntheme = "elder"\n'
    answer = client.post(
        "/publishing/config", data={"csrf": csrf, "scope": "kiosk", "name": "wh-0007", "content": text}
    )
    assert answer.status_code == 303  # one kiosk: published at once
    assert repository.target_bytes(config_target("kiosk", "wh-0007")) == text.encode()
    page = html.unescape(client.get("/publishing", params={"scope": "kiosk", "name": "wh-0007"}).text)
    assert f">{text}</textarea>" in page
    empty = html.unescape(client.get("/publishing", params={"scope": "group", "name": "parks"}).text)
    assert "></textarea>" in empty


def test_an_uploaded_catalogue_is_staged_and_promoted(
    client: TestClient, console_db: Database, repository: FleetRepository, tmp_path: Path
) -> None:
    add_canary(console_db)
    csrf = publisher(client, console_db)
    bad = client.post(
        "/publishing/catalogue",
        data={"csrf": csrf},
        files={"catalogue": ("guides.jsonl", b'{"id": 1}\n', "application/json")},
    )
    assert bad.status_code == 400 and "bad line" in html.unescape(bad.text)
    upload = write_catalogue(tmp_path / "guides.jsonl", 600).read_bytes()
    assert len(upload) > 1024 * 1024  # more than a form field may carry: a file part has no such limit
    answer = client.post(
        "/publishing/catalogue",
        data={"csrf": csrf},
        files={"catalogue": ("guides.jsonl", upload, "application/json")},
    )
    assert answer.status_code == 303
    [staged] = publications(console_db)
    assert (staged.kind, staged.version, staged.state) == ("catalogue", "1", "canary")
    assert INDEX not in repository.targets()
    assert client.post(f"/publishing/{staged.id}/promote", data={"csrf": csrf}).status_code == 303
    assert json.loads(repository.target_bytes(INDEX))["version"] == 1
    assert publications(console_db)[0].reason == "promoted by pat"


def test_a_catalogue_past_max_upload_bytes_is_refused_plainly(
    console_db: Database, repository: FleetRepository, tmp_path: Path
) -> None:
    """max_upload_bytes caps a catalogue upload: refused by its Content-Length before the form is
    parsed, or by the file's size once parsed (a body within the form's slack); nothing is staged."""
    add_canary(console_db)
    settings = ConsoleSettings(data_dir=tmp_path / "c", repository=repository.base, max_upload_bytes=100_000)
    app = create_app(settings, background=False, db=console_db)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        csrf = publisher(client, console_db)
        for size in (120_000, 1_000_000):
            answer = client.post(
                "/publishing/catalogue",
                data={"csrf": csrf},
                files={"catalogue": ("guides.jsonl", b"x" * size, "application/json")},
            )
            assert answer.status_code == 413, size
            assert "max_upload_bytes" in html.unescape(answer.text)
    assert publications(console_db) == []
    assert ConsoleSettings().max_upload_bytes == 200 * 1024 * 1024
