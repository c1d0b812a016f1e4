"""Stays at an institution (HVB, forensic psychiatric care): record them, and give the decision their days.

A member who stays at an institution stays a member of the household. :func:`institution_of` is the decision's
hook: it fills the member's ``institution`` field of the calculation's situation, and a profile with the
fickpeng rule (``forshaga``) then replaces the member's personal norm for those days by fickpeng per day
(docs/rules.md "Municipal profiles"; docs/adr/0021-municipal-profiles.md).
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from bistand_es.application.base import HouseholdStore, Recorded
from bistand_es.domain.errors import DecisionConflict
from bistand_es.domain.household import Household
from bistand_es.domain.household.stays import StayKind
from bistand_es.domain.month import Month
from bistand_es.domain.records import Actor


def institution_of(household: Household, person: str, month: Month) -> dict[str, str] | None:
    """The member's institution stay in ``month`` as the situation's ``institution`` field, or None.

    The calculation takes one stay per member and month; two separate stays in one month are refused.
    """
    stays = household.stays_in(person, month)
    if not stays:
        return None
    if len(stays) > 1:
        raise DecisionConflict(
            f"{person} has {len(stays)} separate institution stays in {month}; the calculation takes one stay "
            "per member and month: decide the month as an individual assessment"
        )
    return stays[0].situation_row()


class StayCommands(HouseholdStore):
    """Institution-stay use cases: start, end."""

    def start_stay(
        self,
        household_id: UUID,
        *,
        actor: Actor,
        person: str,
        kind: StayKind,
        valid_from: date,
        valid_to: date | None = None,
        source: str = "",
        expected_version: int | None = None,
    ) -> Recorded:
        recorded, stay_id = self._change(
            household_id,
            lambda h: h.start_stay(
                actor=actor, person=person, kind=kind, valid_from=valid_from, valid_to=valid_to, source=source
            ),
            expected_version=expected_version,
        )
        return recorded.with_result(stay_id)

    def end_stay(
        self,
        household_id: UUID,
        *,
        actor: Actor,
        person: str,
        ended_on: date,
        reason: str = "",
        expected_version: int | None = None,
    ) -> Recorded:
        recorded, stay_id = self._change(
            household_id,
            lambda h: h.end_stay(actor=actor, person=person, ended_on=ended_on, reason=reason),
            expected_version=expected_version,
        )
        return recorded.with_result(stay_id)
