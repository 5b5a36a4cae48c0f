"""`kiosk tour`: walk the real UI offscreen with simulated touches and save a PNG per screen.

The walk is made of steps (identify by card, search, read a guide's plain version, show its QR code,
rate, walk away) that the soak benchmark (bench/soak.py) drives as well, a thousand times over with
other choices: one walk through the resident's screens, not two. A step takes `shot`, called with
the name of each stop on the way; the tour takes a picture there, the soak passes `no_pictures`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from kiosk.appliance import Kiosk
from kiosk.events import Navigated
from kiosk.journey import Screen, View
from kiosk.platform.simulator import PlatformSimulator
from kiosk.records import IdCard, RatingLevel
from kiosk.technician.console import Mode
from screens.app import SCREEN_CLASSES, KioskApp
from screens.attract import AttractScreen
from screens.pilot import UiPilot
from screens.services_tour import SERVICES_STOPS, services_tour
from screens.showroom import TOUR_PIN, VARIANTS
from screens.touch import SimulatedTouch

log = logging.getLogger(__name__)

#: A fictional resident for the tour's identify screens (valid check digit, clearly a demo name).
DEMO_CARD = IdCard(
    "resident",
    "演示居民",
    "女",
    "371002199001010023",
    birth_date=date(1990, 1, 1),
    nation="汉",
    address="山东省威海市环翠区演示路1号",
)


#: How long the tour's print job takes on the simulated printer's clock (well under the idle time).
PRINT_SECONDS = 10.0

#: Shown by technician_tour, entered from the attract screen after the resident has walked away.
TECHNICIAN_SCREENS = {Screen.TECHNICIAN_PIN, Screen.TECHNICIAN}

#: Stops of the tour besides one per screen: states of a screen worth a picture of their own.
EXTRA_STOPS = frozenset(
    {
        "print_unavailable",
        "guide_plain",
        "rating_bad",
        "rating_thanks",
        "idle_warning",
        "attract_after_idle",
        "technician_pin_wrong",
    }
)
#: Every picture a walk saves, by name.
STOPS = frozenset(screen.value for screen in SCREEN_CLASSES) | EXTRA_STOPS | SERVICES_STOPS

#: Frames drawn before the picture of these stops, for the screen to settle: a recycle view lays
#: out its rows, a screen its buttons, the idle warning fades in, over the frames after it shows.
SETTLE_FRAMES = {
    "identified": 4,
    "search": 6,
    "guide_list": 6,
    "guide_plain": 2,
    "rating": 2,
    "rating_bad": 2,
    "idle_warning": 10,
    "technician": 4,
}


class _WalkEnded(Exception):
    """The walk reached the stop it was asked to end at."""


def long_press_corner(ui: UiPilot) -> None:
    """Hold a finger on the attract screen's top-right corner until the PIN pad opens, then lift it."""
    kiosk: Kiosk = ui.app.kiosk
    touch = SimulatedTouch(ui.window.width - 40, ui.window.height - 40)
    touch.press()
    ui.until(
        lambda: kiosk.technician.mode is Mode.PIN,
        timeout=AttractScreen.long_press_seconds + 5,
        what="the PIN pad after a long press",
    )
    touch.release()
    ui.on(Screen.TECHNICIAN_PIN)


def type_pin(ui: UiPilot, pin: str, submit: bool = True) -> None:
    """Tap the PIN pad's digits (and OK)."""
    for digit in pin:
        ui.tap(ui.widget(Screen.TECHNICIAN_PIN, f"key_{digit}"))
    if submit:
        ui.tap(ui.widget(Screen.TECHNICIAN_PIN, "enter"))


