"""The rating outbox reaches the platform's rating system: the sender against the real simulator on
loopback, on real SQLite files (kiosk/rating_sender.py, docs/platform.md "How ratings travel")."""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.appliance import Kiosk
from kiosk.migrations import migrate
from kiosk.outbox import OUTBOX_MIGRATIONS, RatingOutbox
from kiosk.platform.gateway import HttpGateway
from kiosk.platform.signing import Signer
from kiosk.platform.simulator import DEMO_PAAS_ID, DEMO_TOKEN, PlatformSimulator
from kiosk.rating_sender import BACKOFF_MAX, IDLE_SECONDS, RatingSender, contract_body, next_delay
from kiosk.records import Rating, RatingLevel
from kiosk.storage import connect
from tests.conftest import wait_for

PHONE = "13912345678"
#: A case of the simulator's (sim_data.CASES): a resident rates how it was handled.
CASE_NO = "WH2026110700001"
RATED_AT = "2026-12-07T09:30:00+00:00"


@pytest.fixture
def state_db(tmp_path: Path) -> Path:
    return tmp_path / "state.db"


@pytest.fixture
def outbox(state_db: Path) -> Iterator[RatingOutbox]:
    store = RatingOutbox(state_db)
    yield store
    store.close()


def gateway(simulator: PlatformSimulator) -> HttpGateway:
    return HttpGateway(simulator.url, Signer(DEMO_PAAS_ID, DEMO_TOKEN, "SHA256"), timeout=2)


def rating(
    level: RatingLevel = RatingLevel.SATISFIED,
    *,
    phone: str = "",
    guide_id: str = "g-1",
    rating_id: str = "",
    case_no: str = "",
) -> Rating:
    reasons = ("long_wait",) if level.bad else ()
    return Rating(
        rating_id or uuid.uuid4().hex,
        "wh-0042",
        RATED_AT,
        level,
        (("attitude", True),),
        reasons,
        guide_id,
        phone,
        case_no,
    )


def received_ids(simulator: PlatformSimulator) -> list[str]:
    return [str(body["rating_id"]) for body in simulator.ratings]


def canonical(rating_id: str) -> str:
    return str(uuid.UUID(rating_id))


def test_the_body_is_the_contracts() -> None:
    bad = rating(RatingLevel.VERY_DISSATISFIED, phone=PHONE, guide_id="")
    assert contract_body(bad) == {
        "rating_id": canonical(bad.rating_id),
        "terminal_id": "wh-0042",
        "channel": "self_service_terminal",
        "subject": {"kind": "terminal", "id": "wh-0042"},
        "level": 1,
        "reasons": ["long_wait"],
        "comment": "",
        "rated_at": RATED_AT,
        "phone": PHONE,
    }
    good = contract_body(rating(RatingLevel.VERY_SATISFIED))
    assert good["level"] == 5 and good["subject"] == {"kind": "guide", "id": "g-1"} and good["phone"] is None
    # A case rated is the subject, whatever guide the resident read before.
    assert contract_body(rating(case_no=CASE_NO))["subject"] == {"kind": "case", "id": CASE_NO}


def test_ratings_reach_the_simulator_oldest_first_and_are_marked_accepted(
    simulator: PlatformSimulator, state_db: Path, outbox: RatingOutbox
) -> None:
    kept = [
        rating(level)
        for level in (RatingLevel.SATISFIED, RatingLevel.DISSATISFIED, RatingLevel.BASICALLY_SATISFIED)
    ]
    for each in kept:
        outbox.add(each)
    report = RatingSender(state_db, gateway(simulator)).run_round()
    assert report.accepted == 3 and not report.failure
    assert received_ids(simulator) == [canonical(each.rating_id) for each in kept]
    assert [body["level"] for body in simulator.ratings] == [4, 2, 3]
    assert outbox.count_pending() == 0 and outbox.sending(kept[0].rating_id) == (1, "")


