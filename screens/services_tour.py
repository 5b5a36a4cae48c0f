"""The tour's walk through the online services, by touch, against the platform simulator.

A case followed by its number and query code and then rated; a resident identified by the demo
card who sees their contributions (and prints them), their housing-fund account after a live
picture, prints a social insurance certificate, books a counter appointment and cancels it; a
platform that is slow, then down. Every screen of the online services is pictured on the way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiosk.appliance import Kiosk
from kiosk.journey import Screen
from kiosk.platform.sim_data import DEMO_CASE
from kiosk.platform.simulator import PlatformSimulator
from screens.pilot import UiPilot

#: The demo case the tour follows (done, and open to rating).
CASE_NO, QUERY_CODE = DEMO_CASE.case_no, DEMO_CASE.query_code
#: Stops of the services' walk besides one per screen.
SERVICES_STOPS = frozenset({"face_taken", "choose_slot", "booked_cancelled"})
#: How slow the platform is for the picture of the waiting screen (seconds; a real wait).
SLOW_ANSWER = 2.0


def services_tour(ui: UiPilot, shot: Callable[[str], None], platform: PlatformSimulator) -> None:
    """From home, with the demo card on the reader: every online service screen, then home."""
    case_tour(ui, shot, platform)
    kiosk: Kiosk = ui.app.kiosk
    slot = kiosk.devices.id_reader.slot  # type: ignore[attr-defined]  # the tour runs on the simulators
    from screens.tour import DEMO_CARD  # the tour's resident (screens.tour imports this module)

    ui.tap(ui.widget(Screen.HOME, "identify"))
    ui.on(Screen.IDENTIFY)
    slot.place(DEMO_CARD)
    ui.on(Screen.IDENTIFIED, timeout=60)
    ui.until(lambda: ui.app.kiosk.journey.view.desk is not None, what="the resident's services")
    records_tour(ui, shot)
    housing_fund_tour(ui, shot)
    certificate_tour(ui, shot)
    appointment_tour(ui, shot)
    slot.lift()
    ui.until(lambda: kiosk.session.identity is None, what="identity dropped")
    kiosk.journey.home()
    ui.on(Screen.HOME)


#: Where each screen lists the services' tiles.
TILES = {Screen.SERVICES: "service_tiles", Screen.IDENTIFIED: "online"}


def choose_service(ui: UiPilot, screen: Screen, service_id: str) -> None:
    """On the services list (or the greeting), touch the tile of `service_id` (turning its page)."""
    tiles = ui.widget(screen, TILES[screen])
    ui.until(lambda: bool(tiles.ids.tiles.children), what="the services' tiles")
    tile = tiles.tile(service_id)
    ui.frames(2)
    ui.tap(tile)


def open_services(ui: UiPilot) -> None:
    """From home: the online services' list."""
    ui.tap(ui.widget(Screen.HOME, "services"))
    ui.on(Screen.SERVICES, timeout=30)


def type_on_keypad(ui: UiPilot, field: str, text: str) -> None:
    """On the entry screen: touch `field`, then its characters on the keypad."""
    fields = ui.widget(Screen.ENTRY, "fields")
    ui.tap(next(box for box in fields.children if box.key == field))
    keypad = ui.widget(Screen.ENTRY, "keypad")
    ui.until(lambda: bool(keypad.children), what="the keypad")
    for char in text:
        keys = {key.key: key for key in keypad.children if hasattr(key, "key")}
        ui.tap(keys[char])


def pick(ui: UiPilot, value: str | None = None) -> None:
    """On the choice screen: touch the choice of `value` (the first open one when None)."""
    choices = ui.widget(Screen.CHOOSE, "choices")
    ui.until(lambda: bool(choices.children), what="the choices")
    buttons = list(reversed(choices.children))  # children run last-first
    ui.tap(next(b for b in buttons if (b.value == value if value is not None else not b.disabled)))


def case_tour(ui: UiPilot, shot: Callable[[str], None], platform: PlatformSimulator) -> None:
    """A case by its receipt's number and code (the platform slow, then down, then back), rated."""
    open_services(ui)
    shot("services")
    choose_service(ui, Screen.SERVICES, "case.progress")
    ui.on(Screen.ENTRY)
    type_on_keypad(ui, "case_no", CASE_NO)
    type_on_keypad(ui, "query_code", QUERY_CODE)
    shot("entry")
    platform.down = "503"
    ui.tap(ui.widget(Screen.ENTRY, "submit"))
    ui.on(Screen.SERVICE_FAILED, timeout=30)
    shot("service_failed")
    platform.down = None
    platform.slow = SLOW_ANSWER
    ui.tap(ui.widget(Screen.SERVICE_FAILED, "retry"))
    ui.on(Screen.SERVICE_WAIT)
    shot("service_wait")
    ui.on(Screen.CASE, timeout=30)
    platform.slow = 0.0
    shot("case")
    ui.tap(ui.widget(Screen.CASE, "rate"))
    ui.on(Screen.RATING)
    ui.tap(ui.widget(Screen.RATING, "header").ids.home)  # the resident leaves it unrated
    ui.on(Screen.HOME)


