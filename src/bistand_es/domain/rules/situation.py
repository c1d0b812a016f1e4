"""The situation: the input of a calculation (the `bistand calc` contract, docs/rules.md), validated with pydantic.

Use :func:`parse_situation` for untrusted input: every problem becomes one :class:`InvalidSituation` line that
names the field, e.g. ``household.members[2].birth_date: '2021-13-01' is not a date (YYYY-MM-DD)``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from typing import Annotated, Any, Final, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from bistand_es.domain.errors import InvalidMoney, InvalidMonth
from bistand_es.domain.money import Money
from bistand_es.domain.month import Month
from bistand_es.domain.rules.errors import InvalidSituation
from bistand_es.domain.vocabulary import CostKind, IncomeKind, MemberRole

_MONTH_TEXT: Final = re.compile(r"^\d{4}-\d{2}$")
_DATE_TEXT: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MAX_SHARED: Final = 50


def _to_month(value: object) -> Month:
    if isinstance(value, Month):
        return value
    if isinstance(value, str):
        return _month_text(value)
    raise ValueError(f'{value!r} is not a month; write it as "YYYY-MM", e.g. "2021-03"')


@lru_cache(maxsize=4096)
def _month_text(value: str) -> Month:
    if not isinstance(value, str) or not _MONTH_TEXT.match(value.strip()):
        raise ValueError(f'{value!r} is not a month; write it as "YYYY-MM", e.g. "2021-03"')
    try:
        return Month.parse(value)
    except InvalidMonth:
        raise ValueError(f"{value!r} is not a month; the month must be 01–12") from None


def _to_date(value: object) -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DATE_TEXT.match(value.strip()):
        raise ValueError(f'{value!r} is not a date; write it as "YYYY-MM-DD"')
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a calendar date") from None


def _to_amount(value: object) -> Money:
    if isinstance(value, str | int) and not isinstance(value, bool):
        return _amount_cached(value)
    return _amount(value)


@lru_cache(maxsize=4096)
def _amount_cached(value: str | int) -> Money:
    return _amount(value)


def _amount(value: object) -> Money:
    if isinstance(value, Money):
        money = value
    else:
        try:
            money = Money.of(value, field="amount")
        except InvalidMoney as error:
            raise ValueError(str(error).removeprefix("amount: ")) from None
    if money.amount < 0:
        raise ValueError(f"{money} is negative; amounts must be 0 or more")
    return money


MonthField = Annotated[Month, BeforeValidator(_to_month)]
DateField = Annotated[date, BeforeValidator(_to_date)]
Amount = Annotated[Money, BeforeValidator(_to_amount)]
Identifier = Annotated[str, Field(min_length=1, max_length=100)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True, strict=False)


class InstitutionStay(_Model):
    """Where and when a member stays at an institution (vistelse vid HVB / i rättspsykiatrisk vård)."""

    kind: Literal["hvb", "forensic_psychiatric_care"]
    from_: DateField = Field(alias="from")
    to: DateField | None = None  # None: still there

    model_config = ConfigDict(
        extra="forbid", frozen=True, arbitrary_types_allowed=True, strict=False, populate_by_name=True
    )

    def days_in(self, first: date, last: date) -> int:
        """Calendar days of the stay between ``first`` and ``last`` (both inclusive)."""
        start = max(first, self.from_)
        end = last if self.to is None else min(last, self.to)
        return max(0, (end - start).days + 1)


class Member(_Model):
    """A person in the application (sökande, medsökande, barn, annan vuxen)."""

    id: Identifier
    role: MemberRole
    birth_date: DateField
    in_school: bool | None = None  # default: true under 19, false from 19
    lunch_at_preschool: bool = False  # "ej lunch 5 dagar/vecka" variant for children 0–6
    #: A stay at an HVB or in (forensic) psychiatric institutional care: under a profile with the pocket-money
    #: rule the member's personal costs for those days are replaced by fickpeng per day.
    institution: InstitutionStay | None = None


class Household(_Model):
    cohabiting: bool = False
    shares_home_with: Annotated[int, Field(ge=0, le=_MAX_SHARED)] = 0
    members: Annotated[list[Member], Field(min_length=1)]


class Cost(_Model):
    """An approved reasonable cost outside the norm (skälig kostnad) for the month."""

    kind: CostKind
    amount: Amount
    note: str | None = None


class Income(_Model):
    """A net income received by a member in a month."""

    member: Identifier
    kind: IncomeKind
    month: MonthField
    amount: Amount
    note: str | None = None


class ApplicationDates(_Model):
    """The application's dates, for a profile with the application timing rule (Forshaga)."""

    first_time: bool = False  # nybesök (true) or a renewal
    received_on: DateField | None = None
    complete_on: DateField | None = None  # a renewal complete after the profile's day: the norm from this day
    contact_on: DateField | None = None  # nybesök: the norm from the day of first contact
    retroactive_reason: str | None = None  # why a month already passed is applied for


