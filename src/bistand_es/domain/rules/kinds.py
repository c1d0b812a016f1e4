"""What the engine does with each income and cost kind: the one table per vocabulary.

The kinds themselves are the enums :class:`~bistand_es.domain.vocabulary.IncomeKind` and
:class:`~bistand_es.domain.vocabulary.CostKind`; every value has exactly one entry here (a test checks it).

Incomes (national practice as written in the Forshaga guideline 2014, pp. 12–13 "Inkomster som ska
medräknas" / "Inkomster som ej ska medräknas"): a counted kind is set against the need; a not-counted kind appears as an
``income.disregarded.<kind>`` line whose rule says why.

Costs (SoL (2001:453) 4 kap. 3 §; SoL (2025:400) 12 kap. 7 §): the costs the law lists — boende, hushållsel,
hemförsäkring, arbetsresor, fackförening och arbetslöshetskassa — are *försörjningsstöd* together with the
riksnorm; every other approved need (tandvård, glasögon, läkarvård, barnomsorg, kosttillägg, …) is
*livsföring i övrigt* (4 kap. 1 §).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

from bistand_es.domain.vocabulary import CostKind, IncomeKind

Part = Literal["forsorjningsstod", "livsforing_i_ovrigt"]
SUBSISTENCE: Final[Part] = "forsorjningsstod"
OTHER_LIVING: Final[Part] = "livsforing_i_ovrigt"

#: Where a not-counted income's reason comes from (the national practice it follows is the same).
_GUIDELINE: Final = "Forshaga kommuns riktlinjer för ekonomiskt bistånd 2014, s. 13"


@dataclass(frozen=True, slots=True)
class IncomeRule:
    """How an income kind is treated: ``reason`` is None for a counted kind, the why for a disregarded one."""

    name: str  # the Swedish name used in the line's rule text
    confidence: str
    reason: str | None = None

    @property
    def counted(self) -> bool:
        return self.reason is None


@dataclass(frozen=True, slots=True)
class CostRule:
    """How a cost kind is treated: its Swedish name, citation key, confidence and part."""

    name: str
    citation: str  # key of law.citations: "costs" (the 4 kap. 3 § list) or "aid" (4 kap. 1 §)
    confidence: str
    part: Part


INCOME_RULES: Final[Mapping[IncomeKind, IncomeRule]] = {
    IncomeKind.EMPLOYMENT: IncomeRule("inkomst av anställning", "HIGH"),
    IncomeKind.BUSINESS: IncomeRule("inkomst av näringsverksamhet", "MEDIUM"),
    IncomeKind.UNEMPLOYMENT_BENEFIT: IncomeRule("arbetslöshetsersättning (a-kassa)", "MEDIUM"),
    IncomeKind.SICKNESS_BENEFIT: IncomeRule("sjukpenning", "MEDIUM"),
    IncomeKind.PARENTAL_BENEFIT: IncomeRule("föräldrapenning", "MEDIUM"),
    IncomeKind.CHILD_ALLOWANCE: IncomeRule("barnbidrag", "MEDIUM"),
    IncomeKind.HOUSING_ALLOWANCE: IncomeRule("bostadsbidrag", "MEDIUM"),
    IncomeKind.MAINTENANCE_SUPPORT: IncomeRule("underhållsstöd", "MEDIUM"),
    IncomeKind.STUDY_GRANT: IncomeRule("studiebidrag/studiemedel", "MEDIUM"),
    IncomeKind.PENSION: IncomeRule("pension", "MEDIUM"),
    IncomeKind.ACTIVITY_SUPPORT: IncomeRule("aktivitetsstöd", "MEDIUM"),
    IncomeKind.ESTABLISHMENT_BENEFIT: IncomeRule("etableringsersättning", "MEDIUM"),
    IncomeKind.LMA_DAILY_ALLOWANCE: IncomeRule("LMA dagersättning", "MEDIUM"),
    IncomeKind.TAX_REFUND: IncomeRule("skatteåterbäring", "MEDIUM"),
    IncomeKind.HOUSING_SUPPLEMENT: IncomeRule("bostadstillägg", "MEDIUM"),
    IncomeKind.ACTIVITY_COMPENSATION: IncomeRule("aktivitetsersättning", "MEDIUM"),
    IncomeKind.ANNUITY: IncomeRule("livränta", "MEDIUM"),
    IncomeKind.RENTAL_INCOME: IncomeRule("hyresinkomster", "MEDIUM"),
    IncomeKind.LARGE_FAMILY_SUPPLEMENT: IncomeRule("flerbarnstillägg", "MEDIUM"),
    IncomeKind.ELDERLY_MAINTENANCE: IncomeRule("äldreförsörjningsstöd", "MEDIUM"),
    IncomeKind.FOSTER_CARE_FEE: IncomeRule("familjehemsersättning, arvodesdelen", "MEDIUM"),
    IncomeKind.DAMAGES_INCOME: IncomeRule(
        "skadestånd/försäkringsersättning för förlorad arbetsinkomst eller sveda och värk", "MEDIUM"
    ),
    IncomeKind.OTHER: IncomeRule("annan inkomst", "MEDIUM"),
    IncomeKind.CSN_EXTRA_ALLOWANCE: IncomeRule(
        "CSN extra tillägg", "MEDIUM", "räknas inte som inkomst (RÅ 1990 ref. 7, RÅ 1996 ref. 12)"
    ),
    IncomeKind.DISABILITY_ALLOWANCE: IncomeRule(
        "handikapp-/merkostnadsersättning",
        "MEDIUM",
        f"räknas inte som inkomst: ersättningen täcker merkostnader ({_GUIDELINE})",
    ),
    IncomeKind.CARE_ALLOWANCE: IncomeRule(
        "skattefritt vårdbidrag/omvårdnadsbidrag, merkostnadsdelen",
        "MEDIUM",
        f"räknas inte som inkomst: den skattefria delen täcker merkostnader ({_GUIDELINE})",
    ),
    IncomeKind.FOSTER_CARE_EXPENSE: IncomeRule(
        "familjehemsersättning, omkostnadsdelen",
        "MEDIUM",
        "omkostnadsdelen av familjehemsersättning räknas inte som inkomst: den ersätter kostnader för "
        f"uppdraget ({_GUIDELINE})",
    ),
    IncomeKind.DAMAGES_PROPERTY: IncomeRule(
        "skadestånd/försäkringsersättning för förlorad egendom",
        "MEDIUM",
        "räknas inte som inkomst: ersättning för förlorade tillhörigheter (inte för förlorad arbetsinkomst) "
        f"({_GUIDELINE})",
    ),
    IncomeKind.EARMARKED_GRANT: IncomeRule(
        "stipendium eller fondmedel för ett visst ändamål",
        "MEDIUM",
        f"räknas inte som inkomst: medlen är avsedda för ett bestämt ändamål, t.ex. en resa ({_GUIDELINE})",
    ),
}

COST_RULES: Final[Mapping[CostKind, CostRule]] = {
    CostKind.RENT: CostRule("boende (hyra)", "costs", "HIGH", SUBSISTENCE),
    CostKind.ELECTRICITY: CostRule("hushållsel", "costs", "HIGH", SUBSISTENCE),
    CostKind.HOME_INSURANCE: CostRule("hemförsäkring", "costs", "HIGH", SUBSISTENCE),
    CostKind.WORK_TRAVEL: CostRule("arbetsresor", "costs", "HIGH", SUBSISTENCE),
    CostKind.UNION_FEE: CostRule("fackförening och arbetslöshetskassa", "costs", "HIGH", SUBSISTENCE),
    CostKind.MEDICAL: CostRule("läkarvård och medicin inom högkostnadsskyddet", "aid", "MEDIUM", OTHER_LIVING),
    CostKind.DENTAL: CostRule("akut tandvård", "aid", "MEDIUM", OTHER_LIVING),
    CostKind.GLASSES: CostRule("glasögon", "aid", "MEDIUM", OTHER_LIVING),
    CostKind.CHILDCARE: CostRule("barnomsorgsavgift", "aid", "MEDIUM", OTHER_LIVING),
    CostKind.SPECIAL_DIET: CostRule("kosttillägg (med läkarintyg)", "aid", "MEDIUM", OTHER_LIVING),
    CostKind.OTHER: CostRule("annan skälig kostnad", "aid", "MEDIUM", OTHER_LIVING),
}

#: The cost line kinds that are försörjningsstöd (for the read side and statistics): ``cost.<kind>``.
SUBSISTENCE_COST_LINES: Final = tuple(
    f"cost.{kind.value}" for kind, rule in COST_RULES.items() if rule.part == SUBSISTENCE
)

#: Income kinds that are "inkomst av eget arbete" under 4 kap. 1 a § (children's wages; ADR 0011).
OWN_WORK: Final = frozenset({IncomeKind.EMPLOYMENT, IncomeKind.BUSINESS})
