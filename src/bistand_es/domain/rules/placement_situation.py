"""The input of the placement allowance (a placed child's month), validated with pydantic.

Like the calc contract's situation (:mod:`.situation`) it is plain data: the application builds it from the
household's events and stores it with the decision, so an auditor can recompute the month. Use
:func:`parse_placement_situation` for untrusted input; every problem is one line naming the field.

```yaml
engine: placement            # marks a placed child's situation (a decision's stored situation says which engine)
month: "2023-03"
profile: goteborg
child: {id: c, birth_date: "2007-05-01", in_school: true}
placement:
  kind: hvb                  # hvb | hvb_training_flat | training_flat_over_18 | familjehem
  from: "2022-11-01"
  to: null                   # the placement's last day, if it ends
  asylum_seeking: true       # LMA dagersättning is deducted per day at an HVB
  pocket_money: "400"        # what the home pays the child a month (fickpeng)
  home_payments: "0"         # other money the home pays a month (e.g. klädbidrag)
  flat_persons: 3            # hvb_training_flat: persons sharing the flat
  fees_included: "173"       # hvb_training_flat: fees included in the housing (e.g. TV-avgift), a month
  care_extra: "0"            # familjehem: tillägg to the omkostnad for the child's needs
  payee: "god man Anna Berg" # who receives the money (routine section 3.4)
incomes:                     # received by the child in the month calculated (and earlier wages of the year)
  - {kind: child_allowance, month: "2023-03", amount: "1250"}
```
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Final, Literal

from pydantic import Field, ValidationError, model_validator

from bistand_es.domain.rules.errors import InvalidSituation
from bistand_es.domain.rules.situation import (
    Amount,
    DateField,
    Identifier,
    MonthField,
    _Model,
    describe_validation_error,
)

ENGINE: Final = "placement"
MAX_FLAT_PERSONS: Final = 7
#: Feriearbete is summer work: June–August.
SUMMER_WORK_MONTHS: Final = frozenset({6, 7, 8})


class PlacementKind(StrEnum):
    """The form of placement (Göteborg's routine sections 3.1–3.3 and 4)."""

    HVB = "hvb"  # hem för vård eller boende, food included
    HVB_TRAINING_FLAT = "hvb_training_flat"  # HVB träningsboende: the youth buys food, shares a flat
    TRAINING_FLAT_OVER_18 = "training_flat_over_18"  # träningsboende/referensboende, the youth pays everything
    FAMILJEHEM = "familjehem"  # foster home, including a network placement with relatives

    @property
    def label(self) -> str:
        return {
            PlacementKind.HVB: "HVB (hem för vård eller boende)",
            PlacementKind.HVB_TRAINING_FLAT: "HVB träningsboende (egen mat, delad lägenhet)",
            PlacementKind.TRAINING_FLAT_OVER_18: "träningsboende/referensboende (över 18 år)",
            PlacementKind.FAMILJEHEM: "familjehem (även nätverksplacering)",
        }[self]


class PlacementIncomeKind(StrEnum):
    """What a placed child may receive, and the engine's treatment (domain/rules/placement.py)."""

    CHILD_ALLOWANCE = "child_allowance"  # barnbidrag: deducted
    STUDY_GRANT = "study_grant"  # studiebidrag (CSN): deducted
    CSN_EXTRA_ALLOWANCE = "csn_extra_allowance"  # CSN extra tillägg: not deducted (RÅ 1990 ref 7, RÅ 1996 ref 12)
    EMPLOYMENT = "employment"  # wages: deducted only above one prisbasbelopp a year
    SUMMER_WORK = "summer_work"  # four weeks of feriearbete: not deducted
    SPECIAL_GRANT = "special_grant"  # Migrationsverket's särskilda bidrag: deducted
    LMA_DAILY_ALLOWANCE = "lma_daily_allowance"  # reported LMA: deducted, unless computed from the days
    OTHER = "other"  # other money received: deducted


class PlacedChild(_Model):
    id: Identifier
    birth_date: DateField
    in_school: bool | None = None  # default: true (a placed youth in school, the routine's case)


class PlacementFacts(_Model):
    kind: PlacementKind
    from_: DateField = Field(alias="from")
    to: DateField | None = None
    asylum_seeking: bool = False
    pocket_money: Amount | None = None
    home_payments: Amount | None = None
    flat_persons: Annotated[int, Field(ge=1, le=MAX_FLAT_PERSONS)] | None = None
    fees_included: Amount | None = None
    care_extra: Amount | None = None
    payee: Annotated[str, Field(max_length=300)] = ""

    @model_validator(mode="after")
    def _dates(self) -> PlacementFacts:
        if self.to is not None and self.to < self.from_:
            raise ValueError(f"to: {self.to.isoformat()} is before from {self.from_.isoformat()}")
        if self.kind is PlacementKind.HVB_TRAINING_FLAT and self.flat_persons is None:
            raise ValueError("flat_persons: an hvb_training_flat needs the number of persons sharing the flat")
        return self


class PlacementIncome(_Model):
    kind: PlacementIncomeKind
    month: MonthField
    amount: Amount
    note: str | None = None


class PlacementSituation(_Model):
    """A placed child's month (the placement allowance's input)."""

    engine: Literal["placement"] = ENGINE
    month: MonthField
    profile: Identifier = "goteborg"
    decided_on: DateField | None = None
    child: PlacedChild
    placement: PlacementFacts
    incomes: list[PlacementIncome] = Field(default_factory=list)
    #: The profile as recorded with a decision: a recomputation uses exactly this (domain/rules/profiles.py).
    profile_data: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> PlacementSituation:
        if self.child.birth_date > self.month.last_day:
            raise ValueError(f"child.birth_date: {self.child.birth_date.isoformat()} is after the month {self.month}")
        for index, income in enumerate(self.incomes):
            if income.month > self.month:
                raise ValueError(f"incomes[{index}].month: {income.month} is after the month calculated {self.month}")
            if income.kind is PlacementIncomeKind.SUMMER_WORK and income.month.month not in SUMMER_WORK_MONTHS:
                raise ValueError(
                    f"incomes[{index}].kind: summer_work (feriearbete) is work in June–August, not {income.month}; "
                    "enter other wages as employment"
                )
        return self

    @property
    def citation_day(self) -> date:
        return self.decided_on or self.month.first_day


def is_placement_situation(data: object) -> bool:
    """Whether a stored situation is a placed child's (the decision then recomputes with the placement engine)."""
    return isinstance(data, Mapping) and data.get("engine") == ENGINE


def parse_placement_situation(data: object) -> PlacementSituation:
    if not isinstance(data, Mapping):
        raise InvalidSituation("situation: expected a mapping with month, child, placement, incomes")
    try:
        return PlacementSituation.model_validate(dict(data))
    except ValidationError as error:
        raise InvalidSituation(describe_validation_error(error)) from None
