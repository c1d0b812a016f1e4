"""The data model of dated rule parameters (no I/O here).

A *parameter* (e.g. ``riksnorm.personal.sambor``) is a list of dated *entries*; an entry is in force from
its effective date until the next entry. An entry whose value is ``None`` is a *gap*: nothing is in force
(a figure that is NOT FOUND, or a rule that ended).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TypeAlias

from bistand_es.domain.money import Money
from bistand_es.domain.rules.errors import ParameterTypeError


class Confidence(StrEnum):
    """How sure the project is of a figure (see docs/rules.md, confidence table)."""

    HIGH = "HIGH"
    MEDIUM = "MEDIUM"
    LOW = "LOW"
    DERIVED = "DERIVED"


class ValueType(StrEnum):
    """The shape of a parameter's value, declared by ``type:`` in its file."""

    MONEY = "money"  # kronor: an int or a quoted string, at most two decimals
    DECIMAL = "decimal"  # an exact number such as a rate "0.25"
    INTEGER = "integer"  # a count such as 6 months
    TEXT = "text"
    MONEY_TABLE = "money_table"  # {key: kronor}
    TEXT_TABLE = "text_table"  # {key: text}
    PROFILE = "profile"  # {setting: int | text | bool}, a municipal profile


ProfileSetting: TypeAlias = int | str | bool
Value: TypeAlias = Money | Decimal | int | str | Mapping[str, Money] | Mapping[str, str] | Mapping[str, ProfileSetting]


@dataclass(frozen=True, slots=True)
class Source:
    """Where a value comes from: a title and a reference (SFS number, page, address)."""

    title: str
    reference: str
    address: str | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """One dated entry of a parameter as written in a file; ``value is None`` ends the rule (a gap)."""

    effective: str  # "YYYY-MM-DD", as written
    day: date
    value: Value | None
    value_type: ValueType
    source: Source | None
    confidence: Confidence | None
    published: str | None
    note: str | None
    file: str


@dataclass(frozen=True, slots=True)
class ParameterValue:
    """The value of a parameter in force on a day, with its provenance."""

    param_id: str
    effective: str
    value: Value
    value_type: ValueType
    source: Source
    confidence: Confidence
    published: str | None
    note: str | None
    file: str

    @property
    def ref(self) -> str:
        """``id@effective-date``, the version named in calculation lines and decisions."""
        return f"{self.param_id}@{self.effective}"

    @property
    def is_high(self) -> bool:
        return self.confidence is Confidence.HIGH

    def _wrong(self, wanted: str) -> ParameterTypeError:
        return ParameterTypeError(
            f"{self.file}: {self.param_id} at {self.effective}: the engine needs {wanted}, "
            f"the file declares type {self.value_type.value}"
        )

    def money(self) -> Money:
        if isinstance(self.value, Money):
            return self.value
        raise self._wrong("an amount (type money)")

    def decimal(self) -> Decimal:
        if isinstance(self.value, Decimal):
            return self.value
        raise self._wrong("a number (type decimal)")

    def integer(self) -> int:
        if isinstance(self.value, int) and not isinstance(self.value, bool):
            return self.value
        raise self._wrong("a whole number (type integer)")

    def text(self) -> str:
        if isinstance(self.value, str):
            return self.value
        raise self._wrong("a text (type text)")

    def money_at(self, key: str) -> Money:
        if self.value_type is not ValueType.MONEY_TABLE or not isinstance(self.value, Mapping):
            raise self._wrong("a table of amounts (type money_table)")
        found = self.value.get(key)
        if not isinstance(found, Money):
            raise ParameterTypeError(f"{self.file}: {self.param_id} at {self.effective} has no amount for key {key!r}")
        return found

    def text_at(self, key: str) -> str:
        if self.value_type is not ValueType.TEXT_TABLE or not isinstance(self.value, Mapping):
            raise self._wrong("a table of texts (type text_table)")
        found = self.value.get(key)
        if not isinstance(found, str):
            raise ParameterTypeError(f"{self.file}: {self.param_id} at {self.effective} has no text for {key!r}")
        return found

    def settings(self) -> Mapping[str, ProfileSetting]:
        if self.value_type is not ValueType.PROFILE or not isinstance(self.value, Mapping):
            raise self._wrong("a profile (type profile)")
        return {str(k): v for k, v in self.value.items() if isinstance(v, int | str | bool)}


@dataclass(frozen=True, slots=True)
class Parameter:
    """A parameter with all its entries, sorted by date (merged from the package and any override)."""

    param_id: str
    value_type: ValueType
    description: str
    unit: str | None
    entries: tuple[Entry, ...]
    files: tuple[str, ...]
    days: tuple[date, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "days", tuple(entry.day for entry in self.entries))
