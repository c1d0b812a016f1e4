"""Jobbstimulans windows (4 kap. 1 b § SoL, rules.md §4), per person, from the months with försörjningsstöd.

- A run of consecutive qualifying months (months the aid *concerns*; ``jobbstimulans.qualifying_months``) opens
  a window the month after the run's last month.
- The window lasts ``jobbstimulans.window_months`` calendar months without pausing (also through months
  without aid).
- "Därefter" (after the window) a *new* run is needed: months inside an open window do not count toward the next
  run; the count starts again the month after the window closes.

The lengths are dated parameters: a calculation for month M uses the lengths in force on M's first day, over the
whole support history (:func:`lengths_at`). :func:`dated_lengths` lists the periods in which the lengths stay
the same, so a reader (the read model) can give, for every month, exactly the windows the engine would find.
This module is the only place the window rule lives.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from bistand_es.domain.month import Month

if TYPE_CHECKING:
    from bistand_es.domain.rules.rule_set import RuleSet

#: Parameter ids of the rule (the values are dated, in parameters/jobbstimulans/).
RATE: Final = "jobbstimulans.rate"
QUALIFYING_MONTHS: Final = "jobbstimulans.qualifying_months"
WINDOW_MONTHS: Final = "jobbstimulans.window_months"

Window = tuple[Month, Month]  # first and last month inside the window


@dataclass(frozen=True, slots=True)
class Span:
    """A window and the run of support months that opened it."""

    qualifying_from: Month
    qualifying_to: Month
    opens: Month
    closes: Month

    @property
    def window(self) -> Window:
        return (self.opens, self.closes)


def spans(history: Iterable[Month], qualifying_months: int, window_months: int) -> tuple[Span, ...]:
    """All windows opened by ``history`` (months with försörjningsstöd), in order, with their qualifying runs."""
    found: list[Span] = []
    blocked_until: int | None = None  # index of the last month of the latest window
    run = 0
    first: int | None = None
    last: int | None = None
    for month in sorted(set(history)):
        index = month.index
        if blocked_until is not None and index <= blocked_until:
            continue
        if last is not None and index == last + 1:
            run += 1
        else:
            run, first = 1, index
        last = index
        if run == qualifying_months and first is not None:
            opens = Month.from_index(index + 1)
            closes = Month.from_index(index + window_months)
            found.append(Span(Month.from_index(first), month, opens, closes))
            blocked_until = closes.index
            run = 0
            first = last = None
    return tuple(found)


def windows(history: Iterable[Month], qualifying_months: int, window_months: int) -> tuple[Window, ...]:
    """All windows opened by ``history`` (months with försörjningsstöd), in order."""
    return tuple(span.window for span in spans(history, qualifying_months, window_months))


def window_containing(found: Iterable[Window], month: Month) -> Window | None:
    for opens, closes in found:
        if opens <= month <= closes:
            return (opens, closes)
    return None


@dataclass(frozen=True, slots=True)
class Lengths:
    """The run and window lengths in force from month ``first`` to ``last`` (None: no end yet)."""

    first: Month
    last: Month | None
    qualifying_months: int
    window_months: int

    def contains(self, month: Month) -> bool:
        return self.first <= month and (self.last is None or month <= self.last)


def lengths_at(rule_set: RuleSet, month: Month) -> tuple[int, int] | None:
    """(qualifying months, window months) for a calculation of ``month``; None when jobbstimulans is not in force."""
    day = month.first_day
    if rule_set.lookup_optional(RATE, day) is None:
        return None
    qualifying = rule_set.lookup_optional(QUALIFYING_MONTHS, day)
    length = rule_set.lookup_optional(WINDOW_MONTHS, day)
    if qualifying is None or length is None:
        return None
    return qualifying.integer(), length.integer()


def _first_month_on_or_after(day_month: Month, day_of_month: int) -> Month:
    return day_month if day_of_month == 1 else day_month + 1


def dated_lengths(rule_set: RuleSet) -> tuple[Lengths, ...]:
    """The periods (in months) in which :func:`lengths_at` gives the same lengths, in order; gaps are left out."""
    starts = sorted(
        {
            _first_month_on_or_after(Month.of(entry.day), entry.day.day)
            for param_id in (RATE, QUALIFYING_MONTHS, WINDOW_MONTHS)
            for entry in rule_set.parameter(param_id).entries
        }
    )
    periods: list[Lengths] = []
    for position, start in enumerate(starts):
        last = starts[position + 1] - 1 if position + 1 < len(starts) else None
        lengths = lengths_at(rule_set, start)
        if lengths is None:
            continue
        previous = periods[-1] if periods else None
        if (
            previous is not None
            and previous.last == start - 1
            and (previous.qualifying_months, previous.window_months) == lengths
        ):
            periods[-1] = Lengths(previous.first, last, *lengths)
        else:
            periods.append(Lengths(start, last, *lengths))
    return tuple(periods)
