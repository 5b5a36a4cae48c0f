"""console.alerts: alerts opened past their thresholds and closed when they clear, once per kiosk and
kind whatever runs them, and POSTed to a real local HTTP server once per opening and per closing,
retried when it fails."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from console import alerts
from console.background import Job, Periodic, jobs, webhook_jobs
from console.db import Database
from console.ingest import apply_batch, parse
from console.models import Alert, Kiosk
from console.settings import ConsoleSettings
from console.web.app import create_app
from console.web.state import ConsoleState

T0 = 1_800_000_000.0
MINUTE = 60.0


class Hook:
    """A webhook receiver on a loopback port: keeps each JSON body; answers 500 while `failing`."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.failing = 0
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if hook.failing:
                    hook.failing -= 1
                    self.send_response(500)
                else:
                    hook.bodies.append(body)
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/alerts"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook() -> Iterator[Hook]:
    receiver = Hook()
    yield receiver
    receiver.close()


def make_state(db: Database, tmp_path: Path, **settings: Any) -> ConsoleState:
    values: dict[str, Any] = {
        "data_dir": tmp_path,
        "alert_offline_minutes": 10,
        "alert_fault_minutes": 15,
        "alert_sync_failures": 3,
        "stale_after": 180,
    }
    values.update(settings)
    state: ConsoleState = create_app(ConsoleSettings(**values), background=False, db=db).state.console
    return state


def feed(db: Database, kiosk_id: str, kind: str, body: dict[str, Any], at: float) -> None:
    with db.session() as session:
        apply_batch(session, [parse(f"kiosk/v1/{kiosk_id}/{kind}", json.dumps(body).encode(), at)], at)


def open_alerts(db: Database) -> list[tuple[str, str, str]]:
    with db.session() as session:
        return sorted(
            (a.kiosk_id, a.kind, a.detail)
            for a in session.scalars(select(Alert).where(Alert.closed_at.is_(None)))
        )


def reported(printer: dict[str, Any], sync_error: str | None = None, last_sync: float = T0) -> dict[str, Any]:
    return {
        "software": {"version": "0.1.0"},
        "devices": {"printer": printer, "id_reader": {"state": "ok"}},
        "screen": "attract",
        "sync": {"at": last_sync, "error": sync_error},
    }


def test_lost_offline_and_silent_kiosks_alert_past_the_threshold_and_close_when_back(
    console_db: Database, tmp_path: Path
) -> None:
    state = make_state(console_db, tmp_path)
    feed(console_db, "lost", "status", {"state": "lost", "session": 1, "at": T0}, T0)
    feed(console_db, "off", "status", {"state": "offline", "session": 1, "at": T0}, T0)
    feed(console_db, "silent", "status", {"state": "online", "session": 1, "at": T0}, T0)
    feed(console_db, "fine", "status", {"state": "online", "session": 1, "at": T0}, T0)
    feed(console_db, "fine", "telemetry", {"visits_today": 1}, T0 + 11 * MINUTE)
    alerts.run(state, T0 + 9 * MINUTE)
    assert open_alerts(console_db) == []
    alerts.run(state, T0 + 11 * MINUTE)
    # Silent since T0 (last heard), though the broker never said so: lost by the console's clock.
    assert [(k, kind) for k, kind, _ in open_alerts(console_db)] == [
        ("lost", "lost"),
        ("off", "offline"),
        ("silent", "lost"),
    ]
    assert open_alerts(console_db)[2][2].startswith("silent: nothing heard for")
    # Back: a new session's online closes it; the silent one speaks again.
    feed(
        console_db,
        "lost",
        "status",
        {"state": "online", "session": 2, "at": T0 + 15 * MINUTE},
        T0 + 15 * MINUTE,
    )
    feed(console_db, "silent", "telemetry", {"visits_today": 0}, T0 + 15 * MINUTE)
    alerts.run(state, T0 + 15 * MINUTE)
    assert [(k, kind) for k, kind, _ in open_alerts(console_db)] == [("off", "offline")]
    with console_db.session() as session:
        closed = session.scalars(select(Alert).where(Alert.closed_at.is_not(None))).all()
        assert sorted(a.kiosk_id for a in closed) == ["lost", "silent"]


