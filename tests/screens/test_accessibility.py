"""Accessibility figures on every screen, in every theme variant and language (issue 7, item 9), in
landscape, and in portrait for Chinese (the orientation changes layouts, not the language's words).

The UI walks the tour's route (screens/tour.py), which shows every screen of SCREEN_CLASSES (those
off the route as they first appear) and the idle warning. At every stop the visible tree (the
current screen, or the pop-up over it) is restyled in each theme variant and checked by
screens/accessibility.py: touch targets, contrast against the background actually painted behind
each text (the convention is in that module's docstring), line height, text size in elder mode.
The language is chosen on home the way a resident does (one walk per language); the variant is
applied at each stop, the site's choice for high contrast and what the elder switch applies.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from kivy.base import EventLoop
from kivy.graphics import Color, Rectangle
from kivy.metrics import dp
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

from kiosk.identity import ReaderWatch
from kiosk.platform.simulator import PlatformSimulator
from kiosk.technician import hash_pin
from screens.accessibility import FIGURES, Violation, check_tree, contrast_ratio
from screens.app import SCREEN_CLASSES
from screens.pilot import UiPilot
from screens.showroom import TOUR_PIN
from screens.theme import VARIANTS, Theme
from screens.tour import journey_tour
from tests.conftest import FakeClock

pytestmark = pytest.mark.ui


def visible_roots(ui: UiPilot) -> list[object]:
    """What a resident sees: a pop-up when one is open (the screen behind is dimmed), else the screen."""
    overlays = [child for child in ui.window.children if child is not ui.app.root]
    return overlays or [ui.app.root.current_screen]


def check_every_variant(ui: UiPilot, stop: str) -> list[Violation]:
    """Check what is on screen in the walk's variant, then restyled in each other one."""
    theme: Theme = ui.app.theme
    walking = theme.variant
    found: list[Violation] = []
    for variant in sorted(VARIANTS, key=lambda name: name != walking):
        for _attempt in range(3):
            if theme.variant != variant:
                theme.apply(variant)
                ui.frames(3)
            shown = ui.current
            where = f"{stop} on {shown} ({ui.app.kiosk.journey.language})"
            checked = check_tree(visible_roots(ui), variant, where, ui.window.size)
            # A screen that moves on by itself (the thanks returns home) resets the theme: again.
            if theme.variant == variant and ui.current == shown:
                found += checked
                break
    if theme.variant != walking:
        theme.apply(walking)
        ui.frames(2)
    return found


@pytest.mark.timeout(900)  # a whole walk, three variants at every stop, on a busy machine
@pytest.mark.parametrize(
    ("language", "size"),
    [("zh", (1920, 1080)), ("en", (1920, 1080)), ("zh", (1080, 1920))],
    ids=["zh-landscape", "en-landscape", "zh-portrait"],
)
def test_every_screen_meets_the_figures_in_every_variant(
    make_ui: Callable[..., UiPilot],
    clock: FakeClock,
    simulator: PlatformSimulator,
    language: str,
    size: tuple[int, int],
) -> None:
    # The walk ends in technician mode, entered as a technician does, with the tour's PIN; the
    # online services' screens transact with the platform simulator.
    overrides = {"technician": {"pin_hash": hash_pin(TOUR_PIN)}, "platform": simulator.kiosk_settings()}
    ui = make_ui(size, overrides=overrides)
    ui.app.kiosk.identity.watch = ReaderWatch(poll=0.02, read=0.5, retry=0.05)
    ui.app.kiosk.start()  # the card readers, for the identify stops
    found: list[Violation] = []
    stops: list[str] = []

    def visit(stop: str) -> None:
        stops.append(stop)
        found.extend(check_every_variant(ui, stop))

    shown = journey_tour(ui, visit, clock.advance, variant=language, platform=simulator)

    assert {screen.value for screen in SCREEN_CLASSES} <= shown
    assert "idle_warning" in stops
    # De-duplicated: a widget repeated in a list would otherwise drown the message.
    messages = sorted({str(violation) for violation in found})
    assert not messages, f"{len(messages)} accessibility violations:\n" + "\n".join(messages)


