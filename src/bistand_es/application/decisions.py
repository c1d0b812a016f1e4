"""Decisions (beslut): from a household's recorded state to a calculation, and the calculation to an event.

The situation is built from the events (members in the month, the application's approved costs, incomes
received up to the income month, support history from earlier decisions), calculated by the pure engine,
optionally adjusted (förhöjd/reducerad norm), and recorded whole in ``DecisionMade`` (decide, then record).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from bistand_es.application.app import BistandApplication, Recorded
from bistand_es.domain.errors import DecisionConflict, InvalidInput
from bistand_es.domain.household import Household
from bistand_es.domain.money import Money
from bistand_es.domain.month import Month
from bistand_es.domain.records import Actor
from bistand_es.domain.rules.calculation import calculate
from bistand_es.domain.rules.rule_set import RuleSet
from bistand_es.domain.rules.situation import parse_situation
from bistand_es.domain.vocabulary import ActorRole, NormAdjustment, Outcome


@dataclass(frozen=True)
class DecisionRequest:
    """What the caseworker asks for; everything else comes from the household's events."""

    month: Month
    actor: Actor
    delegat: ActorRole
    decided_on: date
    approved_costs: dict[str, Decimal] | None = None  # None: approve what was applied for
    refuse: bool = False
    reason: str = ""
    norm_adjustment: NormAdjustment | None = None
    norm_adjustment_amount: Decimal = Decimal("0.00")
    conditions: list[str] = field(default_factory=list)
    profile: str | None = None
    amend: bool = False


@dataclass(frozen=True)
class DecisionDraft:
    """A computed decision, shown before (or instead of, with --dry-run) recording it."""

    household_id: UUID
    month: Month
    outcome: Outcome
    situation: dict[str, Any]
    calculation: dict[str, Any]
    rule_set_hash: str
    parameters: list[str]
    applied_costs: dict[str, Decimal]
    approved_costs: dict[str, Decimal]


def build_situation(
    household: Household, month: Month, approved_costs: dict[str, Decimal], profile: str | None
) -> dict[str, Any]:
    """The calc-contract situation for one month, from the household's recorded state."""
    members = household.members_in(month)
    if not members:
        raise DecisionConflict(f"household {household.id} has no members in {month}")
    persons = {m.person for m in members}
    history = household.support_history()
    member_rows = []
    for m in members:
        row: dict[str, Any] = {"id": m.person, "role": m.role, "birth_date": m.birth_date.isoformat()}
        if m.in_school is not None:
            row["in_school"] = m.in_school
        member_rows.append(row)
    cohabiting = household.cohabiting_in(month) and any(m.role == "co_applicant" for m in members)
    situation: dict[str, Any] = {
        "month": str(month),
        "household": {"cohabiting": cohabiting, "members": member_rows},
        "costs": [{"kind": kind, "amount": f"{amount:.2f}"} for kind, amount in sorted(approved_costs.items())],
        "incomes": [
            {"member": i.member, "kind": i.kind, "month": str(i.month), "amount": f"{i.amount:.2f}"}
            for i in sorted(household.incomes.values(), key=lambda i: (i.month, i.member, i.kind, i.income_id))
            if i.member in persons and i.month <= month and i.month.year >= month.year - 1
        ],
        "support_history": {
            person: sorted(str(m) for m in months if m < month)
            for person, months in sorted(history.months.items())
            if person in persons and any(m < month for m in months)
        },
    }
    if profile:
        situation["profile"] = profile
    return situation


def draft_decision(household: Household, request: DecisionRequest, rule_set: RuleSet) -> DecisionDraft:
    """Compute (do not record) the decision for a month."""
    application = household.applications.get(request.month)
    if application is None:
        raise DecisionConflict(f"no application for {request.month} in household {household.id}; record one first")
    applied = dict(application.costs)
    approved = dict(applied) if request.approved_costs is None else dict(request.approved_costs)
    for kind, amount in approved.items():
        if amount > applied.get(kind, Decimal("0.00")):
            raise InvalidInput(
                f"approved {kind} {amount:.2f} is more than applied for ({applied.get(kind, Decimal('0')):.2f})"
            )
    situation = build_situation(household, request.month, approved, request.profile)
    result = calculate(parse_situation(situation), rule_set)
    calculation = result.to_dict()
    approved = _approved_by_calculation(calculation, approved)
    if request.norm_adjustment is not None:
        calculation = adjust_norm(calculation, request.norm_adjustment, request.norm_adjustment_amount, request.reason)
    aid = Decimal(calculation["aid"])
    if request.refuse:
        outcome = Outcome.REFUSED
    elif aid <= 0:
        raise DecisionConflict(
            f"the calculation for {request.month} gives no aid (surplus {calculation['surplus']}); "
            "a refusal (avslag) is a caseworker's decision: confirm it with --refuse and --reason"
        )
    elif approved != applied or request.norm_adjustment == NormAdjustment.REDUCED:
        outcome = Outcome.PARTLY_GRANTED
    else:
        outcome = Outcome.GRANTED
    return DecisionDraft(
        household_id=household.id,
        month=request.month,
        outcome=outcome,
        situation=situation,
        calculation=calculation,
        rule_set_hash=rule_set.hash,
        parameters=list(result.parameters_used),
        applied_costs=applied,
        approved_costs=approved,
    )


