from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from pyzbar.pyzbar import ZBarSymbol, decode

from kiosk.guides import guide_from_dict
from kiosk.journey import Screen
from kiosk.session import SessionState
from screens.pilot import UiPilot
from screens.touch import tap_at
from screens.widgets import MoreRow
from tests.conftest import FakeClock
from tests.cupsd import PrivateCupsd

pytestmark = pytest.mark.ui


def first_tile(ui: UiPilot) -> object:
    return ui.widget(Screen.HOME, "tiles").children[-1]


def tile(ui: UiPilot, screen: Screen, grid: str, title: str) -> object:
    return next(t for t in ui.widget(screen, grid).children if t.title == title)  # type: ignore[attr-defined]


def rows(ui: UiPilot) -> list[object]:
    return sorted(ui.widget(Screen.GUIDE_LIST, "rows").children[0].children, key=lambda row: -row.y)


def row(ui: UiPilot, name: str) -> object:
    return next(r for r in rows(ui) if getattr(r, "name", "") == name)


def open_first_guide(ui: UiPilot) -> None:
    """Home, 公安局, 出生登记: a guide without an online page of its own."""
    ui.tap_center()
    ui.on(Screen.HOME)
    ui.tap(tile(ui, Screen.HOME, "tiles", "公安局"))
    ui.on(Screen.GUIDE_LIST)
    ui.frames(4)
    ui.tap(row(ui, "出生登记（新生儿落户）"))
    ui.on(Screen.GUIDE_DETAIL)


def test_the_journey_by_touch_in_chinese(ui: UiPilot, tmp_path: Path) -> None:
    kiosk = ui.app.kiosk
    ui.on(Screen.ATTRACT)
    assert "轻触屏幕开始办理" in ui.texts()

    ui.tap_center()
    ui.on(Screen.HOME)
    home = ui.texts()
    assert "按部门查找" in home and "公安局" in home and "10 项服务" in home
    assert "个人办事" in home and "法人办事" in home and "更多部门" in home and "出生一件事" in home
    assert kiosk.session.state is SessionState.BROWSING

    ui.tap(tile(ui, Screen.HOME, "tiles", "公安局"))
    ui.on(Screen.GUIDE_LIST)
    ui.frames(4)
    listed = ui.texts()
    assert "居民身份证换领" in listed and "出生登记（新生儿落户）" in listed

    ui.tap(row(ui, "出生登记（新生儿落户）"))
    ui.on(Screen.GUIDE_DETAIL)
    detail = ui.texts()
    assert "申请材料" in detail
    assert any(text.startswith("1. 出生医学证明") for text in detail)
    assert detail.index("申请材料") < detail.index("办理时限") < detail.index("办理地点")  # materials first

    ui.tap(ui.widget(Screen.GUIDE_DETAIL, "qr"))
    ui.on(Screen.QR)
    shot = ui.shot(tmp_path / "qr.png")
    codes = decode(Image.open(shot), symbols=[ZBarSymbol.QRCODE])
    assert [code.data.decode() for code in codes] == [kiosk.journey.view.qr_url]
    assert "371000-GA-0010" in kiosk.journey.view.qr_url

    ui.tap(ui.widget(Screen.QR, "back"))
    ui.on(Screen.GUIDE_DETAIL)
    ui.tap(ui.widget(Screen.GUIDE_DETAIL, "print"))
    ui.on(Screen.PRINT_DONE)
    assert "打印完成，请从出纸口取走材料清单。" in ui.texts()
    assert len(kiosk.devices.printer.completed_files()) == 1  # type: ignore[attr-defined]

    ui.tap(ui.widget(Screen.PRINT_DONE, "finish"))
    ui.on(Screen.ATTRACT)
    assert kiosk.session.state is SessionState.ENDED


def test_the_waking_touch_does_nothing_else(ui: UiPilot) -> None:
    ui.tap_center()
    ui.on(Screen.HOME)
    tile = first_tile(ui)
    where = tile.to_window(*tile.center)  # type: ignore[attr-defined]
    ui.tap(ui.widget(Screen.HOME, "finish"))
    ui.on(Screen.ATTRACT)
    tap_at(*where)  # the waking touch lands where the first tile will be
    ui.on(Screen.HOME)
    ui.frames(10)
    assert ui.current == Screen.HOME.value


def test_idle_warning_offers_more_time_then_ends_the_session(ui: UiPilot, clock: FakeClock) -> None:
    kiosk = ui.app.kiosk
    assert ui.app.idle_warning is None  # made when first needed
    open_first_guide(ui)

    clock.advance(kiosk.settings.session.idle_seconds + 1)
    ui.until(
        lambda: ui.app.idle_warning is not None and ui.app.idle_warning.parent is not None,
        what="idle warning",
    )
    warning = ui.app.idle_warning
    texts = ui.texts()
    assert "您还在办理吗？" in texts
    assert any("秒后将结束本次办理" in text for text in texts)

    ui.tap(warning.ids.more_time)
    ui.until(lambda: warning.parent is None, what="warning dismissed")
    assert ui.current == Screen.GUIDE_DETAIL.value

    clock.advance(kiosk.settings.session.idle_seconds + kiosk.settings.session.warning_seconds + 1)
    ui.on(Screen.ATTRACT)
    assert warning.parent is None
    assert kiosk.session.state is SessionState.ENDED


def test_language_switch_changes_the_chrome_not_the_guides(ui: UiPilot) -> None:
    open_first_guide(ui)
    ui.tap(ui.widget(Screen.GUIDE_DETAIL, "language"))
    ui.frames(4)
    texts = ui.texts()
    assert "Print the checklist of materials" in texts and "Home" in texts
    assert "申请材料" in texts  # guides stay in Chinese


