"""Stays at an institution (vistelse vid HVB eller i rättspsykiatrisk vård), as household events.

A member who stays at an HVB (hem för vård eller boende) or in forensic psychiatric care still belongs to the
household; a profile with the fickpeng rule (Forshaga's guideline 2014, p. 10) replaces the member's personal
norm for the days of the stay by fickpeng per day (:mod:`bistand_es.domain.rules.local_norm`). This module
records the facts the decision needs:

- **Events** (stored schema, like :mod:`.events`): ``InstitutionStayStarted`` (person, kind, first day,
  planned last day, source), ``InstitutionStayEnded`` (last day, reason).
- **Commands** (:class:`StayMixin`, inherited by ``Household``): validate, then ``trigger_event``; the mutators
  ``_on_*`` only assign (docs/adr/0005-decide-then-record.md).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Final
from uuid import uuid4

from bistand_es.domain.errors import DomainRuleViolation, InvalidInput, NotFound, UnknownMember
from bistand_es.domain.household.events import TOPIC_PREFIX, HouseholdEvent
from bistand_es.domain.month import Month
from bistand_es.domain.records import Actor, Membership

if TYPE_CHECKING:  # pragma: no cover - the mixin is only ever used through Household
    from eventsourcing.domain import Aggregate as _HouseholdBase
else:
    _HouseholdBase = object

MAX_TEXT: Final = 500


class StayKind(StrEnum):
    """Where the member stays (the kinds the fickpeng rule names)."""

    HVB = "hvb"
    FORENSIC_PSYCHIATRIC_CARE = "forensic_psychiatric_care"


# ---------------------------------------------------------------------------------------------------- events


class InstitutionStayStarted(HouseholdEvent):
    """A member stays at an institution from ``valid_from`` (``valid_to``: the planned last day, if known)."""

    TOPIC = TOPIC_PREFIX + "InstitutionStayStarted"
    stay_id: str
    person: str
    kind: str
    valid_from: date
    valid_to: date | None
    source: str


class InstitutionStayEnded(HouseholdEvent):
    """The stay ended; ``ended_on`` is its last day."""

    TOPIC = TOPIC_PREFIX + "InstitutionStayEnded"
    stay_id: str
    ended_on: date
    reason: str


STAY_EVENTS: Final = (InstitutionStayStarted, InstitutionStayEnded)

# ---------------------------------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class InstitutionStay:
    """One stay of one member, as it now stands."""

    stay_id: str
    person: str
    kind: StayKind
    valid_from: date
    valid_to: date | None  # last day (planned or ended)
    source: str
    ended: bool = False
    end_reason: str = ""

    def covers(self, month: Month) -> bool:
        return self.valid_from <= month.last_day and (self.valid_to is None or self.valid_to >= month.first_day)

    def overlaps(self, first: date, last: date | None) -> bool:
        return self.valid_from <= (last or date.max) and (self.valid_to is None or self.valid_to >= first)

    def situation_row(self) -> dict[str, str]:
        """The member's ``institution`` field of the calculation's situation."""
        row = {"kind": self.kind.value, "from": self.valid_from.isoformat()}
        if self.valid_to is not None:
            row["to"] = self.valid_to.isoformat()
        return row


def _text(value: str, field: str, *, required: bool = False) -> str:
    text = value.strip()
    if required and not text:
        raise InvalidInput(f"{field}: give a text")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"{field}: at most {MAX_TEXT} characters")
    return text


# ---------------------------------------------------------------------------------------------------- commands


class StayMixin(_HouseholdBase):
    """The household's institution-stay commands and mutators (state: ``stays``)."""

    stays: dict[str, InstitutionStay]
    memberships: list[Membership]

    # ------------------------------------------------------------------ queries

    def stays_of(self, person: str) -> list[InstitutionStay]:
        return sorted((s for s in self.stays.values() if s.person == person), key=lambda s: s.valid_from)

    def stays_in(self, person: str, month: Month) -> list[InstitutionStay]:
        """The person's stays that cover any day of ``month``."""
        return [s for s in self.stays_of(person) if s.covers(month)]

    def _open_stay(self, person: str) -> InstitutionStay:
        open_stays = [s for s in self.stays_of(person) if not s.ended]
        if not open_stays:
            raise NotFound(f"{person} has no institution stay that has not ended in household {self.id}")
        return open_stays[-1]

    # ------------------------------------------------------------------ commands

    def start_stay(
        self, *, actor: Actor, person: str, kind: StayKind, valid_from: date, valid_to: date | None, source: str
    ) -> str:
        """Record that a member stays at an institution. Returns the stay id."""
        member = next((m for m in self.memberships if m.person == person), None)
        if member is None:
            raise UnknownMember(f"the person is not a member of household {self.id}")
        if valid_to is not None and valid_to < valid_from:
            raise InvalidInput(f"--to: {valid_to} is before --from {valid_from}")
        if member.birth_date > valid_from:
            raise InvalidInput(f"--from: {valid_from} is before the person was born ({member.birth_date})")
        for other in self.stays_of(person):
            if other.overlaps(valid_from, valid_to):
                ends = other.valid_to
                raise DomainRuleViolation(
                    f"{person} already stays at an institution from {other.valid_from}"
                    f"{' to ' + ends.isoformat() if ends else ''}; end that stay first (bistand household stay-end)"
                )
        stay_id = str(uuid4())
        self.trigger_event(
            InstitutionStayStarted,
            actor=actor.as_dict(),
            stay_id=stay_id,
            person=person,
            kind=kind.value,
            valid_from=valid_from,
            valid_to=valid_to,
            source=_text(source, "--source"),
        )
        return stay_id

    def end_stay(self, *, actor: Actor, person: str, ended_on: date, reason: str) -> str:
        """End the member's current stay on its last day. Returns the stay id."""
        stay = self._open_stay(person)
        if ended_on < stay.valid_from:
            raise InvalidInput(f"--on: {ended_on} is before the stay began ({stay.valid_from})")
        others = [
            s for s in self.stays_of(person) if s.stay_id != stay.stay_id and s.overlaps(stay.valid_from, ended_on)
        ]
        if others:  # a planned last day moved later must not run into the next stay
            raise DomainRuleViolation(f"--on: the stay would overlap the stay from {others[0].valid_from}")
        self.trigger_event(
            InstitutionStayEnded,
            actor=actor.as_dict(),
            stay_id=stay.stay_id,
            ended_on=ended_on,
            reason=_text(reason, "--reason"),
        )
        return stay.stay_id

    # ------------------------------------------------------------------ mutators (only assign)

    def _on_stay_started(self, e: InstitutionStayStarted) -> None:
        self.stays[e.stay_id] = InstitutionStay(
            stay_id=e.stay_id,
            person=e.person,
            kind=StayKind(e.kind),
            valid_from=e.valid_from,
            valid_to=e.valid_to,
            source=e.source,
        )

    def _on_stay_ended(self, e: InstitutionStayEnded) -> None:
        old = self.stays[e.stay_id]
        self.stays[e.stay_id] = replace(old, valid_to=e.ended_on, ended=True, end_reason=e.reason)
