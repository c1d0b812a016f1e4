"""Benchmark of the rules engine: calculations per second for a typical household, on one core.

Household: sambor + two children (4–6 and 11–14), rent and electricity, three incomes in the income month
(wages with jobbstimulans, barnbidrag, bostadsbidrag) plus a year of wage history, and 8 months of support
history. Run with ``python bench/bench_engine.py [N]``; the target is 5 000 calculations/s.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Final

from bistand_es.domain.rules.calculation import calculate
from bistand_es.domain.rules.rule_set import load_rule_set
from bistand_es.domain.rules.situation import parse_situation

TARGET: Final = 5_000

SITUATION: Final[dict[str, Any]] = {
    "month": "2021-03",
    "profile": "national",
    "household": {
        "cohabiting": True,
        "members": [
            {"id": "anna", "role": "applicant", "birth_date": "1985-04-02"},
            {"id": "bo", "role": "co_applicant", "birth_date": "1984-11-30"},
            {"id": "cleo", "role": "child", "birth_date": "2016-06-01"},
            {"id": "dan", "role": "child", "birth_date": "2008-09-15"},
        ],
    },
    "costs": [
        {"kind": "rent", "amount": "7500"},
        {"kind": "electricity", "amount": "450"},
    ],
    "incomes": [
        {"member": "anna", "kind": "employment", "month": "2021-02", "amount": "8000"},
        {"member": "anna", "kind": "child_allowance", "month": "2021-02", "amount": "2500"},
        {"member": "bo", "kind": "housing_allowance", "month": "2021-02", "amount": "1200"},
        *[{"member": "anna", "kind": "employment", "month": f"2020-{m:02d}", "amount": "7000"} for m in range(3, 13)],
    ],
    "support_history": {
        "anna": ["2020-06", "2020-07", "2020-08", "2020-09", "2020-10", "2020-11", "2020-12", "2021-01"],
        "bo": ["2020-11", "2020-12", "2021-01"],
    },
}


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def main(count: int = 20_000) -> int:
    rule_set = load_rule_set(None)
    situation = parse_situation(SITUATION)
    calculate(situation, rule_set)  # warm the lookup cache and the rule-set hash

    start = time.perf_counter()
    for _ in range(count):
        result = calculate(situation, rule_set)
    engine = time.perf_counter() - start
    # By hand: 5 700 + 2 440 + 3 520 + 1 610 (4 p) + 7 950 costs − (6 000 + 2 500 + 1 200) = 11 520.
    if str(result.aid) != "11520.00":
        raise SystemExit(f"unexpected aid {result.aid}; the benchmark household changed")

    start = time.perf_counter()
    for _ in range(count):
        calculate(parse_situation(SITUATION), rule_set).to_dict()
    full = time.perf_counter() - start

    engine_rate = _rate(count, engine)
    full_rate = _rate(count, full)
    print(f"{count} calculations of a typical household (aid {result.aid} kr)")
    print(f"engine only (calculate):              {engine_rate:10.0f} /s  {engine / count * 1e6:7.1f} µs each")
    print(f"validate + calculate + to_dict:       {full_rate:10.0f} /s  {full / count * 1e6:7.1f} µs each")
    print(f"target {TARGET}/s: engine {engine_rate / TARGET:.1f}×, end to end {full_rate / TARGET:.1f}×")
    return 0 if full_rate >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000))