def technician_tour(ui: UiPilot, shot: Callable[[str], None]) -> None:
    """From attract: the hidden gesture, a wrong PIN, the right one, two tests, and out to attract."""
    kiosk: Kiosk = ui.app.kiosk
    technician = kiosk.technician
    long_press_corner(ui)
    type_pin(ui, "1234", submit=False)
    shot("technician_pin")
    ui.tap(ui.widget(Screen.TECHNICIAN_PIN, "clear"))
    type_pin(ui, "000000")
    ui.until(lambda: bool(ui.screen(Screen.TECHNICIAN_PIN).message), what="the wrong-PIN message")
    shot("technician_pin_wrong")
    type_pin(ui, TOUR_PIN)
    ui.on(Screen.TECHNICIAN)
    ui.until(lambda: bool(technician.checks) and not technician.running, what="the device checks")
    ui.tap(ui.widget(Screen.TECHNICIAN, "test_print"))
    kiosk.devices.id_reader.slot.place(DEMO_CARD)  # type: ignore[attr-defined]
    ui.tap(ui.widget(Screen.TECHNICIAN, "test_id_card"))
    ui.until(
        lambda: {"print", "id_card"} <= technician.results.keys() and not technician.running,
        timeout=kiosk.settings.devices.printer.job_timeout,
        what="the printer and card tests",
    )
    kiosk.devices.id_reader.slot.lift()  # type: ignore[attr-defined]
    shot("technician")
    ui.tap(ui.widget(Screen.TECHNICIAN, "exit"))
    ui.on(Screen.ATTRACT)


def no_pictures(name: str) -> None:
    """The `shot` of a walk that takes no pictures (the soak's)."""


def identify_by_card(
    ui: UiPilot, slot: Any, card: Any, shot: Callable[[str], None] = no_pictures, *, leave_card: bool = False
) -> None:
    """From home: the identify screen, `card` placed in a simulated reader's `slot`, the greeting.

    Then the card is lifted and the walk goes back home; or, with `leave_card`, the resident goes
    home and leaves it there.
    """
    ui.tap(ui.widget(Screen.HOME, "identify"))
    ui.on(Screen.IDENTIFY)
    shot("identify")
    slot.place(card)
    ui.on(Screen.IDENTIFIED, timeout=60)  # its first frame draws a button per service: slow when busy
    shot("identified")
    if leave_card:
        ui.tap(ui.widget(Screen.IDENTIFIED, "home"))
        ui.on(Screen.HOME)
        return
    slot.lift()  # the identified part ends the moment the card leaves the reader
    ui.on(Screen.IDENTIFY)
    ui.until(lambda: ui.app.kiosk.session.identity is None, what="identity dropped")
    ui.tap(ui.widget(Screen.IDENTIFY, "back"))
    ui.on(Screen.HOME)


def identify_tour(ui: UiPilot, shot: Callable[[str], None]) -> None:
    """From home: the identify screen, a demo card placed on the simulated reader, then lifted."""
    kiosk: Kiosk = ui.app.kiosk
    slot = kiosk.devices.id_reader.slot  # type: ignore[attr-defined]  # the tour runs on the simulators
    identify_by_card(ui, slot, DEMO_CARD, shot)


def switch_language(ui: UiPilot, language: str) -> None:
    """On home, touch the language button until `language` is in force."""
    try:
        button = ui.widget(Screen.HOME, "language")
    except LookupError:
        ui.app.switch_language()  # what the language button does, on a build without one on screen
    else:
        ui.tap(button)
    ui.until(lambda: ui.app.kiosk.journey.language == language, what=f"language {language}")


def switch_to_elder_mode(ui: UiPilot) -> None:
    """On home, touch the elder-mode switch (适老化)."""
    try:
        switch = ui.widget(Screen.HOME, "elder")
    except LookupError:
        ui.app.toggle_elder()  # what the elder-mode switch does, on a build without one on screen
    else:
        ui.tap(switch)
    ui.until(lambda: ui.app.theme.variant == "elder", what="elder mode")


def choose_variant(ui: UiPilot, variant: str) -> None:
    """On home, set the visit up as a resident does: the language button, the elder-mode switch."""
    if variant == "en":
        switch_language(ui, "en")
    elif variant == "elder":
        switch_to_elder_mode(ui)
    elif variant != "zh":
        raise ValueError(f"no tour variant {variant!r}; choose from {', '.join(VARIANTS)}")
    ui.on(Screen.HOME)
    ui.frames(4)


