"""The read model's window rows: the engine's spans per period of the dated lengths (hand-worked months)."""

from bistand_es.domain.month import Month
from bistand_es.domain.rules.jobbstimulans import Lengths
from bistand_es.projections.jobbstimulans import period_rows, window_rows

# The package parameters: 6 qualifying months, a window of 24, from 2013-07 (SFS 2013:421).
LAW = (Lengths(Month(2013, 7), None, 6, 24),)


def months(first: str, count: int) -> list[Month]:
    start = Month.parse(first)
    return [start + i for i in range(count)]


def shown(rows: list) -> list[tuple[str, ...]]:  # type: ignore[type-arg]
    return [
        (str(r.qualifying_from), str(r.qualifying_to), str(r.start), str(r.end), str(r.active_from), str(r.active_to))
        for r in rows
    ]


def test_six_consecutive_months_open_a_window_the_next_month_for_24_months() -> None:
    # 2020-08 .. 2021-01 is six months; the window opens 2021-02 and its 24th month is 2023-01.
    [row] = window_rows(months("2020-08", 6), LAW)
    assert shown([row]) == [("2020-08", "2021-01", "2021-02", "2023-01", "2021-02", "2023-01")]
    assert (row.number, row.qualifying_months, row.window_months) == (1, 6, 24)


def test_five_months_give_no_window_and_a_gap_resets_the_count() -> None:
    assert window_rows(months("2020-01", 5), LAW) == []
    assert window_rows([*months("2020-01", 3), *months("2020-05", 3)], LAW) == []


def test_months_inside_a_window_do_not_count_and_six_new_months_are_needed_after_it() -> None:
    # Support every month 2020-01 .. 2023-12: window 1 = 2020-07..2022-06; counting restarts 2022-07,
    # six months 2022-07..2022-12 → window 2 = 2023-01..2024-12.
    found = window_rows(months("2020-01", 48), LAW)
    assert [(str(w.start), str(w.end)) for w in found] == [("2020-07", "2022-06"), ("2023-01", "2024-12")]
    assert [w.number for w in found] == [1, 2]
    assert str(found[1].qualifying_from) == "2022-07"


def test_a_shorter_run_from_a_date_gives_the_windows_the_engine_finds_from_then() -> None:
    # Override: 3 qualifying months from 2021-06 (6 before). Support 2021-01 .. 2021-04 only.
    periods = (Lengths(Month(2013, 7), Month(2021, 5), 6, 24), Lengths(Month(2021, 6), None, 3, 24))
    # Up to 2021-05 four months open nothing. From 2021-06 the engine counts 3: 2021-01..03 open 2021-04..2023-03,
    # which it applies only from 2021-06 (earlier months were calculated with 6): active 2021-06..2023-03.
    assert shown(window_rows(months("2021-01", 4), periods)) == [
        ("2021-01", "2021-03", "2021-04", "2023-03", "2021-06", "2023-03")
    ]


def test_the_same_window_in_adjacent_periods_is_one_row() -> None:
    # The rate's new date splits the periods, the lengths stay 6 and 24: one window, active all through.
    periods = (Lengths(Month(2013, 7), Month(2021, 12), 6, 24), Lengths(Month(2022, 1), None, 6, 24))
    assert shown(window_rows(months("2021-01", 6), periods)) == [
        ("2021-01", "2021-06", "2021-07", "2023-06", "2021-07", "2023-06")
    ]


def test_order_and_duplicates_do_not_matter_and_no_period_gives_no_window() -> None:
    shuffled = [*reversed(months("2021-01", 6)), Month(2021, 3)]
    assert window_rows(shuffled, LAW) == window_rows(months("2021-01", 6), LAW)
    assert window_rows(months("2021-01", 12), ()) == []


def test_periods_as_rows() -> None:
    assert period_rows((Lengths(Month(2013, 7), Month(2021, 5), 6, 24), Lengths(Month(2021, 6), None, 3, 24))) == [
        ("2013-07", "2021-05", 6, 24),
        ("2021-06", None, 3, 24),
    ]