def test_a_printer_failure_says_what_to_do_instead(ui: UiPilot) -> None:
    ui.app.kiosk.devices.printer.reasons = ("media-empty",)  # type: ignore[attr-defined]
    open_first_guide(ui)
    ui.tap(ui.widget(Screen.GUIDE_DETAIL, "print"))
    ui.on(Screen.PRINT_FAILED)
    texts = ui.texts()
    assert "打印机缺纸了。" in texts
    assert any("扫描下方二维码" in text for text in texts)
    assert any("威海市政务服务中心" in text for text in texts)


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_every_button_of_the_journey_fits_the_screen(
    make_ui: Callable[..., UiPilot], size: tuple[int, int]
) -> None:
    ui = make_ui(size)
    open_first_guide(ui)
    for screen in (Screen.GUIDE_DETAIL, Screen.HOME):
        if screen is Screen.HOME:
            ui.tap(ui.widget(Screen.GUIDE_DETAIL, "home"))
            ui.on(Screen.HOME)
        for widget_id in ("home", "language", "finish") + (
            ("qr", "print") if screen is Screen.GUIDE_DETAIL else ()
        ):
            button = ui.widget(screen, widget_id)
            x, y = button.to_window(button.x, button.y)
            assert x >= 0 and x + button.width <= size[0] and y >= 0 and y + button.height <= size[1], (
                widget_id
            )
            assert button.height >= ui.app.theme.touch and button.width >= 44, widget_id


def test_browsing_by_audience_and_all_departments_by_touch(ui: UiPilot) -> None:
    ui.tap_center()
    ui.on(Screen.HOME)
    ui.tap(ui.widget(Screen.HOME, "audiences").children[0])  # children run last-first: 法人办事
    ui.on(Screen.BROWSE_AUDIENCE)
    texts = ui.texts()
    assert "法人办事" in texts and "开办一件事" in texts and "出生一件事" not in texts
    ui.tap(tile(ui, Screen.BROWSE_AUDIENCE, "tiles", "市场监督管理局"))
    ui.on(Screen.GUIDE_LIST)
    ui.frames(4)
    assert "市场监督管理局 · 法人办事" in ui.texts()
    ui.tap(rows(ui)[0])
    ui.on(Screen.GUIDE_DETAIL)
    assert ui.app.kiosk.journey.depth == 3

    ui.tap(ui.widget(Screen.GUIDE_DETAIL, "home"))
    ui.on(Screen.HOME)
    ui.tap(tile(ui, Screen.HOME, "tiles", "更多部门"))
    ui.on(Screen.DEPARTMENTS)
    texts = ui.texts()
    assert "全部部门" in texts and "热电集团" in texts and "出生一件事" not in texts


def test_a_long_list_shows_more_on_touch(ui: UiPilot) -> None:
    kiosk = ui.app.kiosk
    records = [
        {"id": f"T-{n:03d}", "name": f"测试事项{n:03d}", "department": "威海市测试局"} for n in range(60)
    ]
    kiosk.catalogue.import_guides(guide_from_dict(record) for record in records)
    ui.tap_center()
    ui.on(Screen.HOME)
    kiosk.journey.open_department("威海市测试局")
    ui.on(Screen.GUIDE_LIST)
    listing = ui.widget(Screen.GUIDE_LIST, "rows")
    listing.scroll_y = 0  # to the end of the first page
    ui.frames(6)
    more = next(r for r in listing.children[0].children if isinstance(r, MoreRow))
    assert more.text == "再显示 20 项"
    ui.tap(more)
    ui.until(lambda: len(kiosk.journey.view.guides) == 60, what="the second page")
    ui.frames(4)
    assert len(listing.data) == 60 and not any("viewclass" in item for item in listing.data)


def test_the_plain_version_is_one_touch_away(ui: UiPilot) -> None:
    open_first_guide(ui)
    full = ui.texts()
    assert "看白话版" in full and "申请材料" in full and "要带什么" not in full
    ui.tap(ui.widget(Screen.GUIDE_DETAIL, "plain"))
    ui.until(lambda: ui.app.kiosk.journey.view.plain, what="the plain version")
    ui.frames(4)
    plain = ui.texts()
    assert "看完整指南" in plain and "白话版" in plain and "要带什么" in plain and "申请材料" not in plain
    assert any(text.startswith("宝宝出生后") for text in plain)
    ui.tap(ui.widget(Screen.GUIDE_DETAIL, "plain"))
    ui.until(lambda: not ui.app.kiosk.journey.view.plain, what="the full guide again")


def test_a_paused_cups_queue_tells_the_resident_what_to_do_instead(
    make_ui: Callable[..., UiPilot], cupsd: PrivateCupsd, cups_queue: tuple[str, Path]
) -> None:
    queue, _ = cups_queue
    cupsd.lp("cupsdisable", queue)
    ui = make_ui(
        overrides={"devices": {"printer": {"driver": "cups", "queue": queue, "server": cupsd.server}}}
    )
    open_first_guide(ui)
    ui.tap(ui.widget(Screen.GUIDE_DETAIL, "print"))
    ui.on(Screen.PRINT_FAILED)
    texts = ui.texts()
    assert "打印机暂时无法使用。" in texts
    assert any("扫描下方二维码" in text for text in texts)


def test_elder_mode_restyles_the_screens_and_ends_with_the_visit(ui: UiPilot) -> None:
    app = ui.app
    ui.tap_center()
    ui.on(Screen.HOME)
    standard_body = app.theme.body
    app.toggle_elder()
    ui.until(lambda: app.theme.variant == "elder")
    assert app.theme.body > standard_body
    app.kiosk.journey.finish()
    ui.on(Screen.ATTRACT)
    assert app.theme.variant == "standard"
