"""Pure decision policy shared by the aggregate (which enforces it) and the application (which previews it).

No state, no I/O: each function takes plain values and either returns or raises a named error. The delegation
order (who may decide what) lives here and nowhere else (docs/rules.md, "Who may decide").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Final

from bistand_es.domain.errors import DecisionConflict, InvalidInput, NotAuthorised
from bistand_es.domain.vocabulary import DELEGATION_LEVEL, ActorRole, NormAdjustment, Outcome

#: The lowest delegat who may decide a förhöjd or reducerad norm when the profile names none (enhetschef, as in
#: Forshaga's delegation order).
NORM_ADJUSTMENT_DELEGAT = ActorRole.UNIT_MANAGER

#: The delegat an automated decision names: a system user decides only what the lowest delegat may, and only that
#: (a full grant, bifall; förvaltningslagen 28 § allows a decision to be taken automatically).
AUTOMATED_DELEGAT = ActorRole.CASEWORKER

#: The matters a delegation order may name (keys of a profile's ``delegation`` table): förhöjd/reducerad norm,
#: aid beyond the guidelines under 4 kap. 2 § (a decision with a repayment condition), a stay abroad with aid and
#: a return visit before repatriation.
MATTERS: Final = ("norm_adjustment", "beyond_guidelines", "stay_abroad", "return_visit")
_DEFAULT_LEVELS: Final[Mapping[str, ActorRole]] = {"norm_adjustment": NORM_ADJUSTMENT_DELEGAT}
_WORDS: Final = {
    "norm_adjustment": "a förhöjd/reducerad norm",
    "beyond_guidelines": "aid beyond the guidelines (4 kap. 2 § SoL)",
    "stay_abroad": "keeping aid during a stay abroad",
    "return_visit": "keeping aid during a return visit",
}


def can_decide(role: str) -> bool:
    """Whether a role is in the delegation order at all (ekonom, revisor and system are not).

    A ``system`` user still records automated grants (see :func:`check_automated`), never anything else.
    """
    return role in {r.value for r in DELEGATION_LEVEL}


def default_delegat(actor_role: str) -> ActorRole:
    """The delegat a decision names when the caseworker names none: the acting user's own role."""
    if not can_decide(actor_role):
        raise NotAuthorised(f"{actor_role} is not in the delegation order and may not take decisions on bistånd")
    return ActorRole(actor_role)


def matters_of(norm_adjustment: NormAdjustment | None, conditions: Iterable[str] = ()) -> list[str]:
    """The delegation matters a decision involves (a repayment condition marks 4 kap. 2 § aid, 9 kap. 2 §)."""
    found = ["norm_adjustment"] if norm_adjustment is not None else []
    if "repayment_condition" in set(conditions):
        found.append("beyond_guidelines")
    return found


def required_levels(situation: Mapping[str, Any] | None) -> dict[str, str]:
    """The delegation table a decision's situation recorded with its profile (``profile_data``), if any."""
    pinned = (situation or {}).get("profile_data") or {}
    table = (pinned.get("parameters") or {}).get("delegation") or {}
    value = table.get("value") if isinstance(table, Mapping) else None
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, Mapping) else {}


def check_delegation(
    actor_role: str,
    delegat: ActorRole,
    norm_adjustment: NormAdjustment | None,
    *,
    levels: Mapping[str, str] | None = None,
    matters: Iterable[str] = (),
    outcome: Outcome | None = None,
) -> None:
    """The recording user may decide, reaches the delegat named, and the delegat reaches what is decided.

    ``outcome`` is the outcome of a first decision on a month (None for an amendment or any other decision):
    a ``system`` user may record only a first bifall (:func:`check_automated`).

    ``levels`` is the profile's delegation table (matter → lowest delegat, e.g. Forshaga's guideline: enhetschef
    for a förhöjd/reducerad norm, utskott for aid beyond the guidelines); without one a norm adjustment needs
    :data:`NORM_ADJUSTMENT_DELEGAT`. ``matters`` adds matters beyond the norm adjustment (see :func:`matters_of`).
    """
    if actor_role == ActorRole.SYSTEM.value:
        check_automated(delegat, norm_adjustment, outcome=outcome, matters=matters)
        return
    if not can_decide(actor_role):
        raise NotAuthorised(f"{actor_role} may not take decisions on ekonomiskt bistånd (not in the delegation order)")
    level = DELEGATION_LEVEL.get(delegat)
    if level is None:
        raise NotAuthorised(f"delegat: {delegat.value} may not take decisions on ekonomiskt bistånd")
    if DELEGATION_LEVEL[ActorRole(actor_role)] < level:
        raise NotAuthorised(f"a {actor_role} cannot record a decision as delegat {delegat.value}")
    wanted = set(matters) | set(matters_of(norm_adjustment))
    for matter in MATTERS:
        if matter not in wanted:
            continue
        named = (levels or {}).get(matter)
        needed = _DEFAULT_LEVELS.get(matter) if named is None else _role(named)
        if needed is not None and level < DELEGATION_LEVEL[needed]:
            raise NotAuthorised(f"{_WORDS[matter]} needs delegat {needed.value} or higher")


def check_automated(
    delegat: ActorRole, norm_adjustment: NormAdjustment | None, *, outcome: Outcome | None, matters: Iterable[str] = ()
) -> None:
    """An automated decision (a ``system`` user, the monthly run) grants in full and nothing else.

    It is a first decision on the month with the outcome bifall, as delegat :data:`AUTOMATED_DELEGAT`, with no
    förhöjd/reducerad norm and no matter of the delegation order (no repayment condition, no stay abroad). A
    refusal, a partial grant, an amendment or a norm adjustment is a caseworker's assessment.
    """
    if outcome != Outcome.GRANTED:
        what = "an amendment or a decision other than on a month's aid" if outcome is None else outcome.value
        raise NotAuthorised(f"an automated decision (system) may only grant in full (bifall), not {what}")
    if norm_adjustment is not None or set(matters):
        raise NotAuthorised("an automated decision (system) may not adjust the norm or decide a delegated matter")
    if delegat != AUTOMATED_DELEGAT:
        raise NotAuthorised(f"an automated decision (system) is taken as delegat {AUTOMATED_DELEGAT.value} only")


def _role(name: str) -> ActorRole:
    try:
        role = ActorRole(name)
    except ValueError:
        role = None
    if role is None or role not in DELEGATION_LEVEL:
        raise InvalidInput(f"delegation: {name!r} is not a delegat ({', '.join(r.value for r in DELEGATION_LEVEL)})")
    return role


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
