"""The CLI's edge checks on raw arguments and environment, and the one-line error (docs/adr/0014)."""

from __future__ import annotations

import pytest

from bistand_es.cli.guard import (
    MAX_ARGUMENT_LENGTH,
    MAX_TEXT_LENGTH,
    check_arguments,
    check_environment,
    error_line,
)
from bistand_es.domain.errors import InvalidInput


def test_free_text_limit_is_one_thousand_characters() -> None:
    check_arguments(["--reason", "x" * MAX_TEXT_LENGTH])
    check_arguments([f"--label={'x' * MAX_TEXT_LENGTH}"])
    for argv in (["--reason", "x" * 1001], ["--note=" + "x" * 1001], ["--source", "y" * 5000]):
        with pytest.raises(InvalidInput, match="at most 1000 characters"):
            check_arguments(argv)


def test_other_arguments_have_a_larger_limit() -> None:
    check_arguments(["sql", "x" * MAX_ARGUMENT_LENGTH])
    with pytest.raises(InvalidInput, match=r"argument 2: .* at most 20000"):
        check_arguments(["sql", "x" * (MAX_ARGUMENT_LENGTH + 1)])


@pytest.mark.parametrize("argv", [["--reason", "a\udcff"], ["apply", "\udcc3"], ["--person=\udcff"]])
def test_undecodable_bytes_are_refused(argv: list[str]) -> None:
    with pytest.raises(InvalidInput, match="not UTF-8"):
        check_arguments(argv)


def test_environment_is_checked() -> None:
    check_environment({"BISTAND_USER": "anna", "OTHER": "\udcff"})  # only BISTAND_* variables are ours
    with pytest.raises(InvalidInput, match="BISTAND_HOME"):
        check_environment({"BISTAND_HOME": "/srv/\udcff"})


def test_error_line_is_one_masked_printable_line() -> None:
    line = error_line("person 19640823-3234\nnot found in \udcff" + "x" * 1000)
    assert line.startswith("error: person 19640823-**** not found in \\udcff")
    assert "\n" not in line and len(line) <= 7 + 400
