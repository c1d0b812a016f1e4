"""Placements (placeringar): record them, list them, and decide a placed child's month with its own engine.

A month is decided with ``bistand decide`` as every month is. :func:`placement_draft` is the decision's one
hook: when a member is placed (HVB, HVB training flat or familjehem) in the month, it builds the placement
situation from the household's events and calculates it with
:func:`~bistand_es.domain.rules.placement.calculate_placement_allowance` under the household's profile (which
must have the ``placed_children`` rule: Göteborg); otherwise the ordinary calculation runs. A household of
minors only with no placement is refused (docs/adr/0022-placed-children.md).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from bistand_es.application.base import HouseholdStore, Recorded
from bistand_es.domain.errors import DecisionConflict
from bistand_es.domain.household import Household
from bistand_es.domain.household.migration import asylum_seekers
from bistand_es.domain.household.placements import PayeeRole, Placement, require_placement_for_minor
from bistand_es.domain.month import Month
from bistand_es.domain.records import Actor
from bistand_es.domain.rules.placement import RULE, PlacementCalculation, calculate_placement_allowance
from bistand_es.domain.rules.placement_situation import (
    ENGINE,
    PlacementIncomeKind,
    PlacementKind,
    parse_placement_situation,
)
from bistand_es.domain.rules.profiles import Profile
from bistand_es.domain.rules.rule_set import RuleSet

if TYPE_CHECKING:  # pragma: no cover
    from bistand_es.application.decisions import DecisionRequest

#: The placements the allowance engine decides; a youth over 18 in a training flat gets försörjningsstöd.
ALLOWANCE_KINDS = frozenset({PlacementKind.HVB, PlacementKind.HVB_TRAINING_FLAT, PlacementKind.FAMILJEHEM})
_PASSED_ON = {kind.value for kind in PlacementIncomeKind}


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def placed_member(household: Household, month: Month) -> Placement | None:
    """The placement (of a kind the allowance engine decides) of a member of the household in ``month``."""
    for membership in household.members_in(month):
        placement = household.placement_in(membership.person, month)
        if placement is not None and placement.kind in ALLOWANCE_KINDS:
            return placement
    return None


def build_placement_situation(
    household: Household, placement: Placement, month: Month, profile: str, decided_on: date
) -> dict[str, Any]:
    """The placement situation for one month, from the household's recorded state."""
    membership = next(m for m in household.members_in(month) if m.person == placement.person)
    first = max(placement.valid_from, month.first_day)
    child: dict[str, Any] = {"id": placement.person, "birth_date": membership.birth_date.isoformat()}
    if membership.in_school is not None:
        child["in_school"] = membership.in_school
    facts: dict[str, Any] = {
        "kind": placement.kind.value,
        "from": placement.valid_from.isoformat(),
        "to": placement.valid_to.isoformat() if placement.valid_to else None,
        "asylum_seeking": bool(asylum_seekers(household.person_facts, [placement.person], month)),
        "pocket_money": _money(placement.pocket_money),
        "home_payments": _money(placement.home_payments),
        "fees_included": _money(placement.fees_included),
        "payee": placement.payee_on(first).text,
    }
    if placement.flat_persons is not None:
        facts["flat_persons"] = placement.flat_persons
    incomes = [
        {
            "kind": i.kind if i.kind in _PASSED_ON else PlacementIncomeKind.OTHER.value,
            "month": str(i.month),
            "amount": _money(i.amount),
        }
        for i in sorted(household.incomes_net_of_agency_refunds(), key=lambda i: (i.month, i.kind, i.income_id))
        if i.member == placement.person and i.month <= month and i.month.year == month.year
    ]
    return {
        "engine": ENGINE,
        "month": str(month),
        "profile": profile,
        "decided_on": decided_on.isoformat(),
        "child": child,
        "placement": facts,
        "incomes": incomes,
    }


