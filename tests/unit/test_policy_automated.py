"""policy.py: a system user (the monthly run) records automated grants in full, and nothing else."""

from __future__ import annotations

import pytest

from bistand_es.domain.errors import NotAuthorised
from bistand_es.domain.household.policy import AUTOMATED_DELEGAT, can_decide, check_delegation, default_delegat
from bistand_es.domain.vocabulary import ActorRole, NormAdjustment, Outcome

SYSTEM = ActorRole.SYSTEM.value


def test_system_may_grant_in_full_as_the_lowest_delegat() -> None:
    check_delegation(SYSTEM, ActorRole.CASEWORKER, None, outcome=Outcome.GRANTED)
    assert AUTOMATED_DELEGAT == ActorRole.CASEWORKER


@pytest.mark.parametrize("outcome", [Outcome.REFUSED, Outcome.PARTLY_GRANTED, None])
def test_system_never_refuses_grants_in_part_or_amends(outcome: Outcome | None) -> None:
    with pytest.raises(NotAuthorised, match="only grant in full"):
        check_delegation(SYSTEM, ActorRole.CASEWORKER, None, outcome=outcome)


def test_system_never_adjusts_the_norm_or_decides_a_delegated_matter() -> None:
    with pytest.raises(NotAuthorised, match="adjust the norm"):
        check_delegation(SYSTEM, ActorRole.CASEWORKER, NormAdjustment.RAISED, outcome=Outcome.GRANTED)
    with pytest.raises(NotAuthorised, match="delegated matter"):
        check_delegation(SYSTEM, ActorRole.CASEWORKER, None, matters=["beyond_guidelines"], outcome=Outcome.GRANTED)


def test_system_decides_as_no_higher_delegat() -> None:
    with pytest.raises(NotAuthorised, match="as delegat handlaggare only"):
        check_delegation(SYSTEM, ActorRole.UNIT_MANAGER, None, outcome=Outcome.GRANTED)


def test_system_is_still_outside_the_delegation_order() -> None:
    # A recovery decision (check_delegation without an outcome) and a caseworker's default delegat stay refused.
    assert not can_decide(SYSTEM)
    with pytest.raises(NotAuthorised):
        default_delegat(SYSTEM)
    with pytest.raises(NotAuthorised):
        check_delegation(SYSTEM, ActorRole.CASEWORKER, None)


def test_people_are_unaffected_by_the_outcome() -> None:
    check_delegation(ActorRole.CASEWORKER.value, ActorRole.CASEWORKER, None, outcome=Outcome.REFUSED)
    with pytest.raises(NotAuthorised):
        check_delegation(ActorRole.FINANCE_OFFICER.value, ActorRole.CASEWORKER, None, outcome=Outcome.GRANTED)