def test_a_platform_that_is_down_keeps_them_and_a_later_round_sends_them(
    simulator: PlatformSimulator, state_db: Path, outbox: RatingOutbox
) -> None:
    first, second = rating(), rating()
    outbox.add(first)
    outbox.add(second)
    sender = RatingSender(state_db, gateway(simulator))
    simulator.down = "503"
    report = sender.run_round()
    assert report.failure == "PlatformUnavailable" and report.accepted == 0
    assert sender.failures == 1 and simulator.ratings == []
    # The round stopped at the first failure: the second was not tried.
    assert outbox.sending(first.rating_id) == (1, "PlatformUnavailable") and outbox.sending(
        second.rating_id
    ) == (0, "")
    sender.nudge()  # backing off: a session end does not cut the back-off short
    simulator.down = None
    # Days offline are only time: the ratings are on disk, a new process finds them.
    outbox.close()
    reopened = RatingOutbox(state_db)
    try:
        assert reopened.count_pending() == 2
    finally:
        reopened.close()
    report = sender.run_round()
    assert report.accepted == 2 and sender.failures == 0
    assert received_ids(simulator) == [canonical(first.rating_id), canonical(second.rating_id)]


def test_the_back_off_doubles_from_30_s_to_30_min_with_bounded_jitter() -> None:
    assert next_delay(0, 0.5) == IDLE_SECONDS
    assert [next_delay(failures, 0.5) for failures in (1, 2, 3)] == [30.0, 60.0, 120.0]
    assert next_delay(40, 0.5) == BACKOFF_MAX
    assert 24.0 <= next_delay(1, 0.0) < next_delay(1, 1.0) <= 36.0 + 1e-9
    assert next_delay(40, 1.0) <= 1.2 * BACKOFF_MAX + 1e-9


def test_a_rating_the_platform_refuses_is_set_aside_and_not_sent_again(
    simulator: PlatformSimulator, state_db: Path, outbox: RatingOutbox
) -> None:
    malformed = Rating(
        "", "wh-0042", RATED_AT, RatingLevel.DISSATISFIED, (), ("other",), "", PHONE
    )  # no rating id
    after = rating()
    outbox.add(malformed)
    outbox.add(after)
    sender = RatingSender(state_db, gateway(simulator))
    report = sender.run_round()
    assert report.set_aside == 1 and report.accepted == 1 and not report.failure
    assert outbox.set_aside_codes() == {"": "BAD_REQUEST"} and outbox.count_set_aside() == 1
    assert outbox.count_pending() == 0 and received_ids(simulator) == [canonical(after.rating_id)]
    assert outbox.conn.execute("SELECT phone FROM rating_outbox WHERE rating_id = ''").fetchone() == (None,)
    assert sender.run_round().set_aside == 0  # never retried


def disk_bytes(state_db: Path) -> bytes:
    return b"".join(path.read_bytes() for path in state_db.parent.glob(state_db.name + "*") if path.is_file())


def test_the_phone_number_leaves_the_disk_once_accepted(
    simulator: PlatformSimulator, state_db: Path, outbox: RatingOutbox
) -> None:
    outbox.add(rating(RatingLevel.VERY_DISSATISFIED, phone=PHONE))
    outbox.add(rating())
    assert PHONE.encode() in disk_bytes(state_db)  # pending: on disk, as the outbox keeps it to send it
    outbox.forget_deleted()  # as an automatic checkpoint would: now in the database file itself
    assert PHONE.encode() in state_db.read_bytes()
    RatingSender(state_db, gateway(simulator)).run_round()
    assert [body["phone"] for body in simulator.ratings] == [PHONE, None]  # it went only there
    assert outbox.count_pending() == 0
    assert PHONE.encode() not in disk_bytes(state_db)  # neither in the database nor in its WAL
    assert PHONE[3:].encode() not in disk_bytes(state_db)


def test_a_case_rated_reaches_the_simulator_and_its_number_then_leaves_the_disk_and_no_log_has_it(
    simulator: PlatformSimulator, state_db: Path, outbox: RatingOutbox, caplog: pytest.LogCaptureFixture
) -> None:
    outbox.add(rating(case_no=CASE_NO, guide_id=""))
    outbox.add(replace(rating(RatingLevel.DISSATISFIED, case_no=CASE_NO), rating_id=""))  # refused: no id
    outbox.forget_deleted()
    assert CASE_NO.encode() in state_db.read_bytes()  # pending: kept, to be sent
    with caplog.at_level(logging.DEBUG):
        report = RatingSender(state_db, gateway(simulator)).run_round()
    assert report.accepted == 1 and report.set_aside == 1
    assert [body["subject"] for body in simulator.ratings] == [{"kind": "case", "id": CASE_NO}]
    # Accepted or set aside, the rating no longer needs the case: gone from the rows and the disk.
    assert outbox.conn.execute("SELECT case_no FROM rating_outbox").fetchall() == [(None,), (None,)]
    assert CASE_NO.encode() not in disk_bytes(state_db)
    assert caplog.records and not any(CASE_NO in record.getMessage() for record in caplog.records)


