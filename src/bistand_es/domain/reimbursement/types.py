"""Compensation types: dated parameters ``reimbursement.<type>`` (text tables) in the rule set.

A type's table names the engine's rules and the parameters holding its figures::

    regulation: "Förordning (2017:193) …"      # shown to the user
    reference: "Förordning (2017:193) 19 §"     # the opportunity's reference
    eligibility: asylum_status                  # a rule of eligibility.py
    amount: cost | share_of_cost_minus_fees      # share: the parameter with the share (0.75)
    period: quarter | calendar_year
    deadline: months_after_period | months_after_period_first_claim_within_years
    deadline_months: reimbursement.asylum.deadline_months      # a parameter id (integer; null = NOT FOUND)
    first_claim_years: reimbursement.permit.housing_support.first_claim_years   # with the first-claim rule
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final, TypeVar

from bistand_es.domain.reimbursement.periods import PeriodKind
from bistand_es.domain.rules.errors import ParameterTypeError
from bistand_es.domain.rules.model import ParameterValue, ValueType
from bistand_es.domain.rules.rule_set import RuleSet

PREFIX: Final = "reimbursement."

_E = TypeVar("_E", bound=StrEnum)


class Eligibility(StrEnum):
    """Who a type covers in a month (the rules are in eligibility.py)."""

    ASYLUM_STATUS = "asylum_status"
    ASYLUM_STATUS_CHILD = "asylum_status_child"
    PERMIT_RECEIVED = "permit_received"
    PERMIT_STATUS = "permit_status"


class AmountRule(StrEnum):
    COST = "cost"
    SHARE_OF_COST_MINUS_FEES = "share_of_cost_minus_fees"


class DeadlineRule(StrEnum):
    MONTHS_AFTER_PERIOD = "months_after_period"
    MONTHS_AFTER_PERIOD_FIRST_CLAIM_WITHIN_YEARS = "months_after_period_first_claim_within_years"

    @property
    def per_person(self) -> bool:
        """Whether an opportunity is per person (the first-claim rule is per person)."""
        return self is DeadlineRule.MONTHS_AFTER_PERIOD_FIRST_CLAIM_WITHIN_YEARS


@dataclass(frozen=True, slots=True)
class CompensationType:
    """One compensation type as in force on a day."""

    name: str  # e.g. asylum.lma_aid
    definition: ParameterValue
    regulation: str
    reference: str
    eligibility: Eligibility
    amount_rule: AmountRule
    period: PeriodKind
    deadline_rule: DeadlineRule
    table: Mapping[str, str]

    def parameter(self, key: str) -> str:
        """The id of the parameter the table names under ``key`` (``deadline_months``, ``share`` …)."""
        found = self.table.get(key)
        if not found:
            raise ParameterTypeError(
                f"{self.definition.file}: {self.definition.ref} has no {key!r}, which its rules need"
            )
        return found


def type_names(rule_set: RuleSet) -> list[str]:
    """Every compensation type the rule set defines, sorted (``asylum.lma_aid`` …)."""
    return [
        param_id.removeprefix(PREFIX)
        for param_id, parameter in rule_set.parameters.items()
        if param_id.startswith(PREFIX) and parameter.value_type is ValueType.TEXT_TABLE
    ]


def type_on(rule_set: RuleSet, name: str, day: date) -> CompensationType | None:
    """The type ``name`` as in force on ``day``, or None when it is not (before it began, or ended)."""
    value = rule_set.lookup_optional(PREFIX + name, day)
    if value is None:
        return None
    table = {key: value.text_at(key) for key in value.value} if isinstance(value.value, Mapping) else {}
    return CompensationType(
        name=name,
        definition=value,
        regulation=_required(value, table, "regulation"),
        reference=_required(value, table, "reference"),
        eligibility=_choice(value, table, "eligibility", Eligibility),
        amount_rule=_choice(value, table, "amount", AmountRule),
        period=_choice(value, table, "period", PeriodKind),
        deadline_rule=_choice(value, table, "deadline", DeadlineRule),
        table=table,
    )


def _required(value: ParameterValue, table: Mapping[str, str], key: str) -> str:
    found = table.get(key)
    if not found:
        raise ParameterTypeError(f"{value.file}: {value.ref} has no {key!r}")
    return found


def _choice(value: ParameterValue, table: Mapping[str, str], key: str, kind: type[_E]) -> _E:
    text = _required(value, table, key)
    try:
        return kind(text)
    except ValueError:
        allowed = ", ".join(item.value for item in kind)
        raise ParameterTypeError(f"{value.file}: {value.ref}: {key}: {text!r} is not one of {allowed}") from None
