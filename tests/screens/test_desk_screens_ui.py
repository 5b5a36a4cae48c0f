"""The online services' result and step screens show the desk's pages (tests/screens/desk_pages.py)
in zh and en, landscape and portrait, and meet the accessibility figures in every theme variant."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageFilter

from kiosk.barcodes import decode_image
from kiosk.desk.desk import FILL_IN
from kiosk.desk.pages import DeskPage, Paper
from kiosk.i18n import translate
from kiosk.journey import Screen, View
from screens.accessibility import check_tree, window_box
from screens.pilot import UiPilot
from screens.theme import VARIANTS
from tests.screens import desk_pages

pytestmark = pytest.mark.ui

LANDSCAPE, PORTRAIT = (1920, 1080), (1080, 1920)


def started(
    make_ui: Callable[..., UiPilot], size: tuple[int, int] = LANDSCAPE, language: str = "zh"
) -> UiPilot:
    """A visit on home, in `language`."""
    ui = make_ui(size)
    ui.tap_center()
    ui.on(Screen.HOME)
    if language == "en":
        ui.app.kiosk.journey.set_language("en")
        ui.frames(3)
    return ui


def show(ui: UiPilot, screen: Screen, page: DeskPage | None = None, **view: Any) -> Any:
    """Show `page` on `screen` as the desk does, and return the screen widget."""
    ui.app.kiosk.journey.show(View(screen, desk=page, **view))
    ui.on(screen)
    ui.frames(3)
    return ui.screen(screen)


def shown(ui: UiPilot, widget: Any) -> bool:
    """Whether a resident sees `widget`: in the window, not collapsed, not transparent."""
    if widget.get_root_window() is None:  # taken out of the screen
        return False
    left, bottom, right, top = window_box(widget)
    inside = left >= 0 and bottom >= 0 and right <= ui.window.width + 1 and top <= ui.window.height + 1
    return inside and widget.width > 1 and widget.height > 1 and widget.opacity > 0 and not widget.disabled


def rows_on_page(ui: UiPilot) -> list[tuple[str, ...]]:
    """The table's body rows as shown now (the heading row left out)."""
    table = ui.widget(Screen.QUERY, "table")
    rows = [child for child in reversed(table.children) if hasattr(child, "heading")]
    return [tuple(cell.text for cell in reversed(row.children)) for row in rows if not row.heading]


@pytest.mark.parametrize("size", [LANDSCAPE, PORTRAIT], ids=["landscape", "portrait"])
def test_a_long_table_reads_page_by_page_with_no_row_cut(
    make_ui: Callable[..., UiPilot], size: tuple[int, int]
) -> None:
    ui = started(make_ui, size)
    page = desk_pages.contributions_page()
    screen = show(ui, Screen.QUERY, page)
    assert screen.page_count > 1
    assert f"第 1/{screen.page_count} 页" in ui.texts()
    note = translate(page.note, "zh_CN").format(**dict(page.note_values))
    assert note in ui.texts() and "¥6,552.00" in note
    previous, following = ui.widget(Screen.QUERY, "previous"), ui.widget(Screen.QUERY, "next")
    assert previous.disabled and not following.disabled
    seen: list[tuple[str, ...]] = []
    table = ui.widget(Screen.QUERY, "table")
    for number in range(1, screen.page_count + 1):
        assert screen.page_number == number
        # Every row of the page shows whole, inside the table: none is cut at the fold.
        _left, table_bottom, _right, table_top = window_box(table)
        for row in table.children:
            if hasattr(row, "heading"):
                _l, bottom, _r, top = window_box(row)
                assert bottom >= table_bottom - 1 and top <= table_top + 1
        seen += rows_on_page(ui)
        if number < screen.page_count:
            ui.tap(following)
    assert seen == list(page.rows)  # each row once, in order
    assert following.disabled and not previous.disabled
    ui.tap(previous)
    assert screen.page_number == screen.page_count - 1


def test_amounts_are_right_aligned_and_rows_alternate(make_ui: Callable[..., UiPilot]) -> None:
    ui = started(make_ui)
    show(ui, Screen.QUERY, desk_pages.contributions_page())
    table = ui.widget(Screen.QUERY, "table")
    rows = [child for child in reversed(table.children) if hasattr(child, "heading")]
    month, insurance, base, paid, employer = reversed(rows[1].children)
    assert month.halign == insurance.halign == employer.halign == "left"
    assert base.halign == paid.halign == "right"
    assert rows[1].tint != rows[2].tint and rows[1].tint == rows[3].tint


