"""The identity flow without Kivy: cards identify, removal ends it at once, readers come and go."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any, TypeVar

import pytest

from kiosk.appliance import Kiosk
from kiosk.events import (
    EVENTS,
    DeviceBack,
    DeviceLost,
    IdentityReadFailed,
    IdentityReading,
    KioskEvent,
    SessionIdentified,
    SessionIdentityDropped,
)
from kiosk.identity import IdentityService, ReaderWatch
from kiosk.journey import Screen
from kiosk.ports import CardUnreadable, DeviceUnavailable
from kiosk.records import CardKind, IdCard, SocialSecurityCard
from kiosk.session import SessionState

ID_CARD = IdCard("resident", "演示居民", "女", "371002199001010023", birth_date=date(1990, 1, 1))
SS_CARD = SocialSecurityCard("371000D156000005", "演示居民", "371002199001010023")
FAST = ReaderWatch(poll=0.01, read=0.2, retry=0.02)


E = TypeVar("E", bound=KioskEvent)


class Recorder:
    """Collects events as they are published, and lets a test wait for one."""

    def __init__(self, kiosk: Kiosk) -> None:
        self.seen: list[KioskEvent] = []
        self._changed = threading.Condition()
        for kind in EVENTS:
            kiosk.bus.subscribe(kind, self._record)

    def _record(self, event: KioskEvent) -> None:
        with self._changed:
            self.seen.append(event)
            self._changed.notify_all()

    def wait_for(self, kind: type[E], count: int = 1, timeout: float = 3.0) -> E:
        with self._changed:
            assert self._changed.wait_for(lambda: self.count(kind) >= count, timeout), f"no {kind.__name__}"
            return [event for event in self.seen if isinstance(event, kind)][count - 1]

    def count(self, kind: type[KioskEvent]) -> int:
        return sum(1 for event in self.seen if isinstance(event, kind))


class FlakyReader:
    """A reader that can be unplugged and plugged back (a small real implementation of the port)."""

    def __init__(self) -> None:
        self.plugged = True
        self.card: IdCard | None = None
        self.unreadable = False
        self._read = False

    def _check(self) -> None:
        if not self.plugged:
            raise DeviceUnavailable("ID card reader on /dev/ttyTEST: the port failed: unplugged")

    def card_present(self) -> bool:
        self._check()
        return self.card is not None

    def read_card(self, timeout: float) -> IdCard | None:
        self._check()
        if self.unreadable:
            raise CardUnreadable("ID card reader on /dev/ttyTEST: READ_BASIC answered 41 (read failed)")
        if self.card is None or self._read:
            return None
        self._read = True
        return self.card

    def close(self) -> None:
        """Nothing to release."""


@pytest.fixture
def kiosk(make_kiosk: Callable[..., Kiosk]) -> Iterator[Kiosk]:
    built = make_kiosk()
    built.identity.watch = FAST
    built.start()
    yield built
    built.identity.stop()


def test_an_id_card_identifies_and_lifting_it_ends_the_identified_part(kiosk: Kiosk) -> None:
    events = Recorder(kiosk)
    kiosk.journey.wake()
    kiosk.journey.open_identify()
    assert kiosk.journey.view.screen is Screen.IDENTIFY
    kiosk.devices.id_reader.slot.place(ID_CARD)  # type: ignore[attr-defined]
    assert events.wait_for(SessionIdentified) == SessionIdentified(kiosk.session.session_id, CardKind.ID_CARD)
    assert events.count(IdentityReading) == 1
    assert kiosk.session.identity is ID_CARD
    assert kiosk.journey.view.screen is Screen.IDENTIFIED
    assert {guide.name for guide in kiosk.journey.view.guides} >= {"居民身份证换领"}

    kiosk.devices.id_reader.slot.lift()  # type: ignore[attr-defined]
    assert events.wait_for(SessionIdentityDropped).reason == "card_removed"
    assert kiosk.session.identity is None
    assert kiosk.session.state is SessionState.BROWSING
    view = kiosk.journey.view
    assert view.screen is Screen.IDENTIFY
    assert "removed" in view.identify.message


def test_a_social_security_card_identifies_from_the_home_screen(kiosk: Kiosk) -> None:
    events = Recorder(kiosk)
    kiosk.journey.wake()
    kiosk.devices.sscard_reader.slot.place(SS_CARD)  # type: ignore[attr-defined]
    assert events.wait_for(SessionIdentified).card is CardKind.SSCARD
    assert kiosk.journey.view.screen is Screen.IDENTIFIED
    # Lifting the *other* reader's card (none) changes nothing; pulling this one ends it.
    kiosk.devices.sscard_reader.slot.lift()  # type: ignore[attr-defined]
    events.wait_for(SessionIdentityDropped)
    assert kiosk.session.identity is None


def test_no_card_is_read_while_nobody_uses_the_kiosk(kiosk: Kiosk) -> None:
    events = Recorder(kiosk)
    kiosk.devices.id_reader.slot.place(ID_CARD)  # type: ignore[attr-defined]
    threading.Event().wait(0.1)
    assert events.count(IdentityReading) == 0
    kiosk.journey.wake()  # a resident starts: the card lying there is read now
    events.wait_for(SessionIdentified)


def test_the_session_timing_out_drops_the_identity_at_once(kiosk: Kiosk, clock: Any) -> None:
    events = Recorder(kiosk)
    kiosk.journey.wake()
    kiosk.devices.id_reader.slot.place(ID_CARD)  # type: ignore[attr-defined]
    events.wait_for(SessionIdentified)
    clock.advance(kiosk.session.idle_seconds + kiosk.session.warning_seconds + 1)
    kiosk.session.tick()
    assert kiosk.session.identity is None
    assert kiosk.journey.view.screen is Screen.ATTRACT
    # The card still lies there: a new session does not pick it up again until it is lifted.
    kiosk.journey.wake()
    threading.Event().wait(0.1)
    assert events.count(SessionIdentified) == 1


def test_an_unreadable_card_tells_the_resident_what_to_do(kiosk: Kiosk) -> None:
    events = Recorder(kiosk)
    reader = FlakyReader()
    reader.unreadable = True
    reader.card = ID_CARD
    service = IdentityService(reader, kiosk.devices.sscard_reader, kiosk.session, kiosk.bus, FAST)
    kiosk.journey.wake()
    kiosk.journey.open_identify()
    service.start()
    try:
        failed = events.wait_for(IdentityReadFailed)
    finally:
        service.stop()
    assert failed.card is CardKind.ID_CARD
    assert kiosk.journey.view.identify.message == failed.resident_message
    assert events.count(IdentityReadFailed) == 1  # not retried while the card lies there


def test_a_reader_that_vanishes_is_reported_once_and_recovers_by_itself(kiosk: Kiosk) -> None:
    events = Recorder(kiosk)
    reader = FlakyReader()
    service = IdentityService(reader, kiosk.devices.sscard_reader, kiosk.session, kiosk.bus, FAST)
    kiosk.journey.wake()
    kiosk.journey.open_identify()
    service.start()
    try:
        reader.card = ID_CARD
        events.wait_for(SessionIdentified)
        reader.plugged = False
        lost = events.wait_for(DeviceLost)
        assert lost.device == "id_reader"
        assert "/dev/ttyTEST" in lost.reason
        # The identity read through a reader that went away ends with it.
        assert events.wait_for(SessionIdentityDropped).reason == "reader_lost"
        assert kiosk.journey.view.identify.unavailable == {"id_reader"}
        threading.Event().wait(0.1)
        assert events.count(DeviceLost) == 1
        reader.plugged = True
        assert events.wait_for(DeviceBack) == DeviceBack("id_reader")
        assert kiosk.journey.view.identify.unavailable == frozenset()
    finally:
        service.stop()
