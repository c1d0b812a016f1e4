"""Claim periods (quarter, calendar year) and the date arithmetic of deadlines."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final

from bistand_es.domain.month import Month

_QUARTER: Final = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR: Final = re.compile(r"^(\d{4})$")
_FIRST_YEAR: Final = 1900
_LAST_YEAR: Final = 2999


class PeriodKind(StrEnum):
    """The period a compensation type is claimed for."""

    QUARTER = "quarter"
    CALENDAR_YEAR = "calendar_year"


@dataclass(frozen=True, order=True, slots=True)
class Period:
    """A quarter (``2025-Q1``) or a calendar year (``2025``)."""

    year: int
    quarter: int | None  # 1–4, or None for a calendar year

    @classmethod
    def parse(cls, value: object) -> Period:
        """``YYYY-Qn`` or ``YYYY`` (a whole number is read as a year); raises ``ValueError`` with the reason."""
        text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        if isinstance(text, str):
            quarter = _QUARTER.match(text.strip())
            if quarter is not None:
                return cls._checked(int(quarter.group(1)), int(quarter.group(2)), text)
            year = _YEAR.match(text.strip())
            if year is not None:
                return cls._checked(int(year.group(1)), None, text)
        raise ValueError(f'{value!r} is not a period; write "YYYY-Qn" (a quarter) or "YYYY" (a calendar year)')

    @classmethod
    def _checked(cls, year: int, quarter: int | None, text: str) -> Period:
        if not _FIRST_YEAR <= year <= _LAST_YEAR:
            raise ValueError(f"{text!r} is not a period; the year must be {_FIRST_YEAR}–{_LAST_YEAR}")
        return cls(year, quarter)

    @classmethod
    def of(cls, month: Month, kind: PeriodKind) -> Period:
        """The period of ``kind`` that contains ``month``."""
        if kind is PeriodKind.QUARTER:
            return cls(month.year, (month.month - 1) // 3 + 1)
        return cls(month.year, None)

    @property
    def kind(self) -> PeriodKind:
        return PeriodKind.CALENDAR_YEAR if self.quarter is None else PeriodKind.QUARTER

    @property
    def first_month(self) -> Month:
        return Month(self.year, 1 if self.quarter is None else 3 * self.quarter - 2)

    @property
    def last_month(self) -> Month:
        return Month(self.year, 12 if self.quarter is None else 3 * self.quarter)

    @property
    def first_day(self) -> date:
        return self.first_month.first_day

    @property
    def last_day(self) -> date:
        return self.last_month.last_day

    def contains(self, month: Month) -> bool:
        return self.first_month <= month <= self.last_month

    def __str__(self) -> str:
        return f"{self.year:04d}" if self.quarter is None else f"{self.year:04d}-Q{self.quarter}"


def last_day_months_after(period: Period, months: int) -> date:
    """The last day of the ``months``-th month after the period ends (2025-Q1, 6 → 2025-09-30)."""
    return (period.last_month + months).last_day


def same_day_years_later(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 28 February in a year that is not a leap year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February → a year without one
        return date(day.year + years, 2, 28)


def birthday(birth: date, age: int) -> date:
    """The day a person turns ``age``; a 29 February birthday turns on 1 March in other years.

    The same convention as ``age_on`` (the age used by the norm calculation).
    """
    try:
        return birth.replace(year=birth.year + age)
    except ValueError:
        return date(birth.year + age, 3, 1)
