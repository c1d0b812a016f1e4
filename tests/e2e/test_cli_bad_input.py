"""Bad input gives exit ≠ 0, one readable line, no traceback, and stores nothing (docs/adr/0014-input-limits.md).

Every case runs the real CLI on a household with an application, a decision and a payment, and compares the
sha256 digest of every stored event before and after. No case may print a whole personnummer on stderr.
"""

from __future__ import annotations

import re
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
    cli.ok("apply", hid, "--month", "2021-03", "--cost", "rent=7500", "--received", "2021-03-01")
    cli.ok("decide", hid, "--month", "2021-03", "--on", "2021-03-05", "--yes")
    cli.ok("pay", hid, "--month", "2021-03", "--on", "2021-03-06")
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
    "application twice for a month": (["apply", "{h}", "--month", "2021-03"], 1, "already"),
    "unknown income id": (
        ["income", "correct", "{h}", "deadbeef-0000", "--amount", "1", "--reason", "x"],
        1,
        "no income",
    ),
}
# Acting as someone else or in a role one lacks is refused *and recorded*: tests/e2e/test_role_matrix.py.

BAD = "text\udcff"  # what click hands over for the byte 0xff, which is not UTF-8 (a lone surrogate)
LONG = "x" * 1001  # one character over the documented maximum of free text (1 000)
PNR = "640823-3234"  # the applicant; a valid personnummer (check digit 4, worked out in test_identifiers)


def _income(amount: str) -> list[str]:
    return [
        "income",
        "report",
        "{h}",
        "--member",
        PNR,
        "--kind",
        "employment",
        "--month",
        "2021-02",
        "--amount",
        amount,
    ]


AMOUNTS = {
    "1e27": "exponent",
    "1E+400": "exponent",
    "NaN": "finite",
    "Infinity": "finite",
    "-0": "negative zero",
    "7.900": "more than two decimals",
    "7,900": "more than two decimals",
    "1000000000.01": "1 000 000 000 kr",
    "1 000 000 001": "1 000 000 000 kr",
    "9" * 400: "1 000 000 000 kr",
    "12kr": "not an amount",
    "１２": "not an amount",
}
for _amount, _message in AMOUNTS.items():
    CASES[f"income amount {_amount[:20]}"] = (_income(_amount), 2, _message)