def test_a_device_fault_and_a_failing_sync(console_db: Database, tmp_path: Path) -> None:
    state = make_state(console_db, tmp_path)
    feed(console_db, "k1", "reported", reported({"state": "stopped", "reasons": ["media-empty-error"]}), T0)
    alerts.run(state, T0 + 14 * MINUTE)
    assert open_alerts(console_db) == []
    alerts.run(state, T0 + 16 * MINUTE)
    assert open_alerts(console_db) == [("k1", "device_fault", "printer: media-empty")]
    # Sync failing: three sync_failed events after the last success.
    for n in range(3):
        feed(
            console_db,
            "k1",
            "event",
            {"type": "sync_failed", "at": T0 + 1 + n, "reason": "unreachable"},
            T0 + n,
        )
    alerts.run(state, T0 + 17 * MINUTE)
    assert ("k1", "sync_failing", "3 syncs failed in a row") in open_alerts(console_db)
    # Paper loaded, and a sync succeeded after the failures: both close.
    feed(
        console_db,
        "k1",
        "reported",
        reported({"state": "idle", "reasons": []}, last_sync=T0 + 10),
        T0 + 18 * MINUTE,
    )
    alerts.run(state, T0 + 18 * MINUTE)
    assert open_alerts(console_db) == []
    # reported.sync.error alone says the kiosk's sync fails.
    feed(
        console_db,
        "k2",
        "reported",
        reported({"state": "idle", "reasons": []}, sync_error="signature expired"),
        T0,
    )
    alerts.run(state, T0 + 19 * MINUTE)
    assert open_alerts(console_db) == [("k2", "sync_failing", "signature expired")]


def test_one_open_alert_per_kiosk_and_kind_is_enforced_by_the_database(
    console_db: Database, tmp_path: Path
) -> None:
    settings = make_state(console_db, tmp_path).settings
    feed(console_db, "k1", "status", {"state": "lost", "session": 1, "at": T0}, T0)
    # Two processes evaluating from the same view: the second opening does nothing.
    with console_db.session() as first, console_db.session() as second:
        assert alerts.evaluate(first, settings, T0 + 20 * MINUTE) == (1, 0)
    with console_db.session() as second:
        second.execute(
            alerts._insert(second)
            .values(kiosk_id="k1", kind="lost", detail="", opened_at=T0)
            .on_conflict_do_nothing(
                index_elements=["kiosk_id", "kind"], index_where=Alert.closed_at.is_(None)
            )
        )
    assert len(open_alerts(console_db)) == 1
    with pytest.raises(IntegrityError), console_db.session() as session:
        session.add(Alert(kiosk_id="k1", kind="lost", detail="again", opened_at=T0))
    # A closed one does not count.
    with console_db.session() as session:
        session.add(Alert(kiosk_id="k1", kind="offline", detail="", opened_at=T0, closed_at=T0 + 1))
        session.add(Alert(kiosk_id="k1", kind="offline", detail="", opened_at=T0 + 2, closed_at=T0 + 3))


def test_the_webhook_gets_each_opening_and_closing_once_and_a_failure_is_retried(
    console_db: Database, tmp_path: Path, hook: Hook
) -> None:
    state = make_state(console_db, tmp_path, webhook_url=hook.url)
    with console_db.session() as session:
        session.add(Kiosk(id="k1", site="Huancui hall"))
    feed(console_db, "k1", "status", {"state": "lost", "session": 1, "at": T0}, T0)
    hook.failing = 1
    alerts.run(state, T0 + 11 * MINUTE)
    assert hook.bodies == []
    with console_db.session() as session:
        alert = session.scalars(select(Alert)).one()
        assert alert.notified_at is None and "500" in alert.notify_error
    alerts.run(state, T0 + 12 * MINUTE)
    alerts.run(state, T0 + 13 * MINUTE)
    assert [(b["event"], b["kiosk"], b["kind"], b["site"]) for b in hook.bodies] == [
        ("opened", "k1", "lost", "Huancui hall")
    ]
    with console_db.session() as session:
        alert = session.scalars(select(Alert)).one()
        assert alert.notified_at == T0 + 12 * MINUTE and alert.notify_error == ""
    feed(
        console_db,
        "k1",
        "status",
        {"state": "online", "session": 2, "at": T0 + 14 * MINUTE},
        T0 + 14 * MINUTE,
    )
    alerts.run(state, T0 + 14 * MINUTE)
    alerts.run(state, T0 + 15 * MINUTE)
    assert [b["event"] for b in hook.bodies] == ["opened", "closed"]
    assert hook.bodies[1]["closed_at"] == T0 + 14 * MINUTE