def journey_tour(
    ui: UiPilot,
    visit: Callable[[str], None],
    skew_clock: Callable[[float], None],
    variant: str = "zh",
    *,
    platform: PlatformSimulator | None = None,
) -> set[str]:
    """The whole journey, calling `visit(name)` at every stop; returns the screens it showed.

    Attract, home, identify, search, browsing, a guide and its plain version, QR, a print that
    fails and one that works, a rating, the online services (with the kiosk's `platform`
    simulator), every screen not on that route, then walking away.
    """
    kiosk: Kiosk = ui.app.kiosk
    shown: set[str] = set()

    def shot(name: str) -> None:
        ui.frames(SETTLE_FRAMES.get(name, 0))
        shown.add(ui.current)
        visit(name)

    ui.on(Screen.ATTRACT)
    shot("attract")

    ui.tap_center()
    ui.on(Screen.HOME)
    choose_variant(ui, variant)
    shot("home")

    identify_tour(ui, shot)
    search_tour(ui, shot)
    browsing_tour(ui, shot)
    print_tour(ui, shot)

    guide_tour(ui, shot)
    print_failed_tour(ui, shot)

    # The job is slow while the printing screen is pictured, even on a busy machine; then the
    # kiosk's clock moves on as much, and the job ends on the printer's own time (a second).
    with slow_print_jobs(kiosk.devices.printer, PRINT_SECONDS):
        ui.tap(ui.widget(Screen.GUIDE_DETAIL, "print"))
        ui.on(Screen.PRINTING)
        shot("printing")
    skew_clock(PRINT_SECONDS)
    ui.on(Screen.PRINT_DONE, timeout=kiosk.settings.devices.printer.job_timeout)
    shot("print_done")

    rating_tour(ui, shot)
    if platform is not None:
        services_tour(ui, shot, platform)
    other_screens_tour(ui, shot, shown)

    walk_away(ui, skew_clock, shot)
    shot("attract_after_idle")

    technician_tour(ui, shot)
    return shown


@contextmanager
def slow_print_jobs(printer: Any, seconds: float) -> Iterator[None]:
    """The simulated `printer` takes `seconds` per job inside the block, and its own time after.

    Only while the printing screen is pictured: a job still pending when the block ends finishes
    on the printer's own time (a second), and the later jobs (the services' prints, the
    technician's test page) are not kept waiting `seconds` of real time each.
    """
    before = printer.seconds_per_job
    printer.seconds_per_job = seconds
    try:
        yield
    finally:
        printer.seconds_per_job = before


def guide_tour(ui: UiPilot, shot: Callable[[str], None]) -> None:
    """From home: the first department's guides, the first guide, its plain version, its QR code."""
    if not on_screen(ui.widget(Screen.HOME, "tiles")):  # elder mode's home: through its departments tile
        open_guide_list(ui)
    else:
        ui.tap(ui.widget(Screen.HOME, "tiles").children[-1])  # children run last-first: the first tile
        ui.on(Screen.GUIDE_LIST)
    shot("guide_list")
    choose_row(ui, ui.widget(Screen.GUIDE_LIST, "rows"))
    shot("guide_detail")
    read_plain_version(ui, shot)
    show_qr(ui, shot)


def open_guide_list(ui: UiPilot, *, by_life_event: bool = False, tile: int = 0) -> bool:
    """From home, through all departments (or all life events): the guides of one of their tiles.

    `tile` counts from the first, wrapping round; False when there is no tile to touch.
    """
    screen = Screen.LIFE_EVENTS if by_life_event else Screen.DEPARTMENTS
    ui.tap(ui.widget(Screen.HOME, "all_life_events" if by_life_event else "all_departments"))
    ui.on(screen)
    tiles = list(reversed(ui.widget(screen, "life_events" if by_life_event else "tiles").children))
    if not tiles:  # Kivy keeps children last-first: reversed, the first tile comes first
        return False
    ui.tap(tiles[tile % len(tiles)])
    ui.on(Screen.GUIDE_LIST)
    return True


