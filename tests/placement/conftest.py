"""Collects the placement allowance's YAML rule cases (``goteborg_*.yaml`` in this folder).

A case is like the calc cases of ``tests/rules`` (name, why, situation, expect), but its situation is a placed
child's (:mod:`bistand_es.domain.rules.placement_situation`) and it runs the placement engine::

    - name: …
      why: the arithmetic by hand, from the parameters
      situation: {engine: placement, month: "2023-03", child: {...}, placement: {...}, incomes: [...]}
      expect:
        norm_total: "2570.00"            # any total of the calculation
        lines: [{kind: norm.placement.telefon, amount: "180.00"}]   # KEY_contains: a substring
        period: {from: "2023-03-01", to: "2023-03-31"}
        reductions: 3                    # how many reasons for a reduction the payment states
        warnings_contain: ["riksnorm.items.livsmedel@2023-01-01"]
      # or instead:  error: "load the official figures"
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bistand_es.domain.errors import InvalidInput
from bistand_es.domain.rules.placement import calculate_placement_allowance
from bistand_es.domain.rules.placement_situation import parse_placement_situation
from bistand_es.domain.rules.rule_set import RuleSet, load_rule_set

TOTALS = ("norm_total", "need", "income_counted", "income_disregarded", "aid", "surplus")
EXPECT_KEYS = {*TOTALS, "lines", "line_count", "warnings_contain", "error", "period", "reductions", "payee"}
_RULES: list[RuleSet] = []


class CaseFailure(AssertionError):
    pass


def _rule_set() -> RuleSet:
    if not _RULES:
        _RULES.append(load_rule_set(None))
    return _RULES[0]


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if (
        file_path.suffix == ".yaml"
        and file_path.name.startswith("goteborg_")
        and file_path.parent == Path(__file__).parent
    ):
        return CaseFile.from_parent(parent, path=file_path)
    return None


class CaseFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        cases = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        names: set[str] = set()
        for case in cases:
            if set(case) - {"name", "why", "situation", "expect"} or not case.get("why") or case["name"] in names:
                raise CaseFailure(f"{self.path}: case {case.get('name')!r} needs name, why, situation, expect")
            names.add(case["name"])
            yield Case.from_parent(self, name=case["name"], case=case)


class Case(pytest.Item):
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
        return self.path, 0, f"placement case: {self.name}"


def run_case(case: dict[str, Any]) -> None:
    expect = case["expect"]
    if set(expect) - EXPECT_KEYS:
        raise CaseFailure(f"unknown expect keys {sorted(set(expect) - EXPECT_KEYS)}")
    if "error" in expect:
        try:
            result = calculate_placement_allowance(parse_placement_situation(case["situation"]), _rule_set())
        except InvalidInput as error:
            if expect["error"] not in str(error):
                raise CaseFailure(f"error {str(error)!r} does not contain {expect['error']!r}") from None
            return
        raise CaseFailure(f"expected error {expect['error']!r}, got aid {result.aid}")
    data = calculate_placement_allowance(parse_placement_situation(case["situation"]), _rule_set()).to_dict()
    problems = [
        f"{key}: expected {expect[key]}, got {data[key]}"
        for key in TOTALS
        if key in expect and str(expect[key]) != data[key]
    ]
    for wanted in expect.get("lines", []):
        if not any(_matches(line, wanted) for line in data["lines"]):
            problems.append(f"no line matches {wanted}")
    if "line_count" in expect and len(data["lines"]) != expect["line_count"]:
        problems.append(f"line_count: expected {expect['line_count']}, got {len(data['lines'])}")
    for text in expect.get("warnings_contain", []):
        if not any(text in warning for warning in data["warnings"]):
            problems.append(f"no warning contains {text!r}")
    placement = data["placement"]
    if "period" in expect and placement["period"] != expect["period"]:
        problems.append(f"period: expected {expect['period']}, got {placement['period']}")
    if "reductions" in expect and len(placement["reductions"]) != expect["reductions"]:
        problems.append(f"reductions: expected {expect['reductions']}, got {placement['reductions']}")
    if "payee" in expect and placement["payee"] != expect["payee"]:
        problems.append(f"payee: expected {expect['payee']}, got {placement['payee']}")
    if problems:
        shown = "\n    ".join(f"{line['kind']} {line['member']} {line['amount']}" for line in data["lines"])
        raise CaseFailure("\n  ".join(problems) + f"\n  lines:\n    {shown}")


def _matches(line: dict[str, Any], wanted: dict[str, Any]) -> bool:
    for key, value in wanted.items():
        if key.endswith("_contains"):
            if str(value) not in str(line.get(key.removesuffix("_contains"))):
                return False
        elif str(line.get(key)) != str(value):
            return False
    return True
