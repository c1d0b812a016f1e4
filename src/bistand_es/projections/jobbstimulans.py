"""Jobbstimulans windows for the read model, from the rules engine: the read side owns no window rule.

For every period in which the dated lengths stay the same (:func:`~bistand_es.domain.rules.jobbstimulans.
dated_lengths`: the engine's own rule set, with the municipality's overrides), the engine's
:func:`~bistand_es.domain.rules.jobbstimulans.spans` are computed over the person's whole support history, as the
engine does for a calculation of a month in that period. A window is kept for the months of it that lie in the
period (``active_from`` … ``active_to``): in those months the engine, calculating with those lengths, finds that
window. So for every month the read model lists exactly the window the engine would apply.

With one period (no override changes the lengths) this is just the engine's windows. The same window found in
adjacent periods is one row.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from bistand_es.domain.month import Month
from bistand_es.domain.rules import jobbstimulans
from bistand_es.domain.rules.jobbstimulans import Lengths


@dataclass(frozen=True, slots=True)
class WindowRow:
    """One row of ``f_jobbstimulans_spans``."""

    number: int
    qualifying_from: Month
    qualifying_to: Month
    start: Month
    end: Month
    active_from: Month
    active_to: Month
    qualifying_months: int
    window_months: int

    def row(self, person: str) -> tuple[object, ...]:
        return (
            person, self.number, str(self.qualifying_from), str(self.qualifying_to), str(self.start), str(self.end),
            str(self.active_from), str(self.active_to), self.qualifying_months, self.window_months,
        )  # fmt: skip


def window_rows(support_months: Iterable[Month], periods: Sequence[Lengths]) -> list[WindowRow]:
    """The windows one person's support months give, per period of the dated lengths, in order."""
    history = sorted(set(support_months))
    found: list[WindowRow] = []
    for period in periods:
        for span in jobbstimulans.spans(history, period.qualifying_months, period.window_months):
            active_from = max(span.opens, period.first)
            active_to = span.closes if period.last is None else min(span.closes, period.last)
            if active_from > active_to:
                continue
            previous = found[-1] if found else None
            if (
                previous is not None
                and (previous.qualifying_from, previous.start, previous.end)
                == (span.qualifying_from, span.opens, span.closes)
                and previous.active_to + 1 == active_from
            ):
                found[-1] = replace(previous, active_to=active_to)
                continue
            found.append(
                WindowRow(
                    0, span.qualifying_from, span.qualifying_to, span.opens, span.closes, active_from, active_to,
                    period.qualifying_months, period.window_months,
                ),
            )  # fmt: skip
    found.sort(key=lambda row: (row.start, row.active_from))
    return [replace(row, number=number) for number, row in enumerate(found, start=1)]


def period_rows(periods: Sequence[Lengths]) -> list[tuple[str, str | None, int, int]]:
    """The periods as rows of ``jobbstimulans_rules``."""
    return [
        (str(p.first), str(p.last) if p.last is not None else None, p.qualifying_months, p.window_months)
        for p in periods
    ]


def fingerprint(periods: Sequence[Lengths]) -> str:
    """A short text that changes when the periods change (kept in the position marker)."""
    return json.dumps(period_rows(periods), separators=(",", ":"))
