"""The online services' screens through the real UI: the list, the greeting's tiles, consent, the
face, waiting and failing, in zh and en, standard and elder, landscape and portrait."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from kivy.metrics import dp
from PIL import Image

from kiosk.desk.pages import ConsentPage, FacePage, FailurePage, ServiceListPage, ServiceTile, WaitPage
from kiosk.events import Navigated
from kiosk.i18n import translate
from kiosk.identity import ReaderWatch
from kiosk.journey import Screen, View
from kiosk.platform import sim_data
from kiosk.platform.records import Service
from kiosk.platform.simulator import PlatformSimulator
from kiosk.records import IdCard
from screens.accessibility import check_tree
from screens.pilot import UiPilot
from screens.tour import DEMO_CARD

pytestmark = pytest.mark.ui

HELP_DESK = "服务大厅咨询台"
CARD_NEEDS = "Needs your ID card or social security card"
FACE_NEEDS = "Needs your card and a picture of your face"
#: The platform's services as the simulator lists them (kiosk.platform.sim_data), in its order.
SERVICES = tuple(
    Service(service.id, service.name, service.name_en, service.level, service.kind)  # type: ignore[arg-type]
    for service in sim_data.SERVICES
)
NEEDS = {"none": "", "card": CARD_NEEDS, "face": FACE_NEEDS}
LIST = ServiceListPage(tuple(ServiceTile(service, NEEDS[service.level]) for service in SERVICES))
HOUSING = SERVICES[2]
ASKING = "Asking the government service platform…"
SLOW = "The government service platform did not answer in time. Please try again."
CARD = IdCard("resident", "演示居民", "女", "371002199001010023", birth_date=date(1990, 1, 1))
PORTRAIT = (1080, 1920)


def jpeg(size: tuple[int, int] = (640, 480)) -> bytes:
    """A picture as a camera gives it: JPEG bytes, in memory."""
    out = io.BytesIO()
    Image.new("RGB", size, (180, 140, 120)).save(out, format="JPEG")
    return out.getvalue()


def start_identity(ui: UiPilot) -> None:
    ui.app.kiosk.identity.watch = ReaderWatch(poll=0.02, read=0.5, retry=0.05)
    ui.app.kiosk.start()


def wake(ui: UiPilot) -> None:
    ui.on(Screen.ATTRACT)
    ui.tap_center()
    ui.on(Screen.HOME)


def show(ui: UiPilot, screen: Screen, page: object, *, replace: bool = False) -> None:
    """Show a hand-made page as the desk would."""
    ui.app.kiosk.journey.show(View(screen, desk=page), replace=replace)  # type: ignore[arg-type]
    ui.on(screen)
    ui.frames(3)


def english(ui: UiPilot) -> None:
    ui.app.kiosk.journey.set_language("en")
    ui.frames(4)


def elder(ui: UiPilot) -> None:
    ui.app.kiosk.journey.set_elder(True)
    ui.until(lambda: ui.app.theme.variant == "elder", what="elder mode")


def violations(ui: UiPilot) -> list[str]:
    variant = ui.app.theme.variant
    found = check_tree([ui.app.root.current_screen], variant, ui.current, ui.window.size)
    return [str(violation) for violation in found]


def shots_dir(tmp_path: Path) -> Path:
    """Where the pictures go: SERVICES_SHOTS to keep them and look at them, else the test's tmp."""
    return Path(os.environ.get("SERVICES_SHOTS", tmp_path))


# -- the list of services ----------------------------------------------------------------------------


def tiles_shown(ui: UiPilot, screen: Screen) -> list[str]:
    grid = ui.widget(screen, "tiles")
    return [tile.service_id for tile in reversed(grid.children)]


