from __future__ import annotations

from kiosk.blanking import ScreenBlanking
from tests.conftest import FakeClock


def test_blanks_after_the_quiet_minutes_on_the_attract_screen_only(clock: FakeClock) -> None:
    blanking = ScreenBlanking(minutes=10, clock=clock)
    clock.advance(599)
    assert not blanking.due(resident_present=False)
    clock.advance(1)
    assert blanking.due(resident_present=False)
    assert not blanking.due(resident_present=True)  # never under a resident


def test_a_touch_or_a_wake_restarts_the_quiet_time(clock: FakeClock) -> None:
    blanking = ScreenBlanking(minutes=1, clock=clock)
    clock.advance(50)
    blanking.activity()
    clock.advance(50)
    assert not blanking.due(resident_present=False)
    clock.advance(10)
    assert blanking.due(resident_present=False)
    blanking.blank = True
    assert not blanking.due(resident_present=False)  # already black
    blanking.wake()
    assert not blanking.blank and not blanking.due(resident_present=False)


def test_zero_minutes_never_blanks(clock: FakeClock) -> None:
    blanking = ScreenBlanking(minutes=0, clock=clock)
    clock.advance(10**6)
    assert not blanking.due(resident_present=False)