def test_a_short_table_has_no_pages_and_a_kiosk_without_printer_says_so(
    make_ui: Callable[..., UiPilot],
) -> None:
    ui = started(make_ui, language="en")
    screen = show(ui, Screen.QUERY, desk_pages.contributions_page(months=1, printable=False))
    assert screen.page_count == 1
    assert not shown(ui, ui.widget(Screen.QUERY, "next")) and not shown(ui, ui.widget(Screen.QUERY, "print"))
    assert "This kiosk cannot print right now; the table stays on the screen." in ui.texts()
    assert "Social insurance contributions" in ui.texts()  # the service's English name as title


def test_a_short_table_reads_in_larger_text(make_ui: Callable[..., UiPilot]) -> None:
    ui = started(make_ui, PORTRAIT)
    theme = ui.app.theme
    show(ui, Screen.QUERY, desk_pages.account_page())
    table = ui.widget(Screen.QUERY, "table")
    cells = [cell for row in table.children if hasattr(row, "heading") for cell in row.children]
    assert {cell.font_size for cell in cells} == {theme.heading}
    assert "¥12,345.60" in ui.texts() and "账户余额" in ui.texts()  # the desk's own words translated
    show(ui, Screen.QUERY, desk_pages.contributions_page())  # a long one: more rows a page instead
    cells = [cell for row in table.children if hasattr(row, "heading") for cell in row.children]
    assert {cell.font_size for cell in cells} == {theme.body}


def test_a_document_shows_its_code_and_a_phone_reads_its_qr(
    make_ui: Callable[..., UiPilot], tmp_path: Path
) -> None:
    ui = started(make_ui)
    show(ui, Screen.DOCUMENT, desk_pages.document_page())
    texts = ui.texts()
    assert "V7K2-Q9M4" in texts and "参保缴费证明.pdf" in texts and "共 2 页" in texts
    assert shown(ui, ui.widget(Screen.DOCUMENT, "print"))
    picture = Image.open(ui.shot(tmp_path / "document.png"))
    # As a phone at arm's length sees it: a 640-pixel-wide, slightly blurred frame.
    scale = 640 / max(picture.size)
    seen = picture.resize((round(picture.width * scale), round(picture.height * scale)))
    codes = decode_image(seen.filter(ImageFilter.GaussianBlur(0.8)), ["qrcode"])
    assert [code.data for code in codes] == [desk_pages.VERIFY_URL]


def test_a_document_that_cannot_print_here_says_why_instead(make_ui: Callable[..., UiPilot]) -> None:
    ui = started(make_ui, PORTRAIT, language="en")
    show(ui, Screen.DOCUMENT, desk_pages.document_page(problem="The printer is not available right now."))
    assert "The printer is not available right now." in ui.texts()
    assert not shown(ui, ui.widget(Screen.DOCUMENT, "print"))
    assert shown(ui, ui.widget(Screen.DOCUMENT, "code"))


@pytest.mark.parametrize("size", [LANDSCAPE, PORTRAIT], ids=["landscape", "portrait"])
def test_a_day_of_slots_fits_and_taken_ones_are_greyed(
    make_ui: Callable[..., UiPilot], size: tuple[int, int]
) -> None:
    ui = started(make_ui, size)
    ui.app.kiosk.journey.set_elder(True)
    screen = show(ui, Screen.CHOOSE, desk_pages.slots_page())
    buttons = list(reversed(ui.widget(Screen.CHOOSE, "choices").children))
    assert len(buttons) == 14
    assert all(
        shown(ui, button) for button in buttons if button.value[-5:] not in {"10:00", "11:30", "13:00"}
    )
    scroll = ui.widget(Screen.CHOOSE, "scroll")
    for button in buttons:  # all in view at once: nothing below the fold
        _l, bottom, _r, top = window_box(button)
        _sl, scroll_bottom, _sr, scroll_top = window_box(scroll)
        assert bottom >= scroll_bottom - 1 and top <= scroll_top + 1
    assert not screen.more_below
    taken = [button for button in buttons if button.disabled]
    assert [button.value for button in taken] == ["2026-12-09T10:00", "2026-12-09T11:30", "2026-12-09T13:00"]
    assert all(button.detail == "已约满" for button in taken)
    assert len({round(button.height) for button in buttons}) == 1  # one height, whatever the words


