"""Calculation lines, the trace of parameters used, and the calculation result."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any, Final

from bistand_es.domain.errors import InvalidInput
from bistand_es.domain.money import Money, money_sum
from bistand_es.domain.month import Month
from bistand_es.domain.rules.kinds import OTHER_LIVING, SUBSISTENCE
from bistand_es.domain.rules.model import ParameterValue
from bistand_es.domain.vocabulary import NormAdjustment

#: The rule text of a norm adjustment line, by kind (förhöjd / reducerad norm, docs/rules.md).
ADJUSTMENT_RULE: Final = {
    NormAdjustment.RAISED: "Förhöjd norm i det enskilda fallet",
    NormAdjustment.REDUCED: "Reducerad norm av särskilda skäl",
}


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
    part: str | None = None  # on norm and cost lines: "forsorjningsstod" or "livsforing_i_ovrigt"

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
        if self.part is not None:
            data["part"] = self.part
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
    """The result of :func:`~bistand_es.domain.rules.calculation.calculate`: the only place the totals are computed.

    ``need = norm + costs``, ``aid = max(0, need − counted)``, ``surplus = max(0, counted − need)``. The aid is
    split into *försörjningsstöd* (the norm and the 4 kap. 3 § costs) and *livsföring i övrigt* (other approved
    needs); incomes are set against försörjningsstöd first:
    ``subsistence_aid = min(aid, max(0, subsistence_need − counted))``, ``other_aid = aid − subsistence_aid``.
    """

    month: Month
    income_month: Month
    profile: str
    lines: tuple[Line, ...]
    warnings: tuple[str, ...]
    parameters: dict[str, ParameterValue]
    rule_set_hash: str
    jobbstimulans: tuple[JobbstimulansStatus, ...] = field(default=())
    citation_date: date | None = None  # the day whose legal citations were used (the decision date)
    profile_version: str = ""  # the content hash of the profile used (domain/rules/profiles.py)
    profile_data: dict[str, Any] | None = None  # the profile as pinned with a decision (not in to_dict)
    earlier_months: tuple[dict[str, Any], ...] = ()  # nybesök: the months before, with any normöverskott

    norm_total: Money = field(init=False)
    costs_total: Money = field(init=False)
    need: Money = field(init=False)
    income_counted: Money = field(init=False)
    income_disregarded: Money = field(init=False)
    aid: Money = field(init=False)
    surplus: Money = field(init=False)
    subsistence_need: Money = field(init=False)
    other_need: Money = field(init=False)
    subsistence_aid: Money = field(init=False)
    other_aid: Money = field(init=False)

    def __post_init__(self) -> None:
        groups: dict[str, list[Money]] = {"norm": [], "cost": [], "counted": [], "disregarded": [], "other": []}
        for line in self.lines:
            parts = line.kind.split(".", 2)
            key = parts[1] if parts[0] == "income" and len(parts) > 1 else parts[0]
            group = groups.get(key)
            if group is None or key == "other":
                raise ValueError(f"line kind {line.kind!r} belongs to no total")
            group.append(line.amount)
            if key == "cost" and line.part not in (SUBSISTENCE, OTHER_LIVING):
                raise ValueError(f"cost line {line.kind!r} has no part (forsorjningsstod or livsforing_i_ovrigt)")
            if key == "cost" and line.part == OTHER_LIVING:
                groups["other"].append(line.amount)
        norm, costs = money_sum(groups["norm"]), money_sum(groups["cost"])
        need = norm + costs
        other_need = money_sum(groups["other"])
        counted = money_sum(groups["counted"])
        aid = (need - counted).max_zero()
        subsistence_aid = min(aid, (need - other_need - counted).max_zero())
        values = {
            "norm_total": norm,
            "costs_total": costs,
            "need": need,
            "income_counted": counted,
            "income_disregarded": money_sum(groups["disregarded"]),
            "aid": aid,
            "surplus": (counted - need).max_zero(),
            "subsistence_need": need - other_need,
            "other_need": other_need,
            "subsistence_aid": subsistence_aid,
            "other_aid": aid - subsistence_aid,
        }
        for name, amount in values.items():
            object.__setattr__(self, name, amount)

    def with_norm_adjustment(self, kind: NormAdjustment, amount: Decimal | Money, reason: str) -> Calculation:
        """This calculation with a förhöjd (+) or reducerad (−) norm line added and every total recomputed.

        The line ``norm.adjustment.raised|reduced`` belongs to the norm, so it is försörjningsstöd. Raises
        :class:`~bistand_es.domain.errors.InvalidInput` for an amount that is not positive, or a reduction larger
        than the norm.
        """
        kind = NormAdjustment(kind)
        size = amount if isinstance(amount, Money) else Money.of(amount, field="norm adjustment")
        if size.amount <= 0:
            raise InvalidInput(f"norm adjustment: the amount must be more than 0 (got {size})")
        if kind is NormAdjustment.REDUCED and self.norm_total < size:
            raise InvalidInput(f"norm adjustment: a reduction of {size} is more than the norm ({self.norm_total})")
        norm_lines = [line for line in self.lines if line.kind.startswith("norm.")]
        line = Line(
            kind=f"norm.adjustment.{kind.value}",
            member=None,
            amount=size if kind is NormAdjustment.RAISED else -size,
            rule=f"{ADJUSTMENT_RULE[kind]}: {reason}",
            reference=norm_lines[0].reference if norm_lines else "",
            parameter=None,
            confidence="HIGH",
            part=SUBSISTENCE,
        )
        return replace(self, lines=(*self.lines, line))

    @property
    def parameters_used(self) -> list[str]:
        """The parameter versions used, as ``id@effective-date``, sorted."""
        return list(self.parameters)

    @property
    def parameter_files(self) -> dict[str, str]:
        """Which file each parameter version came from (package or override directory)."""
        return {ref: value.file for ref, value in self.parameters.items()}

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON (docs/rules.md) plus a few added fields."""
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
            "subsistence_need": str(self.subsistence_need),
            "other_need": str(self.other_need),
            "subsistence_aid": str(self.subsistence_aid),
            "other_aid": str(self.other_aid),
            "citation_date": self.citation_date.isoformat() if self.citation_date else None,
            "profile_version": self.profile_version,
            "earlier_months": [dict(month) for month in self.earlier_months],
        }
