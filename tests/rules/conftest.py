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

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bistand_es.domain.errors import InvalidInput
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
CASE_KEYS = {"name", "why", "situation", "expect", "profile"}
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


class CaseFailure(AssertionError):
    pass


_RULE_SET: list[RuleSet] = []


def _rule_set() -> RuleSet:
    if not _RULE_SET:
        _RULE_SET.append(load_rule_set(None))
    return _RULE_SET[0]


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix == ".yaml" and file_path.parent == Path(__file__).parent:
        return RuleFile.from_parent(parent, path=file_path)
    return None


class RuleFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        cases = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        if not isinstance(cases, list):
            raise CaseFailure(f"{self.path}: expected a list of cases")
        names: set[str] = set()
        for case in cases:
            unknown = set(case) - CASE_KEYS
            if unknown or "name" not in case or "expect" not in case or "situation" not in case:
                raise CaseFailure(
                    f"{self.path}: case {case.get('name')!r}: needs name, situation, expect "
                    f"(unknown: {sorted(unknown)})"
                )
            if not case.get("why"):
                raise CaseFailure(f"{self.path}: case {case['name']!r} has no `why` (the arithmetic by hand)")
            if case["name"] in names:
                raise CaseFailure(f"{self.path}: case name {case['name']!r} is used twice")
            names.add(case["name"])
            yield RuleCase.from_parent(self, name=case["name"], case=case)


class RuleCase(pytest.Item):
    def __init__(self, *, case: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        run_case(self.case)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CaseFailure):
            return f"{self.name}\n  why: {self.case.get('why')}\n  {excinfo.value}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"rule case: {self.name}"


def run_case(case: dict[str, Any]) -> None:
    expect = case["expect"]
    unknown = set(expect) - EXPECT_KEYS
    if unknown:
        raise CaseFailure(f"unknown expect keys {sorted(unknown)}")
    if "error" in expect:
        try:
            calculation = calculate(parse_situation(case["situation"]), _rule_set(), case.get("profile"))
        except InvalidInput as error:
            if expect["error"] not in str(error):
                raise CaseFailure(f"error {str(error)!r} does not contain {expect['error']!r}") from None
            return
        raise CaseFailure(f"expected error {expect['error']!r}, got aid {calculation.aid}")
    result = calculate(parse_situation(case["situation"]), _rule_set(), case.get("profile")).to_dict()
    problems: list[str] = []
    for key in (*TOTALS, "income_month", "citation_date"):
        if key in expect and str(expect[key]) != result[key]:
            problems.append(f"{key}: expected {expect[key]}, got {result[key]}")
    for wanted in expect.get("lines", []):
        if not any(_matches(line, wanted) for line in result["lines"]):
            problems.append(f"no line matches {wanted}")
    if "line_count" in expect and len(result["lines"]) != expect["line_count"]:
        problems.append(f"line_count: expected {expect['line_count']}, got {len(result['lines'])}")
    if "warnings" in expect and len(result["warnings"]) != expect["warnings"]:
        problems.append(f"warnings: expected {expect['warnings']}, got {result['warnings']}")
    for text in expect.get("warnings_contain", []):
        if not any(text in warning for warning in result["warnings"]):
            problems.append(f"no warning contains {text!r}: {result['warnings']}")
    for member, wanted in (expect.get("jobbstimulans") or {}).items():
        if result["jobbstimulans"].get(member) != wanted:
            problems.append(f"jobbstimulans[{member}]: expected {wanted}, got {result['jobbstimulans'].get(member)}")
    if problems:
        lines = "\n    ".join(f"{line['kind']} {line['member']} {line['amount']}" for line in result["lines"])
        raise CaseFailure("\n  ".join(problems) + f"\n  lines:\n    {lines}")


def _matches(line: dict[str, Any], wanted: dict[str, Any]) -> bool:
    for key, value in wanted.items():
        if key.endswith("_contains"):
            if str(value) not in str(line.get(key.removesuffix("_contains"))):
                return False
        elif (value is None and line.get(key) is not None) or (value is not None and str(line.get(key)) != str(value)):
            return False
    return True
