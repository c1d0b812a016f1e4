from bistand_es.domain.month import Month
from bistand_es.projections.jobbstimulans import windows


def months(first: str, count: int) -> list[Month]:
    start = Month.parse(first)
    return [start + i for i in range(count)]


def test_six_consecutive_months_open_a_window_the_next_month_for_24_months() -> None:
    [window] = windows(months("2020-08", 6))
    assert (str(window.qualifying_from), str(window.qualifying_to)) == ("2020-08", "2021-01")
    assert (str(window.start), str(window.end)) == ("2021-02", "2023-01")


def test_five_months_give_no_window_and_a_gap_resets_the_count() -> None:
    assert windows(months("2020-01", 5)) == []
    assert windows([*months("2020-01", 3), *months("2020-05", 3)]) == []


def test_months_inside_a_window_do_not_count_and_six_new_months_are_needed_after_it() -> None:
    # Support every month 2020-01 .. 2023-12: window 1 = 2020-07..2022-06; counting restarts 2022-07,
    # six months 2022-07..2022-12 → window 2 = 2023-01..2024-12.
    found = windows(months("2020-01", 48))
    assert [(str(w.start), str(w.end)) for w in found] == [("2020-07", "2022-06"), ("2023-01", "2024-12")]
    assert [w.number for w in found] == [1, 2]
    assert str(found[1].qualifying_from) == "2022-07"


def test_order_and_duplicates_do_not_matter() -> None:
    shuffled = [*reversed(months("2021-01", 6)), Month(2021, 3)]
    assert windows(shuffled) == windows(months("2021-01", 6))
