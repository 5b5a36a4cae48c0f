"""Screens left behind hold no more than they need to show again: the guide's text goes with it."""

from __future__ import annotations

import gc
import weakref

import pytest

from kiosk.journey import Screen
from screens.pilot import UiPilot

pytestmark = pytest.mark.ui


def open_a_guide(ui: UiPilot) -> None:
    """Home, the first department, its first guide."""
    ui.tap_center()
    ui.on(Screen.HOME)
    ui.tap(ui.widget(Screen.HOME, "tiles").children[-1])
    ui.on(Screen.GUIDE_LIST)
    ui.frames(4)
    ui.tap(ui.widget(Screen.GUIDE_LIST, "rows").children[0].children[-1])
    ui.on(Screen.GUIDE_DETAIL)


def test_a_guide_left_keeps_no_lines_and_shows_again(ui: UiPilot) -> None:
    open_a_guide(ui)
    body = ui.widget(Screen.GUIDE_DETAIL, "body")
    shown = ui.texts()
    assert len(body.children) > 5
    line = weakref.ref(body.children[0])

    ui.tap(ui.widget(Screen.GUIDE_DETAIL, "qr"))
    ui.on(Screen.QR)
    ui.frames(2)
    gc.collect()
    assert body.children == [] and line() is None  # the lines, and their textures, are gone

    ui.tap(ui.widget(Screen.QR, "back"))
    ui.on(Screen.GUIDE_DETAIL)
    assert ui.texts() == shown  # laid out again as it was