def records_tour(ui: UiPilot, shot: Callable[[str], None]) -> None:
    """From the greeting: contributions, after consent; printed; back to the greeting."""
    choose_service(ui, Screen.IDENTIFIED, "si.records")
    ui.on(Screen.CONSENT)
    shot("consent")
    ui.tap(ui.widget(Screen.CONSENT, "agree"))
    ui.on(Screen.QUERY, timeout=30)
    shot("query")
    ui.tap(ui.widget(Screen.QUERY, "print"))
    ui.on(Screen.PRINT_DONE, timeout=60)
    ui.tap(ui.widget(Screen.PRINT_DONE, "back"))
    ui.on(Screen.QUERY)
    ui.tap(ui.widget(Screen.QUERY, "back"))
    ui.on(Screen.IDENTIFIED)


def housing_fund_tour(ui: UiPilot, shot: Callable[[str], None]) -> None:
    """From the greeting: the housing fund, with consent to a picture, the picture, the account."""
    choose_service(ui, Screen.IDENTIFIED, "hf.account")
    ui.on(Screen.CONSENT)
    ui.tap(ui.widget(Screen.CONSENT, "agree"))
    ui.on(Screen.FACE)
    shot("face")
    ui.tap(ui.widget(Screen.FACE, "take"))
    screen = ui.screen(Screen.FACE)
    ui.until(lambda: _page(ui) is not None and _page(ui).picture is not None, what="the picture")
    settle(ui, Screen.FACE)
    shot("face_taken")
    del screen
    ui.tap(ui.widget(Screen.FACE, "use"))
    ui.on(Screen.QUERY, timeout=30)
    ui.tap(ui.widget(Screen.QUERY, "back"))
    ui.on(Screen.IDENTIFIED)


def certificate_tour(ui: UiPilot, shot: Callable[[str], None]) -> None:
    """From the greeting: the social insurance certificate, delivered and printed as delivered."""
    choose_service(ui, Screen.IDENTIFIED, "si.certificate")
    ui.on(Screen.DOCUMENT, timeout=30)
    shot("document")
    ui.tap(ui.widget(Screen.DOCUMENT, "print"))
    ui.on(Screen.PRINT_DONE, timeout=60)
    ui.app.kiosk.journey.home()
    ui.on(Screen.HOME)


def appointment_tour(ui: UiPilot, shot: Callable[[str], None]) -> None:
    """From home: a counter appointment chosen step by step, booked, then cancelled."""
    open_services(ui)
    choose_service(ui, Screen.SERVICES, "appt.book")
    ui.on(Screen.CHOOSE)
    shot("choose")
    pick(ui)  # the first hall
    pick(ui)  # its first counter
    _pick_weekday(ui)
    ui.until(lambda: getattr(_page(ui), "step", "") == "slot", what="the times", timeout=30)
    settle(ui, Screen.CHOOSE)
    shot("choose_slot")
    pick(ui)  # the first free time
    ui.on(Screen.BOOKED, timeout=30)
    shot("booked")
    ui.tap(ui.widget(Screen.BOOKED, "cancel"))
    ui.tap(ui.widget(Screen.BOOKED, "cancel_yes"))
    ui.until(lambda: bool(getattr(_page(ui), "cancelled", False)), what="cancelled", timeout=30)
    settle(ui, Screen.BOOKED)  # back from the waiting screen
    shot("booked_cancelled")
    ui.app.kiosk.journey.home()
    ui.on(Screen.HOME)


def _pick_weekday(ui: UiPilot) -> None:
    """On the days: the first working day (the simulator's halls are closed at weekends)."""
    from datetime import date

    page = _page(ui)
    day = next(choice.value for choice in page.choices if date.fromisoformat(choice.value).weekday() < 5)
    pick(ui, day)


def settle(ui: UiPilot, screen: Screen) -> None:
    """Once the journey shows its answer: the UI has taken it in, and `screen` shows, its fade over."""
    ui.frames(3)  # the navigations announced meanwhile reach the UI thread
    ui.on(screen)
    ui.frames(2)


def _page(ui: UiPilot) -> Any:
    return ui.app.kiosk.journey.view.desk
