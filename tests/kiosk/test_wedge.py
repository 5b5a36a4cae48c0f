"""Telling a keyboard-wedge scanner from a person typing, on an injected clock."""

from __future__ import annotations

from kiosk.wedge import ENTER, WedgeInput, WedgeRecogniser
from tests.conftest import FakeClock


def feed(recogniser: WedgeRecogniser, clock: FakeClock, keys: str, gap: float) -> list[WedgeInput]:
    results = []
    for char in keys:
        clock.advance(gap)
        results.append(recogniser.key(ENTER if char == "\n" else char))
    return results


def codes(results: list[WedgeInput]) -> list[str]:
    return [result.code for result in results if result.code]


def typed(results: list[WedgeInput]) -> str:
    return "".join(result.typed for result in results)


def test_a_fast_burst_ending_in_enter_is_a_scanned_code(clock: FakeClock) -> None:
    recogniser = WedgeRecogniser(clock)
    results = feed(recogniser, clock, "RC:0123456789ABCDEF\n", gap=0.004)
    assert codes(results) == ["RC:0123456789ABCDEF"]
    assert typed(results) == ""


def test_a_person_typing_is_handed_back_as_typing(clock: FakeClock) -> None:
    recogniser = WedgeRecogniser(clock)
    results = feed(recogniser, clock, "13800001111\n", gap=0.18)
    assert codes(results) == []
    assert typed(results) == "13800001111\n"


def test_typing_then_a_scan_gives_both_in_order(clock: FakeClock) -> None:
    recogniser = WedgeRecogniser(clock)
    results = feed(recogniser, clock, "ab", gap=0.2)
    clock.advance(0.5)
    results += feed(recogniser, clock, "RC:ABCDEFGH12345678\n", gap=0.003)
    assert typed(results) == "ab"
    assert codes(results) == ["RC:ABCDEFGH12345678"]


def test_a_short_fast_burst_is_not_a_code(clock: FakeClock) -> None:
    # Two keys pressed together and Enter: a person, not a scanner.
    results = feed(WedgeRecogniser(clock), clock, "ab\n", gap=0.01)
    assert codes(results) == [] and typed(results) == "ab\n"


def test_a_pause_mid_burst_makes_it_typing(clock: FakeClock) -> None:
    recogniser = WedgeRecogniser(clock)
    results = feed(recogniser, clock, "RC:0123", gap=0.004)
    clock.advance(0.3)
    results += feed(recogniser, clock, "4567\n", gap=0.004)
    assert typed(results) == "RC:0123"
    assert codes(results) == ["4567"]  # what came after the pause is a burst of its own


def test_tick_releases_keys_held_back(clock: FakeClock) -> None:
    recogniser = WedgeRecogniser(clock)
    feed(recogniser, clock, "x", gap=0.01)
    assert recogniser.tick() == WedgeInput()  # still within the gap: held
    clock.advance(0.05)
    assert recogniser.tick().typed == "x"
    assert recogniser.tick() == WedgeInput()


def test_a_code_never_shows_in_a_repr() -> None:
    assert "SECRET" not in repr(WedgeInput(code="RC:SECRET"))
