from __future__ import annotations

from collections.abc import Callable

from kiosk.appliance import Kiosk
from kiosk.journey import Screen
from kiosk.search_flow import HINT, KEYBOARD_ROWS, MAX_QUERY_LENGTH, NOTHING_FOUND, SearchFlow


def test_search_is_one_touch_from_home_and_keeps_the_query_on_the_way_back(
    make_kiosk: Callable[..., Kiosk],
) -> None:
    kiosk = make_kiosk()
    journey = kiosk.journey
    journey.wake()
    journey.open_search()
    assert journey.view.screen is Screen.SEARCH and journey.depth == 1
    flow = journey.view.search
    assert flow is not None and flow.query == "" and flow.message == HINT

    for key in "sbk":
        flow.add(key)
    assert flow.stale
    hits = flow.refresh()
    assert not flow.stale and flow.message == ""
    assert "社会保障卡" in hits[0].summary.name

    journey.open_guide(hits[0].summary.id)
    assert journey.view.screen is Screen.GUIDE_DETAIL
    journey.back()
    assert journey.view.screen is Screen.SEARCH
    assert journey.view.search is flow and flow.query == "sbk" and flow.hits == hits


def test_keys_backspace_clear_and_a_hardware_keyboard(make_kiosk: Callable[..., Kiosk]) -> None:
    flow = SearchFlow(make_kiosk().catalogue)
    flow.add("G")
    flow.add("j")
    flow.add("j")
    assert flow.query == "gjj"
    flow.backspace()
    assert flow.query == "gj"
    flow.clear()
    flow.backspace()  # nothing left to delete: no error
    assert flow.query == ""
    flow.add("社會保障卡\n")  # hanzi from a hardware keyboard's input method; control keys dropped
    assert flow.query == "社會保障卡"
    assert "社会保障卡" in flow.refresh()[0].summary.name
    flow.add("x" * 100)
    assert len(flow.query) == MAX_QUERY_LENGTH


def test_nothing_found_and_an_empty_query(make_kiosk: Callable[..., Kiosk]) -> None:
    flow = SearchFlow(make_kiosk().catalogue)
    flow.add("zzzzq")
    assert flow.refresh() == [] and flow.message == NOTHING_FOUND
    flow.clear()
    assert flow.refresh() == [] and flow.message == HINT


def test_the_keyboard_has_every_letter_and_digit_once() -> None:
    keys = "".join(KEYBOARD_ROWS)
    assert sorted(keys) == sorted("abcdefghijklmnopqrstuvwxyz0123456789")
