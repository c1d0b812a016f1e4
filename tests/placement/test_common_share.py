"""The routine's own example of the shared common costs (Göteborg 2013, section 3.2), worked by hand.

Riksnorm 2013 common household costs for 3 persons: 1 310 kr (Socialstyrelsen, HIGH). The routine: "3 personer
= 1 310 kronor = 437 kr/person": 1 310 ÷ 3 = 436.67, rounded to whole kronor = 437. With a TV-avgift of 173 kr a
month included in the housing: (1 310 − 173) ÷ 3 = 1 137 ÷ 3 = 379.
"""

from __future__ import annotations

from datetime import date

from bistand_es.domain.money import Money
from bistand_es.domain.rules.household_norm import COMMON, common_costs
from bistand_es.domain.rules.placement import common_share
from bistand_es.domain.rules.rule_set import load_rule_set


def test_three_sharing_in_2013_pay_437_each_as_in_the_routine() -> None:
    table = load_rule_set(None).lookup(COMMON, date(2013, 10, 1))
    common, _ = common_costs(table, 3)
    assert common == Money.of("1310")
    assert common_share(common, Money.zero(), 3) == Money.of("437")


def test_a_tv_fee_included_in_the_housing_is_taken_off_before_sharing() -> None:
    assert common_share(Money.of("1310"), Money.of("173"), 3) == Money.of("379")


def test_two_sharing_in_2013_pay_half_of_1040() -> None:
    # 2 persons 1 040 (riksnorm 2013) ÷ 2 = 520
    table = load_rule_set(None).lookup(COMMON, date(2013, 10, 1))
    assert common_share(common_costs(table, 2)[0], Money.zero(), 2) == Money.of("520")
