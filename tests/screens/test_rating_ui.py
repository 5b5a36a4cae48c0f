"""Rating the service by touch: from home, a bad rating with reasons and a consented number, thanks."""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path

import pytest
from kivy.core.text.text_layout import LayoutWord

from kiosk.journey import Screen
from kiosk.rating_flow import PHONE_KEY
from kiosk.records import RatingLevel
from screens.pilot import UiPilot

pytestmark = pytest.mark.ui


def level_button(ui: UiPilot, level: RatingLevel) -> object:
    return next(b for b in ui.widget(Screen.RATING, "levels").children if b.level == level.value)  # type: ignore[attr-defined]


def key(ui: UiPilot, name: str) -> object:
    return next(k for k in ui.widget(Screen.RATING, "keypad").children if k.key == name)  # type: ignore[attr-defined]


def in_view(ui: UiPilot, widget: object) -> bool:
    """Whether the middle of `widget` shows inside the rating form's scrolling part."""
    scroll = ui.widget(Screen.RATING, "scroll")
    _x, y = widget.to_window(widget.center_x, widget.center_y)  # type: ignore[attr-defined]
    _sx, bottom = scroll.to_window(scroll.x, scroll.y)
    return bool(bottom < y < bottom + scroll.height)


def rate_badly_by_touch(ui: UiPilot, shots: Path | None = None) -> None:
    ui.tap_center()
    ui.on(Screen.HOME)
    ui.tap(ui.widget(Screen.HOME, "rate"))
    ui.on(Screen.RATING)
    ui.frames(2)
    texts = ui.texts()
    assert "非常满意" in texts and "非常不满意" in texts and "等候时间太长" not in texts
    ui.tap(level_button(ui, RatingLevel.DISSATISFIED))
    ui.frames(2)
    chips = {c.reason: c for c in ui.widget(Screen.RATING, "reasons").children}  # type: ignore[attr-defined]
    assert "等候时间太长" in ui.texts()
    ui.tap(chips["long_wait"])
    ui.tap(ui.widget(Screen.RATING, "dimensions").children[-1])  # efficiency: good
    consent = ui.widget(Screen.RATING, "consent")
    if not in_view(ui, consent):
        ui.widget(Screen.RATING, "scroll").scroll_y = 0  # the resident scrolls down to the follow-up
    ui.until(lambda: in_view(ui, consent), what="the consent in view")
    ui.tap(consent)
    ui.until(lambda: in_view(ui, key(ui, "0")), what="the keypad scrolled into view")
    for digit in "13912345678":
        ui.tap(key(ui, digit))
    ui.frames(2)
    if shots is not None:
        ui.shot(shots)


def test_rating_by_touch(ui: UiPilot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("screens.rating.THANKS_SECONDS", 1.0)
    kiosk = ui.app.kiosk
    rate_badly_by_touch(ui)
    assert "13912345678" in ui.texts()
    # Scrolled into view or not, submit works; the kiosk thanks the resident.
    ui.tap(ui.widget(Screen.RATING, "submit"))
    ui.until(
        lambda: kiosk.journey.view.rating is not None and kiosk.journey.view.rating.submitted is not None
    )
    ui.frames(2)
    assert "感谢您的评价！" in ui.texts()
    [rating] = kiosk.ratings.pending()
    assert rating.level is RatingLevel.DISSATISFIED and rating.reasons == ("long_wait",)
    assert dict(rating.dimensions) == {"efficiency": True} and rating.phone == "13912345678"

    ui.on(Screen.HOME)  # the thank-you goes back home by itself
    ui.tap(ui.widget(Screen.HOME, "rate"))  # a second rating in the same visit is refused politely
    ui.on(Screen.RATING)
    ui.frames(2)
    assert "您本次已经评价过了，谢谢！" in ui.texts()
    assert len(kiosk.ratings.pending()) == 1


def test_walking_away_drops_the_unfinished_rating(ui: UiPilot) -> None:
    kiosk = ui.app.kiosk
    rate_badly_by_touch(ui)
    assert kiosk.session.personal(PHONE_KEY) == "13912345678"
    ui.tap(ui.widget(Screen.RATING, "header").ids.home)  # home from the header, then leave
    ui.on(Screen.HOME)
    kiosk.journey.finish()
    ui.on(Screen.ATTRACT)
    assert kiosk.session.personal(PHONE_KEY) is None and ui.screen(Screen.RATING).flow is None
    assert kiosk.ratings.pending() == []
    # Nor does the label that showed it, out of the tree with the phone entry, nor the layout of
    # the words it last drew (both found by the soak).
    assert "13912345678" not in ui.screen(Screen.RATING).ids.phone.text
    # type(), not isinstance(): a dead Kivy WeakProxy among the objects raises on __class__.
    words = [o.text for o in gc.get_objects() if type(o) is LayoutWord]
    assert words and not any("13912345678" in word for word in words)


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_the_rating_screen_in_both_orientations(
    make_ui: Callable[..., UiPilot], tmp_path: Path, size: tuple[int, int]
) -> None:
    ui = make_ui(size)
    rate_badly_by_touch(ui, tmp_path / "rating.png")
    assert (tmp_path / "rating.png").is_file()
    submit = ui.widget(Screen.RATING, "submit")
    assert submit.width >= ui.app.theme.touch and submit.height >= ui.app.theme.touch
    for button in ui.widget(Screen.RATING, "levels").children:
        assert button.width >= ui.app.theme.touch and button.height >= ui.app.theme.touch
