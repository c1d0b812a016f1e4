"""Incomes: counted and not counted (rules.md §3), jobbstimulans (§4) and children's wages (§5)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Final

from bistand_es.domain.money import Money, money_sum
from bistand_es.domain.month import Month
from bistand_es.domain.rules import jobbstimulans
from bistand_es.domain.rules.household_norm import Status
from bistand_es.domain.rules.lines import JobbstimulansStatus, Line, Trace
from bistand_es.domain.rules.model import ParameterValue
from bistand_es.domain.rules.rule_set import RuleSet
from bistand_es.domain.rules.situation import Income, Situation

# kind -> (Swedish name, confidence of the classification)
COUNTED: Final[Mapping[str, tuple[str, str]]] = {
    "employment": ("inkomst av anställning", "HIGH"),
    "business": ("inkomst av näringsverksamhet", "MEDIUM"),
    "unemployment_benefit": ("arbetslöshetsersättning (a-kassa)", "MEDIUM"),
    "sickness_benefit": ("sjukpenning", "MEDIUM"),
    "parental_benefit": ("föräldrapenning", "MEDIUM"),
    "child_allowance": ("barnbidrag", "MEDIUM"),
    "housing_allowance": ("bostadsbidrag", "MEDIUM"),
    "maintenance_support": ("underhållsstöd", "MEDIUM"),
    "study_grant": ("studiebidrag/studiemedel", "MEDIUM"),
    "pension": ("pension", "MEDIUM"),
    "activity_support": ("aktivitetsstöd", "MEDIUM"),
    "establishment_benefit": ("etableringsersättning", "MEDIUM"),
    "lma_daily_allowance": ("LMA dagersättning", "MEDIUM"),
    "tax_refund": ("skatteåterbäring", "MEDIUM"),
    "other": ("annan inkomst", "MEDIUM"),
}
# kind -> (Swedish name, why it is not counted)
NOT_COUNTED: Final[Mapping[str, tuple[str, str]]] = {
    "csn_extra_allowance": ("CSN extra tillägg", "räknas inte som inkomst (RÅ 1990 ref. 7, RÅ 1996 ref. 12)"),
    "disability_allowance": (
        "handikapp-/merkostnadsersättning",
        "räknas inte som inkomst: ersättningen täcker merkostnader",
    ),
}
JOBB_RATE: Final = "jobbstimulans.rate"
JOBB_QUALIFYING: Final = "jobbstimulans.qualifying_months"
JOBB_WINDOW: Final = "jobbstimulans.window_months"
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
) -> tuple[list[Line], tuple[JobbstimulansStatus, ...]]:
    """Lines for every income received in ``income_month``; other incomes serve only as history."""
    by_member = {status.member.id: status for status in statuses}
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
        name, confidence = COUNTED.get(income.kind, ("", "MEDIUM"))
        if income.kind in NOT_COUNTED:
            label, why = NOT_COUNTED[income.kind]
            lines.append(
                Line(
                    f"income.disregarded.{income.kind}",
                    income.member,
                    income.amount,
                    f"{label}: {why}",
                    citations.incomes,
                    None,
                    "MEDIUM",
                )
            )
        elif income.kind == "employment" and by_member[income.member].child_wage:
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
        lines[tagged:] = [replace(line, income_kind=income.kind) for line in lines[tagged:]]
    return lines, tuple(jobb.statuses[m] for m in sorted(jobb.statuses))


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
            and other.kind == "employment"
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