def choose_row(ui: UiPilot, recycle_view: Any, pick: int = 0) -> bool:
    """Open the guide of one of the rows a recycle view shows: `pick` counts from the top, wrapping.

    The view lays its rows out over a few frames; False when it shows none.
    """
    layout = recycle_view.children[0]
    ui.until(lambda: bool(layout.children), what="rows")
    rows = sorted((row for row in layout.children if getattr(row, "guide_id", "")), key=lambda row: -row.y)
    rows = [row for row in rows if recycle_view.y <= row.to_window(*row.center)[1] <= recycle_view.top]
    if not rows:
        return False
    ui.tap(rows[pick % len(rows)])
    ui.on(Screen.GUIDE_DETAIL)
    return True


def read_plain_version(ui: UiPilot, shot: Callable[[str], None] = no_pictures) -> None:
    """On a guide: its plain-language version (白话版), then the full guide again."""
    journey = ui.app.kiosk.journey
    ui.tap(ui.widget(Screen.GUIDE_DETAIL, "plain"))
    ui.until(lambda: journey.view.plain, what="the plain-language version")
    shot("guide_plain")
    ui.tap(ui.widget(Screen.GUIDE_DETAIL, "plain"))
    ui.until(lambda: not journey.view.plain, what="the full guide")


def show_qr(ui: UiPilot, shot: Callable[[str], None] = no_pictures) -> None:
    """On a guide: its QR code for the phone, then back to the guide."""
    ui.tap(ui.widget(Screen.GUIDE_DETAIL, "qr"))
    ui.on(Screen.QR)
    shot("qr")
    ui.tap(ui.widget(Screen.QR, "back"))
    ui.on(Screen.GUIDE_DETAIL)


def print_failed_tour(ui: UiPilot, shot: Callable[[str], None]) -> None:
    """From a guide: the printer has run out of paper, the kiosk offers the QR code; back to the guide."""
    printer = ui.app.kiosk.devices.printer
    printer.reasons = ("media-empty",)  # type: ignore[attr-defined]  # the tour runs on the simulators
    try:
        ui.tap(ui.widget(Screen.GUIDE_DETAIL, "print"))
        ui.on(Screen.PRINT_FAILED)
        shot("print_failed")
    finally:
        printer.reasons = ()  # type: ignore[attr-defined]
    ui.tap(ui.widget(Screen.PRINT_FAILED, "back"))
    ui.on(Screen.GUIDE_DETAIL)


def other_screens_tour(ui: UiPilot, shot: Callable[[str], None], shown: set[str]) -> None:
    """Every screen of the app that the route above did not reach, as it first appears; then home.

    A new screen is on the tour (and under the accessibility tests) from the day it joins
    SCREEN_CLASSES; give it a stop on the route above to show it with real content.
    """
    kiosk: Kiosk = ui.app.kiosk
    for screen in SCREEN_CLASSES:
        if screen.value in shown or screen in TECHNICIAN_SCREENS:
            continue
        log.info("tour: %s is not on the route; showing it empty", screen.value)
        kiosk.bus.publish(Navigated(screen, View(screen)))
        ui.on(screen)
        shot(screen.value)
    if ui.current != Screen.HOME.value:
        kiosk.journey.home()
        ui.on(Screen.HOME)


def rating_tour(ui: UiPilot, shot: Callable[[str], None]) -> None:
    """From the printed checklist: rate the service badly with a reason and a number, thanks, home."""
    ui.tap(ui.widget(Screen.PRINT_DONE, "rate"))
    ui.on(Screen.RATING)
    shot("rating")
    give_rating(ui, RatingLevel.DISSATISFIED, reason=0, phone="13800000000")  # a demo number
    shot("rating_bad")
    ui.tap(ui.widget(Screen.RATING, "submit"))
    ui.until(
        lambda: (
            "thanks_text" in ui.screen(Screen.RATING).ids
            and bool(ui.screen(Screen.RATING).ids.thanks_text.text)
        ),
        what="thanks",
    )
    shot("rating_thanks")
    ui.tap(ui.widget(Screen.RATING, "home"))
    ui.on(Screen.HOME)


