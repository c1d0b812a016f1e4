"""Who a compensation type covers in a month: a person's migration status on the month's first day.

Each rule returns ``None`` when the cost is eligible, otherwise the reason shown under ``not_eligible``
(e.g. ``residence_permit from 2025-09-01``).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Final

from bistand_es.domain.month import Month
from bistand_es.domain.reimbursement.case import Cost, MigrationStatus, Person, StatusSpan
from bistand_es.domain.reimbursement.errors import InvalidCase
from bistand_es.domain.reimbursement.periods import birthday
from bistand_es.domain.reimbursement.types import Eligibility
from bistand_es.domain.rules.household_norm import age_on

ASYLUM_STATUSES: Final = frozenset({MigrationStatus.ASYLUM_SEEKER, MigrationStatus.PERMIT_APPLICANT})
PERMIT_STATUSES: Final = frozenset({MigrationStatus.RESIDENCE_PERMIT})
CHILD_UNDER: Final = 18
"""Care of an asylum-seeking child is compensated while the child is under 18 on the month's first day…"""
EXTENDED_UNDER: Final = 21
"""…and up to 20 (under 21) when the care began before the 18th birthday (förordning 2017:193)."""


def ineligibility(rule: Eligibility, person: Person, cost: Cost, month: Month) -> str | None:
    """Why ``cost`` (of ``person`` in ``month``) is not eligible under ``rule``, or None if it is."""
    day = month.first_day
    span = person.status_on(day)
    if rule in (Eligibility.ASYLUM_STATUS, Eligibility.ASYLUM_STATUS_CHILD):
        reason = _status_reason(person, span, day, ASYLUM_STATUSES)
        if reason is not None or rule is Eligibility.ASYLUM_STATUS:
            return reason
        return _age_reason(person, cost, day)
    reason = _status_reason(person, span, day, PERMIT_STATUSES)
    if reason is not None or rule is Eligibility.PERMIT_STATUS:
        return reason
    if person.received_on is None:
        return "received_on missing: no first reception (mottagande) in a municipality is known"
    if person.received_on > month.last_day:
        return f"received on {person.received_on.isoformat()}, after {month}"
    return None


def _status_reason(
    person: Person, span: StatusSpan | None, day: date, wanted: Collection[MigrationStatus]
) -> str | None:
    if span is None:
        if not person.statuses:
            return f"no migration status on {day.isoformat()}"
        first = person.statuses[0]
        return f"no migration status on {day.isoformat()} (the first, {first.status.value}, is from {first.from_})"
    if span.status in wanted:
        return None
    return f"{span.status.value} from {span.from_.isoformat()}"


def _age_reason(person: Person, cost: Cost, day: date) -> str | None:
    if person.birth_date is None:  # the engine refuses such a case before asking
        raise InvalidCase(f"person {person.id!r}: birth_date is needed for {cost.type}")
    age = age_on(person.birth_date, day)
    if age < CHILD_UNDER:
        return None
    born = person.birth_date.isoformat()
    if age >= EXTENDED_UNDER:
        return f"aged {age} on {day.isoformat()} (born {born}); care is compensated under {EXTENDED_UNDER} at most"
    eighteenth = birthday(person.birth_date, CHILD_UNDER)
    if cost.care_began_on is None:
        return (
            f"aged {age} on {day.isoformat()} (born {born}) and no care_began_on: ages 18–20 only when the care "
            f"began before the 18th birthday ({eighteenth.isoformat()})"
        )
    if cost.care_began_on >= eighteenth:
        return (
            f"aged {age} on {day.isoformat()}; the care began on {cost.care_began_on.isoformat()}, not before "
            f"the 18th birthday ({eighteenth.isoformat()})"
        )
    return None
