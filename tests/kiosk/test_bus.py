from __future__ import annotations

import logging
import threading

import pytest

from kiosk.bus import EventBus
from kiosk.events import Event


def test_subscribers_receive_the_payload_in_order() -> None:
    bus = EventBus()
    seen: list[tuple[str, str]] = []
    bus.subscribe(Event.SESSION_STARTED, lambda session_id: seen.append(("first", session_id)))
    bus.subscribe(Event.SESSION_STARTED, lambda session_id: seen.append(("second", session_id)))
    bus.publish(Event.SESSION_STARTED, session_id="ab12")
    assert seen == [("first", "ab12"), ("second", "ab12")]


def test_other_events_are_not_delivered_and_unsubscribe_works() -> None:
    bus = EventBus()
    seen: list[str] = []
    stop = bus.subscribe(Event.SESSION_ENDED, lambda **payload: seen.append(payload["reason"]))
    bus.publish(Event.SESSION_STARTED, session_id="x")
    bus.publish(Event.SESSION_ENDED, session_id="x", reason="idle")
    stop()
    bus.publish(Event.SESSION_ENDED, session_id="y", reason="finished")
    assert seen == ["idle"]


def test_a_failing_handler_is_logged_and_does_not_stop_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bus = EventBus()
    seen: list[str] = []

    def broken(**_: object) -> None:
        raise ValueError("screen exploded")

    def record(job_id: str) -> None:
        seen.append(job_id)

    bus.subscribe(Event.PRINT_COMPLETED, broken)
    bus.subscribe(Event.PRINT_COMPLETED, record)
    with caplog.at_level(logging.ERROR):
        bus.publish(Event.PRINT_COMPLETED, job_id="7")
    assert seen == ["7"]
    assert "screen exploded" in caplog.text
    assert "print.completed" in caplog.text


def test_publishing_from_many_threads_delivers_everything() -> None:
    bus = EventBus()
    seen: list[str] = []
    lock = threading.Lock()

    def record(job_id: str) -> None:
        with lock:
            seen.append(job_id)

    bus.subscribe(Event.PRINT_COMPLETED, record)
    threads = [
        threading.Thread(
            target=lambda n=n: [bus.publish(Event.PRINT_COMPLETED, job_id=f"{n}-{i}") for i in range(200)]
        )
        for n in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 800
