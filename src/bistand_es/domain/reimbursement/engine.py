"""The återsökning check: eligible costs not yet claimed, per type and period, with deadline and status.

Pure: the case (with its ``as_of`` day) and the rule set in, a :class:`CheckResult` out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from bistand_es.domain.money import Money, money_sum
from bistand_es.domain.month import Month
from bistand_es.domain.reimbursement.amounts import reimbursable
from bistand_es.domain.reimbursement.case import Claim, Cost, Person, ReimbursementCase
from bistand_es.domain.reimbursement.deadlines import Deadline, deadline_of
from bistand_es.domain.reimbursement.eligibility import ineligibility
from bistand_es.domain.reimbursement.errors import InvalidCase
from bistand_es.domain.reimbursement.periods import Period, PeriodKind
from bistand_es.domain.reimbursement.types import (
    PREFIX,
    AmountRule,
    CompensationType,
    Eligibility,
    type_names,
    type_on,
)
from bistand_es.domain.rules.model import Confidence, ParameterValue
from bistand_es.domain.rules.rule_set import RuleSet

OPEN: Final = "open"
LOST: Final = "lost"
_WEAKNESS: Final = (Confidence.HIGH, Confidence.MEDIUM, Confidence.DERIVED, Confidence.LOW)
_PERIOD_WORDS: Final = {PeriodKind.QUARTER: 'quarter ("YYYY-Qn")', PeriodKind.CALENDAR_YEAR: 'calendar year ("YYYY")'}


@dataclass(frozen=True, slots=True)
class Line:
    """One cost in an opportunity: its compensable amount (and, for the share rule, the cost and fees)."""

    person: str
    month: Month
    amount: Money
    cost: Money
    fees: Money
    shows_fees: bool

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"person": self.person, "month": str(self.month), "amount": str(self.amount)}
        if self.shows_fees:
            data["cost"] = str(self.cost)
            data["fees"] = str(self.fees)
        return data


@dataclass(frozen=True, slots=True)
class Opportunity:
    """Costs of one type and period (and person, for a per-person deadline) that no filed claim covers."""

    type: str
    period: Period
    persons: tuple[str, ...]
    lines: tuple[Line, ...]
    deadline: date | None
    days_left: int | None
    status: str
    reference: str
    regulation: str
    confidence: Confidence
    per_person: bool
    first_claim_by: date | None

    @property
    def amount(self) -> Money:
        return money_sum(line.amount for line in self.lines)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "type": self.type,
            "period": str(self.period),
            "persons": list(self.persons),
            "amount": str(self.amount),
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "days_left": self.days_left,
            "status": self.status,
            "lines": [line.to_dict() for line in self.lines],
            "reference": self.reference,
            "confidence": self.confidence.value,
            "regulation": self.regulation,
            "period_ends": self.period.last_day.isoformat(),
        }
        if self.per_person:
            data["first_claim_by"] = self.first_claim_by.isoformat() if self.first_claim_by else None
        return data


@dataclass(frozen=True, slots=True)
class NotEligible:
    """A cost whose person is not covered by its type in that month; it counts in no other total."""

    person: str
    month: Month
    type: str
    amount: Money
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "person": self.person,
            "month": str(self.month),
            "type": self.type,
            "amount": str(self.amount),
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The answer of a check (the ``bistand reimburse check --json`` contract)."""

    as_of: date
    opportunities: tuple[Opportunity, ...]
    claimed: Money
    not_eligible: tuple[NotEligible, ...]
    warnings: tuple[str, ...]
    parameters_used: tuple[str, ...]

    def total(self, status: str) -> Money:
        return money_sum(o.amount for o in self.opportunities if o.status == status)

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "opportunities": [o.to_dict() for o in self.opportunities],
            "totals": {
                "open": str(self.total(OPEN)),
                "lost": str(self.total(LOST)),
                "claimed": str(self.claimed),
                "not_eligible": str(money_sum(n.amount for n in self.not_eligible)),
            },
            "not_eligible": [n.to_dict() for n in self.not_eligible],
            "warnings": list(self.warnings),
            "parameters_used": list(self.parameters_used),
        }


