"""Incomes: counted and not counted (the table in :mod:`.kinds`), jobbstimulans (4 kap. 1 b §), children's wages
(4 kap. 1 a §, ADR 0011) and the cap on an adult member's income (ADR 0010)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Final

from bistand_es.domain.money import Money, money_sum
from bistand_es.domain.month import Month
from bistand_es.domain.rules import jobbstimulans
from bistand_es.domain.rules.household_norm import Status, child_wage_in
from bistand_es.domain.rules.kinds import INCOME_RULES, OWN_WORK
from bistand_es.domain.rules.lines import JobbstimulansStatus, Line, Trace
from bistand_es.domain.rules.model import ParameterValue
from bistand_es.domain.rules.rule_set import RuleSet
from bistand_es.domain.rules.situation import Income, Situation

JOBB_RATE: Final = jobbstimulans.RATE
JOBB_QUALIFYING: Final = jobbstimulans.QUALIFYING_MONTHS
JOBB_WINDOW: Final = jobbstimulans.WINDOW_MONTHS
PBB: Final = "prisbasbelopp"
CHILD_LIMIT: Final = "child_wage.limit_pbb"


@dataclass(frozen=True, slots=True)
class Citations:
    incomes: str
    jobbstimulans: str
    child_wage: str


def income_lines(
    situation: Situation,
    statuses: list[Status],
    income_month: Month,
    rule_set: RuleSet,
    trace: Trace,
    citations: Citations,
    own_share: Mapping[str, Money],
) -> tuple[list[Line], tuple[JobbstimulansStatus, ...]]:
    """Lines for every income received in ``income_month``; other incomes serve only as history.

    ``own_share`` is each adult member's own part of the norm (sharing adults: ensamstående personal costs +
    common costs ÷ persons): their counted income is capped at it (ADR 0010).
    """
    by_member = {status.member.id: status.member for status in statuses}
    child_wage: dict[str, bool] = {}  # 4 kap. 1 a § status in the income month, judged when first needed

    def is_child_wage(member_id: str) -> bool:
        if member_id not in child_wage:
            child_wage[member_id] = child_wage_in(by_member[member_id], income_month, rule_set, trace)
        return child_wage[member_id]

    jobb = _jobbstimulans(situation, rule_set, trace)
    lines: list[Line] = []
    child_running: dict[str, Money] = {}
    for income in situation.incomes:
        tagged = len(lines)
        if income.month != income_month:
            if income.month > income_month and income.month <= situation.month:
                trace.warn(
                    f"income {income.kind} of {income.member} received {income.month} is not in the income "
                    f"month {income_month} and is not counted in this calculation"
                )
            continue
        kind_rule = INCOME_RULES[income.kind]
        name, confidence = kind_rule.name, kind_rule.confidence
        if kind_rule.reason is not None:
            lines.append(
                Line(
                    f"income.disregarded.{income.kind.value}",
                    income.member,
                    income.amount,
                    f"{name}: {kind_rule.reason}",
                    citations.incomes,
                    None,
                    confidence,
                )
            )
        elif income.kind in OWN_WORK and is_child_wage(income.member):
            lines += _child_wage(situation, income, income_month, child_running, rule_set, trace, citations)
        elif income.kind == "employment" and income.member in jobb.applying:
            rate = jobb.rate
            if rate is None:  # pragma: no cover - applying is empty without a rate
                continue
            window = jobb.applying[income.member]
            disregarded = income.amount.times(rate.decimal())
            counted = income.amount - disregarded
            percent = f"{rate.decimal() * 100:.0f} %"
            where = f"jobbstimulans-fönster {window[0]}–{window[1]}"
            lines.append(
                Line(
                    "income.counted",
                    income.member,
                    counted,
                    f"{name}: räknas utom {percent} ({where})",
                    citations.incomes,
                    rate.ref,
                    confidence,
                )
            )
            lines.append(
                Line(
                    "income.disregarded.jobbstimulans",
                    income.member,
                    disregarded,
                    f"jobbstimulans: {percent} av {name} {income.amount} räknas inte ({where})",
                    f"{citations.jobbstimulans}; {rate.source.reference}",
                    rate.ref,
                    rate.confidence.value,
                )
            )
        else:
            rule = f"{name} räknas som inkomst"
            if income.kind == "employment" and income.member in jobb.statuses:
                rule += f" (ingen jobbstimulans: inget fönster öppet {situation.month})"
            lines.append(
                Line("income.counted", income.member, income.amount, rule, citations.incomes, None, confidence)
            )
        lines[tagged:] = [replace(line, income_kind=income.kind.value) for line in lines[tagged:]]
    if own_share:
        lines = _cap_adults(lines, own_share, trace, citations)
    return lines, tuple(jobb.statuses[m] for m in sorted(jobb.statuses))


def _cap_adults(lines: list[Line], own_share: Mapping[str, Money], trace: Trace, citations: Citations) -> list[Line]:
    """An adult member's counted income covers at most their own share of the norm; the rest is not counted.

    Nobody owes an adult who is not their spouse or sambo maintenance (FB 7 kap. 1 §; the parents' duty ends at
    18, or 21 in school), so that adult's surplus cannot be demanded for the others' needs (ADR 0010).
    """
    left = dict(own_share)
    capped: list[Line] = []
    for line in lines:
        room = left.get(line.member or "")
        if line.kind != "income.counted" or room is None:
            capped.append(line)
            continue
        counted = min(line.amount, room)
        left[line.member or ""] = room - counted
        excess = line.amount - counted
        if counted or not excess:
            capped.append(replace(line, amount=counted))
        if excess:
            share = own_share[line.member or ""]
            capped.append(
                Line(
                    "income.disregarded.adult_own_share",
                    line.member,
                    excess,
                    f"vuxen som inte är sambo/make: inkomsten räknas bara upp till personens egen andel av normen "
                    f"({share} kr); överskottet {excess} kr räknas inte mot övriga i hushållet "
                    "(ingen försörjningsplikt, FB 7 kap. 1 §)",
                    f"{citations.incomes}; föräldrabalken 7 kap. 1 §",
                    None,
                    "MEDIUM",
                    income_kind=line.income_kind,
                )
            )
            trace.warn(
                f"{line.member} is an adult in the application with income above their own share of the norm "
                f"({share} kr): the surplus is not set against the others' needs; they should apply on their own"
            )
    return capped


@dataclass(frozen=True, slots=True)
class _Jobb:
    rate: ParameterValue | None
    applying: dict[str, jobbstimulans.Window]
    statuses: dict[str, JobbstimulansStatus]


def _jobbstimulans(situation: Situation, rule_set: RuleSet, trace: Trace) -> _Jobb:
    day = situation.month.first_day
    rate = rule_set.lookup_optional(JOBB_RATE, day)
    if rate is None or not situation.support_history:
        return _Jobb(None, {}, {})
    qualifying = trace.use(rule_set.lookup(JOBB_QUALIFYING, day))
    length = trace.use(rule_set.lookup(JOBB_WINDOW, day))
    applying: dict[str, jobbstimulans.Window] = {}
    statuses: dict[str, JobbstimulansStatus] = {}
    for member, months in situation.support_history.items():
        found = jobbstimulans.windows(months, qualifying.integer(), length.integer())
        window = jobbstimulans.window_containing(found, situation.month)
        statuses[member] = JobbstimulansStatus(member, found, window is not None)
        if window is not None:
            applying[member] = window
    if applying:
        trace.use(rate)
    return _Jobb(rate, applying, statuses)


def _child_wage(
    situation: Situation,
    income: Income,
    income_month: Month,
    running: dict[str, Money],
    rule_set: RuleSet,
    trace: Trace,
    citations: Citations,
) -> list[Line]:
    """4 kap. 1 a §: a child's own wages count only above the yearly limit (1 PBB; ½ PBB before 2013-07)."""
    day = income_month.first_day
    pbb = trace.use(rule_set.lookup(PBB, day))
    factor = trace.use(rule_set.lookup(CHILD_LIMIT, day))
    limit = pbb.money().times(factor.decimal())
    member = income.member
    if member not in running:
        running[member] = money_sum(
            other.amount
            for other in situation.incomes
            if other.member == member
            and other.kind in OWN_WORK
            and other.month.year == income_month.year
            and other.month < income_month
        )
    before = running[member]
    after = before + income.amount
    running[member] = after
    counted = (after - limit).max_zero() - (before - limit).max_zero()
    disregarded = income.amount - counted
    basis = (
        f"gräns {factor.decimal().normalize():f} × prisbasbelopp {pbb.money()} = {limit} kr för {income_month.year}; "
        f"tidigare i år {before} kr"
    )
    reference = f"{citations.child_wage}; {factor.source.reference}"
    lines: list[Line] = []
    if disregarded or not counted:
        lines.append(
            Line(
                "income.disregarded.child_wage",
                member,
                disregarded,
                f"barns/skolungdoms arbetsinkomst under gränsen räknas inte ({basis})",
                reference,
                factor.ref,
                factor.confidence.value,
            )
        )
    if counted:
        lines.append(
            Line(
                "income.counted",
                member,
                counted,
                f"barns/skolungdoms arbetsinkomst över gränsen räknas ({basis})",
                reference,
                factor.ref,
                factor.confidence.value,
            )
        )
    return lines