def test_many_choices_say_more_lie_below(make_ui: Callable[..., UiPilot]) -> None:
    ui = started(make_ui, language="en")
    ui.app.kiosk.journey.set_elder(True)
    page = desk_pages.slots_page()
    many = type(page)(page.service, page.step, page.prompt, page.choices * 3)
    screen = show(ui, Screen.CHOOSE, many)
    ui.until(lambda: screen.more_below, what="the cue that more lie below")
    assert "More below: slide the list up with your finger" in ui.texts()
    ui.widget(Screen.CHOOSE, "scroll").scroll_y = 0
    ui.until(lambda: not screen.more_below, what="the cue gone at the end of the list")


def test_nothing_to_choose_is_said(make_ui: Callable[..., UiPilot]) -> None:
    ui = started(make_ui, language="en")
    show(ui, Screen.CHOOSE, desk_pages.empty_page())
    assert "There are no free times on this day. Please choose another day." in ui.texts()
    assert ui.widget(Screen.CHOOSE, "choices").children == []


def test_the_keypad_follows_the_active_field(make_ui: Callable[..., UiPilot]) -> None:
    ui = started(make_ui)
    show(ui, Screen.ENTRY, desk_pages.entry_page(active="case_no"))
    keypad = ui.widget(Screen.ENTRY, "keypad")
    keys = [key.key for key in reversed(keypad.children) if hasattr(key, "key")]
    assert "".join(keys) == "1234567890ABCDEFGHIJKLMNOPQRSTUVWXYZ" and keypad.cols == 9
    boxes = {box.key: box for box in ui.widget(Screen.ENTRY, "fields").children}
    assert boxes["case_no"].active and not boxes["query_code"].active
    assert boxes["case_no"].value == "WH2026"
    assert "也可以把回执上的二维码对准扫码口，本机会自动填好号码。" in ui.texts()
    assert shown(ui, ui.widget(Screen.ENTRY, "erase")) and shown(ui, ui.widget(Screen.ENTRY, "submit"))

    show(ui, Screen.ENTRY, desk_pages.entry_page(active="query_code", message=FILL_IN))
    # Digits as on a phone: 1-9, then erase, 0, submit; no empty slot.
    labels = [getattr(key, "key", "") or key.text for key in reversed(keypad.children)]
    assert labels == [*"123456789", "删除", "0", "查询"] and keypad.cols == 3
    assert translate(FILL_IN, "zh_CN") in ui.texts()


def test_a_case_shows_its_stages_as_a_timeline(make_ui: Callable[..., UiPilot]) -> None:
    ui = started(make_ui, PORTRAIT)
    screen = show(ui, Screen.CASE, desk_pages.case_page(rateable=True))
    rows = list(reversed(ui.widget(Screen.CASE, "stages").children))
    assert [(row.name, row.done, row.next) for row in rows] == [
        ("受理", True, False),
        ("审查", True, False),
        ("决定", False, True),
        ("送达", False, False),
    ]
    texts = ui.texts()
    assert "已完成：2026-11-20 10:21" in texts and "下一步" in texts and "尚未进行" in texts
    assert "WH2026112000002" in texts and "审查中" in texts
    assert shown(ui, ui.widget(Screen.CASE, "rate"))
    assert all(row.tall for row in rows)  # portrait spreads the stages out
    show(ui, Screen.CASE, desk_pages.case_page(rateable=True, rated=True))
    assert not shown(ui, ui.widget(Screen.CASE, "rate"))
    assert "谢谢，您已评价这次办件。" in ui.texts()
    show(ui, Screen.CASE, desk_pages.case_page(rateable=False))
    assert not shown(ui, ui.widget(Screen.CASE, "rate")) and not screen.rated


def test_a_case_reads_in_english_with_the_platforms_words_beside(make_ui: Callable[..., UiPilot]) -> None:
    ui = started(make_ui, language="en")
    show(ui, Screen.CASE, desk_pages.case_page())
    texts = ui.texts()
    assert "Under review (审查中)" in texts and "Accepted (受理)" in texts and "Delivery (送达)" in texts
    assert "Done: 2026-11-20 10:21" in texts and "Next step" in texts