def test_an_unreachable_webhook_is_kept_as_the_alerts_notify_error(
    console_db: Database, tmp_path: Path
) -> None:
    state = make_state(console_db, tmp_path, webhook_url="http://127.0.0.1:9/alerts")
    feed(console_db, "k1", "status", {"state": "offline", "session": 1, "at": T0}, T0)
    alerts.run(state, T0 + 11 * MINUTE)
    with console_db.session() as session:
        alert = session.scalars(select(Alert)).one()
        assert alert.notified_at is None and alert.notify_error


def test_the_alerts_job_is_one_of_the_consoles_jobs() -> None:
    assert "alerts" in [job.name for job in jobs()]


def test_a_closing_is_never_sent_before_its_opening(console_db: Database, tmp_path: Path, hook: Hook) -> None:
    state = make_state(console_db, tmp_path, webhook_url=hook.url)
    feed(console_db, "k1", "status", {"state": "offline", "session": 1, "at": T0}, T0)
    hook.failing = 1  # the opening is not taken
    alerts.run(state, T0 + 11 * MINUTE)
    assert hook.bodies == []
    feed(
        console_db,
        "k1",
        "status",
        {"state": "online", "session": 2, "at": T0 + 12 * MINUTE},
        T0 + 12 * MINUTE,
    )
    alerts.run(state, T0 + 12 * MINUTE)
    alerts.run(state, T0 + 13 * MINUTE)
    assert [(b["event"], b["kind"], b["closed_at"]) for b in hook.bodies] == [
        ("opened", "offline", None),
        ("closed", "offline", T0 + 12 * MINUTE),
    ]


class SlowHook(Hook):
    """A webhook that takes its time: each POST is answered after `delay` seconds."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        super().__init__()
        handler = self.server.RequestHandlerClass
        original = handler.do_POST  # type: ignore[attr-defined]

        def slow(handler_self: Any) -> None:
            time.sleep(delay)
            original(handler_self)

        handler.do_POST = slow  # type: ignore[attr-defined]


def test_a_slow_webhook_does_not_hold_up_the_other_jobs(console_db: Database, tmp_path: Path) -> None:
    slow = SlowHook(delay=2.0)
    try:
        state = make_state(console_db, tmp_path, webhook_url=slow.url)
        for n in range(3):
            feed(console_db, f"k{n}", "status", {"state": "offline", "session": 1, "at": T0}, T0)
        ran: list[float] = []
        marker = Job("marker", 0.0, lambda _state, now: ran.append(now))
        main = Periodic(state, [*jobs(), marker])
        webhook = Periodic(state, webhook_jobs(), name="console-webhook")
        now = T0 + 11 * MINUTE
        started = time.monotonic()
        main.run_due(now)  # opens five alerts; sends nothing
        assert time.monotonic() - started < 1.5 and ran == [now]
        with console_db.session() as session:
            assert len(session.scalars(select(Alert)).all()) == 3
        sender = threading.Thread(target=webhook.run_due, args=(now,))
        sender.start()
        time.sleep(0.5)
        started = time.monotonic()
        main.run_due(now + 1)  # while the webhook is being waited for
        assert time.monotonic() - started < 1.5 and ran == [now, now + 1]
        sender.join(60)
        assert [body["kiosk"] for body in slow.bodies] == ["k0", "k1", "k2"]
    finally:
        slow.close()