class _Used:
    """The parameter versions a check used, per compensation type; one warning per type that is not all HIGH."""

    def __init__(self) -> None:
        self.by_type: dict[str, dict[str, ParameterValue]] = {}
        self.counted: list[str] = []  # types with an opportunity or a claimed cost, in order of first use
        self.warnings: list[str] = []

    def use(self, type_name: str, value: ParameterValue) -> ParameterValue:
        self.by_type.setdefault(type_name, {})[value.ref] = value
        return value

    def count(self, type_name: str) -> None:
        if type_name not in self.counted:
            self.counted.append(type_name)

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)

    def all_warnings(self, references: dict[str, str]) -> tuple[str, ...]:
        weak: list[str] = []
        for type_name in self.counted:
            values = [v for v in self.by_type.get(type_name, {}).values() if not v.is_high]
            if values:
                level = _weakest(tuple(values)).value
                refs = ", ".join(sorted(v.ref for v in values))
                weak.append(
                    f"{type_name}: {level} confidence, not verified against the regulation's text ({refs}); "
                    f"check {references[type_name]} before relying on the amount and the deadline"
                )
        return (*weak, *self.warnings)

    @property
    def refs(self) -> tuple[str, ...]:
        return tuple(sorted({ref for values in self.by_type.values() for ref in values}))


@dataclass
class _Group:
    ctype: CompensationType
    period: Period
    lines: list[tuple[int, Line]] = field(default_factory=list)


def check(case: ReimbursementCase, rule_set: RuleSet) -> CheckResult:
    """What may still be claimed, by when, what is lost and what was claimed (docs/reimbursement.md)."""
    names = type_names(rule_set)
    order = {person.id: index for index, person in enumerate(case.persons)}
    persons = {person.id: person for person in case.persons}
    _check_claims(case, rule_set, names)
    used = _Used()
    references: dict[str, str] = {}
    groups: dict[tuple[str, Period, str | None], _Group] = {}
    not_eligible: list[NotEligible] = []
    claimed: list[Money] = []
    for index, cost in enumerate(case.costs):
        person = persons[cost.person]
        ctype = _type_of_cost(index, cost, person, order[cost.person], rule_set, names)
        if ctype is None:
            reason = f"no {PREFIX}{cost.type} in force on {cost.month.first_day.isoformat()}"
            not_eligible.append(NotEligible(cost.person, cost.month, cost.type, cost.amount, reason))
            continue
        amount = reimbursable(ctype, cost, rule_set, cost.month.first_day)
        if ctype.amount_rule is AmountRule.SHARE_OF_COST_MINUS_FEES:
            used.use(cost.type, rule_set.lookup(ctype.parameter("share"), cost.month.first_day))
        why = ineligibility(ctype.eligibility, person, cost, cost.month)
        if why is not None:
            not_eligible.append(NotEligible(cost.person, cost.month, cost.type, amount, why))
            continue
        used.use(cost.type, ctype.definition)
        used.count(cost.type)
        references.setdefault(cost.type, ctype.reference)
        period = Period.of(cost.month, ctype.period)
        if _covered(cost, period, case.claims):
            claimed.append(amount)
            continue
        key = (cost.type, period, cost.person if ctype.deadline_rule.per_person else None)
        group = groups.setdefault(key, _Group(ctype, period))
        shows_fees = ctype.amount_rule is AmountRule.SHARE_OF_COST_MINUS_FEES
        group.lines.append((index, Line(cost.person, cost.month, amount, cost.amount, cost.fees, shows_fees)))
    opportunities = [_opportunity(group, case, persons, order, rule_set, used) for group in groups.values()]
    opportunities.sort(
        key=lambda o: (
            o.deadline is None,
            o.deadline or date.min,
            o.type,
            o.period.first_day,
            o.period.last_day,
            [order[p] for p in o.persons],
        )
    )
    _warn_late_claims(case, persons, rule_set, used)
    return CheckResult(
        as_of=case.as_of,
        opportunities=tuple(opportunities),
        claimed=money_sum(claimed),
        not_eligible=tuple(not_eligible),
        warnings=used.all_warnings(references),
        parameters_used=used.refs,
    )


def _unknown_type(field: str, name: str, names: list[str]) -> InvalidCase:
    return InvalidCase(f"{field}: {name!r} is not a compensation type (known: {', '.join(names)})")


def _type_of_cost(
    index: int, cost: Cost, person: Person, person_index: int, rule_set: RuleSet, names: list[str]
) -> CompensationType | None:
    """The cost's type in force in its month, after checking the fields that depend on the type."""
    if cost.type not in names:
        raise _unknown_type(f"costs[{index}].type", cost.type, names)
    ctype = type_on(rule_set, cost.type, cost.month.first_day)
    if ctype is None:
        return None
    if cost.fees and ctype.amount_rule is not AmountRule.SHARE_OF_COST_MINUS_FEES:
        raise InvalidCase(f"costs[{index}].fees: {cost.type} compensates the whole cost; it deducts no fees")
    if cost.care_began_on is not None and ctype.eligibility is not Eligibility.ASYLUM_STATUS_CHILD:
        raise InvalidCase(
            f"costs[{index}].care_began_on: only care of children (asylum.child_care) uses it, not {cost.type}"
        )
    if ctype.eligibility is Eligibility.ASYLUM_STATUS_CHILD and person.birth_date is None:
        raise InvalidCase(
            f"persons[{person_index}].birth_date: missing; costs[{index}] ({cost.type}) needs the person's age"
        )
    return ctype


