"""`kiosk tour`: walk the real UI offscreen with simulated touches and save a PNG per screen."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path

from kiosk.appliance import Kiosk
from kiosk.journey import Screen
from kiosk.records import IdCard, RatingLevel
from screens.app import KioskApp
from screens.driver import UiDriver

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


def identify_tour(ui: UiDriver, shot: Callable[[str], None]) -> None:
    """From home: the identify screen, a demo card placed on the simulated reader, then lifted."""
    kiosk: Kiosk = ui.app.kiosk
    ui.tap(ui.widget(Screen.HOME, "identify"))
    ui.on(Screen.IDENTIFY)
    shot("identify")
    slot = kiosk.devices.id_reader.slot  # type: ignore[attr-defined]  # the tour runs on the simulators
    slot.place(DEMO_CARD)
    ui.on(Screen.IDENTIFIED, timeout=60)  # its first frame draws a button per service: slow when busy
    ui.frames(4)
    shot("identified")
    slot.lift()  # the identified part ends the moment the card leaves the reader
    ui.on(Screen.IDENTIFY)
    ui.tap(ui.widget(Screen.IDENTIFY, "back"))
    ui.on(Screen.HOME)


def journey_tour(ui: UiDriver, out: Path, skew_clock: Callable[[float], None]) -> list[Path]:
    """The whole journey: attract, home, browsing, a guide and its plain version, QR, print, walk away."""
    kiosk: Kiosk = ui.app.kiosk
    saved: list[Path] = []

    def shot(name: str) -> None:
        saved.append(ui.shot(out / f"{name}.png"))
        log.info("tour: saved %s", saved[-1])

    ui.on(Screen.ATTRACT)
    shot("attract")

    ui.tap_center()
    ui.on(Screen.HOME)
    shot("home")

    identify_tour(ui, shot)
    search_tour(ui, shot)
    browsing_tour(ui, shot)
    print_and_elder_tour(ui, shot)

    ui.tap(ui.widget(Screen.HOME, "tiles").children[-1])  # children run last-first: the first tile
    ui.on(Screen.GUIDE_LIST)
    ui.frames(6)  # the recycle view lays out its rows over the next frames
    shot("guide_list")

    rows = sorted(ui.widget(Screen.GUIDE_LIST, "rows").children[0].children, key=lambda row: -row.y)
    ui.tap(rows[0])
    ui.on(Screen.GUIDE_DETAIL)
    shot("guide_detail")

    ui.tap(ui.widget(Screen.GUIDE_DETAIL, "plain"))
    ui.until(lambda: kiosk.journey.view.plain, what="the plain-language version")
    ui.frames(2)
    shot("guide_plain")
    ui.tap(ui.widget(Screen.GUIDE_DETAIL, "plain"))
    ui.until(lambda: not kiosk.journey.view.plain, what="the full guide")

    ui.tap(ui.widget(Screen.GUIDE_DETAIL, "qr"))
    ui.on(Screen.QR)
    shot("qr")

    ui.tap(ui.widget(Screen.QR, "back"))
    ui.on(Screen.GUIDE_DETAIL)
    ui.tap(ui.widget(Screen.GUIDE_DETAIL, "print"))
    ui.on(Screen.PRINTING)
    shot("printing")

    ui.on(Screen.PRINT_DONE, timeout=kiosk.settings.devices.printer.job_timeout)
    shot("print_done")

    rating_tour(ui, shot)

    # Walk away: the idle time passes, the warning counts down, the session ends.
    skew_clock(kiosk.settings.session.idle_seconds + 0.5)
    warning = ui.app.idle_warning
    ui.until(lambda: warning is not None and warning.parent is not None, what="idle warning")
    ui.frames(10)
    shot("idle_warning")
    skew_clock(kiosk.settings.session.warning_seconds + 0.5)
    ui.on(Screen.ATTRACT)
    shot("attract_after_idle")
    return saved


def rating_tour(ui: UiDriver, shot: Callable[[str], None]) -> None:
    """From the printed checklist: rate the service badly with a reason and a number, thanks, home."""
    ui.tap(ui.widget(Screen.PRINT_DONE, "rate"))
    ui.on(Screen.RATING)
    ui.frames(2)
    shot("rating")
    levels = ui.widget(Screen.RATING, "levels").children
    ui.tap(next(button for button in levels if button.level == RatingLevel.DISSATISFIED.value))
    reasons = ui.widget(Screen.RATING, "reasons").children
    ui.tap(reasons[-1])  # the first reason
    scroll = ui.widget(Screen.RATING, "scroll")
    if scroll.children[0].height > scroll.height:
        scroll.scroll_y = 0  # a resident scrolls down to the follow-up
        ui.frames(4)
    ui.tap(ui.widget(Screen.RATING, "consent"))
    ui.frames(6)
    keys = {key.key: key for key in ui.widget(Screen.RATING, "keypad").children}
    for digit in "13800000000":  # a demo number
        ui.tap(keys[digit])
    ui.frames(2)
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


def browsing_tour(ui: UiDriver, shot: Callable[[str], None]) -> None:
    """From home to the services of an audience and to every department, and back home."""
    # Kivy keeps children last-first: children[-1] is the first tile of a grid.
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

    ui.tap(ui.widget(Screen.HOME, "all_life_events"))
    ui.on(Screen.LIFE_EVENTS)
    shot("life_events")
    ui.tap(ui.widget(Screen.LIFE_EVENTS, "back"))
    ui.on(Screen.HOME)


def print_and_elder_tour(ui: UiDriver, shot: Callable[[str], None]) -> None:
    """From home: the print screen, then with the printer out of paper; elder mode's home; back."""
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

    ui.tap(ui.widget(Screen.HOME, "elder"))
    ui.until(lambda: ui.app.theme.variant == "elder", what="elder mode")
    shot("home_elder")
    ui.tap(ui.widget(Screen.HOME, "elder"))
    ui.until(lambda: ui.app.theme.variant != "elder", what="elder mode off")


def search_tour(ui: UiDriver, shot: Callable[[str], None]) -> None:
    """From home, type "sbk" on the kiosk keyboard and wait for the results; back home after."""
    ui.tap(ui.widget(Screen.HOME, "search"))
    ui.on(Screen.SEARCH)
    keys = {
        button.key: button for row in ui.widget(Screen.SEARCH, "keyboard").children for button in row.children
    }
    for letter in "sbk":
        ui.tap(keys[letter])
    screen = ui.screen(Screen.SEARCH)
    results = ui.widget(Screen.SEARCH, "results")
    ui.until(
        lambda: screen.flow.searched == "sbk" and bool(results.children[0].children), what="search results"
    )
    ui.frames(6)
    shot("search")
    ui.tap(ui.widget(Screen.SEARCH, "home"))
    ui.on(Screen.HOME)


def run_tour(
    kiosk: Kiosk, out: Path, size: tuple[int, int], skew_clock: Callable[[float], None]
) -> list[Path]:
    """Attach a fresh app to the offscreen window and walk the journey tour."""
    out.mkdir(parents=True, exist_ok=True)
    ui = UiDriver(KioskApp(kiosk), size)
    try:
        return journey_tour(ui, out, skew_clock)
    finally:
        ui.close()
