"""Pydantic models that validate every CLI input at the edge, turning text into domain values.

A validation failure becomes one readable line naming the field (``InvalidInput``), never a traceback.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, field_validator

from bistand_es.cli.guard import MAX_TEXT_LENGTH, check_text
from bistand_es.domain.errors import BistandError, InvalidInput
from bistand_es.domain.money import Money
from bistand_es.domain.month import Month
from bistand_es.domain.vocabulary import CostKind, IncomeKind, IncomeSource, MemberRole, parse_choice


def _month(value: object) -> Month:
    return Month.parse(value)


def _amount(value: object) -> Decimal:
    return Money.of(value).require_non_negative().amount


def _date(value: object) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInput(f"{value!r} is not a date; write it as YYYY-MM-DD") from None


def _free_text(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{value!r} is not text")
    return check_text(value, "text", limit=MAX_TEXT_LENGTH)


MonthField = Annotated[Month, BeforeValidator(_month)]
FreeText = Annotated[str, BeforeValidator(_free_text)]
"""Free text a caseworker types (a reason, a note): UTF-8, at most 1 000 characters."""
AmountField = Annotated[Decimal, BeforeValidator(_amount)]
DateField = Annotated[date, BeforeValidator(_date)]


class _Input(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)


class MemberInput(_Input):
    person: str
    role: MemberRole
    birth_date: DateField
    in_school: bool | None = None
    effective_on: DateField

    @field_validator("role", mode="before")
    @classmethod
    def _role(cls, value: object) -> MemberRole:
        return parse_choice(MemberRole, value, "role")


class CostLine(_Input):
    kind: CostKind
    amount: AmountField
    note: FreeText = ""

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: object) -> CostKind:
        return parse_choice(CostKind, value, "cost kind")

    def as_event_line(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "amount": self.amount, "note": self.note}


class ApplicationInput(_Input):
    month: MonthField
    received_on: DateField
    complete_on: DateField | None = None
    costs: list[CostLine]
    first_time: bool | None = None


class IncomeInput(_Input):
    member: str
    kind: IncomeKind
    month: MonthField
    amount: AmountField
    source: IncomeSource

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: object) -> IncomeKind:
        return parse_choice(IncomeKind, value, "income kind")

    @field_validator("source", mode="before")
    @classmethod
    def _source(cls, value: object) -> IncomeSource:
        return parse_choice(IncomeSource, value, "source")


class IncomeCorrectionInput(_Input):
    income_id: str
    reason: FreeText
    amount: AmountField | None = None
    kind: IncomeKind | None = None
    month: MonthField | None = None

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: object) -> IncomeKind | None:
        return None if value is None else parse_choice(IncomeKind, value, "income kind")

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        if not value.strip():
            raise InvalidInput("reason: a correction needs a reason")
        return value.strip()


M = TypeVar("M", bound=BaseModel)


def validate(model: type[M], **data: Any) -> M:
    """Build a model, turning a pydantic error into one readable ``InvalidInput`` line."""
    try:
        return model(**data)
    except ValidationError as error:
        raise InvalidInput(one_line(error)) from None


def one_line(error: ValidationError) -> str:
    first = error.errors()[0]
    location = ".".join(str(part) for part in first["loc"])
    cause = first.get("ctx", {}).get("error")
    message = str(cause) if isinstance(cause, BistandError) else first["msg"]
    extra = len(error.errors()) - 1
    suffix = f" (and {extra} more problem{'s' if extra > 1 else ''})" if extra else ""
    return f"{location}: {message}{suffix}" if location and location not in message else f"{message}{suffix}"