def _check_claims(case: ReimbursementCase, rule_set: RuleSet, names: list[str]) -> None:
    for index, claim in enumerate(case.claims):
        if claim.type not in names:
            raise _unknown_type(f"claims[{index}].type", claim.type, names)
        ctype = type_on(rule_set, claim.type, claim.period.last_day)
        if ctype is None:
            raise InvalidCase(
                f"claims[{index}].period: no {PREFIX}{claim.type} in force on {claim.period.last_day.isoformat()}"
            )
        if ctype.period is not claim.period.kind:
            raise InvalidCase(
                f"claims[{index}].period: {claim.type} is claimed per {_PERIOD_WORDS[ctype.period]}, "
                f"not {str(claim.period)!r}"
            )


def _covered(cost: Cost, period: Period, claims: list[Claim]) -> bool:
    return any(c.type == cost.type and c.period == period and cost.person in c.persons for c in claims)


def _has_claim(claims: list[Claim], type_name: str, person: str, before: date | None = None) -> bool:
    """Whether a claim of the type covering ``person`` was filed (before ``before``, when given)."""
    return any(c.type == type_name and person in c.persons and (before is None or c.filed_on < before) for c in claims)


def _weakest(values: tuple[ParameterValue, ...]) -> Confidence:
    return max((value.confidence for value in values), key=_WEAKNESS.index)


def _opportunity(
    group: _Group,
    case: ReimbursementCase,
    persons: dict[str, Person],
    order: dict[str, int],
    rule_set: RuleSet,
    used: _Used,
) -> Opportunity:
    ctype, period = group.ctype, group.period
    lines = tuple(line for _, line in sorted(group.lines, key=lambda il: (order[il[1].person], il[1].month, il[0])))
    who = tuple(sorted({line.person for line in lines}, key=order.__getitem__))
    deadline: Deadline
    if ctype.deadline_rule.per_person:
        person = who[0]
        deadline = deadline_of(
            ctype,
            period,
            rule_set,
            received_on=persons[person].received_on,
            first_claim_filed=_has_claim(case.claims, ctype.name, person),
        )
    else:
        deadline = deadline_of(ctype, period, rule_set)
    for value in deadline.used:
        used.use(ctype.name, value)
    if deadline.missing is not None:
        used.warn(
            f"{ctype.name}: the last day to file is not known (NOT FOUND): deadline and days_left are null; "
            f"load parameter {deadline.missing} (months after the period ends) in BISTAND_HOME/parameters"
        )
    days_left = None if deadline.day is None else (deadline.day - case.as_of).days
    return Opportunity(
        type=ctype.name,
        period=period,
        persons=who,
        lines=lines,
        deadline=deadline.day,
        days_left=days_left,
        status=LOST if days_left is not None and days_left < 0 else OPEN,
        reference=ctype.reference,
        regulation=ctype.regulation,
        confidence=_weakest((ctype.definition, *deadline.used)),
        per_person=ctype.deadline_rule.per_person,
        first_claim_by=deadline.first_claim_by,
    )


def _warn_late_claims(case: ReimbursementCase, persons: dict[str, Person], rule_set: RuleSet, used: _Used) -> None:
    """A claim filed after its last day may be refused by Migrationsverket: say so (it still counts as claimed)."""
    for index, claim in enumerate(case.claims):
        ctype = type_on(rule_set, claim.type, claim.period.last_day)
        if ctype is None:
            continue
        if not ctype.deadline_rule.per_person:
            deadline = deadline_of(ctype, claim.period, rule_set)
            if deadline.day is not None and claim.filed_on > deadline.day:
                used.warn(
                    f"claims[{index}] ({claim.type} {claim.period}) was filed on {claim.filed_on.isoformat()}, "
                    f"after its last day {deadline.day.isoformat()}; Migrationsverket may refuse it"
                )
            continue
        for person in claim.persons:
            first = not _has_claim(case.claims, claim.type, person, before=claim.filed_on)
            deadline = deadline_of(
                ctype, claim.period, rule_set, received_on=persons[person].received_on, first_claim_filed=not first
            )
            if deadline.day is not None and claim.filed_on > deadline.day:
                used.warn(
                    f"claims[{index}] ({claim.type} {claim.period}, {person}) was filed on "
                    f"{claim.filed_on.isoformat()}, after its last day {deadline.day.isoformat()}; "
                    "Migrationsverket may refuse it"
                )
