from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.appliance import Kiosk
from kiosk.events import Navigated, PrintSubmitted
from kiosk.journey import (
    BOTH_READERS_OUT,
    ELDER_TASKS,
    HELP_HERE,
    HOME_TASKS,
    READER_OUT,
    IdentifyState,
    Screen,
)
from kiosk.records import CARD_READERS, CardKind, IdCard
from kiosk.session import SessionState
from tests.conftest import FakeClock
from tests.cupsd import PrivateCupsd


def screens_seen(kiosk: Kiosk) -> list[Screen]:
    seen: list[Screen] = []
    kiosk.bus.subscribe(Navigated, lambda event: seen.append(event.screen))
    return seen


def test_the_whole_journey_without_a_ui(make_kiosk: Callable[..., Kiosk]) -> None:
    kiosk = make_kiosk()
    journey = kiosk.journey
    seen = screens_seen(kiosk)
    assert journey.view.screen is Screen.ATTRACT

    journey.wake()
    assert kiosk.session.state is SessionState.BROWSING
    journey.open_department("威海市公安局")
    assert journey.view.screen is Screen.GUIDE_LIST
    names = [g.name for g in journey.view.guides]
    assert len(names) == 10 and names == sorted(names)
    assert {"出生登记（新生儿落户）", "居民身份证挂失补领", "居民身份证换领"} <= set(names)

    journey.open_guide("371000-GA-0001")
    assert journey.view.guide is not None and journey.view.guide.name == "居民身份证换领"
    journey.show_qr()
    assert journey.view.screen is Screen.QR
    assert journey.view.qr_url == "https://zwfw.weihai.example/guide/371000-GA-0001"

    journey.back()
    journey.print_checklist()
    assert journey.view.screen is Screen.PRINT_DONE
    assert journey.view.print_outcome is not None and journey.view.print_outcome.completed
    assert len(kiosk.devices.printer.completed_files()) == 1  # type: ignore[attr-defined]

    journey.back()  # back skips the finished print steps, to the guide
    assert journey.view.screen is Screen.GUIDE_DETAIL
    journey.home()
    assert journey.view.screen is Screen.HOME and journey.depth == 0
    assert seen == [
        Screen.HOME,
        Screen.GUIDE_LIST,
        Screen.GUIDE_DETAIL,
        Screen.QR,
        Screen.GUIDE_DETAIL,
        Screen.PRINTING,
        Screen.PRINT_DONE,
        Screen.GUIDE_DETAIL,
        Screen.HOME,
    ]


def test_nothing_is_more_than_three_touches_from_home(make_kiosk: Callable[..., Kiosk]) -> None:
    journey = make_kiosk().journey
    journey.wake()
    journey.open_life_event("住房")
    journey.open_guide(journey.view.guides[0].id)
    journey.show_qr()
    assert journey.depth == 3


def test_going_idle_returns_to_attract(make_kiosk: Callable[..., Kiosk], clock: FakeClock) -> None:
    kiosk = make_kiosk()
    kiosk.journey.wake()
    kiosk.journey.open_department("威海市公安局")
    clock.advance(kiosk.settings.session.idle_seconds + kiosk.settings.session.warning_seconds)
    kiosk.session.tick()
    assert kiosk.journey.view.screen is Screen.ATTRACT
    assert kiosk.session.state is SessionState.ENDED


def test_a_print_failure_shows_what_to_do(make_kiosk: Callable[..., Kiosk]) -> None:
    kiosk = make_kiosk()
    kiosk.devices.printer.reasons = ("media-empty",)  # type: ignore[attr-defined]
    kiosk.journey.wake()
    kiosk.journey.open_guide("371000-SB-0012")
    kiosk.journey.print_checklist()
    view = kiosk.journey.view
    assert view.screen is Screen.PRINT_FAILED
    assert view.print_outcome is not None
    assert view.print_outcome.resident_message == "The printer is out of paper."


def test_the_paper_coming_out_after_the_resident_left_does_not_wake_the_kiosk(
    make_kiosk: Callable[..., Kiosk],
) -> None:
    pending: list[Callable[[], None]] = []
    kiosk = make_kiosk(background=pending.append)
    kiosk.journey.wake()
    kiosk.journey.open_guide("371000-SB-0012")
    kiosk.journey.print_checklist()
    kiosk.journey.finish()
    pending[0]()  # the print worker finishes after the session ended
    assert kiosk.journey.view.screen is Screen.ATTRACT


def test_wake_is_ignored_when_already_awake(make_kiosk: Callable[..., Kiosk]) -> None:
    kiosk = make_kiosk()
    kiosk.journey.wake()
    session_id = kiosk.session.session_id
    kiosk.journey.wake()
    assert kiosk.session.session_id == session_id


