"""The soak's search for personal data finds it where it is: live objects, files, printed text, logs."""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from bench import leftovers
from kiosk.documents import ChecklistContext, render_checklist
from kiosk.guides import DEMO_CATALOGUE
from kiosk.guides.codec import read_jsonl


def made_at_runtime(*pieces: str) -> str:
    # A literal would live on in this module's code objects: the secret is assembled instead.
    return "".join(pieces)


@pytest.fixture
def secrets() -> leftovers.Secrets:
    return leftovers.Secrets(
        {
            "name": made_at_runtime("上官", "翀", "珏"),
            "ID number": made_at_runtime("371002", "19770707", "4321"),
        }
    )


def test_a_copy_held_anywhere_in_memory_is_found_and_the_searchers_own_are_not(
    secrets: leftovers.Secrets,
) -> None:
    assert leftovers.live_objects(secrets) == []
    kept = {"resident": {"card": ["greeting", made_at_runtime("上官", "翀", "珏")]}}
    number = bytearray(made_at_runtime("371002", "19770707", "4321").encode())
    found = {finding.secret for finding in leftovers.live_objects(secrets)}
    assert found == {"name", "ID number"}
    del kept, number
    assert leftovers.live_objects(secrets) == []


def test_files_are_searched_in_every_encoding_and_pdfs_by_their_text(
    secrets: leftovers.Secrets, tmp_path: Path
) -> None:
    name = secrets.values["name"]
    (tmp_path / "legacy.txt").write_bytes(f"持卡人 {name}".encode("gb18030"))
    with sqlite3.connect(tmp_path / "state.db") as db:
        db.execute("CREATE TABLE t (v TEXT)")
        db.execute("INSERT INTO t VALUES (?)", (secrets.values["ID number"],))
    db.close()
    guide = read_jsonl(DEMO_CATALOGUE.read_text(encoding="utf-8").splitlines()[:1])[0]
    context = ChecklistContext(
        "wh-test", "测试站", datetime(2026, 1, 1), handover_url="https://zwfw.weihai.example/g"
    )
    named = render_checklist(guide, context, "a4", resident_name=name)
    assert name.encode() not in named  # the font subset hides the text from a byte search ...
    (tmp_path / "printed.pdf").write_bytes(named)
    (tmp_path / "clean.pdf").write_bytes(render_checklist(guide, context, "a4"))

    findings, count = leftovers.files([tmp_path], secrets)

    assert count == 4
    assert {(Path(f.place).name, f.where, f.secret) for f in findings} == {
        ("legacy.txt", "file", "name"),
        ("state.db", "file", "ID number"),
        ("printed.pdf", "printed text", "name"),  # ... not from its text layer
    }


def test_log_records_are_searched_as_they_are_emitted(secrets: leftovers.Secrets) -> None:
    watch = leftovers.LogWatch(secrets)
    log = logging.getLogger("tests.leftovers")
    log.addHandler(watch)
    log.setLevel(logging.DEBUG)
    try:
        log.debug("greeting %s", secrets.values["name"][:1] + "**")
        log.info("read card of %s", made_at_runtime("上官", "翀", "珏"))
    finally:
        log.removeHandler(watch)
    assert watch.records == 2
    assert [finding.secret for finding in watch.findings] == ["name"]


def test_widget_texts_name_the_widget_that_shows_a_secret(secrets: leftovers.Secrets) -> None:
    shown = [("KLabel on identified", "您好，上**"), ("KLabel on rating", "号码 3710021977070743210")]
    assert [str(f) for f in leftovers.texts(shown, secrets)] == [
        "widget text: KLabel on rating holds the ID number"
    ]
