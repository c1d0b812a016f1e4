"""The machinery shared by the YAML rule-case folders (``tests/rules``, ``tests/placement``).

A folder's ``conftest.py`` says which files it collects, which keys a case may carry and how a case runs; this
module collects the cases, reports a failing case with its ``why`` (the arithmetic by hand) and compares the
parts every engine's result shares: totals, lines, line count and warnings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bistand_es.domain.errors import InvalidInput


class CaseFailure(AssertionError):
    pass


class CaseFile(pytest.File):
    """A YAML list of sentence-named cases; each becomes a test item named by its sentence."""

    case_keys: frozenset[str] = frozenset({"name", "why", "situation", "expect"})
    label = "rule case"
    runner: Callable[[dict[str, Any]], None]

    def collect(self) -> Iterator[pytest.Item]:
        cases = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        if not isinstance(cases, list):
            raise CaseFailure(f"{self.path}: expected a list of cases")
        names: set[str] = set()
        for case in cases:
            unknown = set(case) - self.case_keys
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
            yield CaseItem.from_parent(self, name=case["name"], case=case)


class CaseItem(pytest.Item):
    def __init__(self, *, case: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        parent = self.parent
        assert isinstance(parent, CaseFile)
        type(parent).runner(self.case)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CaseFailure):
            return f"{self.name}\n  why: {self.case.get('why')}\n  {excinfo.value}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        parent = self.parent
        label = parent.label if isinstance(parent, CaseFile) else "case"
        return self.path, 0, f"{label}: {self.name}"


def check_expect_keys(expect: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = set(expect) - set(allowed)
    if unknown:
        raise CaseFailure(f"unknown expect keys {sorted(unknown)}")


def expected_error(expect: dict[str, Any], run: Callable[[], Any]) -> bool:
    """Run a case that expects ``error``: True when it was refused with that text; False when none is expected."""
    if "error" not in expect:
        return False
    try:
        result = run()
    except InvalidInput as error:
        if expect["error"] not in str(error):
            raise CaseFailure(f"error {str(error)!r} does not contain {expect['error']!r}") from None
        return True
    raise CaseFailure(f"expected error {expect['error']!r}, got aid {result.aid}")


def common_problems(expect: dict[str, Any], result: dict[str, Any], keys: Iterable[str]) -> list[str]:
    """Differences in the given totals/scalars, the lines, the line count and the warnings."""
    problems = [
        f"{key}: expected {expect[key]}, got {result[key]}"
        for key in keys
        if key in expect and str(expect[key]) != result[key]
    ]
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
    return problems


def fail_if(problems: list[str], result: dict[str, Any]) -> None:
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