def test_handover_link_falls_back_to_the_template(make_kiosk: Callable[..., Kiosk]) -> None:
    kiosk = make_kiosk({"kiosk": {"id": "wh-0042"}})
    kiosk.journey.wake()
    kiosk.journey.set_language("en")
    guide = kiosk.catalogue.get("371000-GA-0010")  # has no online page of its own
    url: Any = kiosk.journey.handover_url(guide)
    assert url == "https://zwfw.weihai.example/guide/371000-GA-0010?from=kiosk&kiosk=wh-0042&lang=en"


def test_the_name_goes_on_the_checklist_only_when_the_resident_asks(
    make_kiosk: Callable[..., Kiosk],
) -> None:
    kiosk = make_kiosk()
    kiosk.journey.wake()
    kiosk.session.identify(IdCard("resident", "欧阳娜娜", "女", "371002199001010022"))
    kiosk.journey.open_guide("371000-GA-0001")
    titles: list[str] = []
    kiosk.bus.subscribe(PrintSubmitted, lambda event: titles.append(event.title))
    kiosk.journey.print_checklist()
    kiosk.journey.back()
    kiosk.journey.print_checklist(with_name=True)
    printed = sorted((kiosk.data_dir / "printed").glob("*.pdf"))
    texts = [
        subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        for path in printed
    ]
    assert len(texts) == 2
    assert "欧阳娜娜" not in texts[0] and "申请人：欧阳娜娜" in texts[1]
    assert titles == ["checklist 371000-GA-0001"] * 2  # the job name never carries the name


def test_a_cups_printer_prints_the_checklist_through_the_journey(
    make_kiosk: Callable[..., Kiosk], cupsd: PrivateCupsd, cups_queue: tuple[str, Path]
) -> None:
    queue, output = cups_queue
    kiosk = make_kiosk({"devices": {"printer": {"driver": "cups", "queue": queue, "server": cupsd.server}}})
    kiosk.journey.wake()
    kiosk.journey.open_guide("371000-GA-0001")
    kiosk.journey.print_checklist()
    assert kiosk.journey.view.screen is Screen.PRINT_DONE
    assert b"%PDF-" in output.read_bytes()


def test_a_paused_cups_queue_reaches_the_failure_screen_with_its_sentence(
    make_kiosk: Callable[..., Kiosk], cupsd: PrivateCupsd, cups_queue: tuple[str, Path]
) -> None:
    queue, _ = cups_queue
    cupsd.lp("cupsdisable", queue)
    kiosk = make_kiosk({"devices": {"printer": {"driver": "cups", "queue": queue, "server": cupsd.server}}})
    kiosk.journey.wake()
    kiosk.journey.open_guide("371000-GA-0001")
    kiosk.journey.print_checklist()
    view = kiosk.journey.view
    assert view.screen is Screen.PRINT_FAILED and view.print_outcome is not None
    assert view.print_outcome.resident_message == "The printer is not available right now."
    assert view.print_outcome.technician_message.startswith("paused:")


def test_language_elder_mode_and_voice_last_one_visit(make_kiosk: Callable[..., Kiosk]) -> None:
    kiosk = make_kiosk({"devices": {"speaker": {"enabled": False}}})
    journey = kiosk.journey
    journey.wake()
    assert (journey.language, journey.elder, journey.voice) == ("zh_CN", False, False)
    journey.set_language("en")
    journey.set_elder(True)
    journey.set_voice(True)
    assert (journey.language, journey.elder, journey.voice) == ("en", True, True)
    assert journey.view.screen is Screen.HOME  # switching changes how, not where
    journey.finish()
    journey.wake()
    assert (journey.language, journey.elder, journey.voice) == ("zh_CN", False, False)


def test_a_site_in_elder_mode_starts_every_visit_in_it(make_kiosk: Callable[..., Kiosk]) -> None:
    kiosk = make_kiosk({"display": {"theme": "elder"}, "devices": {"speaker": {"enabled": True}}})
    kiosk.journey.wake()
    assert (kiosk.journey.elder, kiosk.journey.voice) == (True, True)


def test_life_events_and_print_are_one_touch_from_home(make_kiosk: Callable[..., Kiosk]) -> None:
    kiosk = make_kiosk()
    journey = kiosk.journey
    journey.wake()
    journey.open_life_events()
    assert journey.view.screen is Screen.LIFE_EVENTS and journey.depth == 1
    assert {"出生", "退休", "开办"} <= {event.name for event in journey.view.life_events}
    assert journey.view.departments == []

    journey.home()
    journey.open_print()
    assert journey.view.screen is Screen.PRINT and journey.view.guide is None
    journey.open_life_event("出生")
    journey.open_guide(journey.view.guides[0].id)
    assert journey.view.screen is Screen.GUIDE_DETAIL and journey.depth == 3  # home, print, list, guide


