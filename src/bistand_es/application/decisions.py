"""Decisions (beslut), in two phases: draft what the caseworker confirms, then record exactly that draft.

Phase 1 (:meth:`DecisionCommands.draft_decision`) loads the household once, builds the calc situation from its
events (members in the month, the application's approved costs, incomes up to the income month, support history
for jobbstimulans), runs the pure engine and applies any förhöjd/reducerad norm through the calculation itself.
The draft carries the household version it was computed from.

Phase 2 (:meth:`DecisionCommands.record_decision`) loads the household once more and records the draft only if
the household is still at that version: there is no second calculation that could differ from what was shown.
A household that changed in between is refused with "changed since you looked" (docs/adr/0005-decide-then-record.md).

The municipal profile (docs/adr/0021-municipal-profiles.md) is the one named on the request, else the one the
household's kommunkod selects (``profile.municipalities``). The stored situation pins the profile as it was
(``profile_data``: name, version, settings, local parameters), so verifying the decision later recomputes it
with that profile whatever the profile files say by then.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, RecordConflictError

from bistand_es.application.base import HouseholdStore, Recorded
from bistand_es.application.placements import placement_draft
from bistand_es.application.stays import institution_of
from bistand_es.domain.errors import ConcurrentChange, DecisionConflict, InvalidInput
from bistand_es.domain.household import Household
from bistand_es.domain.household.policy import (
    AUTOMATED_DELEGAT,
    check_delegation,
    default_delegat,
    matters_of,
    outcome_of,
    require_reasons,
)
from bistand_es.domain.month import Month
from bistand_es.domain.records import Actor, MonthlyApplication
from bistand_es.domain.rules.calculation import calculate
from bistand_es.domain.rules.errors import ParameterNotInForce
from bistand_es.domain.rules.lines import Calculation
from bistand_es.domain.rules.profiles import DEFAULT, Profile, load_profile, profile_for_municipality
from bistand_es.domain.rules.rule_set import RuleSet
from bistand_es.domain.rules.situation import parse_situation
from bistand_es.domain.rules.timing import check_application_dates
from bistand_es.domain.vocabulary import ActorRole, MemberRole, NormAdjustment, Outcome


@dataclass(frozen=True)
class DecisionRequest:
    """What the caseworker asks for; everything else comes from the household's events."""

    month: Month
    actor: Actor
    decided_on: date
    delegat: ActorRole | None = None  # None: the acting user's own role, if it may decide
    approved_costs: dict[str, Decimal] | None = None  # kinds approved differently from applied; None: as applied
    refuse: bool = False
    reason: str = ""
    norm_adjustment: NormAdjustment | None = None
    norm_adjustment_amount: Decimal = Decimal("0.00")
    conditions: list[str] = field(default_factory=list)
    profile: str | None = None  # None: the profile the household's kommunkod selects
    amend: bool = False
    surplus_considered: Decimal | None = None  # nybesök: the part of earlier normöverskott counted (with reason)


@dataclass(frozen=True)
class DecisionDraft:
    """A computed decision, shown before (or instead of, with --dry-run) recording it."""

    household_id: UUID
    household_version: int
    month: Month
    outcome: Outcome
    delegat: ActorRole
    situation: dict[str, Any]
    calculation: dict[str, Any]
    rule_set_hash: str
    parameters: list[str]
    applied_costs: dict[str, Decimal]
    approved_costs: dict[str, Decimal]
    norm_adjustment: dict[str, Any] | None
    request: DecisionRequest

    @property
    def aid(self) -> Decimal:
        return Decimal("0.00") if self.outcome == Outcome.REFUSED else Decimal(self.calculation["aid"])


def choose_profile(household: Household, named: str | None, month: Month, rule_set: RuleSet) -> Profile:
    """The profile named (``--profile``), else the one the household's kommunkod selects, in force for ``month``.

    A profile selected by kommunkod that is not yet in force for the month falls back to the national rules;
    a profile named explicitly must be in force.
    """
    if named:
        return load_profile(rule_set, named, month)
    mapped = profile_for_municipality(rule_set, household.municipality, month.first_day)
    try:
        return load_profile(rule_set, mapped, month)
    except ParameterNotInForce:
        if mapped == DEFAULT:
            raise
        return load_profile(rule_set, DEFAULT, month)