def give_rating(ui: UiPilot, level: RatingLevel, reason: int = 0, phone: str = "") -> None:
    """On the rating screen: touch `level`; for a bad one, a reason (0: the first of three).

    With `phone`, consent to a follow-up and type the number on the keypad. Not submitted.
    """
    screen = ui.screen(Screen.RATING)
    levels = ui.widget(Screen.RATING, "levels").children
    ui.tap(next(button for button in levels if button.level == level.value))
    if level.bad:
        reasons = ui.widget(Screen.RATING, "reasons")
        ui.until(lambda: len(reasons.children) >= 3, what="the reasons for a bad rating")
        ui.tap(reasons.children[-1 - reason])  # children run last-first
    if phone:
        keys = open_phone_keypad(ui)
        for digit in phone:
            ui.tap(keys[digit])
        ui.until(lambda: screen.flow is not None and screen.flow.phone == phone, what="the phone number")


def open_phone_keypad(ui: UiPilot) -> dict[str, Any]:
    """On a bad rating: scroll down to the follow-up, consent, and return the keypad's keys once laid out."""
    scroll = ui.widget(Screen.RATING, "scroll")
    if scroll.children[0].height > scroll.height:
        scroll.scroll_y = 0  # a resident scrolls down to the follow-up
        ui.frames(4)
    ui.tap(ui.widget(Screen.RATING, "consent"))
    keypad = ui.widget(Screen.RATING, "keypad")
    ui.until(lambda: min((key.width for key in keypad.children), default=0) >= 40, what="keypad laid out")
    return {key.key: key for key in keypad.children}


def browsing_tour(ui: UiPilot, shot: Callable[[str], None]) -> None:
    """From home to the services of an audience, every department and every life event; back home.

    Elder mode's simpler home has no browsing list and no life-events tile: those stops are left
    to `other_screens_tour`.
    """
    # Kivy keeps children last-first: children[-1] is the first tile of a grid.
    if on_screen(ui.widget(Screen.HOME, "audiences")):
        ui.tap(ui.widget(Screen.HOME, "audiences").children[-1])
        ui.on(Screen.BROWSE_AUDIENCE)
        shot("browse_audience")
        ui.tap(ui.widget(Screen.BROWSE_AUDIENCE, "back"))
        ui.on(Screen.HOME)

    ui.tap(ui.widget(Screen.HOME, "all_departments"))
    ui.on(Screen.DEPARTMENTS)
    shot("departments")
    ui.tap(ui.widget(Screen.DEPARTMENTS, "back"))
    ui.on(Screen.HOME)

    if on_screen(ui.widget(Screen.HOME, "all_life_events")):
        ui.tap(ui.widget(Screen.HOME, "all_life_events"))
        ui.on(Screen.LIFE_EVENTS)
        shot("life_events")
        ui.tap(ui.widget(Screen.LIFE_EVENTS, "back"))
        ui.on(Screen.HOME)


def on_screen(widget: Any) -> bool:
    """Whether `widget` is part of the window (elder mode takes some of home's out of the layout)."""
    return widget.get_root_window() is not None


def print_tour(ui: UiPilot, shot: Callable[[str], None]) -> None:
    """From home: the print screen, then again with the printer out of paper; back home."""
    kiosk: Kiosk = ui.app.kiosk
    ui.tap(ui.widget(Screen.HOME, "print"))
    ui.on(Screen.PRINT)
    shot("print")
    ui.tap(ui.widget(Screen.PRINT, "back"))
    ui.on(Screen.HOME)

    printer = kiosk.devices.printer
    printer.reasons = ("media-empty",)  # type: ignore[attr-defined]  # the tour runs on the simulators
    ui.tap(ui.widget(Screen.HOME, "print"))
    ui.on(Screen.PRINT)
    problem = ui.widget(Screen.PRINT, "printer_problem")
    ui.until(lambda: bool(problem.text), what="the printer warning")
    shot("print_unavailable")
    printer.reasons = ()  # type: ignore[attr-defined]
    ui.tap(ui.widget(Screen.PRINT, "back"))
    ui.on(Screen.HOME)


