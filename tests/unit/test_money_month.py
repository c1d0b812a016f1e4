from decimal import Decimal

import pytest

from bistand_es.domain.errors import InvalidMoney, InvalidMonth
from bistand_es.domain.money import Money, money_sum
from bistand_es.domain.month import Month


class TestMoney:
    def test_text_int_and_decimal_are_exact(self) -> None:
        assert Money.of("7500").amount == Decimal("7500.00")
        assert Money.of(12).amount == Decimal("12.00")
        assert Money.of(Decimal("0.1")) + Money.of(Decimal("0.2")) == Money.of("0.30")

    def test_swedish_decimal_comma_and_spaces(self) -> None:
        assert Money.of("7 500,50") == Money.of("7500.50")

    @pytest.mark.parametrize("bad", [1.5, 0.1, True])
    def test_float_and_bool_are_refused(self, bad: object) -> None:
        with pytest.raises(InvalidMoney, match="give the amount as text"):
            Money.of(bad)

    @pytest.mark.parametrize(
        ("bad", "problem"),
        [("nan", "finite"), ("Infinity", "finite"), ("1.234", "more than two decimals"), ("12kr", "not an amount")],
    )
    def test_invalid_text(self, bad: str, problem: str) -> None:
        with pytest.raises(InvalidMoney, match=problem):
            Money.of(bad)

    def test_trailing_zero_decimals_are_fine(self) -> None:
        assert Money.of("1.2300") == Money.of("1.23")

    def test_negative_refused_where_required(self) -> None:
        with pytest.raises(InvalidMoney, match="negative"):
            Money.of("-1").require_non_negative()

    def test_rounding_half_up_only_when_asked(self) -> None:
        # 1 710 / 5 = 342.00; 1 000 / 3 = 333.333… → 333.33; 0.125 × 1 → 0.13 (half up)
        assert Money.of("1710").divide(5) == Money.of("342")
        assert Money.of("1000").divide(3) == Money.of("333.33")
        assert Money.of("0.25").times(Decimal("0.5")) == Money.of("0.13")

    def test_str_has_two_decimals_and_sum_is_exact(self) -> None:
        assert str(Money.of("4180")) == "4180.00"
        assert money_sum([Money.of("0.10")] * 3) == Money.of("0.30")
        assert money_sum([]) == Money.zero()


class TestMonth:
    def test_parse_and_str(self) -> None:
        assert str(Month.parse("2021-03")) == "2021-03"

    @pytest.mark.parametrize("bad", ["2026-13", "2026-00", "2026-1", "26-01", "2026/01", "", "march"])
    def test_invalid(self, bad: str) -> None:
        with pytest.raises(InvalidMonth):
            Month.parse(bad)

    def test_message_names_the_problem(self) -> None:
        with pytest.raises(InvalidMonth, match="01–12"):
            Month.parse("2026-13")

    def test_arithmetic_across_years(self) -> None:
        assert Month.parse("2021-01") - 1 == Month.parse("2020-12")
        assert Month.parse("2020-12") + 14 == Month.parse("2022-02")
        assert Month.parse("2020-08").months_until(Month.parse("2021-02")) == 6

    def test_days_and_ranges(self) -> None:
        feb = Month.parse("2024-02")
        assert feb.last_day.day == 29
        assert [str(m) for m in Month.parse("2020-11").range_to(Month.parse("2021-02"))] == [
            "2020-11",
            "2020-12",
            "2021-01",
            "2021-02",
        ]

    def test_ordering(self) -> None:
        assert Month.parse("2020-12") < Month.parse("2021-01")
