"""Placements (placeringar) of children and youths by social services, as household events.

Göteborg's routine for unaccompanied children and youths placed by social services (2013) grants a placed
child's money through the placing unit, not through försörjningsstöd, and the amount depends on the form of
placement. This module records the facts the allowance engine (:mod:`bistand_es.domain.rules.placement`) needs:

- **Events** (stored schema, like :mod:`.events`): ``PlacementStarted`` (kind, from/to, placing unit, the home,
  who receives the money, what the home already pays), ``PlacementEnded``, ``PlacementPayeeChanged``.
- **Rules** (pure): a minor who applies alone needs a placement (:func:`require_placement_for_minor`); until 18
  the money goes to a god man or a särskilt förordnad vårdnadshavare (routine section 3.4).
- **Commands** (:class:`PlacementMixin`, inherited by ``Household``): validate, then ``trigger_event``; the
  mutators ``_on_*`` only assign (docs/adr/0005-decide-then-record.md).

See docs/placements.md and docs/adr/0022-placed-children.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Final
from uuid import uuid4

from bistand_es.domain.errors import DomainRuleViolation, InvalidInput, NotFound, UnknownMember
from bistand_es.domain.household.events import TOPIC_PREFIX, HouseholdEvent
from bistand_es.domain.month import Month
from bistand_es.domain.records import Actor, Membership
from bistand_es.domain.rules.household_norm import age_on
from bistand_es.domain.rules.placement_situation import MAX_FLAT_PERSONS, PlacementKind

if TYPE_CHECKING:  # pragma: no cover - the mixin is only ever used through Household
    from eventsourcing.domain import Aggregate as _HouseholdBase
else:
    _HouseholdBase = object

ADULT_AGE: Final = 18
MAX_TEXT: Final = 500
ZERO: Final = Decimal("0.00")


class PayeeRole(StrEnum):
    """Who receives the money for the placed child (routine section 3.4)."""

    GOD_MAN = "god_man"
    CUSTODIAN = "sfv"  # särskilt förordnad vårdnadshavare
    YOUTH = "youth"  # the youth over 18, on their own account
    FOSTER_HOME = "foster_home"  # omkostnad and arvode go to the familjehem

    @property
    def label(self) -> str:
        return {
            PayeeRole.GOD_MAN: "god man",
            PayeeRole.CUSTODIAN: "särskilt förordnad vårdnadshavare",
            PayeeRole.YOUTH: "ungdomen själv",
            PayeeRole.FOSTER_HOME: "familjehemmet",
        }[self]


# ---------------------------------------------------------------------------------------------------- events


class PlacementStarted(HouseholdEvent):
    """A member placed by social services from a date (``valid_to``: the planned last day, if known).

    ``pocket_money`` and ``home_payments`` are what the home itself pays the child each month (fickpeng; other
    money such as a clothing allowance); ``flat_persons`` and ``fees_included`` describe a shared training flat.
    """

    TOPIC = TOPIC_PREFIX + "PlacementStarted"
    placement_id: str
    person: str
    kind: str
    valid_from: date
    valid_to: date | None
    unit: str
    home: str
    payee_role: str
    payee_name: str
    pocket_money: Decimal
    home_payments: Decimal
    flat_persons: int | None
    fees_included: Decimal
    note: str


class PlacementEnded(HouseholdEvent):
    """The placement ended; ``ended_on`` is its last day."""

    TOPIC = TOPIC_PREFIX + "PlacementEnded"
    placement_id: str
    ended_on: date
    reason: str


class PlacementPayeeChanged(HouseholdEvent):
    """A new receiver of the money from a date (e.g. a särskilt förordnad vårdnadshavare after a permit, or the
    youth at 18)."""

    TOPIC = TOPIC_PREFIX + "PlacementPayeeChanged"
    placement_id: str
    payee_role: str
    payee_name: str
    valid_from: date


PLACEMENT_EVENTS: Final = (PlacementStarted, PlacementEnded, PlacementPayeeChanged)

# ---------------------------------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Payee:
    role: PayeeRole
    name: str
    valid_from: date

    @property
    def text(self) -> str:
        return f"{self.role.label} {self.name}".strip()


@dataclass(frozen=True, slots=True)
class Placement:
    """One placement of one member, as it now stands."""

    placement_id: str
    person: str
    kind: PlacementKind
    valid_from: date
    valid_to: date | None  # last day (planned or ended)
    unit: str
    home: str
    payees: tuple[Payee, ...]
    pocket_money: Decimal
    home_payments: Decimal
    flat_persons: int | None
    fees_included: Decimal
    note: str
    ended: bool = False
    end_reason: str = ""

    def covers(self, month: Month) -> bool:
        return self.valid_from <= month.last_day and (self.valid_to is None or self.valid_to >= month.first_day)

    def covers_day(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)

    def period_in(self, month: Month) -> tuple[date, date]:
        """The days of ``month`` the placement covers (first, last)."""
        first = max(self.valid_from, month.first_day)
        last = month.last_day if self.valid_to is None else min(self.valid_to, month.last_day)
        return first, last

    def payee_on(self, day: date) -> Payee:
        chosen = self.payees[0]
        for payee in self.payees:
            if payee.valid_from <= day:
                chosen = payee
        return chosen

    def as_dict(self) -> dict[str, object]:
        return {
            "placement_id": self.placement_id,
            "person": self.person,
            "kind": self.kind.value,
            "from": self.valid_from.isoformat(),
            "to": self.valid_to.isoformat() if self.valid_to else None,
            "ended": self.ended,
            "unit": self.unit,
            "home": self.home,
            "payee": self.payees[-1].text,
            "payee_role": self.payees[-1].role.value,
            "pocket_money": f"{self.pocket_money:.2f}",
            "home_payments": f"{self.home_payments:.2f}",
            "flat_persons": self.flat_persons,
            "fees_included": f"{self.fees_included:.2f}",
        }


# ---------------------------------------------------------------------------------------------------- pure rules


def check_payee(kind: PlacementKind, role: PayeeRole, name: str, age: int) -> None:
    """Until 18 the money goes to the god man or the särskilt förordnad vårdnadshavare; from 18 to the youth,
    except in a familjehem, where omkostnad goes to the foster home (routine section 3.4)."""
    if age < ADULT_AGE and role not in (PayeeRole.GOD_MAN, PayeeRole.CUSTODIAN, PayeeRole.FOSTER_HOME):
        raise DomainRuleViolation(
            f"--payee {role.value}: a child under {ADULT_AGE} ({age}) is paid through a god man or a särskilt "
            "förordnad vårdnadshavare (or, in a familjehem, the foster home); routine section 3.4"
        )
    if role is PayeeRole.FOSTER_HOME and kind is not PlacementKind.FAMILJEHEM:
        raise InvalidInput(f"--payee foster_home: only a familjehem placement pays the foster home ({kind.value})")
    if role in (PayeeRole.GOD_MAN, PayeeRole.CUSTODIAN) and not name.strip():
        raise InvalidInput(f"--payee-name: name the {role.label}, who receives the money")


def require_placement_for_minor(members: Sequence[Membership], placements: Sequence[Placement], month: Month) -> None:
    """A household of minors only (a child applying alone) is not given försörjningsstöd at the adult norm: a
    child's needs are met through a placement by social services (Göteborg's routine section 2; föräldrabalken
    6–7 kap.). Raises :class:`DomainRuleViolation` pointing to ``bistand placement start``."""
    day = month.first_day
    if not members or any(age_on(m.birth_date, day) >= ADULT_AGE for m in members):
        return
    if any(p.covers(month) for p in placements if p.person in {m.person for m in members}):
        return
    youngest = min(age_on(m.birth_date, day) for m in members)
    raise DomainRuleViolation(
        f"every member is under {ADULT_AGE} in {month} (youngest {youngest}): a child applying alone gets no "
        "försörjningsstöd at the adult norm; record the placement by social services first "
        "(bistand placement start HOUSEHOLD --person … --kind hvb|hvb_training_flat|familjehem …)"
    )


def _text(value: str, field: str, *, required: bool = False) -> str:
    text = value.strip()
    if required and not text:
        raise InvalidInput(f"{field}: give a text")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"{field}: at most {MAX_TEXT} characters")
    return text


def _amount(value: Decimal, field: str) -> Decimal:
    if value < 0:
        raise InvalidInput(f"{field}: {value} must be 0 or more")
    return value.quantize(Decimal("0.01"))


# ---------------------------------------------------------------------------------------------------- commands


class PlacementMixin(_HouseholdBase):
    """The household's placement commands and mutators (state: ``placements``)."""

    placements: dict[str, Placement]
    memberships: list[Membership]

    # ------------------------------------------------------------------ queries

    def placements_of(self, person: str) -> list[Placement]:
        return sorted((p for p in self.placements.values() if p.person == person), key=lambda p: p.valid_from)

    def placement_in(self, person: str, month: Month) -> Placement | None:
        """The person's placement in force in ``month`` (the latest one that covers it)."""
        found = [p for p in self.placements_of(person) if p.covers(month)]
        return found[-1] if found else None

    def find_placement(self, placement_id: str) -> Placement:
        if placement_id in self.placements:
            return self.placements[placement_id]
        matches = [p for key, p in self.placements.items() if len(placement_id) >= 8 and key.startswith(placement_id)]
        if len(matches) == 1:
            return matches[0]
        raise NotFound(f"no placement {placement_id} in household {self.id}")

    def _placed_member(self, person: str) -> Membership:
        for membership in self.memberships:
            if membership.person == person:
                return membership
        raise UnknownMember(f"the person is not a member of household {self.id}")

    # ------------------------------------------------------------------ commands

    def start_placement(
        self,
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
        pocket_money: Decimal = ZERO,
        home_payments: Decimal = ZERO,
        flat_persons: int | None = None,
        fees_included: Decimal = ZERO,
        note: str = "",
    ) -> str:
        """Record a placement of a member. Returns the placement id."""
        member = self._placed_member(person)
        if valid_to is not None and valid_to < valid_from:
            raise InvalidInput(f"--to: {valid_to} is before --from {valid_from}")
        if member.birth_date > valid_from:
            raise InvalidInput(f"--from: {valid_from} is before the person was born ({member.birth_date})")
        age = age_on(member.birth_date, valid_from)
        if kind is PlacementKind.TRAINING_FLAT_OVER_18 and age < ADULT_AGE:
            raise DomainRuleViolation(
                f"--kind training_flat_over_18: the person is {age} on {valid_from}; a training or reference flat "
                f"where the youth pays everything is for youths over {ADULT_AGE} (routine section 3.3)"
            )
        check_payee(kind, payee_role, payee_name, age)
        if kind is PlacementKind.HVB_TRAINING_FLAT:
            if flat_persons is None or not 1 <= flat_persons <= MAX_FLAT_PERSONS:
                raise InvalidInput(
                    f"--flat-persons: give the number of persons sharing the training flat (1–{MAX_FLAT_PERSONS})"
                )
        elif flat_persons is not None or fees_included:
            raise InvalidInput("--flat-persons and --fees-included are for an hvb_training_flat only")
        for other in self.placements_of(person):
            ends = other.valid_to
            if other.valid_from <= (valid_to or date.max) and (ends is None or ends >= valid_from):
                raise DomainRuleViolation(
                    f"{person} already has a placement from {other.valid_from}"
                    f"{' to ' + ends.isoformat() if ends else ''} ({other.placement_id[:8]}); end it first"
                )
        placement_id = str(uuid4())
        self.trigger_event(
            PlacementStarted,
            actor=actor.as_dict(),
            placement_id=placement_id,
            person=person,
            kind=kind.value,
            valid_from=valid_from,
            valid_to=valid_to,
            unit=_text(unit, "--unit", required=True),
            home=_text(home, "--home"),
            payee_role=payee_role.value,
            payee_name=_text(payee_name, "--payee-name"),
            pocket_money=_amount(pocket_money, "--pocket-money"),
            home_payments=_amount(home_payments, "--home-payments"),
            flat_persons=flat_persons,
            fees_included=_amount(fees_included, "--fees-included"),
            note=_text(note, "--note"),
        )
        return placement_id

    def end_placement(self, *, actor: Actor, placement_id: str, ended_on: date, reason: str) -> str:
        """End a placement on its last day. Returns the placement id."""
        placement = self.find_placement(placement_id)
        if placement.ended:
            raise DomainRuleViolation(f"placement {placement.placement_id} already ended on {placement.valid_to}")
        if ended_on < placement.valid_from:
            raise InvalidInput(f"--on: {ended_on} is before the placement began ({placement.valid_from})")
        self.trigger_event(
            PlacementEnded,
            actor=actor.as_dict(),
            placement_id=placement.placement_id,
            ended_on=ended_on,
            reason=_text(reason, "--reason", required=True),
        )
        return placement.placement_id

    def change_placement_payee(
        self, *, actor: Actor, placement_id: str, payee_role: PayeeRole, payee_name: str, valid_from: date
    ) -> str:
        """A new receiver of the money from a date. Returns the placement id."""
        placement = self.find_placement(placement_id)
        if not placement.covers_day(valid_from):
            raise InvalidInput(f"--from: {valid_from} is outside the placement ({placement.valid_from} – …)")
        member = self._placed_member(placement.person)
        check_payee(placement.kind, payee_role, payee_name, age_on(member.birth_date, valid_from))
        current = placement.payee_on(valid_from)
        if (current.role, current.name) == (payee_role, payee_name.strip()):
            raise DomainRuleViolation(f"the payee is already {current.text}")
        self.trigger_event(
            PlacementPayeeChanged,
            actor=actor.as_dict(),
            placement_id=placement.placement_id,
            payee_role=payee_role.value,
            payee_name=_text(payee_name, "--payee-name"),
            valid_from=valid_from,
        )
        return placement.placement_id

    # ------------------------------------------------------------------ mutators (only assign)

    def _on_placement_started(self, e: PlacementStarted) -> None:
        self.placements[e.placement_id] = Placement(
            placement_id=e.placement_id,
            person=e.person,
            kind=PlacementKind(e.kind),
            valid_from=e.valid_from,
            valid_to=e.valid_to,
            unit=e.unit,
            home=e.home,
            payees=(Payee(PayeeRole(e.payee_role), e.payee_name, e.valid_from),),
            pocket_money=Decimal(e.pocket_money),
            home_payments=Decimal(e.home_payments),
            flat_persons=e.flat_persons,
            fees_included=Decimal(e.fees_included),
            note=e.note,
        )

    def _on_placement_ended(self, e: PlacementEnded) -> None:
        old = self.placements[e.placement_id]
        self.placements[e.placement_id] = replace(old, valid_to=e.ended_on, ended=True, end_reason=e.reason)

    def _on_placement_payee_changed(self, e: PlacementPayeeChanged) -> None:
        old = self.placements[e.placement_id]
        payee = Payee(PayeeRole(e.payee_role), e.payee_name, e.valid_from)
        payees = tuple(sorted([*old.payees, payee], key=lambda p: p.valid_from))
        self.placements[e.placement_id] = replace(old, payees=payees)