def check_application(
    household: Household,
    month: Month,
    received_on: date,
    reason: str,
    rule_set: RuleSet,
    *,
    profile: str | None = None,
) -> list[str]:
    """The profile's date rules for a new application (too early for next month; retroactive needs a reason)."""
    return check_application_dates(
        choose_profile(household, profile, month, rule_set), month, received_on, reason=reason
    )


def _application_dates(application: MonthlyApplication) -> dict[str, Any]:
    dates: dict[str, Any] = {"first_time": application.first_time, "received_on": application.received_on.isoformat()}
    if application.complete_on is not None:
        dates["complete_on"] = application.complete_on.isoformat()
    if application.contact_on is not None:
        dates["contact_on"] = application.contact_on.isoformat()
    if application.reason:
        dates["retroactive_reason"] = application.reason
    return dates


def build_situation(
    household: Household, month: Month, approved_costs: dict[str, Decimal], profile: str | None, decided_on: date
) -> dict[str, Any]:
    """The calc-contract situation for one month, from the household's recorded state.

    With an application recorded for the month its dates are included (a profile with the timing rule uses them).
    """
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
        stay = institution_of(household, m.person, month)
        if stay is not None:
            row["institution"] = stay
        member_rows.append(row)
    cohabiting = household.cohabiting_in(month) and any(m.role == MemberRole.CO_APPLICANT for m in members)
    situation: dict[str, Any] = {
        "month": str(month),
        "decided_on": decided_on.isoformat(),
        "household": {"cohabiting": cohabiting, "members": member_rows},
        "costs": [{"kind": kind, "amount": f"{amount:.2f}"} for kind, amount in sorted(approved_costs.items())],
        "incomes": [
            {"member": i.member, "kind": i.kind, "month": str(i.month), "amount": f"{i.amount:.2f}"}
            # A benefit Försäkringskassan paid to the nämnd (förskott på förmån) is never counted again.
            for i in sorted(
                household.incomes_net_of_agency_refunds(), key=lambda i: (i.month, i.member, i.kind, i.income_id)
            )
            if i.member in persons and i.month <= month and i.month.year >= month.year - 1
        ],
        "support_history": {
            person: sorted(str(m) for m in months if m < month)
            for person, months in sorted(history.months.items())
            if person in persons and any(m < month for m in months)
        },
    }
    application = household.applications.get(month)
    if application is not None:
        situation["application"] = _application_dates(application)
    if profile:
        situation["profile"] = profile
    return situation


def _approved_by_calculation(calculation: dict[str, Any], asked: dict[str, Decimal]) -> dict[str, Decimal]:
    """What the calculation approved per cost kind (the engine may cap one, e.g. rent at local.max_rent)."""
    approved = {kind: Decimal("0.00") for kind in asked}
    for line in calculation["lines"]:
        kind = str(line["kind"])
        if kind.startswith("cost."):
            approved[kind[5:]] = approved.get(kind[5:], Decimal("0.00")) + Decimal(line["amount"])
    return approved


