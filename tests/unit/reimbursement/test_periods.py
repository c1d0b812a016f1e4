"""Periods and the date arithmetic of deadlines, worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from bistand_es.domain.month import Month
from bistand_es.domain.reimbursement.periods import (
    Period,
    PeriodKind,
    birthday,
    last_day_months_after,
    same_day_years_later,
)


def test_a_quarter_and_a_year_are_parsed_and_printed() -> None:
    assert Period.parse("2025-Q3") == Period(2025, 3)
    assert str(Period.parse("2025-Q3")) == "2025-Q3"
    assert Period.parse("2025") == Period(2025, None)
    assert Period.parse(2025).kind is PeriodKind.CALENDAR_YEAR


@pytest.mark.parametrize("text", ["2025-Q0", "2025-Q5", "2025Q1", "25-Q1", "2025-1", "", "Q1-2025"])
def test_a_bad_period_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="is not a period"):
        Period.parse(text)


def test_a_quarter_covers_three_months() -> None:
    q2 = Period.of(Month(2025, 5), PeriodKind.QUARTER)
    assert q2 == Period(2025, 2)
    assert (q2.first_day, q2.last_day) == (date(2025, 4, 1), date(2025, 6, 30))
    assert q2.contains(Month(2025, 4)) and q2.contains(Month(2025, 6)) and not q2.contains(Month(2025, 7))
    year = Period.of(Month(2024, 2), PeriodKind.CALENDAR_YEAR)
    assert (year.first_day, year.last_day) == (date(2024, 1, 1), date(2024, 12, 31))


@pytest.mark.parametrize(
    ("period", "months", "expected"),
    [
        # Q1 ends in March; the sixth month after March is September (30 days).
        (Period(2025, 1), 6, date(2025, 9, 30)),
        # Q2 → December; Q3 → March of the next year; Q4 → June of the next year.
        (Period(2025, 2), 6, date(2025, 12, 31)),
        (Period(2025, 3), 6, date(2026, 3, 31)),
        (Period(2025, 4), 6, date(2026, 6, 30)),
        # a calendar year + 12 months → 31 December of the following year.
        (Period(2025, None), 12, date(2026, 12, 31)),
        # a 2-month rule would land in February: 29 days in 2024 (leap year), 28 in 2025.
        (Period(2023, 4), 2, date(2024, 2, 29)),
        (Period(2024, 4), 2, date(2025, 2, 28)),
    ],
)
def test_the_last_day_of_the_nth_month_after_the_period(period: Period, months: int, expected: date) -> None:
    assert last_day_months_after(period, months) == expected


def test_three_years_later_is_the_same_day_and_29_february_becomes_28() -> None:
    assert same_day_years_later(date(2023, 5, 10), 3) == date(2026, 5, 10)
    assert same_day_years_later(date(2024, 2, 29), 3) == date(2027, 2, 28)
    assert same_day_years_later(date(2024, 2, 29), 4) == date(2028, 2, 29)


def test_a_29_february_birthday_turns_on_1_march() -> None:
    # The same convention as the age used by the norm (age_on): 18 on 1 March 2026.
    assert birthday(date(2008, 2, 29), 18) == date(2026, 3, 1)
    assert birthday(date(2007, 3, 15), 18) == date(2025, 3, 15)
