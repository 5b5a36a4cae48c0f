"""Switching the theme while a widget that read it is being collected on another thread."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from kivy.utils import get_color_from_hex
from kivy.weakproxy import WeakProxy

from screens.theme import VARIANTS, Theme

pytestmark = pytest.mark.ui


class Gone:
    """Stands for a widget: Kivy's rules hold it through a weak proxy."""

    color: Any = None


def dead_rule() -> tuple[Any, list[int]]:
    """A KV rule of a widget already collected, whose unbinding has not run yet."""
    widget = Gone()
    proxy = WeakProxy(widget)
    del widget  # the referent is gone; the proxy now raises ReferenceError, as the collector leaves it
    calls: list[int] = []

    def rule(_theme: Theme, value: Any) -> None:
        calls.append(1)
        proxy.color = value

    return rule, calls


def test_a_rule_of_a_collected_widget_does_not_stop_the_switch() -> None:
    theme = Theme("standard")
    rule, calls = dead_rule()
    uid = theme.fbind("text", rule)
    seen: list[Any] = []
    theme.fbind("text", lambda _theme, value: seen.append(list(value)))  # a living label, bound after
    # Kivy's clean-up for the collected widget runs on the thread that collected it, a moment later.
    cleanup = threading.Timer(0.005, theme.unbind_uid, ("text", uid))
    cleanup.start()
    try:
        theme.apply("elder")
    finally:
        cleanup.cancel()
        cleanup.join()

    assert calls, "the dead rule was bound when the switch began"
    assert theme.variant == "elder"
    elder_text = list(get_color_from_hex(VARIANTS["elder"][0].text))
    assert theme.text == elder_text
    assert seen[-1] == elder_text, "the living label got the elder colour"


def test_a_rule_that_stays_dead_is_a_defect_and_is_raised() -> None:
    theme = Theme("standard")
    rule, calls = dead_rule()
    theme.fbind("text", rule)
    with pytest.raises(ReferenceError):
        theme.apply("elder")
    assert len(calls) > 1, "tried again before giving up"
