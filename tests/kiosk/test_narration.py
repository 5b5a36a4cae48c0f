"""Voice guidance without a UI: what the narrator says on each screen, and when it keeps quiet."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from drivers.speech.sim import SimSpeaker
from kiosk.appliance import Kiosk
from kiosk.identity import ReaderWatch
from kiosk.journey import NO_GUIDES, IdentifyState, Screen, View
from kiosk.narration import SCREEN_WORDS, SILENT_SCREENS, screen_utterance
from kiosk.records import IdCard
from tests.conftest import FakeClock

CARD = IdCard("resident", "欧阳娜娜", "女", "371002199001010022", birth_date=date(1990, 1, 1))
GUIDE = "371000-GA-0001"  # 居民身份证换领, with a plain-language version
CJK = re.compile(r"[\u4e00-\u9fff]")


def narrated(make_kiosk: Callable[..., Kiosk], voice: bool = True, **overrides: Any) -> Kiosk:
    """A kiosk whose visits start with voice on (or off), its narrator following the journey."""
    kiosk = make_kiosk({"devices": {"speaker": {"enabled": voice}}, **overrides})
    kiosk.narrator.start()
    return kiosk


def speaker(kiosk: Kiosk) -> SimSpeaker:
    assert isinstance(kiosk.devices.speaker, SimSpeaker)
    return kiosk.devices.speaker


def said(kiosk: Kiosk) -> list[tuple[str, str]]:
    return list(speaker(kiosk).said)


def test_every_resident_screen_has_words() -> None:
    assert set(SCREEN_WORDS) == set(Screen) - SILENT_SCREENS


def test_home_is_read_in_chinese_then_in_english_after_a_language_switch(
    make_kiosk: Callable[..., Kiosk],
) -> None:
    kiosk = narrated(make_kiosk)
    kiosk.journey.wake()
    assert said(kiosk) == [
        ("zh_CN", "家门口的政务服务。请选择部门或一件事，也可以搜索服务，或刷卡识别身份。"),
    ]
    kiosk.journey.set_language("en")  # the same screen, announced again: read in the new language
    assert said(kiosk)[-1] == (
        "en",
        "Government services near you. "
        "Choose a department or a life event, search for a service, or identify with your card.",
    )
    kiosk.journey.set_elder(True)  # announced again, nothing new to hear: quiet
    assert len(said(kiosk)) == 2


def test_a_guide_is_read_in_mandarin_even_in_english(make_kiosk: Callable[..., Kiosk]) -> None:
    kiosk = narrated(make_kiosk)
    journey = kiosk.journey
    journey.wake()
    journey.set_language("en")
    journey.open_department("威海市公安局")
    assert said(kiosk)[-2:] == [
        ("zh_CN", "公安局。"),
        ("en", "Services: 10. Touch a service to read its guide."),
    ]
    journey.open_guide(GUIDE)
    guide = journey.view.guide
    assert guide is not None and guide.plain
    assert said(kiosk)[-2:] == [
        ("zh_CN", f"居民身份证换领。{guide.plain}"),
        (
            "en",
            "You can print the checklist of materials, or take the guide to your phone with a QR code.",
        ),
    ]
    journey.toggle_plain()  # the plain version is what was read: nothing new
    assert len(said(kiosk)) == 6


def test_printing_is_narrated_to_the_end(make_kiosk: Callable[..., Kiosk]) -> None:
    kiosk = narrated(make_kiosk)
    kiosk.journey.wake()
    kiosk.journey.open_guide(GUIDE)
    kiosk.journey.print_checklist()
    assert said(kiosk)[-2:] == [
        ("zh_CN", "正在打印材料清单……请稍候，打印件从屏幕下方出纸口送出。"),
        ("zh_CN", "打印完成，请从出纸口取走材料清单。"),
    ]


def test_a_failed_print_says_why_and_what_to_do_instead(make_kiosk: Callable[..., Kiosk]) -> None:
    kiosk = narrated(make_kiosk)
    kiosk.devices.printer.reasons = ("media-empty",)  # type: ignore[attr-defined]
    kiosk.journey.wake()
    kiosk.journey.set_language("en")
    kiosk.journey.open_guide(GUIDE)
    kiosk.journey.print_checklist()
    assert kiosk.journey.view.screen is Screen.PRINT_FAILED
    assert said(kiosk)[-1] == (
        "en",
        "Printing did not work. The printer is out of paper. "
        "Nothing is lost: scan this code to take the same list to your phone. Or ask at a service counter.",
    )


def test_nothing_is_said_while_voice_is_off(make_kiosk: Callable[..., Kiosk]) -> None:
    kiosk = narrated(make_kiosk, voice=False)
    journey = kiosk.journey
    journey.wake()
    journey.open_guide(GUIDE)
    journey.show_qr()
    journey.back()
    journey.print_checklist()
    kiosk.narrator.repeat()
    assert said(kiosk) == []


def test_switching_voice_on_is_heard_and_switching_it_off_stops_at_once(
    make_kiosk: Callable[..., Kiosk],
) -> None:
    kiosk = narrated(make_kiosk, voice=False)
    journey = kiosk.journey
    journey.wake()
    journey.open_identify()
    journey.set_voice(True)
    assert said(kiosk) == [
        (
            "zh_CN",
            "语音播报已开启。刷卡识别身份。请把身份证放在读卡区，或把社保卡芯片一端朝前插入卡槽。",
        )
    ]
    assert speaker(kiosk).speaking
    journey.set_voice(False)
    assert not speaker(kiosk).speaking
    journey.back()
    kiosk.narrator.repeat()
    assert len(said(kiosk)) == 1


def test_repeat_says_the_screen_again(make_kiosk: Callable[..., Kiosk]) -> None:
    kiosk = narrated(make_kiosk)
    kiosk.journey.wake()
    kiosk.journey.open_search()
    kiosk.narrator.repeat()
    assert said(kiosk)[-2:] == [("zh_CN", "搜索。搜索事项：输入拼音首字母或汉字。")] * 2


def test_the_idle_warning_is_read_and_stops_when_the_resident_is_back(
    make_kiosk: Callable[..., Kiosk], clock: FakeClock
) -> None:
    kiosk = narrated(make_kiosk)
    kiosk.journey.wake()
    clock.advance(kiosk.settings.session.idle_seconds + 0.5)
    kiosk.session.tick()
    seconds = round(kiosk.settings.session.warning_seconds - 0.5)
    assert said(kiosk)[-1] == (
        "zh_CN",
        f"您还在办理吗？{seconds} 秒后将结束本次办理，并清除您的信息。如需更多时间，请触摸屏幕。",
    )
    assert speaker(kiosk).speaking
    kiosk.session.touch()
    assert not speaker(kiosk).speaking
    kiosk.narrator.repeat()  # the screen, not the warning that is over
    assert said(kiosk)[-1] == said(kiosk)[0]


def test_speech_stops_when_the_session_ends(make_kiosk: Callable[..., Kiosk], clock: FakeClock) -> None:
    kiosk = narrated(make_kiosk)
    kiosk.journey.wake()
    kiosk.journey.open_guide(GUIDE)
    assert speaker(kiosk).speaking
    clock.advance(kiosk.settings.session.idle_seconds + kiosk.settings.session.warning_seconds + 1)
    kiosk.session.tick()
    assert kiosk.journey.view.screen is Screen.ATTRACT
    assert not speaker(kiosk).speaking
    count = len(said(kiosk))
    kiosk.narrator.repeat()  # nothing from the last visit is said again
    assert len(said(kiosk)) == count
    kiosk.journey.wake()  # the next resident hears home, even though home was the last screen read
    assert said(kiosk)[-1][1].startswith("家门口的政务服务")


def test_english_words_never_go_to_the_english_voice_in_chinese(make_kiosk: Callable[..., Kiosk]) -> None:
    kiosk = narrated(make_kiosk)
    journey = kiosk.journey
    journey.wake()
    journey.set_language("en")
    journey.open_audience("individual")
    journey.open_all_departments()
    journey.open_life_event("出生")
    journey.open_guide(GUIDE)
    journey.show_qr()
    journey.home()
    journey.open_identify()
    journey.home()
    journey.open_search()
    journey.home()
    journey.open_rating()
    assert len(said(kiosk)) >= 10
    for language, text in said(kiosk):
        assert (language == "zh_CN") == bool(CJK.search(text)), (language, text)


def test_an_identified_resident_hears_that_the_card_was_read_never_whose_it_is(
    make_kiosk: Callable[..., Kiosk],
) -> None:
    kiosk = narrated(make_kiosk)
    kiosk.identity.watch = ReaderWatch(poll=0.01, read=0.2, retry=0.02)
    kiosk.identity.start()
    kiosk.journey.wake()
    kiosk.journey.open_identify()
    kiosk.devices.id_reader.slot.place(CARD)  # type: ignore[attr-defined]
    deadline = time.monotonic() + 5
    while kiosk.journey.view.screen is not Screen.IDENTIFIED:
        assert time.monotonic() < deadline, "the card did not identify the resident"
        time.sleep(0.01)
    assert kiosk.session.identity is not None
    assert said(kiosk)[-1] == (
        "zh_CN",
        "已读取您的卡片。您现在可以在本机办理以下服务。取走卡片，您的信息即被清除。",
    )
    kiosk.journey.set_language("en")
    kiosk.narrator.repeat()
    kiosk.devices.id_reader.slot.lift()  # type: ignore[attr-defined]
    while kiosk.journey.view.screen is not Screen.IDENTIFY:
        assert time.monotonic() < deadline, "lifting the card did not end the identified part"
        time.sleep(0.01)
    spoken = " ".join(text for _, text in said(kiosk))
    assert "removed" in spoken
    personal = [CARD.name, CARD.name[:2], CARD.id_number, CARD.id_number[-4:], "1990"]
    assert not [value for value in personal if value in spoken]


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_narrator_stops_with_the_kiosk(make_kiosk: Callable[..., Kiosk], language: str) -> None:
    kiosk = narrated(make_kiosk, kiosk={"language": language})
    kiosk.journey.wake()
    assert speaker(kiosk).speaking and said(kiosk)[0][0] == language
    kiosk.narrator.stop()
    assert not speaker(kiosk).speaking
    kiosk.journey.open_search()
    assert len(said(kiosk)) == 1


@pytest.mark.parametrize(
    ("out", "said", "never"),
    [
        ({"sscard_reader"}, "Place your ID card flat on the reader", "Insert your social security card"),
        ({"id_reader"}, "Insert your social security card", "Place your ID card"),
        ({"id_reader", "sscard_reader"}, "please ask at the front desk.", "card into the slot"),
    ],
)
def test_the_identify_screen_never_says_to_use_a_reader_that_cannot_read(
    out: set[str], said: str, never: str
) -> None:
    view = View(Screen.IDENTIFY, identify=IdentifyState(unavailable=frozenset(out)))
    spoken = " ".join(line.text for line in screen_utterance(view, "en", "the front desk"))
    assert said in spoken and never not in spoken and "Place your ID card on the reader" not in spoken


def test_home_with_no_guides_says_so_and_where_to_ask_never_to_choose_one() -> None:
    view = View(Screen.HOME, no_guides=NO_GUIDES, tasks=frozenset({"rate"}))
    spoken = " ".join(line.text for line in screen_utterance(view, "zh_CN", "一楼咨询台"))
    assert "本机暂时还没有办事指南，请到一楼咨询台咨询办理。" in spoken and "部门" not in spoken
