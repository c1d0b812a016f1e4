"""The case: the input of ``bistand reimburse check``, validated with pydantic at the edge.

Use :func:`parse_case` for untrusted input: every problem becomes one :class:`InvalidCase` line naming the
field, e.g. ``costs[1].month: '2025-13' is not a month; the month must be 01–12``. Checks that need the
compensation types (a known type, a claim's period kind) are made by the engine, with the same field names.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from bistand_es.domain.money import Money
from bistand_es.domain.reimbursement.errors import InvalidCase
from bistand_es.domain.reimbursement.periods import Period
from bistand_es.domain.rules.situation import (
    Amount,
    DateField,
    Identifier,
    MonthField,
    describe_validation_error,
)

PeriodField = Annotated[Period, BeforeValidator(Period.parse)]
TypeName = Annotated[str, Field(min_length=1, max_length=100)]
Note = Annotated[str, Field(max_length=1000)]


class MigrationStatus(StrEnum):
    """A person's migration status (each from a date, in force until the next)."""

    ASYLUM_SEEKER = "asylum_seeker"
    PERMIT_APPLICANT = "permit_applicant"
    RESIDENCE_PERMIT = "residence_permit"
    CITIZEN = "citizen"


class Reception(StrEnum):
    ANVISAD = "anvisad"
    EGENBOSATT = "egenbosatt"


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, arbitrary_types_allowed=True, strict=False, populate_by_name=True
    )


class StatusSpan(_Model):
    status: MigrationStatus
    from_: DateField = Field(alias="from")


class Person(_Model):
    id: Identifier
    birth_date: DateField | None = None
    statuses: list[StatusSpan] = Field(default_factory=list)
    received_on: DateField | None = None  # first reception (mottagande) in a municipality
    reception: Reception | None = None

    def status_on(self, day: date) -> StatusSpan | None:
        """The status in force on ``day`` (the last one from that day or earlier), or None."""
        found: StatusSpan | None = None
        for span in self.statuses:
            if span.from_ > day:
                break
            found = span
        return found


class Cost(_Model):
    """What the municipality paid for a person in a month, tagged by compensation type."""

    person: Identifier
    month: MonthField
    type: TypeName
    amount: Amount
    fees: Amount = Field(default_factory=Money.zero)  # avgifter charged (deducted by the 75 % rule)
    care_began_on: DateField | None = None  # asylum.child_care: the 18–20 extension
    evidence: Note | None = None
    note: Note | None = None


class Claim(_Model):
    """A claim already filed with Migrationsverket: covers the listed persons' costs of the type in the period."""

    type: TypeName
    period: PeriodField
    persons: Annotated[list[Identifier], Field(min_length=1)]
    amount: Amount | None = None
    filed_on: DateField
    reference: Note | None = None


class ReimbursementCase(_Model):
    """The whole input of a check."""

    as_of: DateField
    persons: list[Person] = Field(default_factory=list)
    costs: list[Cost] = Field(default_factory=list)
    claims: list[Claim] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> ReimbursementCase:
        check_references(self)
        return self


def check_references(case: ReimbursementCase) -> None:
    """Cross-field rules that need no compensation type; raises ``ValueError`` starting with the field path."""
    ids: dict[str, int] = {}
    for index, person in enumerate(case.persons):
        if person.id in ids:
            raise ValueError(f"persons[{index}].id: {person.id!r} is used twice")
        ids[person.id] = index
        for position in range(1, len(person.statuses)):
            before, this = person.statuses[position - 1].from_, person.statuses[position].from_
            if this <= before:
                raise ValueError(
                    f"persons[{index}].statuses[{position}].from: {this.isoformat()} must come after "
                    f"{before.isoformat()} (list the statuses in date order, one per date)"
                )
    known = ", ".join(ids) or "none"
    for index, cost in enumerate(case.costs):
        if cost.person not in ids:
            raise ValueError(f"costs[{index}].person: {cost.person!r} is not one of the persons ({known})")
        if cost.fees > cost.amount:
            raise ValueError(f"costs[{index}].fees: {cost.fees} is more than the cost {cost.amount}")
    for index, claim in enumerate(case.claims):
        for position, name in enumerate(claim.persons):
            if name not in ids:
                raise ValueError(f"claims[{index}].persons[{position}]: {name!r} is not one of the persons ({known})")
        if claim.filed_on <= claim.period.last_day:
            raise ValueError(
                f"claims[{index}].filed_on: {claim.filed_on.isoformat()} is before the period {claim.period} "
                f"has ended ({claim.period.last_day.isoformat()} is its last day); a claim is filed afterwards"
            )
        if claim.filed_on > case.as_of:
            raise ValueError(
                f"claims[{index}].filed_on: {claim.filed_on.isoformat()} is after as_of {case.as_of.isoformat()}; "
                "only claims already filed on that day can be counted"
            )


def parse_case(data: object) -> ReimbursementCase:
    """Validate untrusted input (parsed JSON or YAML) into a :class:`ReimbursementCase`."""
    if not isinstance(data, Mapping):
        raise InvalidCase("case: expected a mapping with as_of, persons, costs, claims")
    try:
        return ReimbursementCase.model_validate(dict(data))
    except ValidationError as error:
        raise InvalidCase(describe_validation_error(error)) from None
