from __future__ import annotations

from datetime import date

import pytest

from kiosk.bus import EventBus
from kiosk.events import (
    EVENTS,
    KioskEvent,
    SessionEnded,
    SessionIdentified,
    SessionIdentityDropped,
    SessionIdleWarning,
    SessionResumed,
    SessionStarted,
)
from kiosk.records import CardKind, IdCard, SocialSecurityCard
from kiosk.session import ResidentSession, SessionError, SessionState
from tests.conftest import FakeClock

CARD = IdCard(
    card_type="resident",
    name="欧阳娜娜",
    sex="女",
    id_number="371002199001010022",
    birth_date=date(1990, 1, 1),
    nation="汉",
    address="山东省威海市环翠区海滨北路 1 号",
)


class Recorder:
    def __init__(self, bus: EventBus) -> None:
        self.events: list[KioskEvent] = []
        for kind in EVENTS:
            bus.subscribe(kind, self.events.append)

    def names(self) -> list[type[KioskEvent]]:
        return [type(event) for event in self.events]


@pytest.fixture
def bus() -> EventBus:
    return EventBus()


@pytest.fixture
def session(bus: EventBus, clock: FakeClock) -> ResidentSession:
    return ResidentSession(bus, idle_seconds=60, warning_seconds=15, clock=clock)


def test_attract_browsing_identified_ended(session: ResidentSession, bus: EventBus) -> None:
    events = Recorder(bus)
    assert session.state is SessionState.ATTRACT
    session_id = session.start()
    assert session.state is SessionState.BROWSING and session.session_id == session_id
    session.identify(CARD)
    assert session.state is SessionState.IDENTIFIED and session.identity is CARD
    session.end("finished")
    assert session.state is SessionState.ENDED
    assert session.identity is None and session.session_id is None
    assert events.events == [
        SessionStarted(session_id),
        SessionIdentified(session_id, CardKind.ID_CARD),
        SessionEnded(session_id, "finished"),
    ]


def test_each_session_has_a_new_random_id(session: ResidentSession) -> None:
    first = session.start()
    session.end("finished")
    second = session.start()
    assert first != second and len(first) == 8


def test_idle_warns_then_ends_and_drops_personal_data(
    session: ResidentSession, bus: EventBus, clock: FakeClock
) -> None:
    events = Recorder(bus)
    session.start()
    session.identify(CARD)
    session.keep_personal("phone", "13800000000")
    clock.advance(59)
    session.tick()
    assert not session.warning
    clock.advance(1)
    session.tick()
    assert session.warning
    assert session.seconds_left() == pytest.approx(15)
    warning = [event for event in events.events if isinstance(event, SessionIdleWarning)]
    assert warning[0].remaining == pytest.approx(15)
    session.tick()  # a second tick during the warning does not warn again
    assert events.names().count(SessionIdleWarning) == 1
    clock.advance(15)
    session.tick()
    assert session.state is SessionState.ENDED
    assert session.identity is None and session.personal("phone") is None
    assert events.events[-1] == SessionEnded(warning[0].session_id, "idle")


def test_a_touch_during_the_warning_resumes(
    session: ResidentSession, bus: EventBus, clock: FakeClock
) -> None:
    events = Recorder(bus)
    session.start()
    clock.advance(61)
    session.tick()
    session.touch()
    assert not session.warning
    assert SessionResumed in events.names()
    clock.advance(59)
    session.tick()
    assert session.state is SessionState.BROWSING


def test_removing_the_card_ends_only_the_identified_part(session: ResidentSession, bus: EventBus) -> None:
    events = Recorder(bus)
    session.start()
    card = SocialSecurityCard(card_id="371000D156000005", name="欧阳娜娜", ss_number="371002199001010022")
    session.identify(card)
    session.keep_personal("code", "resident-code-data")
    session.drop_identity("card removed")
    assert session.state is SessionState.BROWSING
    assert session.identity is None and session.personal("code") is None
    assert isinstance(events.events[-1], SessionIdentityDropped)
    assert events.events[-2] == SessionIdentified(session.session_id, CardKind.SSCARD)


def test_transitions_that_make_no_sense_are_refused(session: ResidentSession) -> None:
    with pytest.raises(SessionError):
        session.identify(CARD)
    with pytest.raises(SessionError):
        session.keep_personal("phone", "1")
    session.start()
    with pytest.raises(SessionError):
        session.start()
    session.end("finished")
    session.end("finished")  # ending twice is harmless
    session.tick()  # no idle handling without a resident
    assert session.state is SessionState.ENDED


def test_records_never_show_identity_in_logs() -> None:
    sscard = SocialSecurityCard(card_id="3710", name="欧阳娜娜", ss_number="371002199001010022")
    text = f"{CARD!r} {CARD} {sscard!r} {sscard}"
    assert "欧阳娜娜" not in text and "371002199001010022" not in text
    assert "3710**********0022" in text
