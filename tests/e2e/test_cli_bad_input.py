"""Must show 5: bad input gives exit ≠ 0, one readable line, no traceback, and stores nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from bistand_es.application.app import BistandApplication
from bistand_es.application.config import Settings
from tests.conftest import store_digest
from tests.e2e.cli import Bistand


@pytest.fixture
def household(tmp_path: Path) -> tuple[Bistand, str]:
    cli = Bistand(tmp_path / "data")
    hid = cli.json(
        "household", "register", "--municipality", "1765", "--applicant", "640823-3234", "--on", "2021-01-04"
    )["household_id"]
    cli.ok("household", "add-member", hid, "--person", "701063-2391", "--role", "co_applicant", "--from", "2021-01-04")
    cli.ok("household", "remove-member", hid, "--person", "701063-2391", "--from", "2021-02-01")
    cli.ok("apply", hid, "--month", "2021-03", "--cost", "rent=7500")
    return cli, hid


def digest(cli: Bistand) -> tuple[int, str]:
    return store_digest(BistandApplication(env=Settings(home=cli.home).event_store_env()))


CASES = {
    "invalid personnummer": (
        [
            "income",
            "report",
            "{h}",
            "--member",
            "640823-3235",
            "--kind",
            "employment",
            "--month",
            "2021-02",
            "--amount",
            "100",
        ],
        2,
        "check digit should be 4",
    ),
    "month 2026-13": (["apply", "{h}", "--month", "2026-13"], 2, "must be 01–12"),
    "negative amount": (
        [
            "income",
            "report",
            "{h}",
            "--member",
            "640823-3234",
            "--kind",
            "employment",
            "--month",
            "2021-02",
            "--amount",
            "-100",
        ],
        2,
        "negative",
    ),
    "float-like amount with öre fractions": (
        [
            "income",
            "report",
            "{h}",
            "--member",
            "640823-3234",
            "--kind",
            "employment",
            "--month",
            "2021-02",
            "--amount",
            "100.005",
        ],
        2,
        "more than two decimals",
    ),
    "unknown household": (
        ["apply", "0b6d3c1e-0000-4000-8000-000000000000", "--month", "2021-04"],
        3,
        "unknown household",
    ),
    "unknown income kind": (
        [
            "income",
            "report",
            "{h}",
            "--member",
            "640823-3234",
            "--kind",
            "salary",
            "--month",
            "2021-02",
            "--amount",
            "100",
        ],
        2,
        "is not one of",
    ),
    "member removed twice": (
        ["household", "remove-member", "{h}", "--person", "701063-2391"],
        1,
        "is not a current member",
    ),
    "stale concurrent write": (
        ["apply", "{h}", "--month", "2021-04", "--expected-version", "2"],
        4,
        "changed since you read it — retry",
    ),
    "application twice for a month": (["apply", "{h}", "--month", "2021-03"], 1, "already recorded"),
    "unknown income id": (
        ["income", "correct", "{h}", "deadbeef-0000", "--amount", "1", "--reason", "x"],
        1,
        "no income",
    ),
    "no actor": (["apply", "{h}", "--month", "2021-04", "--actor", " "], 2, "who is acting"),
    "auditor cannot record": (["apply", "{h}", "--month", "2021-04", "--actor-role", "revisor"], 5,
                              "revisor (auditor) can read"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_one_line_and_stores_nothing(household: tuple[Bistand, str], case: str) -> None:
    cli, hid = household
    args, code, message = CASES[case]
    before = digest(cli)
    result = cli.run(*[a.replace("{h}", hid) for a in args])
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert digest(cli) == before
