"""The monthly calculation: need = riksnorm + approved costs; aid = max(0, need − incomes) (docs/rules.md).

Pure: no I/O, no clock. Every amount is a :class:`Line`; the totals are sums of lines, exact in Decimal, computed
only by :class:`~bistand_es.domain.rules.lines.Calculation`.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from bistand_es.domain.money import Money, money_sum
from bistand_es.domain.rules import household_norm
from bistand_es.domain.rules.household_norm import Status
from bistand_es.domain.rules.incomes import PBB, Citations, income_lines
from bistand_es.domain.rules.kinds import COST_RULES
from bistand_es.domain.rules.lines import Calculation, Line, Trace
from bistand_es.domain.rules.model import ParameterValue
from bistand_es.domain.rules.profiles import Profile, load_profile
from bistand_es.domain.rules.rule_set import RuleSet
from bistand_es.domain.rules.situation import Cost, Situation
from bistand_es.domain.vocabulary import CostKind

CITATIONS: Final = "law.citations"

#: A municipality's highest reasonable rent (högsta godtagbara hyra). None is shipped: local figures differ by
#: municipality and date; a municipality loads its own in BISTAND_HOME/parameters (docs/rules.md).
MAX_RENT: Final = "local.max_rent"


def _max_rent(rule_set: RuleSet, day: date) -> ParameterValue | None:
    """The local maximum rent in force, if the municipality has loaded one (traced only where it binds)."""
    if MAX_RENT not in rule_set.parameters:
        return None
    return rule_set.lookup_optional(MAX_RENT, day)


def calculate(situation: Situation, rule_set: RuleSet, profile: str | None = None) -> Calculation:
    """Calculate ``situation`` with ``rule_set``; ``profile`` overrides ``situation.profile``.

    Raises :class:`~bistand_es.domain.errors.ParameterNotInForce` (invalid input) when a parameter the
    calculation needs has no value for the month, e.g. ``month: no riksnorm in force for 2018-03 (…)``.
    """
    month = situation.month
    day = month.first_day
    trace = Trace()
    norm = household_norm.riksnorm_for(month, rule_set)
    chosen = load_profile(rule_set, profile or situation.profile, month)
    trace.use(chosen.value)
    citation_day = situation.citation_day
    law = trace.use(rule_set.lookup(CITATIONS, citation_day))
    statuses = household_norm.classify(situation, rule_set, trace)
    lines: list[Line] = household_norm.norm_lines(situation, statuses, norm, rule_set, trace, law.text_at("norm"))
    max_rent = _max_rent(rule_set, day) if any(c.kind == "rent" for c in situation.costs) else None
    for cost in situation.costs:
        kind_rule = COST_RULES[cost.kind]
        amount, rule, parameter = cost.amount, f"skälig kostnad utanför normen: {kind_rule.name}", None
        confidence, reference = kind_rule.confidence, law.text_at(kind_rule.citation)
        if cost.kind == CostKind.RENT and max_rent is not None and cost.amount > max_rent.money():
            trace.use(max_rent)
            amount, parameter, confidence = max_rent.money(), max_rent.ref, max_rent.confidence.value
            rule += f" ({cost.amount} kr begärt; godtas upp till kommunens högsta godtagbara hyra {amount} kr)"
        elif cost.kind == CostKind.SPECIAL_DIET and chosen.special_diet_cap_pbb is not None:
            amount, rule, reference = _special_diet(cost, chosen, rule_set, trace, rule, reference)
            parameter, confidence = chosen.value.ref, chosen.value.confidence.value
        lines.append(
            Line(f"cost.{cost.kind.value}", None, amount, rule, reference, parameter, confidence, part=kind_rule.part)
        )
    income_month = month - chosen.income_month_offset
    citations = Citations(law.text_at("incomes"), law.text_at("jobbstimulans"), law.text_at("child_wage"))
    own_share = _own_share(statuses, lines)
    more, jobb = income_lines(situation, statuses, income_month, rule_set, trace, citations, own_share)
    lines += more
    return Calculation(
        month=month,
        income_month=income_month,
        profile=chosen.name,
        lines=tuple(lines),
        warnings=tuple(trace.warnings),
        parameters=trace.used,
        rule_set_hash=rule_set.hash,
        jobbstimulans=jobb,
        citation_date=citation_day,
    )


def _own_share(statuses: list[Status], lines: list[Line]) -> dict[str, Money]:
    """Each sharing adult's own part of the norm: their personal costs and their share of the common costs."""
    return {
        status.member.id: money_sum(
            line.amount for line in lines if line.kind.startswith("norm.") and line.member == status.member.id
        )
        for status in statuses
        if status.sharing_adult
    }


def _special_diet(
    cost: Cost, profile: Profile, rule_set: RuleSet, trace: Trace, rule: str, reference: str
) -> tuple[Money, str, str]:
    """Kosttillägg under a profile with a cap: at most PBB × rate ÷ 12 a month (Forshaga: 15 % a year)."""
    rate = profile.special_diet_cap_pbb
    if rate is None:  # pragma: no cover - the caller checks
        return cost.amount, rule, reference
    pbb = trace.use(rule_set.lookup(PBB, profile.month.first_day))
    cap = pbb.money().times(rate).divide(12)
    source = profile.value.source
    basis = f"högst {rate.normalize():f} × prisbasbelopp {pbb.money()} ÷ 12 = {cap} kr i månaden ({source.title})"
    amount = min(cost.amount, cap)
    if amount < cost.amount:
        rule += f" ({cost.amount} kr begärt; godtas upp till {basis})"
    else:
        rule += f" ({basis})"
    return amount, rule, f"{reference}; {source.reference}"