def test_the_print_screen_offers_the_guide_read_last_until_the_visit_ends(
    make_kiosk: Callable[..., Kiosk],
) -> None:
    kiosk = make_kiosk()
    journey = kiosk.journey
    journey.wake()
    journey.open_guide("371000-GA-0001")
    journey.home()
    journey.open_print()
    assert journey.view.guide is not None and journey.view.guide.id == "371000-GA-0001"
    journey.print_checklist()
    assert journey.view.screen is Screen.PRINT_DONE
    journey.back()  # past the finished print steps, to the print screen
    assert journey.view.screen is Screen.PRINT

    journey.finish()
    journey.wake()
    journey.open_print()
    assert journey.view.guide is None  # the last resident's guide went with them


def test_a_printer_that_cannot_print_is_named_before_the_resident_tries(
    make_kiosk: Callable[..., Kiosk],
) -> None:
    kiosk = make_kiosk()
    printer = kiosk.devices.printer
    printer.reasons = ("media-empty",)  # type: ignore[attr-defined]
    journey = kiosk.journey
    journey.wake()
    journey.open_guide("371000-GA-0001")
    assert journey.view.printer_problem == "The printer is out of paper."
    journey.home()
    journey.open_print()
    assert journey.view.printer_problem == "The printer is out of paper."

    printer.reasons = ()  # type: ignore[attr-defined]
    journey.open_guide("371000-GA-0001")
    assert journey.view.printer_problem == ""
    assert kiosk.printing.readiness() == ""


def test_a_subscriber_may_call_back_into_the_journey_from_another_thread(
    make_kiosk: Callable[..., Kiosk],
) -> None:
    # Announcements are published after the journey's lock is released: a subscriber that hands a
    # touch to another thread and waits for it (as a UI on its own thread would) cannot deadlock.
    kiosk = make_kiosk()
    journey = kiosk.journey
    journey.wake()
    seen: list[Screen] = []
    worker_finished: list[bool] = []

    def on_navigated(event: Navigated) -> None:
        seen.append(event.screen)
        if event.screen is Screen.SEARCH:
            worker = threading.Thread(target=journey.back)
            worker.start()
            worker.join(timeout=2)
            worker_finished.append(not worker.is_alive())

    kiosk.bus.subscribe(Navigated, on_navigated)
    journey.open_search()
    assert worker_finished == [True]
    assert journey.view.screen is Screen.HOME
    # The other thread's announcement comes after the one being delivered, never in the middle.
    assert seen == [Screen.SEARCH, Screen.HOME]


def test_every_change_is_announced_once_when_threads_change_the_journey_together(
    make_kiosk: Callable[..., Kiosk],
) -> None:
    kiosk = make_kiosk()
    journey = kiosk.journey
    journey.wake()
    announced: list[str] = []
    kiosk.bus.subscribe(Navigated, lambda event: announced.append(event.view.screen.value))

    def switch(language: str) -> None:
        for _ in range(200):
            journey.set_language(language)

    threads = [threading.Thread(target=switch, args=(language,)) for language in ("en", "zh_CN")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(announced) == 400  # none lost while another thread was publishing


def test_the_identify_screen_says_which_reader_is_out_and_where_to_turn() -> None:
    working = IdentifyState()
    assert working.usable(CardKind.ID_CARD) and working.usable(CardKind.SSCARD)
    assert working.reader_out_message(CardKind.ID_CARD) == "" and working.outage_message == ""

    id_out = IdentifyState(unavailable=frozenset({"id_reader"}))
    assert not id_out.usable(CardKind.ID_CARD) and id_out.usable(CardKind.SSCARD)
    assert id_out.reader_out_message(CardKind.ID_CARD) == READER_OUT["id_reader"]
    assert "social security card" in id_out.reader_out_message(CardKind.ID_CARD)
    assert id_out.reader_out_message(CardKind.SSCARD) == ""
    assert id_out.outage_message == HELP_HERE

    both_out = IdentifyState(unavailable=CARD_READERS)
    assert not both_out.usable(CardKind.ID_CARD) and not both_out.usable(CardKind.SSCARD)
    # Neither card is offered instead of the other: one sentence says both are out, and who helps.
    assert both_out.reader_out_message(CardKind.ID_CARD) == both_out.reader_out_message(CardKind.SSCARD) == ""
    assert both_out.outage_message == BOTH_READERS_OUT


def test_the_attract_screen_promises_guides_and_printing_only_when_it_has_them(
    make_kiosk: Callable[..., Kiosk],
) -> None:
    assert make_kiosk().journey.attract_promise_kept()
    assert not make_kiosk({"devices": {"printer": {"driver": "none"}}}).journey.attract_promise_kept()


def test_elder_home_offers_some_of_home_s_tasks_in_the_same_order_rating_among_them() -> None:
    assert [task for task in HOME_TASKS if task in ELDER_TASKS] == list(ELDER_TASKS)
    assert {"identify", "print", "rate"} <= set(ELDER_TASKS)
