"""Runs the hand-worked återsökning cases in this folder (``*.yaml``), each through the engine and the CLI.

A file is a list of cases::

    - name: an LMA cost in 2025-Q1 is due on 2025-09-30
      why: the arithmetic and the date reasoning, by hand (required)
      case: {...}                 # the `bistand reimburse check` input
      expect:
        opportunities:            # all of them, in order; only the keys given are compared (KEY_contains:
                                  # a substring of KEY)
          - {type: asylum.lma_aid, period: 2025-Q1, amount: "1500.00", deadline: "2025-09-30", days_left: 121}
        totals: {open: "1500.00"}  # any of open, lost, claimed, not_eligible
        not_eligible: [...]       # all of them, in order; only the keys given are compared
        warnings: 0               # the number of warnings
        warnings_contain: ["reimbursement.permit.illness.deadline_months"]
      # or, for invalid input:  error: "costs[0].type: 'x' is not a compensation type"

Expected figures are worked out by hand (the ``why``), never copied from the engine's output. Every case
also runs through ``bistand reimburse check --json``: the same JSON, or exit 2 with one ``error:`` line.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from bistand_es.cli.main import cli
from bistand_es.domain.errors import InvalidInput
from bistand_es.domain.reimbursement import check, parse_case
from bistand_es.domain.rules.rule_set import RuleSet, load_rule_set

HERE = Path(__file__).parent
CASE_KEYS = {"name", "why", "case", "expect"}
EXPECT_KEYS = {"opportunities", "totals", "not_eligible", "warnings", "warnings_contain", "error"}


@cache
def _rules() -> RuleSet:
    return load_rule_set(None)


def _cases() -> list[Any]:
    found: list[Any] = []
    for path in sorted(HERE.glob("*.yaml")):
        cases = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert isinstance(cases, list), f"{path}: expected a list of cases"
        for case in cases:
            assert set(case) <= CASE_KEYS and {"name", "case", "expect"} <= set(case), f"{path}: {case.get('name')}"
            assert case.get("why"), f"{path}: case {case['name']!r} has no `why` (the arithmetic by hand)"
            assert set(case["expect"]) <= EXPECT_KEYS, f"{path}: {case['name']}: {set(case['expect']) - EXPECT_KEYS}"
            found.append(pytest.param(case, id=f"{path.stem}: {case['name']}"))
    return found


def _matches(actual: dict[str, Any], wanted: dict[str, Any]) -> bool:
    for key, value in wanted.items():
        if key.endswith("_contains"):
            if str(value) not in str(actual.get(key.removesuffix("_contains"))):
                return False
            continue
        got = actual.get(key, "<missing>")
        if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            if not isinstance(got, list) or len(got) != len(value):
                return False
            if not all(_matches(one, want) for one, want in zip(got, value, strict=True)):
                return False
        elif isinstance(value, list) or value is None or isinstance(got, int | list) or got is None:
            if got != value:
                return False
        elif str(got) != str(value):
            return False
    return True


def _compare(result: dict[str, Any], expect: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    for key in ("opportunities", "not_eligible"):
        if key not in expect:
            continue
        got, wanted = result[key], expect[key]
        if len(got) != len(wanted):
            problems.append(f"{key}: expected {len(wanted)}, got {len(got)}: {got}")
            continue
        for index, (one, want) in enumerate(zip(got, wanted, strict=True)):
            if not _matches(one, want):
                problems.append(f"{key}[{index}]: expected {want}, got {one}")
    for key, value in (expect.get("totals") or {}).items():
        if result["totals"][key] != str(value):
            problems.append(f"totals.{key}: expected {value}, got {result['totals'][key]}")
    if "warnings" in expect and len(result["warnings"]) != expect["warnings"]:
        problems.append(f"warnings: expected {expect['warnings']}, got {result['warnings']}")
    for text in expect.get("warnings_contain", []):
        if not any(text in warning for warning in result["warnings"]):
            problems.append(f"no warning contains {text!r}: {result['warnings']}")
    return problems


def _cli(case: dict[str, Any], tmp_path: Path) -> Any:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case), encoding="utf-8")
    runner = CliRunner()
    return runner.invoke(cli, ["reimburse", "check", str(path), "--json"], env={"BISTAND_HOME": str(tmp_path)})


@pytest.mark.parametrize("case", _cases())
def test_case(case: dict[str, Any], tmp_path: Path) -> None:
    expect = case["expect"]
    if "error" in expect:
        with pytest.raises(InvalidInput) as raised:
            check(parse_case(case["case"]), _rules())
        assert expect["error"] in str(raised.value)
        outcome = _cli(case["case"], tmp_path)
        assert outcome.exit_code == 2, outcome.output
        assert outcome.stdout == ""
        lines = outcome.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), outcome.stderr
        assert expect["error"] in lines[0]
        return
    result = check(parse_case(case["case"]), _rules()).to_dict()
    problems = _compare(result, expect)
    assert not problems, f"{case['name']}\n  why: {case['why']}\n  " + "\n  ".join(problems)
    outcome = _cli(case["case"], tmp_path)
    assert outcome.exit_code == 0, outcome.stderr
    assert json.loads(outcome.stdout) == result