# -- the checker can fail ---------------------------------------------------------------------------


class Tap(ButtonBehavior, Label):
    """A touch target without Kivy's button artwork: its background is its parent's."""


def white_panel(*children: Label) -> BoxLayout:
    EventLoop.ensure_window()
    panel = BoxLayout(orientation="vertical", size=(dp(600), dp(600)), pos=(0, 0))
    with panel.canvas.before:
        Color(1, 1, 1, 1)
        Rectangle(pos=panel.pos, size=panel.size)
    for child in children:
        panel.add_widget(child)
    panel.do_layout()
    for child in children:
        child.texture_update()
    return panel


def test_the_checker_names_each_missed_figure() -> None:
    pale = Label(text="pale", color=(0.6, 0.6, 0.6, 1), font_size=dp(16), size_hint_y=None, height=dp(80))
    tight = Label(
        text="one\ntwo",
        color=(0, 0, 0, 1),
        font_size=dp(20),
        line_height=1.0,
        size_hint_y=None,
        height=dp(80),
    )
    small = Tap(
        text="ok", color=(0, 0, 0, 1), font_size=dp(20), size_hint=(None, None), size=(dp(50), dp(50))
    )
    panel = white_panel(pale, tight, small)

    found = [str(violation) for violation in check_tree([panel], "elder", "test screen", (dp(600), dp(600)))]

    assert "test screen [elder]: Label text='pale': text 16 dp < 18 dp" in found
    assert any(
        line.startswith("test screen [elder]: Label text='pale': contrast 2.85:1 < 4.5:1 (normal text")
        for line in found
    ), found
    assert "test screen [elder]: Label text='one two': line height 1.00 < 1.3 on 2 lines" in found
    assert "test screen [elder]: Tap text='ok': touch target 50 x 50 dp < 60 x 60 dp" in found
    assert len(found) == 4, found
    # The same tree in the standard theme: 48 dp targets and no minimum text size.
    standard = [str(violation) for violation in check_tree([panel], "standard", "s", (dp(600), dp(600)))]
    assert len(standard) == 2, standard


def test_the_checker_passes_a_good_tree_and_skips_hidden_widgets() -> None:
    hidden = Label(text="hidden", color=(1, 1, 1, 1), opacity=0, size_hint_y=None, height=dp(40))
    good = Label(
        text="one\ntwo",
        color=(0, 0, 0, 1),
        font_size=dp(20),
        line_height=1.3,
        size_hint_y=None,
        height=dp(80),
    )
    button = Tap(
        text="ok", color=(0, 0, 0, 1), font_size=dp(20), size_hint=(None, None), size=(dp(60), dp(60))
    )
    panel = white_panel(hidden, good, button)

    assert check_tree([panel], "high_contrast", "s", (dp(600), dp(600))) == []


def test_contrast_ratio_follows_wcag() -> None:
    assert contrast_ratio((0, 0, 0), (1, 1, 1)) == pytest.approx(21)
    assert contrast_ratio((1, 1, 1), (1, 1, 1)) == pytest.approx(1)
    grey = 0x76 / 255  # #767676, the lightest grey that passes 4.5:1 on white
    assert contrast_ratio((grey,) * 3, (1, 1, 1)) == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_the_theme_itself_meets_the_figures(variant: str) -> None:
    _palette, metrics = VARIANTS[variant]
    figures = FIGURES[variant]
    assert metrics.line_height >= figures.line_height
    assert metrics.touch >= figures.touch_dp
    assert min(metrics.body, metrics.small) >= figures.min_text_dp
    if variant == "elder":
        assert metrics.body >= 18 and metrics.heading >= 30 and metrics.title >= 30
