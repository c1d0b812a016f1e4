"""Collects the YAML rule tests in this folder: each file holds a list of sentence-named cases.

A case::

    - name: a single adult in March 2021 gets 3 160 + 1 020
      why: ensamstående 3 160 + common costs 1 person 1 020 = 4 180 (SFS 2020:1013)
      situation: {...}          # the calc contract input
      expect:
        norm_total: "4180.00"   # any of the contract's totals
        lines:                  # each must match one line (only the keys given are compared;
          - {kind: norm.personal, member: a, amount: "3160.00"}   # KEY_contains: a substring of KEY)
        line_count: 2           # optional
        warnings: 0             # optional: number of warnings
        warnings_contain: ["riksnorm.common@2017-01-01"]
      # or, instead of totals:  error: "no riksnorm in force for 2018-03"

The expected figures are worked out by hand from figures.md (the ``why`` of each case), not copied from
the engine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.yaml_cases import CaseFile, check_expect_keys, common_problems, expected_error, fail_if

from bistand_es.domain.rules.calculation import calculate
from bistand_es.domain.rules.rule_set import RuleSet, load_rule_set
from bistand_es.domain.rules.situation import parse_situation

TOTALS = (
    "norm_total",
    "costs_total",
    "need",
    "income_counted",
    "income_disregarded",
    "aid",
    "surplus",
    "subsistence_need",
    "other_need",
    "subsistence_aid",
    "other_aid",
)
EXPECT_KEYS = {
    *TOTALS,
    "lines",
    "line_count",
    "warnings",
    "warnings_contain",
    "error",
    "income_month",
    "jobbstimulans",
    "citation_date",
}

_RULE_SET: list[RuleSet] = []


def _rule_set() -> RuleSet:
    if not _RULE_SET:
        _RULE_SET.append(load_rule_set(None))
    return _RULE_SET[0]


def run_case(case: dict[str, Any]) -> None:
    expect = case["expect"]
    check_expect_keys(expect, EXPECT_KEYS)

    def run() -> Any:
        return calculate(parse_situation(case["situation"]), _rule_set(), case.get("profile"))

    if expected_error(expect, run):
        return
    result = run().to_dict()
    problems = common_problems(expect, result, (*TOTALS, "income_month", "citation_date"))
    for member, wanted in (expect.get("jobbstimulans") or {}).items():
        if result["jobbstimulans"].get(member) != wanted:
            problems.append(f"jobbstimulans[{member}]: expected {wanted}, got {result['jobbstimulans'].get(member)}")
    fail_if(problems, result)


class RuleFile(CaseFile):
    case_keys = frozenset({"name", "why", "situation", "expect", "profile"})
    label = "rule case"
    runner = staticmethod(run_case)


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix == ".yaml" and file_path.parent == Path(__file__).parent:
        return RuleFile.from_parent(parent, path=file_path)
    return None
