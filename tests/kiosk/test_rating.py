"""Rating the service (好差评): levels, reasons, consent and phone, one per visit, the durable outbox."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import pytest

from kiosk.appliance import Kiosk
from kiosk.journey import Screen
from kiosk.outbox import RatingOutbox
from kiosk.paths import state_path
from kiosk.rating_flow import PHONE_KEY, THANKS_SECONDS, RatingFlow, RatingRefused
from kiosk.records import BAD_REASONS, IdCard, RatingLevel, valid_mobile
from kiosk.sync import SyncState

PHONE = "13912345678"


@pytest.fixture
def kiosk(make_kiosk: Callable[..., Kiosk]) -> Kiosk:
    kiosk = make_kiosk()
    kiosk.journey.wake()
    return kiosk


def flow_of(kiosk: Kiosk) -> RatingFlow:
    flow = kiosk.journey.view.rating
    assert kiosk.journey.view.screen is Screen.RATING and flow is not None
    return flow


def type_number(flow: RatingFlow, number: str) -> None:
    for digit in number:
        flow.press_digit(digit)


def all_rows(kiosk: Kiosk) -> list[tuple[object, ...]]:
    return kiosk.ratings.conn.execute("SELECT * FROM rating_outbox").fetchall()


def test_the_five_national_levels_best_first() -> None:
    assert [level.national for level in RatingLevel] == [
        "非常满意",
        "满意",
        "基本满意",
        "不满意",
        "非常不满意",
    ]
    assert [level.bad for level in RatingLevel] == [False, False, False, True, True]


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        (PHONE, True),
        ("19800000000", True),
        ("12912345678", False),
        ("1391234567", False),
        ("139123456789", False),
        ("23912345678", False),
        ("1391234567a", False),
        ("", False),
    ],
)
def test_mainland_mobile_numbers(number: str, valid: bool) -> None:
    assert valid_mobile(number) is valid


def test_a_good_rating_with_dimensions_goes_to_the_outbox(kiosk: Kiosk) -> None:
    kiosk.journey.open_rating()
    flow = flow_of(kiosk)
    flow.choose_level(RatingLevel.SATISFIED)
    assert flow.cycle_dimension("efficiency") is True
    assert flow.cycle_dimension("attitude") is True
    assert flow.cycle_dimension("attitude") is False
    kiosk.journey.submit_rating()
    assert flow.submitted is not None and flow.message == ""
    [rating] = kiosk.ratings.pending()
    assert rating.level is RatingLevel.SATISFIED
    assert dict(rating.dimensions) == {"efficiency": True, "attitude": False}
    assert rating.kiosk_id == kiosk.settings.kiosk.id and rating.guide_id == "" and rating.phone == ""
    assert rating.reasons == ()


def test_no_level_no_rating(kiosk: Kiosk) -> None:
    kiosk.journey.open_rating()
    kiosk.journey.submit_rating()
    assert flow_of(kiosk).message == "Please choose how satisfied you are."
    assert kiosk.ratings.pending() == []


def test_reasons_only_for_a_bad_rating(kiosk: Kiosk) -> None:
    kiosk.journey.open_rating()
    flow = flow_of(kiosk)
    flow.choose_level(RatingLevel.BASICALLY_SATISFIED)
    assert flow.toggle_reason("long_wait") is False and flow.reasons == set()
    flow.choose_level(RatingLevel.VERY_DISSATISFIED)
    assert flow.toggle_reason("long_wait") is True
    assert flow.toggle_reason("kiosk_fault") is True
    assert flow.toggle_reason("kiosk_fault") is False
    with pytest.raises(KeyError):
        flow.toggle_reason("made_up")
    kiosk.journey.submit_rating()
    [rating] = kiosk.ratings.pending()
    assert rating.level is RatingLevel.VERY_DISSATISFIED and rating.reasons == ("long_wait",)
    assert set(BAD_REASONS) >= set(rating.reasons)


def test_changing_a_bad_rating_to_a_good_one_drops_its_reasons(kiosk: Kiosk) -> None:
    kiosk.journey.open_rating()
    flow = flow_of(kiosk)
    flow.choose_level(RatingLevel.DISSATISFIED)
    flow.toggle_reason("materials")
    flow.choose_level(RatingLevel.VERY_SATISFIED)
    kiosk.journey.submit_rating()
    assert kiosk.ratings.pending()[0].reasons == ()


def test_a_phone_number_needs_consent(kiosk: Kiosk) -> None:
    kiosk.journey.open_rating()
    flow = flow_of(kiosk)
    flow.choose_level(RatingLevel.DISSATISFIED)
    type_number(flow, PHONE)  # without consent the keypad types nothing
    assert flow.phone == "" and kiosk.session.personal(PHONE_KEY) is None
    flow.set_consent(True)
    type_number(flow, PHONE + "99")  # the twelfth digit and beyond are ignored
    assert flow.phone == PHONE and kiosk.session.personal(PHONE_KEY) == PHONE
    flow.set_consent(False)  # withdrawing consent drops the number
    assert flow.phone == ""
    kiosk.journey.submit_rating()
    assert kiosk.ratings.pending()[0].phone == ""


def test_a_consented_number_is_kept_for_the_follow_up(kiosk: Kiosk) -> None:
    kiosk.journey.open_rating()
    flow = flow_of(kiosk)
    flow.choose_level(RatingLevel.VERY_DISSATISFIED)
    flow.set_consent(True)
    type_number(flow, PHONE)
    kiosk.journey.submit_rating()
    [rating] = kiosk.ratings.pending()
    assert rating.phone == PHONE
    assert PHONE not in repr(rating) and "139****5678" in repr(rating)
    assert kiosk.session.personal(PHONE_KEY) == ""  # the session holds it no longer


def test_an_invalid_number_is_refused_until_fixed(kiosk: Kiosk) -> None:
    kiosk.journey.open_rating()
    flow = flow_of(kiosk)
    flow.choose_level(RatingLevel.DISSATISFIED)
    flow.set_consent(True)
    type_number(flow, "1391234")
    kiosk.journey.submit_rating()
    assert "11-digit" in flow.message and flow.submitted is None
    assert kiosk.ratings.pending() == []
    type_number(flow, "5678")
    kiosk.journey.submit_rating()
    assert flow.submitted is not None and kiosk.ratings.pending()[0].phone == "13912345678"


def test_one_rating_per_visit(kiosk: Kiosk) -> None:
    kiosk.journey.open_rating()
    flow_of(kiosk).choose_level(RatingLevel.SATISFIED)
    kiosk.journey.submit_rating()
    kiosk.journey.home()
    kiosk.journey.open_rating()
    again = flow_of(kiosk)
    assert again.already_rated
    again.choose_level(RatingLevel.VERY_DISSATISFIED)
    with pytest.raises(RatingRefused):
        again.submit()
    kiosk.journey.submit_rating()
    assert again.message == "You have already rated this visit. Thank you!"
    assert len(kiosk.ratings.pending()) == 1
    # The next resident may rate again.
    kiosk.journey.finish()
    kiosk.journey.wake()
    kiosk.journey.open_rating()
    assert not flow_of(kiosk).already_rated


def test_ending_the_session_drops_an_unfinished_rating_and_its_number(kiosk: Kiosk) -> None:
    kiosk.journey.open_rating()
    flow = flow_of(kiosk)
    flow.choose_level(RatingLevel.DISSATISFIED)
    flow.set_consent(True)
    type_number(flow, PHONE)
    kiosk.session.end("idle")
    assert kiosk.journey.view.screen is Screen.ATTRACT and kiosk.journey.view.rating is None
    assert flow.phone == "" and kiosk.session.personal(PHONE_KEY) is None
    with pytest.raises(RatingRefused):  # a screen still holding the flow cannot submit it
        flow.submit()
    assert kiosk.ratings.pending() == [] and all_rows(kiosk) == []


def test_rated_after_a_printed_guide_names_the_guide(kiosk: Kiosk) -> None:
    guide = next(iter(kiosk.catalogue.iter_guides()))
    kiosk.journey.open_guide(guide.id)
    kiosk.journey.print_checklist()
    assert kiosk.journey.view.screen is Screen.PRINT_DONE
    kiosk.journey.open_rating()
    flow_of(kiosk).choose_level(RatingLevel.VERY_SATISFIED)
    kiosk.journey.submit_rating()
    assert kiosk.ratings.pending()[0].guide_id == guide.id


def test_a_rating_of_a_case_names_the_case(kiosk: Kiosk) -> None:
    flow = RatingFlow(kiosk.session, kiosk.ratings, "wh-0042", case_no="WH2026110700001")
    flow.choose_level(RatingLevel.SATISFIED)
    rating = flow.submit()
    assert rating.case_no == "WH2026110700001" and rating.guide_id == ""
    assert kiosk.ratings.pending() == [rating]
    # A case number points at one resident's case: no repr (and so no log line) shows it whole.
    assert "WH2026110700001" not in repr(rating) and "WH20*********01" in repr(rating)


# -- the outbox ------------------------------------------------------------------------------------


def test_a_rating_survives_reopening_the_state_database(kiosk: Kiosk) -> None:
    kiosk.journey.open_rating()
    flow_of(kiosk).choose_level(RatingLevel.BASICALLY_SATISFIED)
    kiosk.journey.submit_rating()
    kept = kiosk.ratings.pending()
    path = state_path(kiosk.data_dir)
    kiosk.ratings.close()
    reopened = RatingOutbox(path)
    try:
        assert reopened.pending() == kept
    finally:
        reopened.close()
    kiosk.ratings = RatingOutbox(path)  # for the fixture's close


def test_the_outbox_shares_the_state_database_with_the_sync_status(tmp_path: object) -> None:
    path = state_path(tmp_path)  # type: ignore[arg-type]
    SyncState(path).close()  # the sync status migrated first: the outbox still gets its table
    outbox = RatingOutbox(path)
    outbox.close()
    sync = SyncState(path)
    try:
        assert sync.status().catalogue_version is None
        tables = {row[0] for row in sync.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"sync_status", "rating_outbox"} <= tables
    finally:
        sync.close()


def test_pending_and_mark_sent(kiosk: Kiosk) -> None:
    ids = []
    for level in (RatingLevel.SATISFIED, RatingLevel.VERY_DISSATISFIED):
        kiosk.journey.open_rating()
        flow = flow_of(kiosk)
        flow.choose_level(level)
        if level.bad:
            flow.set_consent(True)
            type_number(flow, PHONE)
        kiosk.journey.submit_rating()
        assert flow.submitted is not None
        ids.append(flow.submitted.rating_id)
        kiosk.journey.finish()
        kiosk.journey.wake()
    assert [r.rating_id for r in kiosk.ratings.pending()] == ids
    assert kiosk.ratings.mark_sent([ids[1], "unknown"]) == 1
    assert [r.rating_id for r in kiosk.ratings.pending()] == [ids[0]]
    assert kiosk.ratings.mark_sent([ids[1]]) == 0  # already sent
    # Once upstream has it, the kiosk forgets the number given for the follow-up.
    assert PHONE not in str(all_rows(kiosk))
    assert kiosk.ratings.count_pending() == 1


def test_the_outbox_holds_no_personal_data_but_a_consented_number(kiosk: Kiosk) -> None:
    columns = [row[1] for row in kiosk.ratings.conn.execute("PRAGMA table_info(rating_outbox)")]
    assert columns == [
        "rating_id",
        "kiosk_id",
        "rated_at",
        "level",
        "dimensions",
        "reasons",
        "guide_id",
        "phone",
        "sent_at",
        "attempts",
        "last_error",
        "set_aside_at",
        "refused_code",
        "case_no",
    ]
    session_id = kiosk.session.session_id
    assert session_id is not None
    card = IdCard("resident", "演示居民", "女", "371002199001010023", address="山东省威海市环翠区演示路1号")
    kiosk.session.identify(card)  # identified while rating: nothing of the card may reach the outbox
    kiosk.journey.open_rating()
    flow = flow_of(kiosk)
    flow.choose_level(RatingLevel.DISSATISFIED)
    flow.toggle_reason("other")
    kiosk.journey.submit_rating()
    kiosk.ratings.close()
    dump = "\n".join(sqlite3.connect(state_path(kiosk.data_dir)).iterdump())
    kiosk.ratings = RatingOutbox(state_path(kiosk.data_dir))
    for personal in (session_id, card.name, card.id_number, card.address, "199001"):
        assert personal not in dump
    assert [row[7] for row in all_rows(kiosk)] == [None]  # no phone without consent


def test_the_keypad_takes_only_the_digits_0_to_9(kiosk: Kiosk) -> None:
    kiosk.journey.open_rating()
    flow = flow_of(kiosk)
    flow.set_consent(True)
    type_number(flow, "1３9²1234①5678")  # full-width, superscript, circled: isdigit() says yes
    assert flow.phone == "1912345678"


def test_the_thanks_go_home_by_themselves_unless_the_resident_moved_on(kiosk: Kiosk) -> None:
    assert THANKS_SECONDS == 6
    kiosk.journey.open_rating()
    flow_of(kiosk).choose_level(RatingLevel.SATISFIED)
    kiosk.journey.submit_rating()
    assert flow_of(kiosk).returns_home
    kiosk.journey.home_after_thanks()
    assert kiosk.journey.view.screen is Screen.HOME
    # A visit that has rated is thanked again, and left there: the resident came to look.
    kiosk.journey.open_rating()
    assert flow_of(kiosk).already_rated and not flow_of(kiosk).returns_home
    kiosk.journey.home_after_thanks()
    assert kiosk.journey.view.screen is Screen.RATING
    # Nor does a resident who moved on meanwhile get sent home.
    kiosk.journey.back()
    kiosk.journey.open_search()
    kiosk.journey.home_after_thanks()
    assert kiosk.journey.view.screen is Screen.SEARCH


def test_a_form_not_yet_submitted_stays(kiosk: Kiosk) -> None:
    kiosk.journey.open_rating()
    flow_of(kiosk).choose_level(RatingLevel.SATISFIED)
    kiosk.journey.home_after_thanks()
    assert kiosk.journey.view.screen is Screen.RATING and not flow_of(kiosk).returns_home
