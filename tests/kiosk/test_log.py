"""The kiosk's log lines: the session's random id on every line during a visit, masking everywhere."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kiosk.bus import EventBus
from kiosk.events import SessionEnded
from kiosk.log import configure_logging, current_session, leave_session
from kiosk.session import ResidentSession

ID_NUMBER = "371002199001010023"
PHONE = "13912345678"

log = logging.getLogger("kiosk.test_log")


@pytest.fixture
def logging_as(capsys: pytest.CaptureFixture[str]) -> Iterator[Callable[[str], Callable[[], list[str]]]]:
    """Configure the process's logging as `kiosk run` does, in a format; returns the stderr lines."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    leave_session(current_session())

    def configure(style: str) -> Callable[[], list[str]]:
        configure_logging("INFO", style)

        def lines() -> list[str]:
            return capsys.readouterr().err.splitlines()

        return lines

    yield configure
    leave_session(current_session())
    root.handlers[:] = handlers
    root.setLevel(level)


def in_thread(action: Callable[[], Any]) -> None:
    worker = threading.Thread(target=action, name="kiosk-printing")
    worker.start()
    worker.join()


def test_json_lines_from_any_thread_name_the_session_and_none_after_it(
    logging_as: Callable[[str], Callable[[], list[str]]],
) -> None:
    lines = logging_as("json")
    bus = EventBus()
    bus.subscribe(SessionEnded, lambda event: log.info("ended: %s", event.reason))
    session = ResidentSession(bus, idle_seconds=60, warning_seconds=10)
    log.info("before")
    session_id = session.start()
    in_thread(lambda: log.info("printing job 3"))
    session.end("finished")
    in_thread(lambda: log.info("after, from a thread"))
    log.info("after")
    entries = [json.loads(line) for line in lines()]
    assert [entry["message"] for entry in entries] == [
        "before",
        "printing job 3",
        "ended: finished",
        "after, from a thread",
        "after",
    ]
    assert [entry["session"] for entry in entries] == [None, session_id, session_id, None, None]
    assert all({"time", "level", "logger", "message", "session"} <= entry.keys() for entry in entries)


def test_text_lines_name_the_session_briefly(logging_as: Callable[[str], Callable[[], list[str]]]) -> None:
    lines = logging_as("text")
    session = ResidentSession(EventBus(), idle_seconds=60, warning_seconds=10)
    session_id = session.start()
    in_thread(lambda: log.info("card read"))
    session.end("idle")
    log.info("attract")
    during, after = lines()
    assert during.endswith(f"kiosk.test_log [{session_id}]: card read")
    assert after.endswith("kiosk.test_log: attract") and "[" not in after


@pytest.mark.parametrize("style", ["text", "json"])
def test_personal_numbers_are_masked_on_stderr(
    style: str, logging_as: Callable[[str], Callable[[], list[str]]]
) -> None:
    lines = logging_as(style)
    log.warning("careless: card %s, phone %s", ID_NUMBER, PHONE)
    try:
        raise ValueError(f"bad card {ID_NUMBER}")
    except ValueError:
        log.exception("reading failed")
    text = "\n".join(lines())
    assert ID_NUMBER not in text and PHONE not in text
    assert text.count("[ID number masked]") == 2 and "[phone masked]" in text
    if style == "json":
        careless, failed = (json.loads(line) for line in text.splitlines())
        assert careless["message"] == "careless: card [ID number masked], phone [phone masked]"
        assert "ValueError: bad card [ID number masked]" in failed["exception"]
