"""The household's state records: small frozen values the aggregate keeps (members, applications …).

They are rebuilt from events on every load; they are never stored themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from bistand_es.domain.month import Month


@dataclass(frozen=True, slots=True)
class Actor:
    """Who recorded an event: a user id and the role the user acted in."""

    user: str
    role: str

    def as_dict(self) -> dict[str, str]:
        return {"user": self.user, "role": self.role}

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> Actor:
        return cls(user=data["user"], role=data["role"])


@dataclass(frozen=True, slots=True)
class Membership:
    """A period in which a person belonged to the household in one role."""

    person: str
    role: str
    birth_date: date
    in_school: bool | None
    valid_from: date
    valid_to: date | None = None  # the day the member was removed (exclusive)

    def covers(self, month: Month) -> bool:
        """A member counts for a month if a member on its first day or added during it."""
        starts_in_time = self.valid_from <= month.last_day
        not_gone = self.valid_to is None or self.valid_to > month.first_day
        return starts_in_time and not_gone


@dataclass(frozen=True, slots=True)
class MonthlyApplication:
    """One application (ansökan) for one month: the cost lines as applied for, and their sum per kind."""

    month: Month
    received_on: date
    complete_on: date | None
    costs: dict[str, Decimal]
    first_time: bool
    cost_lines: tuple[dict[str, Any], ...] = ()
    contact_on: date | None = None  # nybesök: the day of first contact
    reason: str = ""  # why a month already passed was applied for (retroactive)

    @classmethod
    def of(
        cls, month: Month, received_on: date, complete_on: date | None, lines: list[dict[str, Any]], first_time: bool
    ) -> MonthlyApplication:
        costs: dict[str, Decimal] = {}
        for line in lines:
            costs[line["kind"]] = costs.get(line["kind"], Decimal("0.00")) + Decimal(line["amount"])
        return cls(month, received_on, complete_on, costs, first_time, tuple(dict(line) for line in lines))


@dataclass(frozen=True, slots=True)
class ReportedIncome:
    """An income as it now stands (after any corrections)."""

    income_id: str
    member: str
    kind: str
    month: Month
    amount: Decimal
    source: str
    corrections: int = 0


@dataclass(frozen=True, slots=True)
class RecordedDecision:
    """A decision (beslut) for one month as it now stands (after any amendments).

    ``calculation`` holds the calculation's figures only (:func:`decision_figures`): the amounts of its result
    (``aid``, ``income_counted`` …) and a placed child's ``placement``. The whole calculation, with its
    lines, warnings and the situation it was computed from, is in the ``DecisionMade`` event: a ten-year
    household keeps 120 decisions in its state, and its snapshot stays small.
    """

    decision_id: str
    month: Month
    outcome: str
    aid: Decimal
    members: tuple[str, ...]
    calculation: dict[str, Any]
    rule_set_hash: str
    conditions: tuple[str, ...]
    decided_on: date
    amendments: int = 0
    subsistence_aid: Decimal = Decimal("0.00")  # the försörjningsstöd part of ``aid``


#: The parts of a calculation the household's state keeps (the amounts of its result, and a placed child's
#: placement, which the statement of a placement payment reads).
DECISION_FIGURES = (
    "aid",
    "need",
    "norm_total",
    "costs_total",
    "income_counted",
    "income_disregarded",
    "surplus",
    "subsistence_aid",
    "other_aid",
    "placement",
)


def decision_figures(calculation: dict[str, Any]) -> dict[str, Any]:
    """What the household's state keeps of a decision's calculation (:data:`DECISION_FIGURES`)."""
    return {key: calculation[key] for key in DECISION_FIGURES if key in calculation}


@dataclass(frozen=True, slots=True)
class RecordedPayment:
    payment_id: str
    decision_id: str
    month: Month
    amount: Decimal
    payee: str
    method: str
    paid_on: date
    cancelled: bool = False


@dataclass(frozen=True, slots=True)
class CohabitationPeriod:
    cohabiting: bool
    effective_on: date


@dataclass(slots=True)
class SupportHistory:
    """Months in which each person received försörjningsstöd (for jobbstimulans)."""

    months: dict[str, set[Month]] = field(default_factory=dict)

    def as_lists(self) -> dict[str, list[str]]:
        return {person: sorted(str(m) for m in months) for person, months in self.months.items()}
