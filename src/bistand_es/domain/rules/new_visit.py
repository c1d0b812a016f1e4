"""Nybesök: the months before a first application, calculated to show any normöverskott (a local rule).

Profile setting ``new_visit_lookback`` (Forshaga's guideline 2014, p. 13: "Vid nybesök görs en beräkning … för två
månader bakåt … inkomstuppgifter tre månader i tiden … ansökan för maj, då beräknas mars och april"; p. 14
"Överskott från tidigare period"). Each earlier month is calculated as a whole month with the same household and
the same approved costs, from the incomes of its own income month. The surplus is only shown: how much of it
counts against this month is the caseworker's individual assessment (``surplus_considered`` with a reason),
added as a counted line; it can never be more than the surplus shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bistand_es.domain.money import Money, money_sum
from bistand_es.domain.month import Month
from bistand_es.domain.rules.errors import InvalidSituation
from bistand_es.domain.rules.lines import Calculation, Line
from bistand_es.domain.rules.profiles import Profile
from bistand_es.domain.rules.situation import Situation


@dataclass(frozen=True, slots=True)
class EarlierMonth:
    """One month before a nybesök, calculated: its need, the income counted and any normöverskott."""

    month: Month
    income_month: Month
    need: Money
    income_counted: Money
    surplus: Money

    def to_dict(self) -> dict[str, Any]:
        return {
            "month": str(self.month),
            "income_month": str(self.income_month),
            "need": str(self.need),
            "income_counted": str(self.income_counted),
            "surplus": str(self.surplus),
        }


def applies(situation: Situation, profile: Profile) -> bool:
    application = situation.application
    return application is not None and application.first_time and profile.applies("new_visit_lookback")


def earlier_situation(situation: Situation, month: Month) -> Situation:
    """The same household and costs, calculated for an earlier ``month`` as a whole month (no timing rule)."""
    members = [m for m in situation.household.members if m.birth_date <= month.last_day]
    kept = {m.id for m in members}
    household = situation.household.model_copy(update={"members": members})
    return situation.model_copy(
        update={
            "month": month,
            "household": household,
            "application": None,
            "surplus_considered": None,
            "incomes": [i for i in situation.incomes if i.member in kept],
            "support_history": {k: v for k, v in situation.support_history.items() if k in kept},
        }
    )


def earlier_months(
    situation: Situation, profile: Profile, calculate: Callable[[Situation], Calculation]
) -> list[tuple[EarlierMonth, Calculation]]:
    """The months before ``situation.month`` the profile looks back at, each calculated."""
    back = profile.parameter("new_visit_months_back").integer()
    found: list[tuple[EarlierMonth, Calculation]] = []
    for step in range(back, 0, -1):
        month = situation.month - step
        result = calculate(earlier_situation(situation, month))
        found.append(
            (EarlierMonth(month, result.income_month, result.need, result.income_counted, result.surplus), result)
        )
    return found


def surplus_line(situation: Situation, profile: Profile, months: list[EarlierMonth]) -> Line | None:
    """The caseworker's assessed part of the earlier normöverskott, counted against this month."""
    considered = situation.surplus_considered
    if considered is None:
        return None
    total = money_sum(m.surplus for m in months)
    if considered.amount > total:
        raise InvalidSituation(
            f"surplus_considered.amount: {considered.amount} is more than the normöverskott of the earlier months "
            f"({total})"
        )
    back = profile.parameter("new_visit_months_back")
    shown = ", ".join(f"{m.month} {m.surplus}" for m in months)
    return Line(
        "income.counted.earlier_surplus",
        None,
        considered.amount,
        f"{profile.municipality_name}: normöverskott från tidigare månader som beaktas enligt handläggarens "
        f"bedömning: {considered.reason} (överskott {total}: {shown})",
        back.source.reference,
        back.ref,
        back.confidence.value,
    )


def check_use(situation: Situation, profile: Profile) -> None:
    """A surplus assessment only belongs to a nybesök under a profile with the rule."""
    if situation.surplus_considered is not None and not applies(situation, profile):
        raise InvalidSituation(
            f"surplus_considered: only for a nybesök (application.first_time) under a profile that calculates "
            f"earlier months (profile {profile.name} does not, or this is not a first application)"
        )
