"""What a client may post before signing in: the sign-in and language forms are small URL-encoded
forms, refused unread when bigger (413) or multipart (415), so an anonymous client cannot make the
console parse or spool an upload."""

from __future__ import annotations

from collections.abc import Iterator

from starlette.testclient import TestClient

from console.db import Database
from console.models import Role
from console.web.visitor import SMALL_FORM_BYTES
from tests.console.web import PASSWORD, add_account, signin_token

URLENCODED = {"Content-Type": "application/x-www-form-urlencoded"}


def test_a_multipart_body_is_refused_unparsed_without_a_session(console_client: TestClient) -> None:
    big = b"A" * (2 * 1024 * 1024)
    for path in ("/signin", "/language"):
        answer = console_client.post(path, files={"f": ("f.bin", big)}, data={"language": "en"})
        assert answer.status_code == 415, path


def test_a_form_past_the_small_limit_is_refused(console_client: TestClient) -> None:
    padding = "x" * (SMALL_FORM_BYTES + 1)
    for path in ("/signin", "/language"):
        declared = console_client.post(path, data={"language": "en", "pad": padding})
        assert declared.status_code == 413, path

        def chunks() -> Iterator[bytes]:
            yield b"language=en&pad="
            for _ in range(8):
                yield b"x" * 4096

        # Sent in chunks with no Content-Length: counted while it is read.
        streamed = console_client.post(path, content=chunks(), headers=URLENCODED)
        assert streamed.status_code == 413, path


def test_the_small_forms_still_work(console_client: TestClient, console_db: Database) -> None:
    add_account(console_db, "wang", Role.VIEWER)
    language = console_client.post("/language", data={"language": "en", "next": "/fleet"})
    assert language.status_code == 303 and language.headers["location"] == "/fleet"
    token = signin_token(console_client)
    answer = console_client.post(
        "/signin", data={"username": "wang", "password": PASSWORD, "signin_token": token}
    )
    assert answer.status_code == 303
