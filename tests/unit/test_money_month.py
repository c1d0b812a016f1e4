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

    def test_trailing_zero_decimals_are_fine_in_exact_decimals_only(self) -> None:
        # A Decimal from code is exact: 1.2300 is 1.23. Typed text with more than two decimals is refused
        # (see test_three_decimals_are_ambiguous_and_refused), even when the extra digits are zeros.
        assert Money.of(Decimal("1.2300")) == Money.of("1.23")

    @pytest.mark.parametrize("bad", ["7.900", "7,900", "1.2300", "0.000"])
    def test_three_decimals_are_ambiguous_and_refused(self, bad: str) -> None:
        # "7.900" may be 7 kr 90 öre or seven thousand nine hundred written with a thousands separator:
        # never read as 7.90.
        with pytest.raises(InvalidMoney, match="more than two decimals"):
            Money.of(bad)

    @pytest.mark.parametrize("bad", ["1e27", "1E+400", "1e3", "2E-2", "5e0"])
    def test_exponent_forms_are_refused(self, bad: str) -> None:
        with pytest.raises(InvalidMoney, match="exponent"):
            Money.of(bad)

    @pytest.mark.parametrize("bad", ["NaN", "nan", "-Infinity", "inf", "sNaN"])
    def test_not_finite_is_refused(self, bad: str) -> None:
        with pytest.raises(InvalidMoney, match="finite"):
            Money.of(bad)

    def test_maximum_is_one_thousand_million_kronor_either_way(self) -> None:
        # The limit is 1 000 000 000 kr (docs/adr/0014): exactly the limit is fine, one öre more is not.
        assert Money.of("1000000000").amount == Decimal("1000000000.00")
        assert Money.of("-1 000 000 000,00").amount == Decimal("-1000000000.00")
        for bad in ("1000000000.01", "1 000 000 001", "-1000000000.01", "9" * 5000):
            with pytest.raises(InvalidMoney, match="1 000 000 000 kr"):
                Money.of(bad)
        with pytest.raises(InvalidMoney, match="1 000 000 000 kr"):
            Money.of(10**27)
        with pytest.raises(InvalidMoney, match="1 000 000 000 kr"):
            Money.of(Decimal("1E+400"))

    @pytest.mark.parametrize("bad", ["-0", "-0.00", "-0,0"])
    def test_negative_zero_is_refused(self, bad: str) -> None:
        with pytest.raises(InvalidMoney, match="negative zero"):
            Money.of(bad)

    def test_arithmetic_never_gives_negative_zero(self) -> None:
        # 1.00 − 1.00 = 0.00, printed without a sign
        assert str(Money.of("1") - Money.of("1")) == "0.00"
        assert str(-Money.zero()) == "0.00"

    @pytest.mark.parametrize("bad", ["１２", "12٫5", "1,234.56", "1.234,56", "12.", ".5", "--1", "1 2a"])
    def test_other_forms_are_not_amounts(self, bad: str) -> None:
        # Only ASCII digits, one decimal mark and spaces as thousands separators.
        with pytest.raises(InvalidMoney):
            Money.of(bad)

    def test_a_long_input_is_cut_short_in_the_message(self) -> None:
        with pytest.raises(InvalidMoney) as caught:
            Money.of("x" * 10_000)
        assert len(str(caught.value)) < 200

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

    @pytest.mark.parametrize("bad", ["２０２１-０３", "2021-0３", "٢٠٢١-٠٣"])
    def test_only_ascii_digits(self, bad: str) -> None:
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
