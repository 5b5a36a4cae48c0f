"""How a query's table is cut into columns and pages, and options into rows, without drawing them."""

from __future__ import annotations

from screens.results import column_widths, numeric_columns, paginate, slot_day_and_time, when


def test_columns_that_fit_share_the_room_in_proportion() -> None:
    assert column_widths([50, 50], [100, 300], 800) == [200, 600]


def test_a_month_and_an_amount_never_break_when_the_names_must_wrap() -> None:
    # month, insurance, amount, employer on a narrow (portrait, elder) screen
    widths = column_widths([60, 60, 120, 60], [130, 250, 150, 440], 900)
    assert widths[0] == 130 and widths[2] == 150  # kept whole
    assert sum(widths) == 900 and widths[3] > widths[1]  # the names share the rest and wrap


def test_too_many_narrow_columns_all_wrap_a_little() -> None:
    widths = column_widths([10] * 6, [150] * 6, 600)
    assert widths == [100.0] * 6


def test_pages_never_cut_a_row_and_never_drop_one() -> None:
    assert paginate([40, 40, 40, 40, 40], 100) == [(0, 2), (2, 4), (4, 5)]
    assert paginate([150, 40], 100) == [(0, 1), (1, 2)]  # a row taller than a page gets its own
    assert paginate([], 100) == []


def test_amounts_are_numbers_and_months_are_not() -> None:
    rows = [("2026-11", "职工基本养老保险", "¥5,200.00", "1234.50 元"), ("2026-10", "失业保险", "¥26.00", "")]
    assert numeric_columns(rows, 4) == [False, False, True, True]


def test_times_as_residents_read_them() -> None:
    assert when("2026-11-20T10:21:00+08:00") == "2026-11-20 10:21"
    assert when("2026-11-20") == "2026-11-20"
    assert when("next week") == "next week"  # the platform's own words when not a time
    assert slot_day_and_time("2026-12-09T09:30")[1] == "09:30"


def test_options_fill_their_rows_without_an_empty_slot() -> None:
    from screens.entry import grid_columns

    assert grid_columns(14, portrait=False) == 7  # a day's slots: two full rows
    assert grid_columns(12, portrait=False) == 4
    assert grid_columns(14, portrait=True) == 2
    assert grid_columns(2, portrait=True, long_words=True) == 1  # a hall's name and address
    assert grid_columns(0, portrait=False) == 4
