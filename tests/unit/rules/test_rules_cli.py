"""``bistand calc`` and ``bistand rules`` through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bistand_es.cli.calc import calc
from bistand_es.cli.main import cli
from bistand_es.cli.rules import rules

EXAMPLE = """\
month: "2021-03"
profile: national
household:
  cohabiting: true
  members:
    - {id: anna, role: applicant, birth_date: "1985-04-02"}
    - {id: bo, role: co_applicant, birth_date: "1984-11-30"}
    - {id: cleo, role: child, birth_date: "2016-06-01", in_school: true}
costs:
  - {kind: rent, amount: "7500"}
incomes:
  - {member: anna, kind: employment, month: "2021-02", amount: "8000"}
support_history:
  anna: ["2020-08", "2020-09", "2020-10", "2020-11", "2020-12", "2021-01"]
"""

SINGLE_2018 = {
    "month": "2018-03",
    "household": {"members": [{"id": "a", "role": "applicant", "birth_date": "1980-01-01"}]},
}


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    monkeypatch.setenv("BISTAND_HOME", str(tmp_path / "home"))
    return CliRunner()


@pytest.fixture
def example(tmp_path: Path) -> Path:
    path = tmp_path / "situation.yaml"
    path.write_text(EXAMPLE, encoding="utf-8")
    return path


def one_line_error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_calc_json_is_the_contract(runner: CliRunner, example: Path) -> None:
    result = runner.invoke(calc, [str(example), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (
        data["norm_total"],
        data["costs_total"],
        data["need"],
        data["income_counted"],
        data["income_disregarded"],
        data["aid"],
        data["surplus"],
    ) == ("9560.00", "7500.00", "17060.00", "6000.00", "2000.00", "11060.00", "0.00")
    assert data["month"] == "2021-03"
    assert data["warnings"] == []
    assert len(data["rule_set_hash"]) == 64


def test_calc_table_shows_lines_totals_and_hash(runner: CliRunner, example: Path) -> None:
    result = runner.invoke(calc, [str(example)])
    assert result.exit_code == 0, result.output
    assert "norm.personal" in result.stdout
    assert "riksnorm.personal.sambor@2021-01-01" in result.stdout
    assert "aid                 11060.00" in result.stdout
    assert "rule set " in result.stdout


def test_calc_reads_json_from_standard_input(runner: CliRunner) -> None:
    situation = dict(SINGLE_2018, month="2021-03")
    result = runner.invoke(calc, ["-", "--json"], input=json.dumps(situation))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["aid"] == "4180.00"


def test_calc_through_the_bistand_group(runner: CliRunner, example: Path) -> None:
    result = runner.invoke(cli, ["calc", str(example), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["aid"] == "11060.00"


def test_a_month_without_riksnorm_exits_2_with_one_line(runner: CliRunner) -> None:
    result = runner.invoke(calc, ["-"], input=json.dumps(SINGLE_2018))
    assert one_line_error(result).startswith("error: month: no riksnorm in force for 2018-03")


def test_invalid_input_names_the_field(runner: CliRunner, example: Path) -> None:
    example.write_text(EXAMPLE.replace('birth_date: "2016-06-01"', 'birth_date: "2016-02-30"'))
    line = one_line_error(runner.invoke(calc, [str(example)]))
    assert line == "error: household.members[2].birth_date: '2016-02-30' is not a calendar date"


def test_bad_json_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"month": "2021-03",}')
    assert "not valid JSON (line 1" in one_line_error(runner.invoke(calc, [str(path)]))


def test_a_missing_file_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    line = one_line_error(runner.invoke(calc, [str(tmp_path / "nope.yaml")]))
    assert line == f"error: SITUATION_FILE: no such file: {tmp_path / 'nope.yaml'}"


def test_a_float_amount_in_json_exits_2(runner: CliRunner) -> None:
    situation = dict(SINGLE_2018, month="2021-03", costs=[{"kind": "rent", "amount": 7500.5}])
    line = one_line_error(runner.invoke(calc, ["-"], input=json.dumps(situation)))
    assert line.startswith("error: costs[0].amount: 7500.5 is a float")


def test_an_unknown_profile_exits_2(runner: CliRunner, example: Path) -> None:
    line = one_line_error(runner.invoke(calc, [str(example), "--profile", "atlantis"]))
    assert "profile: unknown profile 'atlantis'" in line


def test_the_profile_option_selects_a_profile(runner: CliRunner, example: Path) -> None:
    result = runner.invoke(calc, [str(example), "--profile", "forshaga", "--json"])
    data = json.loads(result.stdout)
    assert data["profile"] == "forshaga"
    assert any("profile.forshaga" in w for w in data["warnings"])


def _override_2018(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    bands = ("age_0", "age_1_2", "age_3", "age_4_6", "age_7_10", "age_11_14", "age_15_18", "age_19_20")
    values = {
        "riksnorm.personal.ensamstaende": ("money", "3000"),
        "riksnorm.personal.sambor": ("money", "5400"),
        "riksnorm.personal.children": ("money_table", "{" + ", ".join(f"{b}: 2000" for b in bands) + "}"),
        "riksnorm.common": ("money_table", "{" + ", ".join(f"persons_{n}: 1000" for n in range(1, 8)) + "}"),
    }
    for pid, (kind, value) in values.items():
        (directory / f"{pid}.yaml").write_text(
            f'id: {pid}\ntype: {kind}\ndescription: d\nvalues:\n  "2018-01-01":\n    value: {value}\n'
            "    source: {title: Official, reference: SFS test}\n    confidence: HIGH\n"
        )


def test_bistand_home_parameters_override_the_package(runner: CliRunner, tmp_path: Path) -> None:
    _override_2018(tmp_path / "home" / "parameters")
    result = runner.invoke(calc, ["-", "--json"], input=json.dumps(SINGLE_2018))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["norm_total"] == "4000.00"


def test_the_parameters_option_names_an_override_directory(runner: CliRunner, tmp_path: Path) -> None:
    _override_2018(tmp_path / "municipal")
    result = runner.invoke(
        calc, ["-", "--json", "--parameters", str(tmp_path / "municipal")], input=json.dumps(SINGLE_2018)
    )
    assert result.exit_code == 0, result.output
    line = one_line_error(runner.invoke(calc, ["-", "--parameters", str(tmp_path / "nope")], input="{}"))
    assert "--parameters" in line


def test_a_broken_override_file_is_reported(runner: CliRunner, tmp_path: Path) -> None:
    directory = tmp_path / "home" / "parameters"
    directory.mkdir(parents=True)
    (directory / "prisbasbelopp.yaml").write_text("id: prisbasbelopp\ntype: money\n")
    result = runner.invoke(calc, ["-"], input=json.dumps(dict(SINGLE_2018, month="2021-03")))
    assert result.exit_code == 1
    # type and description are inherited from the shipped parameter; the values are what is missing
    assert "prisbasbelopp.yaml: missing field 'values'" in result.stderr


def test_an_override_of_a_new_parameter_needs_its_type_and_description(runner: CliRunner, tmp_path: Path) -> None:
    directory = tmp_path / "home" / "parameters"
    directory.mkdir(parents=True)
    (directory / "local.max_rent.yaml").write_text(
        'id: local.max_rent\nvalues:\n  "2023-04-01":\n    value: 6330\n    source: {title: t, reference: r}\n'
        "    confidence: MEDIUM\n"
    )
    result = runner.invoke(calc, ["-"], input=json.dumps(dict(SINGLE_2018, month="2021-03")))
    assert result.exit_code == 1
    assert "local.max_rent.yaml: missing field 'type'" in result.stderr


def test_rules_list_shows_every_parameter_and_the_hash(runner: CliRunner) -> None:
    result = runner.invoke(rules, ["list", "--at", "2021-03-01"])
    assert result.exit_code == 0, result.output
    assert "riksnorm.personal.sambor" in result.stdout
    assert "rule set " in result.stdout
    data = json.loads(runner.invoke(rules, ["list", "--at", "2021-03-01", "--json"]).stdout)
    row = next(r for r in data["parameters"] if r["id"] == "riksnorm.personal.ensamstaende")
    assert (row["effective"], row["value"], row["confidence"]) == ("2021-01-01", "3160.00", "HIGH")
    assert row["file"].endswith("riksnorm.personal.ensamstaende.yaml")
    assert data["rule_set_hash"] == runner.invoke(rules, ["hash"]).stdout.strip()


def test_rules_show_gives_value_source_confidence_and_file(runner: CliRunner) -> None:
    result = runner.invoke(rules, ["show", "riksnorm.personal.children", "--at", "2020-06-01", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["version"] == "riksnorm.personal.children@2020-01-01"
    assert data["confidence"] == "LOW"
    assert "age_4_6=2430.00" in data["value"]
    assert data["file"].endswith("riksnorm.personal.children.yaml")
    assert any(entry["value"] == "null (gap)" for entry in data["history"])
    table = runner.invoke(rules, ["show", "prisbasbelopp", "--at", "2021-06-01"])
    assert "47600.00" in table.stdout


def test_rules_show_reports_a_gap_and_an_unknown_parameter(runner: CliRunner) -> None:
    line = one_line_error(runner.invoke(rules, ["show", "riksnorm.common", "--at", "2018-05-01"]))
    assert "no riksnorm.common in force for 2018-05-01" in line
    assert "unknown parameter 'nope'" in one_line_error(runner.invoke(rules, ["show", "nope"]))
    assert "--at: 'May' is not a date" in one_line_error(runner.invoke(rules, ["show", "prisbasbelopp", "--at", "May"]))


def test_rules_show_uses_the_override_file(runner: CliRunner, tmp_path: Path) -> None:
    _override_2018(tmp_path / "home" / "parameters")
    data = json.loads(runner.invoke(rules, ["show", "riksnorm.common", "--at", "2018-05-01", "--json"]).stdout)
    assert data["file"] == str(tmp_path / "home" / "parameters" / "riksnorm.common.yaml")
