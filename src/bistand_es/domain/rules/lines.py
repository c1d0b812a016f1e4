"""Calculation lines, the trace of parameters used, and the calculation result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bistand_es.domain.money import Money, money_sum
from bistand_es.domain.month import Month
from bistand_es.domain.rules.model import ParameterValue


@dataclass(frozen=True, slots=True)
class Line:
    """One amount of the calculation, with the rule, legal reference and parameter that produced it."""

    kind: str  # norm.personal, norm.common, cost.rent, income.counted, income.disregarded.jobbstimulans, …
    member: str | None
    amount: Money
    rule: str
    reference: str
    parameter: str | None  # "id@effective-date"
    confidence: str
    income_kind: str | None = None  # on income lines: the income kind they come from (for the read model)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "member": self.member,
            "amount": str(self.amount),
            "rule": self.rule,
            "reference": self.reference,
            "parameter": self.parameter,
            "confidence": self.confidence,
        }
        if self.income_kind is not None:
            data["income_kind"] = self.income_kind
        return data


class Trace:
    """Collects the parameter versions a calculation used, and a warning for each one that is not HIGH."""

    def __init__(self) -> None:
        self._used: dict[str, ParameterValue] = {}
        self.warnings: list[str] = []

    def use(self, value: ParameterValue) -> ParameterValue:
        if value.ref not in self._used:
            self._used[value.ref] = value
            if not value.is_high:
                self.warnings.append(
                    f"{value.ref} is {value.confidence.value} confidence, not a verified official figure "
                    f"({value.source.title}; {value.source.reference})"
                )
        return value

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)

    @property
    def used(self) -> dict[str, ParameterValue]:
        return dict(sorted(self._used.items()))


@dataclass(frozen=True, slots=True)
class JobbstimulansStatus:
    """Why 25 % was or was not disregarded for a member: the windows found in the support history."""

    member: str
    windows: tuple[tuple[Month, Month], ...]  # (first month, last month), both inside
    applies: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "windows": [{"opens": str(a), "closes": str(b)} for a, b in self.windows],
            "applies": self.applies,
        }


@dataclass(frozen=True, slots=True)
class Calculation:
    """The result of :func:`~bistand_es.domain.rules.calculation.calculate`."""

    month: Month
    income_month: Month
    profile: str
    lines: tuple[Line, ...]
    warnings: tuple[str, ...]
    parameters: dict[str, ParameterValue]
    rule_set_hash: str
    jobbstimulans: tuple[JobbstimulansStatus, ...] = field(default=())

    norm_total: Money = field(init=False)
    costs_total: Money = field(init=False)
    need: Money = field(init=False)
    income_counted: Money = field(init=False)
    income_disregarded: Money = field(init=False)
    aid: Money = field(init=False)
    surplus: Money = field(init=False)

    def __post_init__(self) -> None:
        groups: dict[str, list[Money]] = {"norm": [], "cost": [], "counted": [], "disregarded": []}
        for line in self.lines:
            parts = line.kind.split(".", 2)
            key = parts[1] if parts[0] == "income" and len(parts) > 1 else parts[0]
            group = groups.get(key)
            if group is None:
                raise ValueError(f"line kind {line.kind!r} belongs to no total")
            group.append(line.amount)
        norm, costs = money_sum(groups["norm"]), money_sum(groups["cost"])
        need = norm + costs
        counted = money_sum(groups["counted"])
        values = {
            "norm_total": norm,
            "costs_total": costs,
            "need": need,
            "income_counted": counted,
            "income_disregarded": money_sum(groups["disregarded"]),
            "aid": (need - counted).max_zero(),
            "surplus": (counted - need).max_zero(),
        }
        for name, amount in values.items():
            object.__setattr__(self, name, amount)

    @property
    def parameters_used(self) -> list[str]:
        """The parameter versions used, as ``id@effective-date``, sorted."""
        return list(self.parameters)

    @property
    def parameter_files(self) -> dict[str, str]:
        """Which file each parameter version came from (package or override directory)."""
        return {ref: value.file for ref, value in self.parameters.items()}

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON (design/CALC_CONTRACT.md) plus a few added fields."""
        return {
            "month": str(self.month),
            "norm_total": str(self.norm_total),
            "costs_total": str(self.costs_total),
            "need": str(self.need),
            "income_counted": str(self.income_counted),
            "income_disregarded": str(self.income_disregarded),
            "aid": str(self.aid),
            "surplus": str(self.surplus),
            "lines": [line.to_dict() for line in self.lines],
            "warnings": list(self.warnings),
            "income_month": str(self.income_month),
            "profile": self.profile,
            "parameters_used": self.parameters_used,
            "rule_set_hash": self.rule_set_hash,
            "jobbstimulans": {status.member: status.to_dict() for status in self.jobbstimulans},
        }
