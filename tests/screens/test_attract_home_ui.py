"""The attract screen's notices, home's task tiles, elder mode and voice from every screen, friendly
failures: all by touch, through the real UI."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from kivy.metrics import dp
from PIL import Image

from kiosk.events import DeviceLost
from kiosk.journey import Screen
from kiosk.sync import SyncStatus
from screens.pilot import UiPilot
from screens.touch import tap_at

pytestmark = pytest.mark.ui

HELP_DESK = "服务大厅咨询台"


def wake(ui: UiPilot) -> None:
    ui.on(Screen.ATTRACT)
    ui.tap_center()
    ui.on(Screen.HOME)


def header(ui: UiPilot, screen: Screen, button: str) -> Any:
    """A button of the screen's header bar (not a same-named button elsewhere on the screen)."""
    return ui.widget(screen, "header").ids[button]


def first(grid: Any) -> Any:
    return grid.children[-1]  # Kivy keeps children last-first


# -- attract ---------------------------------------------------------------------------------------


def test_notices_rotate_on_the_attract_screen(make_ui: Callable[..., UiPilot]) -> None:
    ui = make_ui(overrides={"attract": {"seconds_per_notice": 0.5}})
    ui.on(Screen.ATTRACT)
    screen = ui.screen(Screen.ATTRACT)
    texts = ui.texts()
    assert "轻触屏幕开始办理" in texts and ui.app.kiosk.settings.kiosk.site_name in texts
    assert ui.app.clock_text in texts and datetime.now().strftime("%Y-%m-%d") in ui.app.clock_text
    image = ui.widget(Screen.ATTRACT, "notice_image")

    # What shows, sampled between frames as Kivy's clock turns the notices.
    seen: list[tuple[str, str, bool]] = []

    def record() -> bool:
        showing = (screen.notice_text[:4], Path(screen.notice_image).name, image.opacity > 0)
        if not seen or seen[-1] != showing:
            seen.append(showing)
        return len(seen) >= 5

    ui.until(record, timeout=30, what="five notices in turn")
    cycle = [("身份证、", "cards.png", True), ("扫一扫二", "qr_phone.png", True), ("看不清、", "", False)]
    start = cycle.index(seen[0])
    assert seen == [cycle[(start + step) % 3] for step in range(5)]


def test_notices_follow_the_kiosks_language(make_ui: Callable[..., UiPilot]) -> None:
    ui = make_ui(overrides={"kiosk": {"language": "en"}, "attract": {"seconds_per_notice": 600}})
    ui.on(Screen.ATTRACT)
    assert ui.screen(Screen.ATTRACT).notice_text.startswith("Your ID card or social security card works here")
    assert "Touch the screen to start" in ui.texts()


