"""``bistand reimburse check`` through click's CliRunner: the contract's example, formats and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bistand_es.cli.main import cli

# The contract's example input, exactly as written (comments included).
EXAMPLE_AS_WRITTEN = (Path(__file__).parent / "contract_example.yaml").read_text(encoding="utf-8")

# The example with p2 added and the costs behind the documented output (July, August and October for p1).
P2 = """\
  - id: p2
    birth_date: "1950-01-01"
    statuses: [{status: residence_permit, from: "2024-06-01"}]
    received_on: "2024-06-15"
"""
EXTRA_COSTS = """\
  - {person: p1, month: "2025-07", type: asylum.lma_aid, amount: "2201.00"}
  - {person: p1, month: "2025-08", type: asylum.lma_aid, amount: "2201.00"}
  - {person: p1, month: "2025-10", type: asylum.lma_aid, amount: "2201.00"}
"""


def completed_example() -> str:
    text = EXAMPLE_AS_WRITTEN.replace("costs:", P2 + "costs:", 1)
    return text.replace("claims:", EXTRA_COSTS + "claims:", 1)


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    monkeypatch.setenv("BISTAND_HOME", str(tmp_path / "home"))
    return CliRunner()


def run(runner: CliRunner, tmp_path: Path, text: str, *args: str, name: str = "case.yaml") -> Result:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return runner.invoke(cli, ["reimburse", "check", str(path), *args])


def one_error(result: Result) -> str:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_the_contract_example_as_written_names_the_unknown_person(runner: CliRunner, tmp_path: Path) -> None:
    # p2 has a cost but is not among the persons: "a cost for an unknown person" → exit 2.
    line = one_error(run(runner, tmp_path, EXAMPLE_AS_WRITTEN, "--json"))
    assert line == "error: costs[1].person: 'p2' is not one of the persons (p1)"


def test_the_contract_example_gives_the_documented_figures(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, tmp_path, completed_example(), "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["as_of"] == "2026-03-15"
    lma = data["opportunities"][0]
    # July + August: 2 × 2 201.00 = 4 402.00; 2025-Q3 ends in September, + 6 months = 2026-03-31, 16 days
    # after 2026-03-15.
    assert {key: lma[key] for key in ("type", "period", "persons", "amount", "deadline", "days_left", "status")} == {
        "type": "asylum.lma_aid",
        "period": "2025-Q3",
        "persons": ["p1"],
        "amount": "4402.00",
        "deadline": "2026-03-31",
        "days_left": 16,
        "status": "open",
    }
    assert lma["lines"][0] == {"person": "p1", "month": "2025-07", "amount": "2201.00"}
    assert (lma["reference"], lma["confidence"]) == ("Förordning (2017:193) 19 §", "HIGH")
    # October starts under the residence permit from 2025-09-01.
    assert {
        "person": "p1",
        "month": "2025-10",
        "type": "asylum.lma_aid",
        "amount": "2201.00",
        "reason": "residence_permit from 2025-09-01",
    } in data["not_eligible"]
    # p2: 0.75 × (40 000.00 − 4 000.00) = 27 000.00 for 2025, due 2026-12-31.
    housing = data["opportunities"][1]
    assert (housing["type"], housing["amount"], housing["deadline"]) == (
        "permit.housing_support",
        "27000.00",
        "2026-12-31",
    )
    # The Q1 claim covers February (2 201.00); open = 4 402.00 + 27 000.00; not eligible: October.
    assert data["totals"] == {"open": "31402.00", "lost": "0.00", "claimed": "2201.00", "not_eligible": "2201.00"}
    assert set(data) >= {"as_of", "opportunities", "totals", "not_eligible", "warnings"}


def test_the_default_output_is_a_readable_table(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, tmp_path, completed_example())
    assert result.exit_code == 0, result.stderr
    assert "Återsökning per 2026-03-15" in result.stdout
    assert "asylum.lma_aid" in result.stdout and "2026-03-31" in result.stdout
    assert "residence_permit from 2025-09-01" in result.stdout
    assert "Warnings:" in result.stdout  # permit.housing_support is MEDIUM


def test_standard_input_and_json_input(runner: CliRunner) -> None:
    case = {
        "as_of": "2025-06-01",
        "persons": [{"id": "a", "statuses": [{"status": "asylum_seeker", "from": "2024-11-01"}]}],
        "costs": [{"person": "a", "month": "2025-02", "type": "asylum.lma_aid", "amount": 1500}],
    }
    result = runner.invoke(cli, ["reimburse", "check", "-", "--json"], input=json.dumps(case))
    assert result.exit_code == 0, result.stderr
    # 2025-Q1 → 2025-09-30: 29 + 31 + 31 + 30 = 121 days from 2025-06-01.
    assert json.loads(result.stdout)["opportunities"][0]["days_left"] == 121


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("1e27", "costs[0].amount: 1e+27 is a float"),
        ("NaN", "costs[0].amount: nan is a float"),
        ("1500.5", "costs[0].amount: 1500.5 is a float"),
        ('"1500.505"', "more than two decimals"),
    ],
)
def test_json_numbers_that_are_not_money_are_refused(
    runner: CliRunner, tmp_path: Path, amount: str, message: str
) -> None:
    text = (
        '{"as_of": "2025-06-01", "persons": [{"id": "a"}], '
        f'"costs": [{{"person": "a", "month": "2025-02", "type": "asylum.lma_aid", "amount": {amount}}}]}}'
    )
    assert message in one_error(run(runner, tmp_path, text, "--json", name="case.json"))


def test_a_missing_file_and_an_empty_input_are_one_line(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["reimburse", "check", str(tmp_path / "nothing.yaml")])
    assert "no such file" in one_error(result)
    assert "empty input" in one_error(run(runner, tmp_path, "  \n"))
    assert "case: expected a mapping" in one_error(run(runner, tmp_path, "- 1\n"))


def test_a_municipality_loads_the_missing_illness_deadline(runner: CliRunner, tmp_path: Path) -> None:
    # The shipped parameter is NOT FOUND; an override of 6 months makes 2025-Q4 due 2026-06-30
    # (December + 6 months), 171 days after 2026-01-10 (21 + 28 + 31 + 30 + 31 + 30).
    override = tmp_path / "home" / "parameters"
    override.mkdir(parents=True)
    (override / "reimbursement.permit.illness.deadline_months.yaml").write_text(
        'id: reimbursement.permit.illness.deadline_months\nvalues:\n  "2010-12-01":\n    value: 6\n'
        "    source: {title: Kommunens beslut, reference: Dnr 2026/1}\n    confidence: HIGH\n",
        encoding="utf-8",
    )
    case = (
        'as_of: "2026-01-10"\npersons: [{id: g, statuses: [{status: residence_permit, from: "2025-01-01"}]}]\n'
        'costs: [{person: g, month: "2025-10", type: permit.illness, amount: "1200.00"}]\n'
    )
    result = run(runner, tmp_path, case, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["opportunities"][0]["deadline"], data["opportunities"][0]["days_left"]) == ("2026-06-30", 171)
    assert not any("NOT FOUND" in warning for warning in data["warnings"])
    assert "reimbursement.permit.illness.deadline_months@2010-12-01" in data["parameters_used"]


def test_bistand_help_lists_reimburse(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--help"])
    assert "reimburse" in result.stdout and "Återsökning" in result.stdout
    assert runner.invoke(cli, ["reimburse", "check", "--help"]).exit_code == 0
