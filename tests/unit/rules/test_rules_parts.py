"""One vocabulary per kind, the two parts of the aid, and the norm adjustment as a method of the calculation."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bistand_es.cli.calc import calc
from bistand_es.domain.errors import InvalidInput
from bistand_es.domain.money import Money
from bistand_es.domain.rules.calculation import calculate
from bistand_es.domain.rules.kinds import COST_RULES, INCOME_RULES, SUBSISTENCE_COST_LINES
from bistand_es.domain.rules.lines import Calculation
from bistand_es.domain.rules.rule_set import RuleSet, load_rule_set
from bistand_es.domain.rules.situation import parse_situation
from bistand_es.domain.vocabulary import CostKind, IncomeKind, NormAdjustment

SINGLE: dict[str, Any] = {"members": [{"id": "a", "role": "applicant", "birth_date": "1980-01-01"}]}
CONTRACT: dict[str, Any] = {
    "month": "2021-03",
    "household": {
        "cohabiting": True,
        "members": [
            {"id": "anna", "role": "applicant", "birth_date": "1985-04-02"},
            {"id": "bo", "role": "co_applicant", "birth_date": "1984-11-30"},
            {"id": "cleo", "role": "child", "birth_date": "2016-06-01", "in_school": True},
        ],
    },
    "costs": [{"kind": "rent", "amount": "7500"}],
    "incomes": [{"member": "anna", "kind": "employment", "month": "2021-02", "amount": "8000"}],
    "support_history": {"anna": ["2020-08", "2020-09", "2020-10", "2020-11", "2020-12", "2021-01"]},
}


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rule_set(None)


def dental_month(month: str, income_month: str) -> dict[str, Any]:
    """A single adult with sickness benefit 5 000 above the norm 4 180 and a dental bill of 2 000."""
    return {
        "month": month,
        "household": SINGLE,
        "costs": [{"kind": "dental", "amount": "2000"}],
        "incomes": [{"member": "a", "kind": "sickness_benefit", "month": income_month, "amount": "5000"}],
    }


def test_every_income_kind_has_exactly_one_rule() -> None:
    assert set(INCOME_RULES) == set(IncomeKind)
    disregarded = {kind for kind, rule in INCOME_RULES.items() if not rule.counted}
    assert disregarded == {
        IncomeKind.CSN_EXTRA_ALLOWANCE,
        IncomeKind.DISABILITY_ALLOWANCE,
        IncomeKind.CARE_ALLOWANCE,
        IncomeKind.FOSTER_CARE_EXPENSE,
        IncomeKind.DAMAGES_PROPERTY,
        IncomeKind.EARMARKED_GRANT,
    }
    assert all(rule.reason for kind, rule in INCOME_RULES.items() if kind in disregarded)


def test_every_cost_kind_has_exactly_one_rule_and_part() -> None:
    assert set(COST_RULES) == set(CostKind)
    # SoL (2001:453) 4 kap. 3 § lists these five; everything else is livsföring i övrigt.
    assert SUBSISTENCE_COST_LINES == (
        "cost.rent",
        "cost.electricity",
        "cost.home_insurance",
        "cost.work_travel",
        "cost.union_fee",
    )


@pytest.mark.parametrize("kind", list(IncomeKind))
def test_the_situation_accepts_every_income_kind(rules: RuleSet, kind: IncomeKind) -> None:
    situation = {
        "month": "2021-03",
        "household": SINGLE,
        "incomes": [{"member": "a", "kind": kind.value, "month": "2021-02", "amount": "100"}],
    }
    result = calculate(parse_situation(situation), rules)
    # 100 is either counted or disregarded, never lost: counted + disregarded = 100.
    assert result.income_counted + result.income_disregarded == Money.of("100")
    assert all(line.income_kind == kind.value for line in result.lines if line.kind.startswith("income."))


@pytest.mark.parametrize("kind", list(CostKind))
def test_the_situation_accepts_every_cost_kind(rules: RuleSet, kind: CostKind) -> None:
    situation = {"month": "2021-03", "household": SINGLE, "costs": [{"kind": kind.value, "amount": "100"}]}
    result = calculate(parse_situation(situation), rules)
    (line,) = [line for line in result.lines if line.kind.startswith("cost.")]
    assert line.part == COST_RULES[kind].part
    # norm 4 180 + 100: the 100 lands in the part its kind belongs to.
    assert (result.subsistence_need, result.other_need) == (
        (Money.of("4280"), Money.of("0"))
        if line.kind in SUBSISTENCE_COST_LINES
        else (Money.of("4180"), Money.of("100"))
    )


def test_six_months_of_dental_only_aid_give_no_forsorjningsstod(rules: RuleSet) -> None:
    # Each month: need 4 180 + 2 000 = 6 180, counted 5 000, aid 1 180 — all of it livsföring i övrigt,
    # because 5 000 covers the försörjningsstöd part 4 180 (max(0, 4 180 − 5 000) = 0).
    months = [("2021-01", "2020-12"), ("2021-02", "2021-01"), ("2021-03", "2021-02")]
    months += [("2021-04", "2021-03"), ("2021-05", "2021-04"), ("2021-06", "2021-05")]
    for month, income_month in months:
        result = calculate(parse_situation(dental_month(month, income_month)), rules)
        data = result.to_dict()
        assert (data["aid"], data["subsistence_aid"], data["other_aid"]) == ("1180.00", "0.00", "1180.00"), month


def adjusted(rules: RuleSet, kind: NormAdjustment, amount: str, situation: dict[str, Any] = CONTRACT) -> Calculation:
    return calculate(parse_situation(situation), rules).with_norm_adjustment(kind, Decimal(amount), "särskilda skäl")


def test_a_raised_norm_adds_a_line_and_recomputes_every_total(rules: RuleSet) -> None:
    # Contract example: norm 9 560 + 500 = 10 060; need 10 060 + 7 500 = 17 560; aid 17 560 − 6 000 = 11 560.
    result = adjusted(rules, NormAdjustment.RAISED, "500")
    assert (str(result.norm_total), str(result.need), str(result.aid), str(result.surplus)) == (
        "10060.00",
        "17560.00",
        "11560.00",
        "0.00",
    )
    assert str(result.subsistence_aid) == "11560.00"
    line = result.lines[-1].to_dict()
    assert line == {
        "kind": "norm.adjustment.raised",
        "member": None,
        "amount": "500.00",
        "rule": "Förhöjd norm i det enskilda fallet: särskilda skäl",
        "reference": "SoL (2001:453) 4 kap. 3 §; SFS 2020:1013",
        "parameter": None,
        "confidence": "HIGH",
        "part": "forsorjningsstod",
    }
    assert result.to_dict()["lines"][-1] == line


def test_a_reduced_norm_is_a_negative_line(rules: RuleSet) -> None:
    # 9 560 − 1 000 = 8 560; need 16 060... 8 560 + 7 500 = 16 060; aid 16 060 − 6 000 = 10 060.
    result = adjusted(rules, NormAdjustment.REDUCED, "1000")
    assert (str(result.norm_total), str(result.need), str(result.aid)) == ("8560.00", "16060.00", "10060.00")
    assert result.lines[-1].kind == "norm.adjustment.reduced"
    assert str(result.lines[-1].amount) == "-1000.00"
    assert result.lines[-1].rule == "Reducerad norm av särskilda skäl: särskilda skäl"


def test_a_raised_norm_counts_to_forsorjningsstod(rules: RuleSet) -> None:
    # Dental case: before, aid 1 180 all livsföring i övrigt. Raised by 1 000: norm 5 180, need 7 180,
    # aid 7 180 − 5 000 = 2 180; försörjningsstöd min(2 180, 5 180 − 5 000 = 180) = 180; other 2 000.
    result = adjusted(rules, NormAdjustment.RAISED, "1000", dental_month("2021-03", "2021-02"))
    assert (str(result.aid), str(result.subsistence_aid), str(result.other_aid)) == ("2180.00", "180.00", "2000.00")


def test_a_reduction_may_take_the_whole_norm_but_not_more(rules: RuleSet) -> None:
    # 9 560 − 9 560 = 0: allowed; need 7 500, aid 1 500.
    whole = adjusted(rules, NormAdjustment.REDUCED, "9560")
    assert (str(whole.norm_total), str(whole.aid)) == ("0.00", "1500.00")
    with pytest.raises(InvalidInput, match=r"a reduction of 9560.01 is more than the norm \(9560.00\)"):
        adjusted(rules, NormAdjustment.REDUCED, "9560.01")


@pytest.mark.parametrize("amount", ["0", "-5"])
def test_an_adjustment_must_be_positive(rules: RuleSet, amount: str) -> None:
    with pytest.raises(InvalidInput, match="must be more than 0"):
        adjusted(rules, NormAdjustment.RAISED, amount)


def test_an_adjustment_with_more_than_two_decimals_is_refused(rules: RuleSet) -> None:
    with pytest.raises(InvalidInput):
        adjusted(rules, NormAdjustment.RAISED, "10.005")


def test_an_adjustment_keeps_the_original_unchanged(rules: RuleSet) -> None:
    original = calculate(parse_situation(CONTRACT), rules)
    original.with_norm_adjustment(NormAdjustment.RAISED, Decimal("500"), "x")
    assert str(original.aid) == "11060.00"
    assert len(original.lines) == 6


def test_calc_json_has_the_two_parts_and_the_citation_date(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BISTAND_HOME", str(tmp_path / "home"))
    path = tmp_path / "dental.json"
    path.write_text(json.dumps(dental_month("2021-03", "2021-02")), encoding="utf-8")
    result = CliRunner().invoke(calc, [str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["aid"], data["subsistence_aid"], data["other_aid"]) == ("1180.00", "0.00", "1180.00")
    assert (data["subsistence_need"], data["other_need"]) == ("4180.00", "2000.00")
    assert data["citation_date"] == "2021-03-01"
    table = CliRunner().invoke(calc, [str(path)])
    assert table.exit_code == 0, table.output
    assert "subsistence_aid" in table.stdout
    assert "other_aid" in table.stdout
