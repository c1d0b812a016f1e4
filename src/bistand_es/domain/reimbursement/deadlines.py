"""The last day to file a claim for a period, from the type's deadline rule and dated parameters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bistand_es.domain.reimbursement.periods import Period, last_day_months_after, same_day_years_later
from bistand_es.domain.reimbursement.types import CompensationType, DeadlineRule
from bistand_es.domain.rules.model import ParameterValue
from bistand_es.domain.rules.rule_set import RuleSet


@dataclass(frozen=True, slots=True)
class Deadline:
    """The last day to file (None when a parameter is NOT FOUND), and the parameters it came from."""

    day: date | None
    used: tuple[ParameterValue, ...]
    missing: str | None = None  # the id of the parameter with no value in force
    first_claim_by: date | None = None  # per-person rule: the first claim's own last day, until it is filed


def deadline_of(
    ctype: CompensationType,
    period: Period,
    rule_set: RuleSet,
    *,
    received_on: date | None = None,
    first_claim_filed: bool = True,
) -> Deadline:
    """The last day to file ``ctype`` for ``period``.

    ``months_after_period``: the last day of the N-th month after the period ends (N from the parameter the
    type names, looked up on the period's last day). With the first-claim rule, until the person's first claim
    of the type is filed, the last day is the earlier of that and received_on + the years (same day; 29 February
    → 28 February).
    """
    months_id = ctype.parameter("deadline_months")
    months = rule_set.lookup_optional(months_id, period.last_day)
    if months is None:
        return Deadline(None, (), missing=months_id)
    day = last_day_months_after(period, months.integer())
    if ctype.deadline_rule is DeadlineRule.MONTHS_AFTER_PERIOD or first_claim_filed or received_on is None:
        return Deadline(day, (months,))
    years = rule_set.lookup(ctype.parameter("first_claim_years"), period.last_day)
    limit = same_day_years_later(received_on, years.integer())
    return Deadline(min(day, limit), (months, years), first_claim_by=limit)