def _approved_by_calculation(calculation: dict[str, Any], asked: dict[str, Decimal]) -> dict[str, Decimal]:
    """What the calculation approved per cost kind (the engine may cap one, e.g. rent at local.max_rent)."""
    approved = {kind: Decimal("0.00") for kind in asked}
    for line in calculation["lines"]:
        kind = str(line["kind"])
        if kind.startswith("cost."):
            approved[kind[5:]] = approved.get(kind[5:], Decimal("0.00")) + Decimal(line["amount"])
    return approved


def adjust_norm(calculation: dict[str, Any], kind: NormAdjustment, amount: Decimal, reason: str) -> dict[str, Any]:
    """Add a förhöjd (+) or reducerad (−) norm line and recompute the totals exactly."""
    if amount <= 0:
        raise InvalidInput("--norm-amount: give the size of the adjustment as a positive amount")
    signed = amount if kind == NormAdjustment.RAISED else -amount
    norm_total = Money.of(calculation["norm_total"]) + Money.of(signed)
    if norm_total.amount < 0:
        raise InvalidInput(f"a reduction of {amount:.2f} is more than the norm ({calculation['norm_total']})")
    norm_lines = [line for line in calculation["lines"] if str(line["kind"]).startswith("norm.")]
    reference = norm_lines[0]["reference"] if norm_lines else ""
    line = {
        "kind": f"norm.adjustment.{kind.value}",
        "member": None,
        "amount": str(Money.of(signed)),
        "rule": (
            "Förhöjd norm i det enskilda fallet"
            if kind == NormAdjustment.RAISED
            else "Reducerad norm av särskilda skäl"
        )
        + f": {reason}",
        "reference": reference,
        "parameter": None,
        "confidence": "HIGH",
    }
    need = norm_total + Money.of(calculation["costs_total"])
    counted = Money.of(calculation["income_counted"])
    adjusted = dict(calculation)
    adjusted["lines"] = [*calculation["lines"], line]
    adjusted["norm_total"] = str(norm_total)
    adjusted["need"] = str(need)
    adjusted["aid"] = str((need - counted).max_zero())
    adjusted["surplus"] = str((counted - need).max_zero())
    return adjusted


def record_decision(
    app: BistandApplication,
    household_id: UUID,
    request: DecisionRequest,
    rule_set: RuleSet,
    *,
    expected_version: int | None = None,
) -> tuple[Recorded, DecisionDraft]:
    """Compute from the freshly loaded household and record in one step (retried once on a conflict)."""
    drafts: list[DecisionDraft] = []

    def command(household: Household) -> str:
        draft = draft_decision(household, request, rule_set)
        drafts.append(draft)
        adjustment = None
        if request.norm_adjustment is not None:
            adjustment = {
                "kind": request.norm_adjustment.value,
                "amount": request.norm_adjustment_amount,
                "reason": request.reason,
            }
        return household.make_decision(
            actor=request.actor,
            month=request.month,
            outcome=draft.outcome,
            situation=draft.situation,
            calculation=draft.calculation,
            rule_set_hash=draft.rule_set_hash,
            parameters=draft.parameters,
            approved_costs=draft.approved_costs,
            norm_adjustment=adjustment,
            conditions=request.conditions,
            delegat=request.delegat,
            reason=request.reason,
            decided_on=request.decided_on,
            amends=request.amend,
        )

    recorded, decision_id = app.change_household(household_id, command, expected_version=expected_version)
    return Recorded(
        recorded.household_id, recorded.version, recorded.positions, recorded.event_types, decision_id
    ), drafts[-1]