def placement_draft(
    household: Household, request: DecisionRequest, rule_set: RuleSet, profile: Profile
) -> tuple[dict[str, Any], PlacementCalculation] | None:
    """The decision's hook: the placement situation and calculation for a placed child's month, or None for an
    ordinary month. A household of minors only without a placement is refused."""
    month = request.month
    placement = placed_member(household, month)
    if placement is None:
        placements = list(household.placements.values())
        require_placement_for_minor(household.members_in(month), placements, month)
        return None
    if not profile.applies(RULE):
        raise DecisionConflict(
            f"{placement.person} is placed ({placement.kind.value}) in {month}, but profile {profile.name!r} has no "
            "rules "
            "for children placed by social services; decide the month under a profile that has them "
            "(--profile goteborg)"
        )
    situation = build_placement_situation(household, placement, month, profile.name, request.decided_on)
    situation["profile_data"] = profile.pinned()
    return situation, calculate_placement_allowance(parse_placement_situation(situation), rule_set)


class PlacementCommands(HouseholdStore):
    """Placement use cases: start, end, change the payee, list."""

    def start_placement(
        self,
        household_id: UUID,
        *,
        actor: Actor,
        person: str,
        kind: PlacementKind,
        valid_from: date,
        valid_to: date | None,
        unit: str,
        home: str,
        payee_role: PayeeRole,
        payee_name: str,
        pocket_money: Decimal = Decimal("0.00"),
        home_payments: Decimal = Decimal("0.00"),
        flat_persons: int | None = None,
        fees_included: Decimal = Decimal("0.00"),
        note: str = "",
        expected_version: int | None = None,
    ) -> Recorded:
        recorded, placement_id = self._change(
            household_id,
            lambda h: h.start_placement(
                actor=actor,
                person=person,
                kind=kind,
                valid_from=valid_from,
                valid_to=valid_to,
                unit=unit,
                home=home,
                payee_role=payee_role,
                payee_name=payee_name,
                pocket_money=pocket_money,
                home_payments=home_payments,
                flat_persons=flat_persons,
                fees_included=fees_included,
                note=note,
            ),
            expected_version=expected_version,
        )
        return recorded.with_result(placement_id)

    def end_placement(
        self,
        household_id: UUID,
        *,
        actor: Actor,
        placement_id: str,
        ended_on: date,
        reason: str,
        expected_version: int | None = None,
    ) -> Recorded:
        recorded, found = self._change(
            household_id,
            lambda h: h.end_placement(actor=actor, placement_id=placement_id, ended_on=ended_on, reason=reason),
            expected_version=expected_version,
        )
        return recorded.with_result(found)

    def change_placement_payee(
        self,
        household_id: UUID,
        *,
        actor: Actor,
        placement_id: str,
        payee_role: PayeeRole,
        payee_name: str,
        valid_from: date,
        expected_version: int | None = None,
    ) -> Recorded:
        recorded, found = self._change(
            household_id,
            lambda h: h.change_placement_payee(
                actor=actor,
                placement_id=placement_id,
                payee_role=payee_role,
                payee_name=payee_name,
                valid_from=valid_from,
            ),
            expected_version=expected_version,
        )
        return recorded.with_result(found)

    def list_placements(self, household_id: UUID) -> list[dict[str, object]]:
        household = self._load(household_id)
        return [p.as_dict() for p in sorted(household.placements.values(), key=lambda p: (p.person, p.valid_from))]

    def placement_statement(self, household_id: UUID, month: Month) -> dict[str, Any]:
        """What a payment for a placed child's month must state: the period, the payee, the amount granted and
        the reasons for every reduction (routine section 3.4), from the month's recorded decision."""
        household = self._load(household_id)
        decision = household.decisions.get(month)
        if decision is None:
            raise DecisionConflict(f"no decision for {month} in household {household_id}")
        placement = decision.calculation.get("placement")
        if not isinstance(placement, dict):
            raise DecisionConflict(f"the decision for {month} is not a placed child's allowance")
        return {
            "month": str(month),
            "decision_id": decision.decision_id,
            "outcome": decision.outcome,
            "aid": _money(decision.aid),
            "kind": placement.get("kind"),
            "period_from": placement.get("period", {}).get("from"),
            "period_to": placement.get("period", {}).get("to"),
            "payee": placement.get("payee"),
            "paid": _money(household.paid_amount(month)),
            "reductions": list(placement.get("reductions", [])),
        }
