"""The one theme object that drives type sizes, colours and touch-target sizes on every screen."""

from __future__ import annotations

import time
from dataclasses import dataclass

from kivy.event import EventDispatcher
from kivy.metrics import dp
from kivy.properties import ColorProperty, NumericProperty, StringProperty


@dataclass(frozen=True)
class Palette:
    """Colours as RGBA floats; pairs of text and background meet the contrast figures."""

    background: str
    surface: str
    text: str
    muted: str
    primary: str
    primary_text: str
    accent: str
    danger: str
    success: str
    line: str


@dataclass(frozen=True)
class Metrics:
    """Sizes in dp."""

    title: float
    heading: float
    body: float
    small: float
    tile: float
    touch: float
    spacing: float
    line_height: float


VARIANTS: dict[str, tuple[Palette, Metrics]] = {
    "standard": (
        Palette(
            background="#F3F6FA",
            surface="#FFFFFF",
            text="#1B2430",
            muted="#4A5565",
            primary="#0B5CAD",
            primary_text="#FFFFFF",
            accent="#C8102E",
            danger="#B42318",
            success="#12703A",
            line="#D0D7E2",
        ),
        Metrics(title=40, heading=28, body=22, small=18, tile=30, touch=64, spacing=16, line_height=1.35),
    ),
    "elder": (
        Palette(
            background="#FFFDF7",
            surface="#FFFFFF",
            text="#000000",
            muted="#2E2E2E",
            primary="#0A4A8C",
            primary_text="#FFFFFF",
            accent="#A50E25",
            danger="#9A1B12",
            success="#0E5A2E",
            line="#8A8A8A",
        ),
        Metrics(title=48, heading=34, body=28, small=22, tile=36, touch=88, spacing=20, line_height=1.5),
    ),
    "high_contrast": (
        Palette(
            background="#000000",
            surface="#000000",
            text="#FFFFFF",
            muted="#FFFFFF",
            primary="#FFD600",
            primary_text="#000000",
            accent="#FFD600",
            danger="#FF8A80",
            success="#7CFF9B",
            line="#FFFFFF",
        ),
        Metrics(title=44, heading=32, body=26, small=22, tile=34, touch=80, spacing=18, line_height=1.45),
    ),
}


#: Every themed value, as KV rules read them.
THEMED = (*Palette.__dataclass_fields__, *Metrics.__dataclass_fields__)
#: What the rules of KLabel and KButton themselves read (widgets.kv).
BASE_RULE_READS = ("text", "body", "line_height", "primary", "primary_text", "surface", "touch")


# How long apply() waits for a dead widget's rule to be unbound, try after try (seconds).
RETRY_WAITS = (0.0, 0.001, 0.01, 0.05, 0.2)


class Theme(EventDispatcher):
    """Bound from KV (`app.theme.body`); switching the variant restyles every screen at once."""

    variant = StringProperty("standard")
    font_name = StringProperty("Roboto")

    background = ColorProperty()
    surface = ColorProperty()
    text = ColorProperty()
    muted = ColorProperty()
    primary = ColorProperty()
    primary_text = ColorProperty()
    accent = ColorProperty()
    danger = ColorProperty()
    success = ColorProperty()
    line = ColorProperty()

    title = NumericProperty()
    heading = NumericProperty()
    body = NumericProperty()
    small = NumericProperty()
    tile = NumericProperty()
    touch = NumericProperty()
    spacing = NumericProperty()
    line_height = NumericProperty()

    def __init__(self, variant: str = "standard", font_name: str = "Roboto") -> None:
        super().__init__()
        self.font_name = font_name
        self.apply(variant)

    def apply(self, variant: str) -> None:
        """Switch to another variant ("standard", "elder", "high_contrast").

        A widget whose KV rule reads the theme can be gone while its rule is still bound: Python's
        collector, run by whichever thread allocates (a card reader's, say), clears the widget's
        weak reference first and runs Kivy's clean-up (which unbinds the rule) after, and another
        thread can take the interpreter in between. The dead rule then raises ReferenceError and
        stops the announcement half-way. Everything here can be said again, so wait for the clean-up
        to finish and say it all again; a rule that stays dead is a real defect and is raised.
        """
        for wait in RETRY_WAITS:
            try:
                self._announce(variant)
                return
            except ReferenceError:
                time.sleep(wait)
        self._announce(variant)

    def _announce(self, variant: str) -> None:
        palette, metrics = VARIANTS[variant]
        for name, value in vars(palette).items():
            setattr(self, name, value)
        for name, value in vars(metrics).items():
            setattr(self, name, value if name == "line_height" else dp(value))
        # Kivy keeps both KLabel's own rule (colour `text`, size `body`) and a particular label's
        # rule (a header's `primary_text`, a heading's size) bound; whichever fires last wins. So
        # announce every value again, KLabel's first, so that the particular rule always wins, even
        # for a value that did not change with the variant.
        for name in (*BASE_RULE_READS, *(n for n in THEMED if n not in BASE_RULE_READS)):
            self.property(name).dispatch(self)
        self.variant = variant