def test_an_appointment_shows_its_number_and_cancelling_asks_first(make_ui: Callable[..., UiPilot]) -> None:
    ui = started(make_ui)
    screen = show(ui, Screen.BOOKED, desk_pages.booked_page())
    texts = ui.texts()
    assert "A0917" in texts and "2026-12-09  星期三" in texts and "09:30" in texts
    assert "威海市政务服务中心（演示）" in texts and "社保业务窗口" in texts
    assert shown(ui, ui.widget(Screen.BOOKED, "print")) and shown(ui, ui.widget(Screen.BOOKED, "cancel"))
    ui.tap(ui.widget(Screen.BOOKED, "cancel"))
    assert screen.confirming and "确定取消这个预约吗？" in ui.texts()
    assert not shown(ui, ui.widget(Screen.BOOKED, "print"))
    ui.tap(ui.widget(Screen.BOOKED, "cancel_no"))  # a slip of the finger: nothing is cancelled
    assert not screen.confirming and shown(ui, ui.widget(Screen.BOOKED, "cancel"))

    show(ui, Screen.BOOKED, desk_pages.booked_page(cancelled=True))
    assert "这个预约已取消" in ui.texts()
    for button in ("print", "cancel", "cancel_yes"):
        assert not shown(ui, ui.widget(Screen.BOOKED, button))
    show(ui, Screen.BOOKED, desk_pages.booked_page(cancellable=False))
    assert shown(ui, ui.widget(Screen.BOOKED, "print")) and not shown(ui, ui.widget(Screen.BOOKED, "cancel"))


@pytest.mark.parametrize(
    ("paper", "printing", "printed"),
    [
        (Paper.DOCUMENT, "正在打印您的文件…", "打印完成，请从出纸口取走您的文件。"),
        (Paper.TABLE, "正在打印表格…", "打印完成，请从出纸口取走表格。"),
        (Paper.SLIP, "正在打印预约凭条…", "打印完成，请从出纸口取走预约凭条。"),
    ],
)
def test_the_printing_screens_say_what_prints(
    make_ui: Callable[..., UiPilot], paper: Paper, printing: str, printed: str
) -> None:
    ui = started(make_ui)
    show(ui, Screen.PRINTING, paper=paper, title="参保缴费证明打印")
    assert printing in ui.texts() and "正在打印材料清单……" not in ui.texts()
    show(ui, Screen.PRINT_DONE, paper=paper)
    assert printed in ui.texts()
    assert all(shown(ui, ui.widget(Screen.PRINT_DONE, name)) for name in ("home", "rate", "finish"))
    show(ui, Screen.PRINT_FAILED, paper=paper)
    # No guide behind it: no guide's QR code, but try again and the help desk.
    assert ui.widget(Screen.PRINT_FAILED, "code").data == ""
    assert shown(ui, ui.widget(Screen.PRINT_FAILED, "retry"))
    assert "需要帮助，请到服务大厅咨询台咨询。" in ui.texts()
    assert "别担心：扫描下方二维码，把同样的清单带到手机上。" not in ui.texts()


#: Every page of these screens, as the accessibility walk shows them.
PAGES: list[tuple[Screen, Callable[[], DeskPage]]] = [
    (Screen.QUERY, desk_pages.contributions_page),
    (Screen.DOCUMENT, desk_pages.document_page),
    (Screen.CHOOSE, desk_pages.slots_page),
    (Screen.CHOOSE, desk_pages.halls_page),
    (Screen.ENTRY, desk_pages.entry_page),
    (Screen.ENTRY, lambda: desk_pages.entry_page(active="query_code", message=FILL_IN)),
    (Screen.CASE, lambda: desk_pages.case_page(rateable=True)),
    (Screen.BOOKED, desk_pages.booked_page),
    (Screen.BOOKED, lambda: desk_pages.booked_page(cancelled=True)),
]


@pytest.mark.timeout(600)
@pytest.mark.parametrize(
    ("language", "size"),
    [("zh", LANDSCAPE), ("en", PORTRAIT)],
    ids=["zh-landscape", "en-portrait"],
)
def test_every_page_meets_the_figures_in_every_variant(
    make_ui: Callable[..., UiPilot], language: str, size: tuple[int, int]
) -> None:
    ui = started(make_ui, size, language)
    theme = ui.app.theme
    found: list[str] = []
    shows: list[tuple[Screen, DeskPage | None, dict[str, Any]]] = [
        (screen, make(), {}) for screen, make in PAGES
    ]
    shows.append((Screen.PRINT_FAILED, None, {"paper": Paper.TABLE}))
    for screen, page, view in shows:
        show(ui, screen, page, **view)
        for variant in VARIANTS:
            theme.apply(variant)
            ui.frames(3)
            found += [str(v) for v in check_tree([ui.screen(screen)], variant, screen.value, ui.window.size)]
    theme.apply("standard")
    assert found == []
