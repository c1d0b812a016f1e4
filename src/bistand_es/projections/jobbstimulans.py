"""Jobbstimulans windows from support months (rules.md §4), pure: the read model's own derivation.

Six consecutive months with försörjningsstöd (the months the aid concerns) open a window the month after the
sixth; it lasts 24 calendar months without pausing. Months inside a window do not count towards the next one:
after the window ends, six *new* consecutive months are needed. The rules engine decides the 25 % in each
calculation; this table only shows caseworkers and analysts where the windows lie.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from bistand_es.domain.month import Month

QUALIFYING_MONTHS: Final = 6
WINDOW_MONTHS: Final = 24


@dataclass(frozen=True, slots=True)
class Window:
    number: int
    qualifying_from: Month
    qualifying_to: Month
    start: Month
    end: Month


def windows(support_months: Iterable[Month]) -> list[Window]:
    """The windows one person's support months give, in order."""
    found: list[Window] = []
    run_start: Month | None = None
    previous: Month | None = None
    run_length = 0
    blocked_until: Month | None = None
    for month in sorted(set(support_months)):
        if blocked_until is not None and month <= blocked_until:
            continue
        if previous is not None and month == previous + 1:
            run_length += 1
        else:
            run_start, run_length = month, 1
        previous = month
        if run_length == QUALIFYING_MONTHS and run_start is not None:
            start = month + 1
            end = start + (WINDOW_MONTHS - 1)
            found.append(Window(len(found) + 1, run_start, month, start, end))
            blocked_until, previous, run_length = end, None, 0
    return found
