"""Month: a calendar month ``YYYY-MM`` as a value type, with arithmetic."""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Final

from bistand_es.domain.errors import InvalidMonth

_PATTERN: Final = re.compile(r"^([0-9]{4})-([0-9]{2})$")


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


@dataclass(frozen=True, order=True, slots=True)
class Month:
    """A calendar month (*månad*), e.g. the month applied for or the month an income was received.

    >>> Month.parse("2021-03") - 1
    Month(year=2021, month=2)
    """

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise InvalidMonth(f"month {self.year:04d}-{self.month:02d}: the month must be 01–12")
        if not 1900 <= self.year <= 2999:
            raise InvalidMonth(f"month {self.year:04d}-{self.month:02d}: the year must be 1900–2999")

    @classmethod
    def parse(cls, text: object, *, field: str = "month") -> Month:
        if isinstance(text, Month):
            return text
        if not isinstance(text, str):
            raise InvalidMonth(f"{field}: {_shown(text)} is not a month; write it as YYYY-MM, e.g. 2021-03")
        match = _PATTERN.match(text.strip())
        if match is None:
            raise InvalidMonth(f"{field}: {_shown(text)} is not a month; write it as YYYY-MM, e.g. 2021-03")
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise InvalidMonth(f"{field}: {_shown(text)} is not a month; the month must be 01–12")
        return cls(year, month)

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @property
    def index(self) -> int:
        """Months since year 0; differences of indexes count months."""
        return self.year * 12 + self.month - 1

    @classmethod
    def from_index(cls, index: int) -> Month:
        return cls(index // 12, index % 12 + 1)

    def __add__(self, months: int) -> Month:
        if not isinstance(months, int):
            return NotImplemented
        return Month.from_index(self.index + months)

    def __sub__(self, other: int) -> Month:
        if isinstance(other, int):
            return Month.from_index(self.index - other)
        return NotImplemented

    def months_until(self, other: Month) -> int:
        """How many months from ``self`` to ``other`` (negative if ``other`` is earlier)."""
        return other.index - self.index

    def previous(self) -> Month:
        return self - 1

    def next(self) -> Month:
        return self + 1

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, monthrange(self.year, self.month)[1])

    def range_to(self, last: Month) -> Iterator[Month]:
        """Months from ``self`` to ``last``, both included."""
        for index in range(self.index, last.index + 1):
            yield Month.from_index(index)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"
