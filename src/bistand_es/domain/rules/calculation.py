"""The monthly calculation (rules.md §1): need = riksnorm + approved costs; aid = max(0, need − incomes).

Pure: no I/O, no clock. Every amount is a :class:`Line`; the totals are sums of lines, exact in Decimal.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from bistand_es.domain.rules import household_norm
from bistand_es.domain.rules.incomes import Citations, income_lines
from bistand_es.domain.rules.lines import Calculation, Line, Trace
from bistand_es.domain.rules.model import ParameterValue
from bistand_es.domain.rules.profiles import load_profile
from bistand_es.domain.rules.rule_set import RuleSet
from bistand_es.domain.rules.situation import Situation

CITATIONS: Final = "law.citations"

# cost kind -> (Swedish name, citation key, confidence of the rule that it is a cost outside the norm)
COSTS: Final = {
    "rent": ("boende (hyra)", "costs", "HIGH"),
    "electricity": ("hushållsel", "costs", "HIGH"),
    "home_insurance": ("hemförsäkring", "costs", "HIGH"),
    "work_travel": ("arbetsresor", "costs", "HIGH"),
    "union_fee": ("fackförening och arbetslöshetskassa", "costs", "HIGH"),
    "medical": ("läkarvård och medicin inom högkostnadsskyddet", "aid", "MEDIUM"),
    "dental": ("akut tandvård", "aid", "MEDIUM"),
    "glasses": ("glasögon", "aid", "MEDIUM"),
    "childcare": ("barnomsorgsavgift", "aid", "MEDIUM"),
    "other": ("annan skälig kostnad", "aid", "MEDIUM"),
}


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
    law = trace.use(rule_set.lookup(CITATIONS, day))
    statuses = household_norm.classify(situation, rule_set, trace)
    lines: list[Line] = household_norm.norm_lines(situation, statuses, norm, rule_set, trace, law.text_at("norm"))
    max_rent = _max_rent(rule_set, day) if any(c.kind == "rent" for c in situation.costs) else None
    for cost in situation.costs:
        name, key, confidence = COSTS[cost.kind]
        amount, rule, parameter = cost.amount, f"skälig kostnad utanför normen: {name}", None
        if cost.kind == "rent" and max_rent is not None and cost.amount > max_rent.money():
            trace.use(max_rent)
            amount, parameter, confidence = max_rent.money(), max_rent.ref, max_rent.confidence.value
            rule += f" ({cost.amount} kr begärt; godtas upp till kommunens högsta godtagbara hyra {amount} kr)"
        lines.append(Line(f"cost.{cost.kind}", None, amount, rule, law.text_at(key), parameter, confidence))
    income_month = month - chosen.income_month_offset
    citations = Citations(law.text_at("incomes"), law.text_at("jobbstimulans"), law.text_at("child_wage"))
    more, jobb = income_lines(situation, statuses, income_month, rule_set, trace, citations)
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
    )