def draft_for(
    household: Household, request: DecisionRequest, rule_set: RuleSet, *, preview: bool = False
) -> DecisionDraft:
    """Compute (do not record) the decision for a month from an already loaded household.

    A ``preview`` (``decide --dry-run``) may show a month that is already decided, e.g. to see what today's
    rules would give; a draft meant for recording may not.
    """
    automated = request.actor.role == ActorRole.SYSTEM.value  # the monthly run: checked once the outcome is known
    if request.delegat is not None:
        delegat = request.delegat
    else:
        delegat = AUTOMATED_DELEGAT if automated else default_delegat(request.actor.role)
    require_reasons(
        refuse=request.refuse, norm_adjustment=request.norm_adjustment, amend=request.amend, reason=request.reason
    )
    if request.surplus_considered is not None and not request.reason.strip():
        raise InvalidInput("reason: the assessment of an earlier normöverskott needs a reason (--reason)")
    profile = choose_profile(household, request.profile, request.month, rule_set)
    levels = profile.parameter("delegation").value if profile.applies("delegation") else {}
    table = {str(k): str(v) for k, v in levels.items()} if isinstance(levels, dict) else {}
    matters = matters_of(request.norm_adjustment, request.conditions)
    if not automated:
        check_delegation(request.actor.role, delegat, request.norm_adjustment, levels=table, matters=matters)
    application = household.applications.get(request.month)
    if application is None:
        raise DecisionConflict(f"no application for {request.month} in household {household.id}; record one first")
    if request.amend and request.month not in household.decisions:
        raise DecisionConflict(f"{request.month} has no decision to amend")
    if not request.amend and not preview and request.month in household.decisions:
        raise DecisionConflict(f"{request.month} is already decided; amend it with --amend and a reason instead")
    applied = dict(application.costs)
    approved = {**applied, **(request.approved_costs or {})}
    for kind, amount in approved.items():
        if kind not in applied:
            raise InvalidInput(f"--approve {kind}: no {kind} cost was applied for in {request.month}")
        if amount > applied[kind]:
            raise InvalidInput(f"approved {kind} {amount:.2f} is more than applied for ({applied[kind]:.2f})")
    placed = placement_draft(household, request, rule_set, profile)  # a placed child's month (ADR 0022)
    result: Calculation
    if placed is not None:
        situation, result = placed
    else:
        situation = build_situation(household, request.month, approved, profile.name, request.decided_on)
        situation["profile_data"] = profile.pinned()
        if request.surplus_considered is not None:
            situation["surplus_considered"] = {"amount": f"{request.surplus_considered:.2f}", "reason": request.reason}
        result = calculate(parse_situation(situation), rule_set)
    adjustment: dict[str, Any] | None = None
    if request.norm_adjustment is not None:
        result = result.with_norm_adjustment(request.norm_adjustment, request.norm_adjustment_amount, request.reason)
        adjustment = {
            "kind": request.norm_adjustment.value,
            "amount": request.norm_adjustment_amount,
            "reason": request.reason,
        }
    calculation = result.to_dict()
    approved = _approved_by_calculation(calculation, approved)
    outcome = outcome_of(
        aid=Decimal(calculation["aid"]),
        surplus=str(calculation["surplus"]),
        refuse=request.refuse,
        applied=applied,
        approved=approved,
        norm_adjustment=request.norm_adjustment,
    )
    if automated:
        outcome_checked = None if request.amend else outcome
        check_delegation(
            request.actor.role, delegat, request.norm_adjustment, levels=table, matters=matters, outcome=outcome_checked
        )
    return DecisionDraft(
        household_id=household.id,
        household_version=household.version,
        month=request.month,
        outcome=outcome,
        delegat=delegat,
        situation=situation,
        calculation=calculation,
        rule_set_hash=rule_set.hash,
        parameters=list(result.parameters_used),
        applied_costs=applied,
        approved_costs=approved,
        norm_adjustment=adjustment,
        request=request,
    )


class DecisionCommands(HouseholdStore):
    """Draft and record decisions."""

    def draft_decision(
        self,
        household_id: UUID,
        request: DecisionRequest,
        rule_set: RuleSet,
        *,
        expected_version: int | None = None,
        preview: bool = False,
    ) -> DecisionDraft:
        """Phase 1: the decision the caseworker will confirm (nothing is recorded)."""
        household = self._load(household_id)
        if expected_version is not None and household.version != expected_version:
            raise ConcurrentChange(household_id)
        return draft_for(household, request, rule_set, preview=preview)

    def record_decision(self, draft: DecisionDraft) -> Recorded:
        """Phase 2: record exactly the confirmed draft, if the household has not changed since it was drafted."""
        household = self._load(draft.household_id)
        if household.version != draft.household_version:
            raise ConcurrentChange(
                draft.household_id,
                f"household {draft.household_id} changed since you looked (version {draft.household_version}, "
                f"now {household.version}): draft the decision again",
            )
        request = draft.request
        decision_id = household.make_decision(
            actor=request.actor,
            month=draft.month,
            outcome=draft.outcome,
            situation=draft.situation,
            calculation=draft.calculation,
            rule_set_hash=draft.rule_set_hash,
            parameters=draft.parameters,
            approved_costs=draft.approved_costs,
            norm_adjustment=draft.norm_adjustment,
            conditions=list(request.conditions),
            delegat=draft.delegat,
            reason=request.reason,
            decided_on=request.decided_on,
            amends=request.amend,
        )
        try:
            recordings = self.save(household)
        except (IntegrityError, RecordConflictError):
            raise ConcurrentChange(draft.household_id) from None
        return self._recorded(household, recordings, decision_id)

    def decide(
        self, household_id: UUID, request: DecisionRequest, rule_set: RuleSet, *, expected_version: int | None = None
    ) -> tuple[Recorded, DecisionDraft]:
        """Draft and record in one go (for scripts and batch runs that confirm nothing by hand)."""
        draft = self.draft_decision(household_id, request, rule_set, expected_version=expected_version)
        return self.record_decision(draft), draft
