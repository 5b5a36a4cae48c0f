"""`kiosk tour`: walk the real UI offscreen with simulated touches and save a PNG per screen."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from kiosk.appliance import Kiosk
from kiosk.journey import Screen
from screens.app import KioskApp
from screens.driver import UiDriver

log = logging.getLogger(__name__)


def journey_tour(ui: UiDriver, out: Path, skew_clock: Callable[[float], None]) -> list[Path]:
    """The whole journey: attract, home, a department, a guide, its QR, print, walk away."""
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

    search_tour(ui, shot)

    tiles = ui.widget(Screen.HOME, "tiles").children
    ui.tap(tiles[-1])  # Kivy keeps children last-first: this is the first tile
    ui.on(Screen.GUIDE_LIST)
    ui.frames(6)  # the recycle view lays out its rows over the next frames
    shot("guide_list")

    rows = sorted(ui.widget(Screen.GUIDE_LIST, "rows").children[0].children, key=lambda row: -row.y)
    ui.tap(rows[0])
    ui.on(Screen.GUIDE_DETAIL)
    shot("guide_detail")

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

    ui.tap(ui.widget(Screen.PRINT_DONE, "home"))
    ui.on(Screen.HOME)

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