def test_a_broken_notice_image_is_skipped_not_shown(
    make_ui: Callable[..., UiPilot], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 truncated")
    picture = tmp_path / "hall.png"
    Image.new("RGB", (320, 180), "#12703A").save(picture)
    notices = [
        {"text": "坏图片的通知", "image": str(broken)},
        {"text": "大厅搬迁通知", "image": str(picture)},
        {"text": "缺图片的通知", "image": str(tmp_path / "gone.png")},
        {"text": "节假日安排"},
    ]
    with caplog.at_level(logging.WARNING, logger="kiosk.notices"):
        ui = make_ui(overrides={"attract": {"notices": notices, "seconds_per_notice": 60}})
        ui.on(Screen.ATTRACT)
    screen = ui.screen(Screen.ATTRACT)
    shown = []
    for _ in range(4):
        shown.append(screen.notice_text)
        screen.next_notice()
        ui.frames(2)
    assert shown == ["大厅搬迁通知", "节假日安排", "大厅搬迁通知", "节假日安排"]
    assert str(broken) in caplog.text and "gone.png" in caplog.text


def test_the_waking_touch_on_a_notice_only_wakes(make_ui: Callable[..., UiPilot]) -> None:
    ui = make_ui(overrides={"attract": {"seconds_per_notice": 600}})
    ui.on(Screen.ATTRACT)
    assert ui.widget(Screen.ATTRACT, "notice_image").opacity == 1
    image = ui.widget(Screen.ATTRACT, "notice_image")
    tap_at(*image.to_window(*image.center))
    ui.on(Screen.HOME)
    ui.frames(10)
    assert ui.current == Screen.HOME.value and ui.app.kiosk.journey.depth == 0
    assert ui.app.kiosk.devices.printer.completed_files() == []  # type: ignore[attr-defined]


# -- home ------------------------------------------------------------------------------------------


def test_home_tiles_lead_where_they_say(ui: UiPilot) -> None:
    wake(ui)
    for tile, screen in (
        ("search", Screen.SEARCH),
        ("all_life_events", Screen.LIFE_EVENTS),
        ("all_departments", Screen.DEPARTMENTS),
        ("identify", Screen.IDENTIFY),
        ("print", Screen.PRINT),
        ("rate", Screen.RATING),
    ):
        ui.tap(ui.widget(Screen.HOME, tile))
        ui.on(screen)
        assert ui.app.kiosk.journey.depth == 1
        for button in ("back", "home", "elder", "voice", "language"):
            widget = header(ui, screen, button)
            assert widget.opacity == 1 and widget.width >= ui.app.theme.touch, (tile, button)
        ui.tap(header(ui, screen, "back"))
        ui.on(Screen.HOME)


def test_a_guide_is_three_touches_from_home_by_life_event_and_its_checklist_prints(ui: UiPilot) -> None:
    wake(ui)
    ui.tap(ui.widget(Screen.HOME, "all_life_events"))  # 1
    ui.on(Screen.LIFE_EVENTS)
    assert "出生一件事" in ui.texts() and "开办一件事" in ui.texts()
    ui.tap(next(t for t in ui.widget(Screen.LIFE_EVENTS, "life_events").children if t.key == "出生"))  # 2
    ui.on(Screen.GUIDE_LIST)
    ui.frames(6)
    rows = sorted(ui.widget(Screen.GUIDE_LIST, "rows").children[0].children, key=lambda row: -row.y)
    ui.tap(rows[0])  # 3
    ui.on(Screen.GUIDE_DETAIL)
    assert ui.app.kiosk.journey.depth == 3


def test_print_explains_itself_and_prints_a_checklist_within_three_touches(ui: UiPilot) -> None:
    kiosk = ui.app.kiosk
    wake(ui)
    ui.tap(ui.widget(Screen.HOME, "print"))  # 1
    ui.on(Screen.PRINT)
    texts = ui.texts()
    assert "这里可以打印什么" in texts and any("一次性告知单" in text for text in texts)
    assert ui.widget(Screen.PRINT, "print_last").opacity == 0  # nothing read yet in this visit
    department = next(t for t in ui.widget(Screen.PRINT, "tiles").children if t.key == "威海市公安局")
    ui.tap(department)  # 2
    ui.on(Screen.GUIDE_LIST)
    ui.frames(6)
    rows = sorted(ui.widget(Screen.GUIDE_LIST, "rows").children[0].children, key=lambda row: -row.y)
    ui.tap(rows[0])  # 3
    ui.on(Screen.GUIDE_DETAIL)
    guide = kiosk.journey.view.guide
    assert guide is not None and kiosk.journey.depth == 3
    ui.tap(ui.widget(Screen.GUIDE_DETAIL, "print"))
    ui.on(Screen.PRINT_DONE)
    assert len(kiosk.devices.printer.completed_files()) == 1  # type: ignore[attr-defined]

    # Back on the print screen, the guide just read is one touch away.
    ui.tap(ui.widget(Screen.PRINT_DONE, "home"))
    ui.on(Screen.HOME)
    ui.tap(ui.widget(Screen.HOME, "print"))
    ui.on(Screen.PRINT)
    last = ui.widget(Screen.PRINT, "print_last")
    assert last.opacity == 1 and guide.name in last.text
    ui.tap(last)
    ui.on(Screen.PRINT_DONE)
    assert guide.name in ui.texts()


# -- elder mode and voice from every screen -----------------------------------------------------------


def test_elder_mode_switches_from_several_screens_and_simplifies_home(ui: UiPilot) -> None:
    app = ui.app
    wake(ui)
    home = ui.screen(Screen.HOME)
    browsing = ui.widget(Screen.HOME, "browsing")
    assert len(home.task_tiles()) == 6 and browsing.parent is not None and browsing.height > 0
    standard_tile = home.task_tiles()[0].height

    for screen, opening in (
        (Screen.SEARCH, "search"),
        (Screen.PRINT, "print"),
        (Screen.RATING, "rate"),
        (Screen.HOME, None),
    ):
        if opening is not None:
            ui.tap(ui.widget(Screen.HOME, opening))
            ui.on(screen)
        switch = header(ui, screen, "elder")
        assert switch.text == "长辈模式：关"
        ui.tap(switch)
        ui.until(lambda: app.theme.variant == "elder", what=f"elder mode from {screen.value}")
        assert header(ui, screen, "elder").text == "长辈模式：开" and ui.current == screen.value
        assert app.theme.body >= dp(18) and app.theme.touch >= dp(60) and app.theme.line_height >= 1.3
        if screen is not Screen.HOME:
            ui.tap(header(ui, screen, "home"))
            ui.on(Screen.HOME)
        ui.frames(4)
        assert [tile.key for tile in home.task_tiles()] == [
            "search",
            "departments",
            "identify",
            "print",
            "rate",
        ]
        assert home.task_tiles()[0].height > standard_tile
        assert browsing.parent is None
        ui.tap(header(ui, Screen.HOME, "elder"))
        ui.until(lambda: app.theme.variant == "standard", what="elder mode off")
        ui.frames(4)
        assert len(home.task_tiles()) == 6

    # The home tile switches it too, and says so.
    elder_tile = ui.widget(Screen.HOME, "elder_tile")
    assert elder_tile.subtitle == "未开启：点一下，字更大"
    ui.tap(elder_tile)
    ui.until(lambda: app.theme.variant == "elder", what="elder mode from the home tile")
    assert elder_tile.subtitle == "已开启：字更大，按钮更大"


def test_voice_switch_shows_its_state_on_every_screen(ui: UiPilot) -> None:
    journey = ui.app.kiosk.journey
    wake(ui)
    ui.tap(ui.widget(Screen.HOME, "identify"))
    ui.on(Screen.IDENTIFY)
    assert header(ui, Screen.IDENTIFY, "voice").text == "语音：关" and not journey.voice
    ui.tap(header(ui, Screen.IDENTIFY, "voice"))
    ui.until(lambda: journey.voice, what="voice on")
    ui.frames(2)
    assert header(ui, Screen.IDENTIFY, "voice").text == "语音：开"
    ui.tap(header(ui, Screen.IDENTIFY, "home"))
    ui.on(Screen.HOME)
    assert ui.widget(Screen.HOME, "voice_tile").subtitle == "已开启：机器会读出来"
    ui.tap(ui.widget(Screen.HOME, "voice_tile"))
    ui.until(lambda: not journey.voice, what="voice off from the tile")


#: Screens whose header offers no Back: home itself; consent ("No, thanks" is the way back); a step
#: at the platform (nothing to leave while it works); a failed step (its own large Back and Home).
NO_BACK = {Screen.HOME, Screen.CONSENT, Screen.SERVICE_WAIT, Screen.SERVICE_FAILED}


def test_every_screen_has_home_back_elder_and_voice(ui: UiPilot) -> None:
    for screen in Screen:
        # The attract screen has no header; the technician's screens are not the resident's.
        if screen in {Screen.ATTRACT, Screen.TECHNICIAN_PIN, Screen.TECHNICIAN}:
            continue
        bar = ui.widget(screen, "header")
        for button in ("home", "back", "elder", "voice", "language"):
            assert button in bar.ids, (screen.value, button)
        assert bar.show_back is (screen not in NO_BACK), screen.value


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_header_fits_a_portrait_screen_in_elder_mode(
    make_ui: Callable[..., UiPilot], language: str
) -> None:
    ui = make_ui((1080, 1920), overrides={"kiosk": {"language": language}, "display": {"theme": "elder"}})
    wake(ui)
    ui.tap(ui.widget(Screen.HOME, "print"))
    ui.on(Screen.PRINT)
    bar = ui.widget(Screen.PRINT, "header")
    buttons = [bar.ids[name] for name in ("back", "elder", "voice", "language", "home")]
    edges = []
    for button in buttons:
        x, y = button.to_window(button.x, button.y)
        assert x >= 0 and x + button.width <= 1080 and y >= 0, button.text
        assert button.height >= dp(60) and button.width >= button.height
        assert button.texture_size[0] <= button.width  # the words are not clipped
        edges.append((x, x + button.width))
    assert all(right <= left for (_, right), (left, _) in itertools.pairwise(edges))
    title = bar.ids.title_row
    assert title.text == ("打印" if language == "zh_CN" else "Print") and title.height > 0


# -- friendly failures ----------------------------------------------------------------------------------


def test_a_printer_that_cannot_print_is_named_before_printing_with_the_help_desk(ui: UiPilot) -> None:
    ui.app.kiosk.devices.printer.reasons = ("media-empty",)  # type: ignore[attr-defined]
    wake(ui)
    ui.tap(ui.widget(Screen.HOME, "print"))
    ui.on(Screen.PRINT)
    problem = ui.widget(Screen.PRINT, "printer_problem")
    ui.until(lambda: bool(problem.text), what="the printer warning")
    assert (
        problem.text.startswith("打印机缺纸了。") and HELP_DESK in problem.text and "二维码" in problem.text
    )

    ui.tap(header(ui, Screen.PRINT, "language"))
    ui.until(lambda: problem.text.startswith("The printer is out of paper."), what="the warning in English")
    assert HELP_DESK in problem.text and "QR code" in problem.text


def test_a_failed_print_names_the_help_desk(ui: UiPilot) -> None:
    ui.app.kiosk.devices.printer.reasons = ("media-jam",)  # type: ignore[attr-defined]
    wake(ui)
    ui.app.kiosk.journey.open_guide("371000-GA-0001")
    ui.on(Screen.GUIDE_DETAIL)
    ui.until(lambda: bool(ui.widget(Screen.GUIDE_DETAIL, "printer_problem").text), what="warning")
    ui.tap(ui.widget(Screen.GUIDE_DETAIL, "print"))
    ui.on(Screen.PRINT_FAILED)
    texts = ui.texts()
    assert "打印机卡纸了。" in texts or any("卡纸" in text for text in texts)
    assert f"需要帮助，请到{HELP_DESK}咨询。" in texts
    assert ui.widget(Screen.PRINT_FAILED, "code").texture is not None  # the QR code instead


def test_card_readers_out_of_order_offer_the_other_card_or_the_help_desk(ui: UiPilot) -> None:
    bus = ui.app.kiosk.bus
    wake(ui)
    ui.tap(ui.widget(Screen.HOME, "identify"))
    ui.on(Screen.IDENTIFY)
    bus.publish(DeviceLost("id_reader", reason="no answer on /dev/ttyUSB0"))
    ui.until(lambda: f"需要帮助，请到{HELP_DESK}咨询。" in ui.texts(), what="the help desk")
    assert "身份证读卡器暂时无法使用，请改用社保卡。" in ui.texts()
    bus.publish(DeviceLost("sscard_reader", reason="pcscd down"))
    ui.until(lambda: any(text.startswith("两个读卡器暂时都无法使用") for text in ui.texts()), what="both out")
    assert any(HELP_DESK in text for text in ui.texts())
    assert "身份证读卡器暂时无法使用，请改用社保卡。" not in ui.texts()


def test_offline_says_how_old_the_guides_are_that_qr_codes_work_and_who_helps(
    make_ui: Callable[..., UiPilot],
) -> None:
    ui = make_ui(overrides={"sync": {"repo_url": "http://127.0.0.1:9", "group": "villages"}})
    state = ui.app.kiosk.sync_state
    updated = datetime.now(UTC) - timedelta(hours=30)
    state._store(SyncStatus(catalogue_version=3, last_success=updated.isoformat(timespec="seconds")))
    state.record_failure("cannot fetch from http://127.0.0.1:9: no answer")
    ui.app._update_freshness()
    wake(ui)
    date = f"{updated.astimezone():%Y-%m-%d %H:%M}"
    texts = ui.texts()
    sentence = next(text for text in texts if text.startswith("目前没有网络连接"))
    assert date in sentence and "二维码仍可使用" in sentence and HELP_DESK in sentence
    ui.tap(header(ui, Screen.HOME, "language"))
    ui.until(lambda: any(text.startswith("There is no network connection") for text in ui.texts()))
    sentence = next(text for text in ui.texts() if text.startswith("There is no network connection"))
    assert date in sentence and "QR codes still work" in sentence and HELP_DESK in sentence
