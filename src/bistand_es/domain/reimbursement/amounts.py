"""What a cost is worth as compensation: the cost itself, or a share of the cost minus the fees charged."""

from __future__ import annotations

from datetime import date

from bistand_es.domain.money import Money
from bistand_es.domain.reimbursement.case import Cost
from bistand_es.domain.reimbursement.types import AmountRule, CompensationType
from bistand_es.domain.rules.rule_set import RuleSet


def reimbursable(ctype: CompensationType, cost: Cost, rule_set: RuleSet, day: date) -> Money:
    """The amount of ``cost`` that ``ctype`` compensates; a share is rounded to öre, half up.

    E.g. 22 § (2010:1122): 75 % of (40 000 − 4 000) = 27 000.00.
    """
    if ctype.amount_rule is AmountRule.COST:
        return cost.amount
    share = rule_set.lookup(ctype.parameter("share"), day).decimal()
    return (cost.amount - cost.fees).times(share)