CASES.update(
    {
        "cost 1e27": (["apply", "{h}", "--month", "2021-04", "--cost", "rent=1e27"], 2, "exponent"),
        "cost 7.900": (["apply", "{h}", "--month", "2021-04", "--cost", "rent=7.900"], 2, "more than two decimals"),
        "cost NaN": (["apply", "{h}", "--month", "2021-04", "--cost", "rent=NaN"], 2, "finite"),
        "cost over maximum": (
            ["apply", "{h}", "--month", "2021-04", "--cost", "rent=1000000001"],
            2,
            "1 000 000 000 kr",
        ),
        "pay 1e27": (["pay", "{h}", "--month", "2021-03", "--amount", "1e27"], 2, "exponent"),
        "pay 7.900": (["pay", "{h}", "--month", "2021-03", "--amount", "7.900"], 2, "more than two decimals"),
        "pay over maximum": (["pay", "{h}", "--month", "2021-03", "--amount", "1000000000.01"], 2, "1 000 000 000"),
        "pay Infinity": (["pay", "{h}", "--month", "2021-03", "--amount", "Infinity"], 2, "finite"),
        "pay unknown household": (["pay", "0b6d3c1e", "--month", "2021-03"], 3, "unknown household"),
        "decide raise-norm 1e27": (
            ["decide", "{h}", "--month", "2021-04", "--raise-norm", "1e27", "--reason", "x", "--yes"],
            2,
            "exponent",
        ),
        "decide approve 7.900": (
            ["decide", "{h}", "--month", "2021-03", "--approve", "rent=7.900", "--yes"],
            2,
            "more than two decimals",
        ),
        "decide month 2021-13": (["decide", "{h}", "--month", "2021-13", "--yes"], 2, "01–12"),
        "decide reason too long": (
            ["decide", "{h}", "--month", "2021-03", "--refuse", "--reason", LONG, "--yes"],
            2,
            "at most 1000",
        ),
        "income correct 7.900": (
            ["income", "correct", "{h}", "deadbeef-0000", "--amount", "7.900", "--reason", "x"],
            2,
            "two decimals",
        ),
        "income correct reason not UTF-8": (
            ["income", "correct", "{h}", "deadbeef-0000", "--amount", "1", "--reason", BAD],
            2,
            "not UTF-8",
        ),
        "income correct reason too long": (
            ["income", "correct", "{h}", "deadbeef-0000", "--amount", "1", "--reason", LONG],
            2,
            "at most 1000",
        ),
        "remove-member reason not UTF-8": (
            ["household", "remove-member", "{h}", "--person", "701063-2391", "--reason", BAD],
            2,
            "not UTF-8",
        ),
        "remove-member reason too long": (
            ["household", "remove-member", "{h}", "--person", "701063-2391", "--reason", LONG],
            2,
            "at most 1000",
        ),
        "remove-member reason=inline too long": (
            ["household", "remove-member", "{h}", "--person", "701063-2391", f"--reason={LONG}"],
            2,
            "at most 1000",
        ),
        "remove-member invalid personnummer": (
            ["household", "remove-member", "{h}", "--person", "640823-3235"],
            2,
            "check digit",
        ),
        "register invalid personnummer": (
            ["household", "register", "--municipality", "1765", "--applicant", "19640823-3235"],
            2,
            "check digit",
        ),
        "register applicant not UTF-8": (
            ["household", "register", "--municipality", "1765", "--applicant", BAD],
            2,
            "not UTF-8",
        ),
        "register date 2021-02-30": (
            ["household", "register", "--municipality", "1765", "--applicant", "701063-2391", "--on", "2021-02-30"],
            2,
            "not a date",
        ),
        "add-member invalid personnummer": (
            ["household", "add-member", "{h}", "--person", "6408233235", "--role", "child"],
            2,
            "check digit",
        ),
        "add-member person not UTF-8": (
            ["household", "add-member", "{h}", "--person", BAD, "--role", "child"],
            2,
            "not UTF-8",
        ),
        "add-member unknown role": (
            ["household", "add-member", "{h}", "--person", "701063-2391", "--role", "boss"],
            2,
            "'boss'",
        ),
        "set-cohabiting bad date": (["household", "set-cohabiting", "{h}", "yes", "--from", "2021-13-01"], 2, "date"),
        "set-cohabiting household not UTF-8": (["household", "set-cohabiting", BAD, "yes"], 2, "not UTF-8"),
        "set-cohabiting unknown state": (["household", "set-cohabiting", "{h}", "maybe"], 2, "'maybe'"),
        "external-support source not UTF-8": (
            ["household", "external-support", "{h}", "--person", PNR, "--months", "2020-08", "--source", BAD],
            2,
            "not UTF-8",
        ),
        "external-support source too long": (
            ["household", "external-support", "{h}", "--person", PNR, "--months", "2020-08", "--source", LONG],
            2,
            "at most 1000",
        ),
        "external-support bad month": (
            ["household", "external-support", "{h}", "--person", PNR, "--months", "2020-8", "--source", "intyg"],
            2,
            "not a month",
        ),
        "external-support invalid personnummer": (
            [
                "household",
                "external-support",
                "{h}",
                "--person",
                "640823-3230",
                "--months",
                "2020-08",
                "--source",
                "intyg",
            ],
            2,
            "check digit",
        ),
        "apply month not UTF-8": (["apply", "{h}", "--month", BAD], 2, "not UTF-8"),
        "apply cost without amount": (["apply", "{h}", "--month", "2021-04", "--cost", "rent"], 2, "KIND=AMOUNT"),
        "apply missing month": (["apply", "{h}"], 2, "Missing option '--month'"),
        "apply unknown option": (["apply", "{h}", "--month", "2021-04", "--rent", "1"], 2, "No such option"),
        "actor not UTF-8": (["apply", "{h}", "--month", "2021-04", "--actor", BAD], 2, "not UTF-8"),
        "argument far too long": (["apply", "{h}" + "0" * 30_000, "--month", "2021-04"], 2, "at most 20000"),
        "obstacle invalid personnummer": (
            ["case", "obstacle", "{h}", "--person", "640823-3235", "--month", "2021-03", "--code", "6"],
            2,
            "check digit",
        ),
        "obstacle bad month": (
            ["case", "obstacle", "{h}", "--person", PNR, "--month", "03-2021", "--code", "6"],
            2,
            "not a month",
        ),
        "close label not UTF-8": (
            ["case", "close", "{h}", "--on", "2021-06-30", "--reason", "01", "--label", BAD],
            2,
            "not UTF-8",
        ),
        "close label too long": (
            ["case", "close", "{h}", "--on", "2021-06-30", "--reason", "01", "--label", LONG],
            2,
            "at most 1000",
        ),
        "close bad date": (["case", "close", "{h}", "--on", "30/6/2021", "--reason", "01"], 2, "not a date"),
        "payments run output folder missing": (
            ["payments", "run", "--month", "2021-03", "--output", "/nonexistent-folder/x.csv"],
            2,
            "does not exist",
        ),
        "payments run month 2021-00": (["payments", "run", "--month", "2021-00"], 2, "01–12"),
        "payments cancel unknown payment": (
            ["payments", "cancel", "0b6d3c1e-0000-4000-8000-000000000000", "--reason", "x"],
            3,
            "unknown payment",
        ),
        "payments cancel reason too long": (
            ["payments", "cancel", "0b6d3c1e-0000-4000-8000-000000000000", "--reason", LONG],
            2,
            "at most 1000",
        ),
        "payments cancel reason not UTF-8": (
            ["payments", "cancel", "0b6d3c1e-0000-4000-8000-000000000000", "--reason", BAD],
            2,
            "not UTF-8",
        ),
    }
)


def test_there_are_at_least_sixty_cases() -> None:
    assert len(CASES) >= 60


_PERSON_LIKE = re.compile(r"^(?:[0-9]{2})?([0-9]{6})[-+]?([0-9]{4})$")


def _full_person_numbers(stderr: str, args: list[str]) -> list[str]:
    """The personnummer of the household or of the command line that appear whole on stderr, in any form."""
    shown = []
    for text in {PNR, "701063-2391", *args}:
        match = _PERSON_LIKE.match(text.strip())
        if match is None:
            continue
        date_part, tail = match.groups()
        for separator in ("", "-", "+"):
            if f"{date_part}{separator}{tail}" in stderr:
                shown.append(text)
    return shown


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
    # Personnummer never appear whole in an error (the applicant's, or one given on the command line).
    assert _full_person_numbers(result.stderr, args) == [], result.stderr
