from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from kivy.metrics import dp
from PIL import Image

from kiosk.journey import Screen
from screens.pilot import UiPilot

pytestmark = pytest.mark.ui


def key(ui: UiPilot, letter: str) -> Any:
    keyboard = ui.widget(Screen.SEARCH, "keyboard")
    for row in keyboard.children:
        for button in row.children:
            if button.key == letter:
                return button
    raise LookupError(letter)


def result_rows(ui: UiPilot) -> list[Any]:
    rows = ui.widget(Screen.SEARCH, "results").children[0].children
    return sorted(rows, key=lambda row: -row.y)


def open_search(ui: UiPilot) -> None:
    ui.tap_center()
    ui.on(Screen.HOME)
    ui.tap(ui.widget(Screen.HOME, "search"))
    ui.on(Screen.SEARCH)


def type_keys(ui: UiPilot, keys: str) -> None:
    for letter in keys:
        ui.tap(key(ui, letter))


def wait_for_results(ui: UiPilot, query: str) -> None:
    """Until the search for `query` (not one typed on the way to it) is on screen."""
    screen = ui.screen(Screen.SEARCH)
    ui.until(
        lambda: screen.flow.searched == query and (not screen.flow.hits or bool(result_rows(ui))),
        what=f"results for {query}",
    )


def test_typing_initials_on_the_kiosk_keyboard_finds_and_opens_the_guide(ui: UiPilot, tmp_path: Path) -> None:
    open_search(ui)
    assert "可输入拼音首字母或全拼，例如输入 sbk 或 shebaoka 查找“社保卡”" in ui.texts()
    type_keys(ui, "sbk")
    assert ui.widget(Screen.SEARCH, "query").text == "sbk"
    wait_for_results(ui, "sbk")
    first = result_rows(ui)[0]
    assert "社会保障卡" in first.name_markup and "[/color]" in first.name_markup  # the match in colour
    assert first.detail == "人力资源和社会保障局"
    assert any(text.startswith("找到 ") for text in ui.texts())
    shot = ui.shot(tmp_path / "search.png")
    assert len(Image.open(shot).convert("RGB").resize((96, 54)).getcolors(100_000) or []) > 20

    ui.tap(first)
    ui.on(Screen.GUIDE_DETAIL)
    assert "社会保障卡" in ui.app.kiosk.journey.view.title
    ui.tap(ui.widget(Screen.GUIDE_DETAIL, "back"))
    ui.on(Screen.SEARCH)
    assert ui.widget(Screen.SEARCH, "query").text == "sbk"  # the query survives the trip


def test_delete_clear_and_nothing_found(ui: UiPilot) -> None:
    open_search(ui)
    type_keys(ui, "qqq")
    status = ui.widget(Screen.SEARCH, "status")
    wait_for_results(ui, "qqq")
    assert "没有找到" in status.text
    ui.tap(key(ui, "backspace"))
    assert ui.widget(Screen.SEARCH, "query").text == "qq"
    ui.tap(key(ui, "clear"))
    assert ui.widget(Screen.SEARCH, "query").text == ""
    ui.until(lambda: "sbk" in status.text, what="the hint again")
    assert ui.widget(Screen.SEARCH, "results").data == []


def test_hanzi_from_a_hardware_keyboard(ui: UiPilot) -> None:
    open_search(ui)
    ui.window.dispatch("on_textinput", "公積金")
    wait_for_results(ui, "公積金")
    results = ui.widget(Screen.SEARCH, "results")
    assert "公积金" in results.data[0]["name_markup"]


@pytest.mark.parametrize(
    ("size", "theme"),
    [
        ((1920, 1080), "standard"),
        ((1080, 1920), "standard"),
        ((1920, 1080), "elder"),
        ((1080, 1920), "elder"),
    ],
)
def test_every_key_is_large_and_on_screen(
    make_ui: Callable[..., UiPilot], size: tuple[int, int], theme: str
) -> None:
    ui = make_ui(size, overrides={"display": {"theme": theme}})
    open_search(ui)
    keyboard = ui.widget(Screen.SEARCH, "keyboard")
    keys = [button for row in keyboard.children for button in row.children]
    assert len(keys) == 38
    for button in keys:
        x, y = button.to_window(button.x, button.y)
        assert x >= 0 and y >= 0 and x + button.width <= size[0] and y + button.height <= size[1], button.key
        assert min(button.width, button.height) >= ui.app.theme.touch, button.key


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_keyboard_stays_under_the_header_in_elder_mode_on_a_720_line_panel(
    make_ui: Callable[..., UiPilot], language: str
) -> None:
    ui = make_ui((1280, 720), overrides={"kiosk": {"language": language}, "display": {"theme": "elder"}})
    open_search(ui)
    header = ui.widget(Screen.SEARCH, "header")
    keyboard = ui.widget(Screen.SEARCH, "keyboard")
    _, header_bottom = header.to_window(header.x, header.y)
    _, keyboard_top = keyboard.to_window(keyboard.x, keyboard.top)
    assert keyboard_top <= header_bottom  # before: the keys covered the header's buttons
    assert all(button.height >= dp(60) for row in keyboard.children for button in row.children)
    ui.tap(ui.widget(Screen.SEARCH, "home"))
    ui.on(Screen.HOME)
