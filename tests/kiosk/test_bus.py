from __future__ import annotations

import logging
import threading

import pytest

from kiosk.bus import ChangeLock, EventBus
from kiosk.events import PrintCompleted, SessionEnded, SessionStarted


def test_subscribers_receive_the_payload_in_order() -> None:
    bus = EventBus()
    seen: list[tuple[str, str]] = []
    bus.subscribe(SessionStarted, lambda event: seen.append(("first", event.session_id)))
    bus.subscribe(SessionStarted, lambda event: seen.append(("second", event.session_id)))
    bus.publish(SessionStarted("ab12"))
    assert seen == [("first", "ab12"), ("second", "ab12")]


def test_other_events_are_not_delivered_and_unsubscribe_works() -> None:
    bus = EventBus()
    seen: list[str] = []
    stop = bus.subscribe(SessionEnded, lambda event: seen.append(event.reason))
    bus.publish(SessionStarted("x"))
    bus.publish(SessionEnded("x", reason="idle"))
    stop()
    bus.publish(SessionEnded("y", reason="finished"))
    assert seen == ["idle"]


def test_a_failing_handler_is_logged_and_does_not_stop_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bus = EventBus()
    seen: list[str] = []

    def broken(_event: PrintCompleted) -> None:
        raise ValueError("screen exploded")

    def record(event: PrintCompleted) -> None:
        seen.append(event.job_id)

    bus.subscribe(PrintCompleted, broken)
    bus.subscribe(PrintCompleted, record)
    with caplog.at_level(logging.ERROR):
        bus.publish(PrintCompleted(job_id="7"))
    assert seen == ["7"]
    assert "screen exploded" in caplog.text
    assert "PrintCompleted" in caplog.text


def test_publishing_from_many_threads_delivers_everything() -> None:
    bus = EventBus()
    seen: list[str] = []
    lock = threading.Lock()

    def record(event: PrintCompleted) -> None:
        with lock:
            seen.append(event.job_id)

    bus.subscribe(PrintCompleted, record)
    threads = [
        threading.Thread(
            target=lambda n=n: [bus.publish(PrintCompleted(job_id=f"{n}-{i}")) for i in range(200)]
        )
        for n in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 800


def test_a_change_lock_publishes_what_was_announced_once_released_in_order() -> None:
    bus = EventBus()
    lock = ChangeLock(bus)
    seen: list[str] = []
    bus.subscribe(PrintCompleted, lambda event: seen.append(event.job_id))
    with lock:
        lock.announce(PrintCompleted("1"))
        with lock:  # a change made of smaller ones publishes when the outermost ends
            lock.announce(PrintCompleted("2"))
        assert seen == []
    assert seen == ["1", "2"]


def test_a_subscriber_waiting_for_another_thread_that_takes_the_change_lock_does_not_deadlock() -> None:
    bus = EventBus()
    lock = ChangeLock(bus)
    seen: list[str] = []

    def on_completed(event: PrintCompleted) -> None:
        seen.append(event.job_id)
        if event.job_id == "first":
            worker = threading.Thread(target=change, args=("second",))
            worker.start()
            worker.join(timeout=2)
            seen.append("worker done" if not worker.is_alive() else "worker stuck")

    def change(job_id: str) -> None:
        with lock:
            lock.announce(PrintCompleted(job_id))

    bus.subscribe(PrintCompleted, on_completed)
    change("first")
    # The worker's event waits for the one being delivered, then follows it.
    assert seen == ["first", "worker done", "second"]
