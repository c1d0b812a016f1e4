"""Pure decision policy shared by the aggregate (which enforces it) and the application (which previews it).

No state, no I/O: each function takes plain values and either returns or raises a named error. The delegation
order (who may decide what) lives here and nowhere else (docs/rules.md, "Who may decide").
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bistand_es.domain.errors import DecisionConflict, InvalidInput, NotAuthorised
from bistand_es.domain.vocabulary import DELEGATION_LEVEL, ActorRole, NormAdjustment, Outcome

#: The lowest delegat who may decide a förhöjd or reducerad norm (Forshaga's delegation order: enhetschef).
NORM_ADJUSTMENT_DELEGAT = ActorRole.UNIT_MANAGER


def can_decide(role: str) -> bool:
    """Whether a role is in the delegation order at all (ekonom, revisor and system are not)."""
    return role in {r.value for r in DELEGATION_LEVEL}


def default_delegat(actor_role: str) -> ActorRole:
    """The delegat a decision names when the caseworker names none: the acting user's own role."""
    if not can_decide(actor_role):
        raise NotAuthorised(f"{actor_role} is not in the delegation order and may not take decisions on bistånd")
    return ActorRole(actor_role)


def check_delegation(actor_role: str, delegat: ActorRole, norm_adjustment: NormAdjustment | None) -> None:
    """The recording user may decide, reaches the delegat named, and the delegat reaches what is decided."""
    if not can_decide(actor_role):
        raise NotAuthorised(f"{actor_role} may not take decisions on ekonomiskt bistånd (not in the delegation order)")
    level = DELEGATION_LEVEL.get(delegat)
    if level is None:
        raise NotAuthorised(f"delegat: {delegat.value} may not take decisions on ekonomiskt bistånd")
    if DELEGATION_LEVEL[ActorRole(actor_role)] < level:
        raise NotAuthorised(f"a {actor_role} cannot record a decision as delegat {delegat.value}")
    if norm_adjustment is not None and level < DELEGATION_LEVEL[NORM_ADJUSTMENT_DELEGAT]:
        word = "förhöjd" if norm_adjustment == NormAdjustment.RAISED else "reducerad"
        raise NotAuthorised(f"a {word} norm needs delegat {NORM_ADJUSTMENT_DELEGAT.value} or higher")


def require_reasons(*, refuse: bool, norm_adjustment: NormAdjustment | None, amend: bool, reason: str) -> None:
    """A refusal, a norm adjustment and an amendment each need the caseworker's reason (motivering)."""
    if reason.strip():
        return
    if refuse:
        raise InvalidInput("reason: a refusal (avslag) needs the caseworker's reason (--reason)")
    if norm_adjustment is not None:
        raise InvalidInput("reason: a förhöjd/reducerad norm needs a reason (--reason)")
    if amend:
        raise InvalidInput("reason: an amended decision needs a reason (--reason)")


def outcome_of(
    *,
    aid: Decimal,
    surplus: str,
    refuse: bool,
    applied: dict[str, Decimal],
    approved: dict[str, Decimal],
    norm_adjustment: NormAdjustment | None,
) -> Outcome:
    """Bifall, delvis bifall or avslag for a computed month."""
    if refuse:
        return Outcome.REFUSED
    if aid <= 0:
        raise DecisionConflict(
            f"the calculation gives no aid (surplus {surplus}); a refusal (avslag) is a caseworker's decision: "
            "confirm it with --refuse and --reason"
        )
    if approved != applied or norm_adjustment == NormAdjustment.REDUCED:
        return Outcome.PARTLY_GRANTED
    return Outcome.GRANTED


def subsistence_aid(calculation: dict[str, Any], aid: Decimal) -> Decimal:
    """The försörjningsstöd part of a decision's aid (the rest is livsföring i övrigt).

    Decisions recorded before the engine kept the two parts apart have no ``subsistence_aid``: their whole
    aid is taken as försörjningsstöd, as it was counted then.
    """
    value = calculation.get("subsistence_aid")
    return aid if value is None else min(aid, Decimal(str(value)))
