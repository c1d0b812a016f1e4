"""The monthly calculation: need = riksnorm + approved costs; aid = max(0, need − incomes) (docs/rules.md).

Pure: no I/O, no clock. Every amount is a :class:`Line`; the totals are sums of lines, exact in Decimal, computed
only by :class:`~bistand_es.domain.rules.lines.Calculation`.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from bistand_es.domain.money import Money, money_sum
from bistand_es.domain.rules import household_norm, new_visit
from bistand_es.domain.rules.errors import InvalidSituation
from bistand_es.domain.rules.household_norm import Status
from bistand_es.domain.rules.incomes import PBB, Citations, income_lines
from bistand_es.domain.rules.kinds import COST_RULES
from bistand_es.domain.rules.lines import Calculation, Line, Trace
from bistand_es.domain.rules.local_norm import local_norm_lines
from bistand_es.domain.rules.model import ParameterValue
from bistand_es.domain.rules.profiles import DEFAULT, Profile, load_profile, profile_from_pin
from bistand_es.domain.rules.rule_set import RuleSet
from bistand_es.domain.rules.situation import Cost, Situation
from bistand_es.domain.rules.timing import norm_start
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

    A situation recorded with a decision carries its profile (``profile_data``): that pinned profile is used,
    not today's profile files, unless ``profile`` names another one.

    Raises :class:`~bistand_es.domain.errors.ParameterNotInForce` (invalid input) when a parameter the
    calculation needs has no value for the month, e.g. ``month: no riksnorm in force for 2018-03 (…)``.
    """
    month = situation.month
    day = month.first_day
    trace = Trace()
    norm = household_norm.riksnorm_for(month, rule_set)
    chosen = choose_profile(situation, rule_set, profile)
    trace.use(chosen.value)
    new_visit.check_use(situation, chosen)
    citation_day = situation.citation_day
    law = trace.use(rule_set.lookup(CITATIONS, citation_day))
    statuses = household_norm.classify(situation, rule_set, trace)
    lines: list[Line] = household_norm.norm_lines(situation, statuses, norm, rule_set, trace, law.text_at("norm"))
    lines = local_norm_lines(situation, chosen, norm_start(chosen, situation.application, month), lines, trace)
    max_rent = _max_rent(rule_set, day) if any(c.kind == "rent" for c in situation.costs) else None
    for cost in situation.costs:
        kind_rule = COST_RULES[cost.kind]
        amount, rule, parameter = cost.amount, f"skälig kostnad utanför normen: {kind_rule.name}", None
        confidence, reference = kind_rule.confidence, law.text_at(kind_rule.citation)
        if cost.kind == CostKind.RENT and max_rent is not None and cost.amount > max_rent.money():
            trace.use(max_rent)
            amount, parameter, confidence = max_rent.money(), max_rent.ref, max_rent.confidence.value
            rule += f" ({cost.amount} kr begärt; godtas upp till kommunens högsta godtagbara hyra {amount} kr)"
        elif cost.kind == CostKind.SPECIAL_DIET and chosen.applies("special_diet_cap"):
            cap = trace.use(chosen.parameter("special_diet_cap_pbb"))
            amount, rule, reference = _special_diet(cost, chosen, rule_set, trace, rule, reference)
            parameter, confidence = cap.ref, cap.confidence.value
        lines.append(
            Line(f"cost.{cost.kind.value}", None, amount, rule, reference, parameter, confidence, part=kind_rule.part)
        )
    income_month = month - chosen.income_month_offset
    citations = Citations(law.text_at("incomes"), law.text_at("jobbstimulans"), law.text_at("child_wage"))
    own_share = _own_share(statuses, lines)
    more, jobb = income_lines(situation, statuses, income_month, rule_set, trace, citations, own_share)
    lines += more
    earlier: list[new_visit.EarlierMonth] = []
    if new_visit.applies(situation, chosen):
        for shown, result in new_visit.earlier_months(
            situation, chosen, lambda other: calculate(other, rule_set, profile)
        ):
            earlier.append(shown)
            for value in result.parameters.values():
                trace.use(value)  # an earlier month's parameters are traced (and warned about) like this month's
        trace.use(chosen.parameter("new_visit_months_back"))
        surplus = money_sum(m.surplus for m in earlier)
        if not surplus.is_zero() and situation.surplus_considered is None:
            trace.warn(
                f"nybesök: normöverskott {surplus} in the earlier months "
                f"({', '.join(f'{m.month} {m.surplus}' for m in earlier)}); assess it (decide --surplus-considered "
                f"AMOUNT --reason …) ({chosen.municipality_name}, riktlinjer s. 14)"
            )
        line = new_visit.surplus_line(situation, chosen, earlier)
        if line is not None:
            lines.append(line)
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
        profile_version=chosen.version,
        profile_data=chosen.pinned(),
        earlier_months=tuple(m.to_dict() for m in earlier),
    )


def choose_profile(situation: Situation, rule_set: RuleSet, profile: str | None = None) -> Profile:
    """The pinned profile of a recorded situation, else the named one from the rule set (default national)."""
    named = situation.profile or DEFAULT
    if situation.profile_data is not None and (profile is None or profile == named):
        pinned = profile_from_pin(situation.profile_data, situation.month)
        if pinned.name != named:
            raise InvalidSituation(f"profile_data: records profile {pinned.name!r}, but the situation names {named!r}")
        return pinned
    return load_profile(rule_set, profile or situation.profile, situation.month)


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
    share = profile.parameter("special_diet_cap_pbb")
    rate = share.decimal()
    pbb = trace.use(rule_set.lookup(PBB, profile.month.first_day))
    cap = pbb.money().times(rate).divide(12)
    basis = f"högst {rate.normalize():f} × prisbasbelopp {pbb.money()} ÷ 12 = {cap} kr i månaden"
    amount = min(cost.amount, cap)
    if amount < cost.amount:
        rule += f" ({cost.amount} kr begärt; godtas upp till {basis})"
    else:
        rule += f" ({basis})"
    return amount, f"{profile.municipality_name}: {rule}", f"{reference}; {share.source.reference}"
