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

from pathlib import Path
from typing import Any

import pytest

from bistand_es.domain.rules.placement import calculate_placement_allowance
from bistand_es.domain.rules.placement_situation import parse_placement_situation
from bistand_es.domain.rules.rule_set import RuleSet, load_rule_set
from tests.yaml_cases import CaseFile, check_expect_keys, common_problems, expected_error, fail_if

TOTALS = ("norm_total", "need", "income_counted", "income_disregarded", "aid", "surplus")
EXPECT_KEYS = {*TOTALS, "lines", "line_count", "warnings_contain", "error", "period", "reductions", "payee"}
_RULES: list[RuleSet] = []


def _rule_set() -> RuleSet:
    if not _RULES:
        _RULES.append(load_rule_set(None))
    return _RULES[0]


def run_case(case: dict[str, Any]) -> None:
    expect = case["expect"]
    check_expect_keys(expect, EXPECT_KEYS)

    def run() -> Any:
        return calculate_placement_allowance(parse_placement_situation(case["situation"]), _rule_set())

    if expected_error(expect, run):
        return
    data = run().to_dict()
    problems = common_problems(expect, data, TOTALS)
    placement = data["placement"]
    for key in ("period", "payee"):
        if key in expect and placement[key] != expect[key]:
            problems.append(f"{key}: expected {expect[key]}, got {placement[key]}")
    if "reductions" in expect and len(placement["reductions"]) != expect["reductions"]:
        problems.append(f"reductions: expected {expect['reductions']}, got {placement['reductions']}")
    fail_if(problems, data)


class PlacementFile(CaseFile):
    label = "placement case"
    runner = staticmethod(run_case)


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if (
        file_path.suffix == ".yaml"
        and file_path.name.startswith("goteborg_")
        and file_path.parent == Path(__file__).parent
    ):
        return PlacementFile.from_parent(parent, path=file_path)
    return None