def type_search(ui: UiPilot, query: str) -> None:
    """From home: the search screen, `query` typed on the kiosk's keyboard, until it is searched."""
    ui.tap(ui.widget(Screen.HOME, "search"))
    ui.on(Screen.SEARCH)
    keys = {
        button.key: button for row in ui.widget(Screen.SEARCH, "keyboard").children for button in row.children
    }
    for letter in query:
        ui.tap(keys[letter])
    screen = ui.screen(Screen.SEARCH)
    ui.until(lambda: screen.flow is not None and screen.flow.searched == query, what=f"the search {query!r}")


def search_tour(ui: UiPilot, shot: Callable[[str], None]) -> None:
    """From home, type "sbk" on the kiosk keyboard and wait for the results; back home after."""
    type_search(ui, "sbk")
    results = ui.widget(Screen.SEARCH, "results")
    ui.until(lambda: bool(results.children[0].children), what="search results")
    shot("search")
    ui.tap(ui.widget(Screen.SEARCH, "home"))
    ui.on(Screen.HOME)


def walk_away(
    ui: UiPilot,
    skew_clock: Callable[[float], None],
    shot: Callable[[str], None] = no_pictures,
    *,
    more_time: bool = False,
) -> None:
    """Nobody touches the screen: the idle time passes, the warning counts down, the session ends.

    The clock is moved on, never waited for. With `more_time`, the resident asks for more time once
    when the warning shows, then walks away all the same.
    """
    session = ui.app.kiosk.session

    def warning_shows() -> bool:
        warning = ui.app.idle_warning
        return warning is not None and warning.parent is not None

    def let_time_pass(seconds: float) -> None:
        skew_clock(seconds)
        session.tick()  # what the app's quarter-second timer does, without waiting for it

    let_time_pass(session.idle_seconds + 0.5)
    ui.until(warning_shows, what="idle warning")
    if more_time:
        warning = ui.app.idle_warning
        assert warning is not None  # it shows
        ui.tap(warning.ids.more_time)
        ui.until(lambda: not warning_shows(), what="warning withdrawn")
        let_time_pass(session.idle_seconds + 0.5)
        ui.until(warning_shows, what="idle warning again")
    shot("idle_warning")
    let_time_pass(session.warning_seconds + 0.5)
    ui.on(Screen.ATTRACT)
    ui.until(lambda: not warning_shows(), what="warning closed")


def run_tour(
    kiosk: Kiosk,
    out: Path,
    size: tuple[int, int],
    skew_clock: Callable[[float], None],
    variant: str = "zh",
    *,
    until: str | None = None,
    platform: PlatformSimulator | None = None,
) -> list[Path]:
    """Attach a fresh app to the offscreen window, walk the journey tour, save a PNG per stop.

    With `until`, the walk ends after that stop's picture (a quick look at the first screens).
    `platform`: the simulator the kiosk's [platform] points at, for the online services' stops.
    """
    if until is not None and until not in STOPS:
        raise ValueError(f"no tour stop {until!r}; choose from {', '.join(sorted(STOPS))}")
    out.mkdir(parents=True, exist_ok=True)
    ui = UiPilot(KioskApp(kiosk), size, draw_every_frame=False)  # drawn only for its pictures
    saved: list[Path] = []

    def shot(name: str) -> None:
        saved.append(ui.shot(out / f"{name}.png"))
        log.info("tour: saved %s", saved[-1])
        if name == until:
            raise _WalkEnded

    try:
        journey_tour(ui, shot, skew_clock, variant, platform=platform)
    except _WalkEnded:
        pass
    finally:
        ui.close()
    return saved