class SurplusConsidered(_Model):
    """How much of the normöverskott of earlier months the caseworker counts against this month (nybesök)."""

    amount: Amount
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class Situation(_Model):
    """The situation of a household for one month (the ``bistand calc`` input)."""

    month: MonthField
    profile: Identifier | None = None
    #: The decision date: the legal citations are those in force that day (default: the month's first day).
    decided_on: DateField | None = None
    household: Household
    costs: list[Cost] = Field(default_factory=list)
    incomes: list[Income] = Field(default_factory=list)
    support_history: dict[Identifier, list[MonthField]] = Field(default_factory=dict)
    application: ApplicationDates | None = None
    surplus_considered: SurplusConsidered | None = None
    #: The profile as recorded with a decision (name, version, settings, local parameters): a recomputation
    #: uses exactly this, not today's profile files (domain/rules/profiles.py).
    profile_data: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Situation:
        check_consistency(self)
        return self

    @property
    def citation_day(self) -> date:
        """The day whose legal citations apply: the decision date, else the first day of the month."""
        return self.decided_on or self.month.first_day


def check_consistency(situation: Situation) -> None:
    """Cross-field rules; raises ``ValueError`` whose text starts with the field path."""
    members = situation.household.members
    seen: dict[str, int] = {}
    for index, member in enumerate(members):
        if member.id in seen:
            raise ValueError(f"household.members[{index}].id: {member.id!r} is used twice")
        seen[member.id] = index
        if member.birth_date > situation.month.last_day:
            raise ValueError(
                f"household.members[{index}].birth_date: {member.birth_date.isoformat()} is after the month "
                f"calculated ({situation.month})"
            )
    roles = [m.role.value for m in members]
    if roles.count("applicant") != 1:
        raise ValueError(
            f"household.members: exactly one member must have role applicant (found {roles.count('applicant')})"
        )
    if roles.count(MemberRole.CO_APPLICANT) > 1:
        raise ValueError("household.members: at most one member may have role co_applicant")
    has_co = MemberRole.CO_APPLICANT in roles
    if situation.household.cohabiting and not has_co:
        raise ValueError("household.cohabiting: true needs a member with role co_applicant (the sambo/make)")
    if has_co and not situation.household.cohabiting:
        raise ValueError(
            "household.cohabiting: a co_applicant is the applicant's sambo/make; set cohabiting: true "
            "(another adult in the home has role adult)"
        )
    for index, income in enumerate(situation.incomes):
        if income.member not in seen:
            raise ValueError(f"incomes[{index}].member: {income.member!r} is not a member of the household")
    for key in situation.support_history:
        if key not in seen:
            raise ValueError(f"support_history.{key}: {key!r} is not a member of the household")


def _location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + part
    return text


def describe_validation_error(error: ValidationError) -> str:
    """One line naming the field and the problem: ``household.members[2].birth_date: …``."""
    problems = error.errors(include_url=False)
    if not problems:
        return "invalid situation"
    first = problems[0]
    message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
    where = _location(tuple(first.get("loc", ())))
    if first.get("type") == "missing":
        message = "missing (required)"
    elif first.get("type") == "extra_forbidden":
        message = "unknown field"
    text = f"{where}: {message}" if where else message
    if len(problems) > 1:
        text += f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})"
    return text


def parse_situation(data: object) -> Situation:
    """Validate untrusted input (parsed JSON or YAML) into a :class:`Situation`."""
    if not isinstance(data, Mapping):
        raise InvalidSituation("situation: expected a mapping with month, household, costs, incomes")
    try:
        return Situation.model_validate(dict(data))
    except ValidationError as error:
        raise InvalidSituation(describe_validation_error(error)) from None