def test_an_outbox_from_before_cases_keeps_its_ratings(simulator: PlatformSimulator, state_db: Path) -> None:
    conn = connect(state_db)
    migrate(conn, OUTBOX_MIGRATIONS.before("rate_cases"))
    conn.execute(
        "INSERT INTO rating_outbox (rating_id, kiosk_id, rated_at, level, dimensions, reasons, guide_id, "
        "phone) VALUES (?, 'wh-0042', ?, 'satisfied', '{}', '[]', 'g-1', NULL)",
        ("c" * 32, RATED_AT),
    )
    conn.close()
    outbox = RatingOutbox(state_db)
    try:
        assert [(kept.guide_id, kept.case_no) for kept in outbox.pending()] == [("g-1", "")]
        assert RatingSender(state_db, gateway(simulator)).run_round().accepted == 1
        assert simulator.ratings[0]["subject"] == {"kind": "guide", "id": "g-1"}
    finally:
        outbox.close()


SENDER_KILLED_AFTER_SEND = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from kiosk.platform.gateway import HttpGateway
    from kiosk.platform.signing import Signer
    from kiosk.rating_sender import RatingSender

    class SentThenHangs:
        # The real gateway; after the platform accepted, the process stops before the outbox marks.
        def __init__(self, gateway):
            self.gateway = gateway
        def submit_rating(self, rating):
            self.gateway.submit_rating(rating)
            print("sent", flush=True)
            time.sleep(600)

    url, paas_id, token, state_db = sys.argv[1:5]
    gateway = HttpGateway(url, Signer(paas_id, token, "SHA256"), timeout=3)
    RatingSender(Path(state_db), SentThenHangs(gateway)).run_round()
    """
)


def test_a_kill_9_between_send_and_mark_resends_and_the_platform_counts_it_once(
    simulator: PlatformSimulator, state_db: Path, outbox: RatingOutbox
) -> None:
    kept = rating(phone=PHONE)
    outbox.add(kept)
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            SENDER_KILLED_AFTER_SEND,
            simulator.url,
            DEMO_PAAS_ID,
            DEMO_TOKEN,
            str(state_db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "sent"
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
    assert process.returncode == -signal.SIGKILL
    assert received_ids(simulator) == [canonical(kept.rating_id)]
    assert outbox.count_pending() == 1  # the platform has it, the kiosk does not know: still pending
    report = RatingSender(state_db, gateway(simulator)).run_round()
    assert report.accepted == 1 and outbox.count_pending() == 0
    assert received_ids(simulator) == [canonical(kept.rating_id)]  # sent twice, counted once


def test_an_upgraded_outbox_keeps_its_pending_ratings_in_order(
    simulator: PlatformSimulator, state_db: Path
) -> None:
    conn = connect(state_db)
    migrate(conn, OUTBOX_MIGRATIONS.before("track_sending"))  # the schema of the release before
    older, newer = "b" * 32, "a" * 32  # given in this order: the ids do not sort that way
    for rating_id, phone, sent_at in ((older, PHONE, None), ("sent-before", "", RATED_AT), (newer, "", None)):
        conn.execute(
            "INSERT INTO rating_outbox VALUES (?, 'wh-0042', ?, 'satisfied', '{}', '[]', 'g-1', ?, ?)",
            (rating_id, RATED_AT, phone, sent_at),
        )
    conn.close()
    outbox = RatingOutbox(state_db)
    try:
        assert [(kept.rating_id, kept.phone) for kept in outbox.pending()] == [(older, PHONE), (newer, "")]
        assert outbox.sending(older) == (0, "") and outbox.count_set_aside() == 0
        phones = dict(outbox.conn.execute("SELECT rating_id, phone FROM rating_outbox").fetchall())
        assert phones == {older: PHONE, "sent-before": None, newer: None}
        assert RatingSender(state_db, gateway(simulator)).run_round().accepted == 2
        assert received_ids(simulator) == [canonical(older), canonical(newer)]
    finally:
        outbox.close()
    assert PHONE.encode() not in disk_bytes(state_db)  # the copy the upgrade left behind is gone too


# -- in the kiosk -------------------------------------------------------------------------------


def platform_settings(simulator: PlatformSimulator) -> dict[str, dict[str, object]]:
    return {"platform": {"url": simulator.url, "paas_id": DEMO_PAAS_ID, "token": DEMO_TOKEN, "timeout": 2}}


def test_in_the_kiosk_ratings_go_on_a_thread_of_their_own_and_stop_with_it(
    make_kiosk: Callable[..., Kiosk], simulator: PlatformSimulator
) -> None:
    kiosk = make_kiosk(platform_settings(simulator))
    kiosk.ratings.add(rating())
    simulator.slow = 1.0  # a slow platform never holds up the caller
    started = time.monotonic()
    kiosk.start()
    sender = kiosk.rating_sender
    assert sender is not None and sender.thread is not None
    assert sender.thread is not threading.current_thread() and sender.thread.name == "kiosk-ratings"
    kiosk.session.start()
    kiosk.session.end("walked_away")  # a session end nudges a round
    assert time.monotonic() - started < 0.5
    assert wait_for(lambda: kiosk.ratings.count_pending() == 0)
    assert len(simulator.ratings) == 1
    simulator.slow = 0.0
    stopping = time.monotonic()
    sender.stop()
    assert time.monotonic() - stopping < 2 and not sender.thread.is_alive()


def test_stopping_never_waits_for_a_slow_platform(
    simulator: PlatformSimulator, state_db: Path, outbox: RatingOutbox
) -> None:
    first, second = rating(), rating()
    outbox.add(first)
    outbox.add(second)
    simulator.slow = 4.0
    signer = Signer(DEMO_PAAS_ID, DEMO_TOKEN, "SHA256")
    sender = RatingSender(state_db, HttpGateway(simulator.url, signer, timeout=8))
    sender.start(first_delay=0)
    time.sleep(0.5)  # the first rating is on its way
    stopping = time.monotonic()
    sender.stop()
    assert time.monotonic() - stopping < 2.5
    thread = sender.thread
    assert thread is not None and wait_for(lambda: not thread.is_alive())
    # The rating in flight was accepted and marked; the round stopped before the next one.
    assert received_ids(simulator) == [canonical(first.rating_id)]
    assert [kept.rating_id for kept in outbox.pending()] == [second.rating_id]


def test_not_configured_the_outbox_keeps_filling_and_says_so_once(
    make_kiosk: Callable[..., Kiosk], caplog: pytest.LogCaptureFixture
) -> None:
    kiosk = make_kiosk()
    kiosk.ratings.add(rating())
    with caplog.at_level(logging.INFO, logger="kiosk.appliance"):
        kiosk.start()
    assert kiosk.rating_sender is None
    said = [
        record.getMessage()
        for record in caplog.records
        if "ratings are kept and not sent" in record.getMessage()
    ]
    assert said == [
        "ratings are kept and not sent (platform.url is empty: this kiosk has no platform): "
        "1 waiting in the outbox"
    ]
    kiosk.ratings.add(rating())
    assert kiosk.ratings.count_pending() == 2


def test_the_outbox_connection_zeroes_what_it_frees(state_db: Path) -> None:
    # Debian builds SQLite zeroing by default; the outbox asks for it on any build.
    outbox = RatingOutbox(state_db)
    try:
        assert outbox.conn.execute("PRAGMA secure_delete").fetchone() == (1,)
    finally:
        outbox.close()
    assert sqlite3.connect(state_db).execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_platform_set_up_wrong_keeps_them_and_warns(
    make_kiosk: Callable[..., Kiosk], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    missing = tmp_path / "no-token"
    kiosk = make_kiosk(
        {"platform": {"url": "http://127.0.0.1:9", "paas_id": DEMO_PAAS_ID, "token_file": str(missing)}}
    )
    kiosk.ratings.add(rating())
    with caplog.at_level(logging.INFO, logger="kiosk.appliance"):
        kiosk.start()
    assert kiosk.rating_sender is None and kiosk.ratings.count_pending() == 1
    [said] = [record for record in caplog.records if "ratings are kept and not sent" in record.getMessage()]
    assert said.levelno == logging.WARNING and str(missing) in said.getMessage()
