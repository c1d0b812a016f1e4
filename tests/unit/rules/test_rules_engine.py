"""Engine edge cases: windows, ages, common costs beyond 7, validation messages, totals and trace."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bistand_es.domain.errors import InvalidInput, ParameterNotInForce
from bistand_es.domain.money import Money
from bistand_es.domain.month import Month
from bistand_es.domain.rules.calculation import calculate
from bistand_es.domain.rules.errors import InvalidSituation, UnknownProfile
from bistand_es.domain.rules.household_norm import age_on, band_of, common_costs
from bistand_es.domain.rules.input import parse_document
from bistand_es.domain.rules.jobbstimulans import window_containing, windows
from bistand_es.domain.rules.rule_set import RuleSet, load_rule_set
from bistand_es.domain.rules.situation import parse_situation

CONTRACT: dict[str, Any] = {
    "month": "2021-03",
    "profile": "national",
    "household": {
        "cohabiting": True,
        "shares_home_with": 0,
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


def months(*texts: str) -> list[Month]:
    return [Month.parse(t) for t in texts]


def test_the_contract_example_gives_the_contract_figures(rules: RuleSet) -> None:
    data = calculate(parse_situation(CONTRACT), rules).to_dict()
    assert {
        k: data[k]
        for k in ("norm_total", "costs_total", "need", "income_counted", "income_disregarded", "aid", "surplus")
    } == {
        "norm_total": "9560.00",
        "costs_total": "7500.00",
        "need": "17060.00",
        "income_counted": "6000.00",
        "income_disregarded": "2000.00",
        "aid": "11060.00",
        "surplus": "0.00",
    }
    assert data["warnings"] == []
    assert data["lines"][0] == {
        "kind": "norm.personal",
        "member": "anna",
        "amount": "5700.00",
        "rule": "personliga kostnader, sambor/makar (anna och bo): ett belopp för paret",
        "reference": "SoL (2001:453) 4 kap. 3 §; SFS 2020:1013",
        "parameter": "riksnorm.personal.sambor@2021-01-01",
        "confidence": "HIGH",
        "part": "forsorjningsstod",
    }


def test_lines_add_up_to_the_totals_exactly(rules: RuleSet) -> None:
    result = calculate(parse_situation(CONTRACT), rules)

    def total(prefix: str) -> Money:
        out = Money.zero()
        for line in result.lines:
            if line.kind.startswith(prefix):
                out += line.amount
        return out

    assert total("norm.") == result.norm_total
    assert total("cost.") == result.costs_total
    assert total("income.counted") == result.income_counted
    assert total("income.disregarded.") == result.income_disregarded
    assert result.need - result.income_counted == result.aid


def test_parameters_used_and_the_rule_set_hash_are_recorded(rules: RuleSet) -> None:
    result = calculate(parse_situation(CONTRACT), rules)
    assert result.parameters_used == [
        "jobbstimulans.qualifying_months@2013-07-01",
        "jobbstimulans.rate@2013-07-01",
        "jobbstimulans.window_months@2013-07-01",
        "law.citations@2013-01-01",
        "profile.national@2013-01-01",
        "riksnorm.common@2021-01-01",
        "riksnorm.personal.children@2021-01-01",
        "riksnorm.personal.sambor@2021-01-01",
    ]
    assert result.rule_set_hash == rules.hash
    assert result.to_dict()["rule_set_hash"] == rules.hash
    assert result.parameter_files["riksnorm.common@2021-01-01"].endswith("riksnorm.common.yaml")


def test_the_profile_argument_overrides_the_situation(rules: RuleSet) -> None:
    result = calculate(parse_situation(CONTRACT), rules, profile="forshaga")
    assert result.profile == "forshaga"
    with pytest.raises(UnknownProfile, match="known: forshaga, gislaved, goteborg, national"):
        calculate(parse_situation(CONTRACT), rules, profile="nowhere")


def test_a_profile_may_count_the_month_itself(tmp_path: Path) -> None:
    (tmp_path / "same.yaml").write_text(
        'id: profile.same\ntype: profile\ndescription: d\nvalues:\n  "2013-01-01":\n'
        "    value: {income_month_offset: 0}\n    source: {title: T, reference: R}\n    confidence: LOW\n"
    )
    situation = copy.deepcopy(CONTRACT)
    situation["profile"] = "same"
    situation["incomes"][0]["month"] = "2021-03"
    result = calculate(parse_situation(situation), load_rule_set(tmp_path))
    assert str(result.income_month) == "2021-03"
    assert str(result.income_counted) == "6000.00"
    assert any("profile.same@2013-01-01 is LOW" in w for w in result.warnings)


def _override(directory: Path, pid: str, kind: str, value: str) -> None:
    (directory / f"{pid}.yaml").write_text(
        f'id: {pid}\ntype: {kind}\ndescription: d\nvalues:\n  "2018-01-01":\n    value: {value}\n'
        "    source: {title: Official, reference: SFS test}\n    confidence: HIGH\n"
        '  "2019-01-01": null\n'
    )


def test_an_override_for_2018_makes_2018_calculable(tmp_path: Path) -> None:
    bands = ("age_0", "age_1_2", "age_3", "age_4_6", "age_7_10", "age_11_14", "age_15_18", "age_19_20")
    _override(tmp_path, "riksnorm.personal.ensamstaende", "money", "3000")
    _override(tmp_path, "riksnorm.personal.sambor", "money", "5400")
    _override(tmp_path, "riksnorm.personal.children", "money_table", "{" + ", ".join(f"{b}: 2000" for b in bands) + "}")
    _override(
        tmp_path,
        "riksnorm.common",
        "money_table",
        "{" + ", ".join(f"persons_{n}: {900 + n}" for n in range(1, 8)) + "}",
    )
    situation = {
        "month": "2018-03",
        "household": {"members": [{"id": "a", "role": "applicant", "birth_date": "1980-01-01"}]},
    }
    rules = load_rule_set(tmp_path)
    result = calculate(parse_situation(situation), rules)
    assert str(result.norm_total) == "3901.00"  # 3 000 + 901 from the override files
    assert result.parameter_files["riksnorm.common@2018-01-01"] == str(tmp_path / "riksnorm.common.yaml")
    # the override's own null on 2019-01-01 replaces the package value of 2019: the municipality's choice
    with pytest.raises(ParameterNotInForce, match="no riksnorm in force for 2019-03"):
        calculate(parse_situation({**situation, "month": "2019-03"}), rules)


def test_windows_open_after_six_months_and_last_24() -> None:
    found = windows(months("2020-01", "2020-02", "2020-03", "2020-04", "2020-05", "2020-06"), 6, 24)
    assert found == ((Month(2020, 7), Month(2022, 6)),)
    assert window_containing(found, Month(2022, 6)) is not None
    assert window_containing(found, Month(2022, 7)) is None
    assert window_containing(found, Month(2020, 6)) is None


def test_a_run_interrupted_then_resumed_needs_six_again() -> None:
    history = months(
        "2020-01",
        "2020-02",
        "2020-03",
        "2020-04",
        "2020-05",
        "2020-07",
        "2020-08",
        "2020-09",
        "2020-10",
        "2020-11",
        "2020-12",
    )
    assert windows(history, 6, 24) == ((Month(2021, 1), Month(2022, 12)),)


def test_duplicate_and_unsorted_history_months_are_harmless() -> None:
    history = months("2020-06", "2020-01", "2020-02", "2020-02", "2020-03", "2020-04", "2020-05")
    assert windows(history, 6, 24) == ((Month(2020, 7), Month(2022, 6)),)


def test_age_is_completed_years_and_leap_day_birthdays_turn_on_1_march() -> None:
    assert age_on(date(2016, 6, 1), date(2021, 3, 1)) == 4
    assert age_on(date(2016, 6, 1), date(2021, 6, 1)) == 5
    assert age_on(date(2004, 2, 29), date(2021, 2, 28)) == 16
    assert age_on(date(2004, 2, 29), date(2021, 3, 1)) == 17
    assert age_on(date(2021, 3, 20), date(2021, 3, 1)) == 0


def test_bands() -> None:
    assert [band_of(a)[0] for a in (0, 1, 2, 3, 4, 6, 7, 10, 11, 14, 15, 18, 19, 20)] == [
        "age_0",
        "age_1_2",
        "age_1_2",
        "age_3",
        "age_4_6",
        "age_4_6",
        "age_7_10",
        "age_7_10",
        "age_11_14",
        "age_11_14",
        "age_15_18",
        "age_15_18",
        "age_19_20",
        "age_19_20",
    ]


def test_common_costs_beyond_seven_add_the_7_minus_6_difference(rules: RuleSet) -> None:
    table = rules.lookup("riksnorm.common", date(2021, 1, 1))
    assert common_costs(table, 7)[0] == Money.of("2270")
    assert common_costs(table, 8)[0] == Money.of("2440")
    assert common_costs(table, 10)[0] == Money.of("2780")  # 2 270 + 3 × 170


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda s: s["household"]["members"][2].update(birth_date="2021-13-01"),
            "household.members[2].birth_date: '2021-13-01' is not a calendar date",
        ),
        (lambda s: s["household"]["members"][2].pop("birth_date"), "household.members[2].birth_date: missing"),
        (lambda s: s["household"]["members"][1].update(role="partner"), "household.members[1].role: Input should be"),
        (lambda s: s.update(month=202103), "month: 202103 is not a month"),
        (lambda s: s["costs"][0].update(amount="-5"), "costs[0].amount: -5.00 is negative"),
        (lambda s: s["costs"][0].update(amount="12.345"), "costs[0].amount: '12.345' has more than two decimals"),
        (lambda s: s["costs"][0].update(kind="yacht"), "costs[0].kind: Input should be"),
        (lambda s: s.update(colour="blue"), "colour: unknown field"),
        (lambda s: s["household"].update(shares_home_with=-1), "household.shares_home_with: Input should be"),
        (lambda s: s["household"]["members"][1].update(id="anna"), "household.members[1].id: 'anna' is used twice"),
        (lambda s: s["support_history"].update(zed=["2020-01"]), "support_history.zed: 'zed' is not a member"),
        (lambda s: s["support_history"].update(anna=["2020-1"]), "support_history.anna[0]: '2020-1' is not a month"),
        (lambda s: s["household"].update(cohabiting=False), "household.cohabiting: a co_applicant"),
    ],
)
def test_invalid_situations_name_the_field(change: Any, message: str) -> None:
    situation = copy.deepcopy(CONTRACT)
    change(situation)
    with pytest.raises(InvalidSituation) as caught:
        parse_situation(situation)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_several_problems_are_summarised_on_one_line() -> None:
    with pytest.raises(InvalidSituation, match=r"\(and 1 more problem\)"):
        parse_situation({"household": {"members": []}})


def test_a_situation_must_be_a_mapping() -> None:
    with pytest.raises(InvalidSituation, match="expected a mapping"):
        parse_situation(["month"])


def test_a_month_without_riksnorm_is_invalid_input(rules: RuleSet) -> None:
    situation = copy.deepcopy(CONTRACT)
    situation["month"] = "2018-03"
    for income in situation["incomes"]:
        income["month"] = "2018-02"
    with pytest.raises(ParameterNotInForce, match=r"^month: no riksnorm in force for 2018-03 \(riksnorm"):
        calculate(parse_situation(situation), rules)


def test_documents_parse_as_json_or_yaml() -> None:
    assert parse_document('{"month": "2021-03"}', "x.json") == {"month": "2021-03"}
    assert parse_document("month: '2021-03'\n", "x.yaml") == {"month": "2021-03"}
    with pytest.raises(InvalidInput, match=r"x.json: not valid JSON \(line 1, column 2\)"):
        parse_document("{month}", "x.json")
    with pytest.raises(InvalidInput, match=r"x.yaml: not valid YAML"):
        parse_document("month: [", "x.yaml")
    with pytest.raises(InvalidInput, match="duplicate key 'month'"):
        parse_document('{"month": "2021-03", "month": "2021-04"}', "x.json")
    with pytest.raises(InvalidInput, match="duplicate key 'month'"):
        parse_document("month: '2021-03'\nmonth: '2021-04'\n", "x.yaml")
    assert parse_document("birth_date: 1985-04-02\n", "x.yaml") == {"birth_date": "1985-04-02"}
    with pytest.raises(InvalidInput, match="empty input"):
        parse_document("  ", "-")