def test_the_list_shows_the_services_in_order_a_page_at_a_time(make_ui: Callable[..., UiPilot]) -> None:
    ui = make_ui(PORTRAIT)
    wake(ui)
    elder(ui)
    show(ui, Screen.SERVICES, LIST)
    tiles = ui.widget(Screen.SERVICES, "service_tiles")
    first_page = tiles_shown(ui, Screen.SERVICES)
    assert 1 < len(first_page) < len(SERVICES)  # elder mode in portrait: fewer, larger tiles
    assert first_page == [service.id for service in SERVICES[: len(first_page)]]
    texts = ui.texts()
    assert "社保缴费记录查询" in texts and translate(CARD_NEEDS, "zh_CN") in texts
    assert "查询" in texts and "打印证明" in texts  # each tile says its kind
    pages = -(-len(SERVICES) // len(first_page))
    assert f"第 1/{pages} 页 · 共 11 项服务" in texts  # says there is more
    assert ui.widget(Screen.SERVICES, "previous_page").opacity == 0

    seen = list(first_page)
    while tiles.has_next:
        ui.tap(ui.widget(Screen.SERVICES, "next_page"))
        seen += tiles_shown(ui, Screen.SERVICES)
    assert seen == [service.id for service in SERVICES]
    assert f"第 {pages}/{pages} 页 · 共 11 项服务" in ui.texts()
    assert ui.widget(Screen.SERVICES, "next_page").opacity == 0
    ui.tap(ui.widget(Screen.SERVICES, "previous_page"))
    assert tiles_shown(ui, Screen.SERVICES) != seen[-1:]
    assert violations(ui) == []

    # The tour finds a tile by its service, turned to its page.
    tile = tiles.tile("appt.cancel")
    assert tile.service_id == "appt.cancel" and tile.parent is not None
    assert tile.width >= dp(60) and tile.height >= dp(60)


def test_the_list_in_english_names_services_in_english(ui: UiPilot) -> None:
    wake(ui)
    english(ui)
    show(ui, Screen.SERVICES, LIST)
    texts = ui.texts()
    assert "Social insurance contributions" in texts and "社保缴费记录查询" not in texts
    assert "Online services" in texts and "Look up" in texts and "No card needed" in texts
    on_tiles = ui.texts(ui.widget(Screen.SERVICES, "service_tiles"))
    assert not any("\u4e00" <= char <= "\u9fff" for text in on_tiles for char in text)
    assert "11 services in all" in texts  # all on one page in landscape: no pager
    assert violations(ui) == []


def test_the_list_says_its_problem_with_the_help_desk(ui: UiPilot) -> None:
    wake(ui)
    problem = "Online services are not available at this kiosk. Please ask at {help_desk}."
    show(ui, Screen.SERVICES, ServiceListPage((), problem))
    assert translate(problem, "zh_CN").format(help_desk=HELP_DESK) in ui.texts()
    assert tiles_shown(ui, Screen.SERVICES) == []


# -- the greeting ------------------------------------------------------------------------------------


def test_the_greeting_lists_what_the_resident_can_do_or_else_the_guides(ui: UiPilot) -> None:
    start_identity(ui)
    wake(ui)
    ui.app.kiosk.devices.id_reader.slot.place(CARD)
    ui.on(Screen.IDENTIFIED)
    ui.frames(2)
    texts = ui.texts()
    assert "您好，演***" in texts and "居民身份证换领" in texts  # no desk page: the guides
    assert ui.widget(Screen.IDENTIFIED, "online").parent is None

    mine = ServiceListPage(LIST.tiles[:4])
    show(ui, Screen.IDENTIFIED, mine, replace=True)
    texts = ui.texts()
    assert "您好，演***" in texts and "证件号码：3710**********0023" in texts
    assert "您现在可以在本机办理的事项" in texts
    assert tiles_shown(ui, Screen.IDENTIFIED) == [tile.service.id for tile in mine.tiles]
    assert "居民身份证换领" not in texts and ui.widget(Screen.IDENTIFIED, "guides").parent is None
    assert violations(ui) == []
    ui.app.kiosk.devices.id_reader.slot.lift()


# -- consent, face, waiting, failing ---------------------------------------------------------------


CONSENT = ConsentPage(
    HOUSING,
    (
        "Your name and ID number, read from your card",
        "A picture of your face, taken now, to compare with your ID photo",
    ),
    face=True,
)


def test_consent_says_what_goes_where_and_that_nothing_stays(ui: UiPilot) -> None:
    wake(ui)
    show(ui, Screen.CONSENT, CONSENT)
    texts = ui.texts()
    assert "公积金账户查询" in texts
    assert all(translate(line, "zh_CN") in texts for line in CONSENT.sends)  # one a line
    assert "发送给" in texts and "山东省政务服务平台" in texts
    assert "本机保留" in texts and any(text.startswith("不保留任何信息。") for text in texts)
    assert ui.widget(Screen.CONSENT, "face_note").opacity == 1
    agree, decline = ui.widget(Screen.CONSENT, "agree"), ui.widget(Screen.CONSENT, "decline")
    assert agree.text == "同意并发送" and decline.text == "不同意"
    assert agree.height >= dp(64) and agree.width > dp(300)
    assert ui.widget(Screen.CONSENT, "header").ids.back.opacity == 0  # "no, thanks" is the way back
    assert violations(ui) == []

    show(ui, Screen.CONSENT, ConsentPage(SERVICES[1], CONSENT.sends[:1], face=False), replace=True)
    assert ui.widget(Screen.CONSENT, "face_note").opacity == 0
    english(ui)
    texts = ui.texts()
    assert "Social insurance certificate" in texts
    assert "Sent to" in texts and "The Shandong provincial government service platform" in texts
    assert violations(ui) == []


def test_the_face_screen_takes_shows_and_forgets_the_picture(ui: UiPilot) -> None:
    wake(ui)
    show(ui, Screen.FACE, FacePage(HOUSING))
    take = ui.widget(Screen.FACE, "take")
    assert take.opacity == 1 and not take.disabled and take.text == "拍照"
    assert "请看屏幕上方的摄像头。" in ui.texts()
    assert ui.widget(Screen.FACE, "use").opacity == 0
    assert violations(ui) == []

    show(ui, Screen.FACE, FacePage(HOUSING, taking=True), replace=True)
    assert take.disabled and "正在拍照，请保持不动。" in ui.texts()

    show(ui, Screen.FACE, FacePage(HOUSING, picture=jpeg((640, 480))), replace=True)
    picture = ui.widget(Screen.FACE, "picture")
    assert picture.texture is not None and tuple(picture.texture.size) == (640, 480)
    use, retake = ui.widget(Screen.FACE, "use"), ui.widget(Screen.FACE, "retake")
    assert use.opacity == 1 and retake.opacity == 1 and take.opacity == 0
    assert use.text == "使用这张照片" and retake.text == "重新拍照"
    assert violations(ui) == []

    message = "The picture could not be taken. Please look at the camera and try again."
    show(ui, Screen.FACE, FacePage(HOUSING, message=message), replace=True)
    assert translate(message, "zh_CN") in ui.texts() and picture.texture is None

    show(ui, Screen.FACE, FacePage(HOUSING, picture=jpeg()), replace=True)
    ui.app.kiosk.journey.home()
    ui.on(Screen.HOME)
    assert picture.texture is None  # gone from the screen with the page


def test_waiting_says_what_and_how_long_and_offers_no_way_out(ui: UiPilot) -> None:
    wake(ui)
    show(ui, Screen.SERVICE_WAIT, WaitPage(HOUSING, ASKING, 8.0))
    texts = ui.texts()
    assert "最多需要 8 秒。" in texts and "公积金账户查询" in texts
    assert translate(ASKING, "zh_CN") in texts
    header = ui.widget(Screen.SERVICE_WAIT, "header")
    assert header.ids.back.opacity == 0 and header.ids.back.disabled
    assert header.ids.home.opacity == 0 and header.ids.home.disabled
    assert violations(ui) == []
    english(ui)
    assert "This takes at most 8 seconds." in ui.texts()


def test_a_failure_shows_the_platforms_own_words_or_a_plain_sentence(ui: UiPilot) -> None:
    wake(ui)
    show(ui, Screen.SERVICES, LIST)
    refusal = "该业务需人脸识别后办理"
    show(ui, Screen.SERVICE_FAILED, FailurePage(HOUSING, refusal, as_given=True))
    english(ui)
    texts = ui.texts()
    assert refusal in texts  # the platform's words, untranslated even in English
    assert ui.widget(Screen.SERVICE_FAILED, "retry").opacity == 0
    assert ui.widget(Screen.SERVICE_FAILED, "go_back").text == "Back"
    assert violations(ui) == []

    show(ui, Screen.SERVICE_FAILED, FailurePage(HOUSING, SLOW, retry=True), replace=True)
    assert SLOW in ui.texts() and ui.widget(Screen.SERVICE_FAILED, "retry").opacity == 1
    header = ui.widget(Screen.SERVICE_FAILED, "header")
    assert header.ids.home.opacity == 0  # the big buttons go back and home: no twin in the header
    ui.tap(ui.widget(Screen.SERVICE_FAILED, "go_back"))
    ui.on(Screen.SERVICES)
    show(ui, Screen.SERVICE_FAILED, FailurePage(None, SLOW, retry=True))
    ui.tap(ui.widget(Screen.SERVICE_FAILED, "go_home"))
    ui.on(Screen.HOME)


# -- home ----------------------------------------------------------------------------------------------


def row_keys(ui: UiPilot) -> list[list[str]]:
    tasks = ui.widget(Screen.HOME, "tasks")
    return [[tile.key for tile in reversed(row.children)] for row in reversed(tasks.children)]


def test_home_holds_seven_tasks_in_full_rows(make_ui: Callable[..., UiPilot]) -> None:
    ui = make_ui()
    ui.app.kiosk.journey.services_offered = True
    wake(ui)
    rows = row_keys(ui)
    assert [len(row) for row in rows] == [4, 3] and "services" in rows[0]
    assert ui.widget(Screen.HOME, "services").title == "办事服务"
    elder(ui)
    ui.frames(4)
    assert [len(row) for row in row_keys(ui)] == [3, 3]
    ui.window.size = PORTRAIT
    ui.frames(6)
    assert [len(row) for row in row_keys(ui)] == [2, 2, 2]
    ui.app.kiosk.journey.set_elder(False)
    ui.until(lambda: ui.app.theme.variant == "standard", what="standard")
    ui.frames(4)
    assert [len(row) for row in row_keys(ui)] == [2, 2, 2, 1]


# -- the pictures ----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(1920, 1080), PORTRAIT], ids=["landscape", "portrait"])
def test_pictures_of_every_screen(
    make_ui: Callable[..., UiPilot], tmp_path: Path, size: tuple[int, int]
) -> None:
    """Every screen in zh, en and elder mode, for a person to look at; each meets the figures."""
    ui = make_ui(size)
    ui.app.kiosk.journey.services_offered = True
    start_identity(ui)
    wake(ui)
    out = shots_dir(tmp_path)
    orientation = "landscape" if size[0] > size[1] else "portrait"
    pages = (
        (Screen.SERVICES, LIST),
        (Screen.CONSENT, CONSENT),
        (Screen.FACE, FacePage(HOUSING)),
        (Screen.FACE, FacePage(HOUSING, picture=jpeg())),
        (Screen.SERVICE_WAIT, WaitPage(HOUSING, ASKING, 8.0)),
        (Screen.SERVICE_FAILED, FailurePage(HOUSING, SLOW, retry=True)),
    )
    found: list[str] = []
    for mode in ("zh", "en", "elder"):
        journey = ui.app.kiosk.journey
        journey.set_language("en" if mode == "en" else "zh_CN")
        journey.set_elder(mode == "elder")
        ui.frames(4)
        journey.home()
        ui.on(Screen.HOME)
        ui.shot(out / f"home-{mode}-{orientation}.png")
        for number, (screen, page) in enumerate(pages):
            show(ui, screen, page)
            found += violations(ui)
            ui.shot(out / f"{screen.value}-{number}-{mode}-{orientation}.png")
            if mode == "zh":  # the site's high-contrast theme too (7:1 for every text)
                ui.app.theme.apply("high_contrast")
                ui.frames(3)
                found += violations(ui)
                ui.app.theme.apply("standard")
                ui.frames(2)
        journey.home()
        ui.on(Screen.HOME)
        ui.app.kiosk.devices.id_reader.slot.place(CARD)
        ui.on(Screen.IDENTIFIED)
        show(ui, Screen.IDENTIFIED, ServiceListPage(LIST.tiles[:7]), replace=True)
        found += violations(ui)
        ui.shot(out / f"identified-{mode}-{orientation}.png")
        ui.app.kiosk.devices.id_reader.slot.lift()
        ui.on(Screen.IDENTIFY)
    assert found == []


# -- touches land at the desk, against the platform simulator ---------------------------------------


def tap_service(ui: UiPilot, screen: Screen, tiles_id: str, service_id: str) -> None:
    ui.tap(ui.widget(screen, tiles_id).tile(service_id))


def test_touches_reach_the_platform_through_the_desk(
    make_ui: Callable[..., UiPilot], simulator: PlatformSimulator
) -> None:
    ui = make_ui(overrides={"platform": simulator.kiosk_settings()})
    kiosk = ui.app.kiosk
    start_identity(ui)
    wake(ui)
    ui.tap(ui.widget(Screen.HOME, "services"))
    ui.on(Screen.SERVICES)
    assert tiles_shown(ui, Screen.SERVICES) == simulator.services  # the platform's order

    # The greeting lists what the resident can do, from the platform.
    ui.tap(ui.widget(Screen.SERVICES, "header").ids.home)
    ui.on(Screen.HOME)
    ui.tap(ui.widget(Screen.HOME, "identify"))
    ui.on(Screen.IDENTIFY)
    kiosk.devices.id_reader.slot.place(DEMO_CARD)
    ui.on(Screen.IDENTIFIED)
    ui.until(lambda: isinstance(kiosk.journey.view.desk, ServiceListPage), what="the resident's services")
    ui.frames(3)
    listed = kiosk.journey.view.desk
    assert isinstance(listed, ServiceListPage) and listed.tiles
    assert tiles_shown(ui, Screen.IDENTIFIED)[0] == listed.tiles[0].service.id

    # Consent, declined, sends nothing and goes back; agreed, goes on to the picture.
    tap_service(ui, Screen.IDENTIFIED, "online", "hf.account")
    ui.on(Screen.CONSENT)
    assert ui.widget(Screen.CONSENT, "face_note").opacity == 1
    ui.tap(ui.widget(Screen.CONSENT, "decline"))
    ui.on(Screen.IDENTIFIED)
    simulator.gateway.reject_faces = True
    tap_service(ui, Screen.IDENTIFIED, "online", "hf.account")
    ui.on(Screen.CONSENT)
    ui.tap(ui.widget(Screen.CONSENT, "agree"))
    ui.on(Screen.FACE)
    picture = ui.widget(Screen.FACE, "picture")
    ui.tap(ui.widget(Screen.FACE, "take"))
    ui.until(lambda: picture.texture is not None, what="the picture")
    first = picture.texture
    ui.tap(ui.widget(Screen.FACE, "retake"))
    ui.until(lambda: picture.texture is not None and picture.texture is not first, what="a new picture")
    ui.tap(ui.widget(Screen.FACE, "use"))

    # The platform refuses the face in its own words: shown as given, no "try again".
    ui.on(Screen.SERVICE_FAILED)
    failed = kiosk.journey.view.desk
    assert isinstance(failed, FailurePage) and failed.as_given
    assert failed.message in ui.texts() and ui.widget(Screen.SERVICE_FAILED, "retry").opacity == 0
    assert picture.texture is None  # the picture left the screen with the face step
    ui.tap(ui.widget(Screen.SERVICE_FAILED, "go_back"))
    ui.on(Screen.IDENTIFIED)
    kiosk.devices.id_reader.slot.lift()


def test_try_again_tries_the_step_again(
    make_ui: Callable[..., UiPilot], simulator: PlatformSimulator
) -> None:
    ui = make_ui(overrides={"platform": simulator.kiosk_settings()})
    kiosk = ui.app.kiosk
    start_identity(ui)
    wake(ui)
    ui.tap(ui.widget(Screen.HOME, "identify"))
    ui.on(Screen.IDENTIFY)
    kiosk.devices.id_reader.slot.place(DEMO_CARD)
    ui.on(Screen.IDENTIFIED)
    ui.until(lambda: isinstance(kiosk.journey.view.desk, ServiceListPage), what="the resident's services")
    ui.frames(3)
    # A platform that is away: a plain sentence and "try again", which tries again.
    simulator.down = "503"
    tap_service(ui, Screen.IDENTIFIED, "online", "si.records")
    ui.on(Screen.CONSENT)
    ui.tap(ui.widget(Screen.CONSENT, "agree"))
    ui.on(Screen.SERVICE_FAILED)
    retry = ui.widget(Screen.SERVICE_FAILED, "retry")
    assert retry.opacity == 1 and not retry.disabled
    seen: list[str] = []
    kiosk.bus.subscribe(Navigated, lambda event: seen.append(event.screen.value))
    ui.tap(retry)
    ui.until(lambda: Screen.SERVICE_WAIT.value in seen, what="the step tried again")
    ui.on(Screen.SERVICE_FAILED)
    ui.tap(ui.widget(Screen.SERVICE_FAILED, "go_home"))
    ui.on(Screen.HOME)
    kiosk.devices.id_reader.slot.lift()


def test_the_greeting_says_when_the_platform_lists_nothing(
    make_ui: Callable[..., UiPilot], simulator: PlatformSimulator
) -> None:
    ui = make_ui(overrides={"platform": simulator.kiosk_settings()})
    kiosk = ui.app.kiosk
    simulator.down = "503"
    start_identity(ui)
    wake(ui)
    ui.tap(ui.widget(Screen.HOME, "identify"))
    ui.on(Screen.IDENTIFY)
    kiosk.devices.id_reader.slot.place(DEMO_CARD)
    ui.on(Screen.IDENTIFIED)
    ui.until(
        lambda: isinstance(kiosk.journey.view.desk, ServiceListPage), what="the desk's answer", timeout=60
    )
    ui.frames(3)
    page = kiosk.journey.view.desk
    assert isinstance(page, ServiceListPage) and page.problem and not page.tiles
    said = ui.widget(Screen.IDENTIFIED, "problem").text
    assert said == translate(page.problem, "zh_CN").format(help_desk=HELP_DESK)
    assert "居民身份证换领" in ui.texts()  # the guides stay
    kiosk.devices.id_reader.slot.lift()
