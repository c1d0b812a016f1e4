"""Jobbstimulans windows (4 kap. 1 b § SoL, rules.md §4), per person, from the months with försörjningsstöd.

- Six consecutive qualifying months (months the aid *concerns*) open a window the month after the sixth.
- The window lasts 24 calendar months without pausing (also through months without aid).
- "Därefter" (after the window) six *new* consecutive months are needed: months inside an open window do
  not count toward the next run; the count starts again the month after the window closes.
"""

from __future__ import annotations

from collections.abc import Iterable

from bistand_es.domain.month import Month

Window = tuple[Month, Month]  # first and last month inside the window


def windows(history: Iterable[Month], qualifying_months: int, window_months: int) -> tuple[Window, ...]:
    """All windows opened by ``history`` (months with försörjningsstöd), in order."""
    found: list[Window] = []
    blocked_until: int | None = None  # index of the last month of the latest window
    run = 0
    last: int | None = None
    for month in sorted(set(history)):
        index = month.index
        if blocked_until is not None and index <= blocked_until:
            continue
        run = run + 1 if last is not None and index == last + 1 else 1
        last = index
        if run == qualifying_months:
            opens = Month.from_index(index + 1)
            closes = Month.from_index(index + window_months)
            found.append((opens, closes))
            blocked_until = closes.index
            run = 0
            last = None
    return tuple(found)


def window_containing(found: Iterable[Window], month: Month) -> Window | None:
    for opens, closes in found:
        if opens <= month <= closes:
            return (opens, closes)
    return None
