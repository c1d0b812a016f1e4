"""Corrections after the fact, finding people, times with zones and delegation — through the CLI.

Figures by hand (riksnorm 2021): a single adult 3 160 + 1 020 = 4 180; with rent 5 000 the aid is 9 180.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.cli import Bistand

SIV = "850402-1232"
BO = "701063-2391"


@pytest.fixture
def cli(tmp_path: Path) -> Bistand:
    return Bistand(tmp_path / "data")


def single(cli: Bistand, person: str = SIV) -> str:
    return str(
        cli.json("household", "register", "--municipality", "1765", "--applicant", person, "--on", "2020-12-01")[
            "household_id"
        ]
    )


def test_find_households_by_personnummer_past_and_present(cli: Bistand) -> None:
    first = single(cli)
    second = single(cli, BO)
    refused = cli.run(
        "household", "add-member", second, "--person", SIV, "--role", "co_applicant", "--from", "2021-02-01"
    )
    assert refused.exit_code == 1 and "current member of household" in refused.stderr
    assert "850402" not in refused.stderr  # no personnummer in error messages
    cli.ok("case", "close", first, "--on", "2021-01-31", "--reason", "01", "--label", "Arbete")
    cli.ok("household", "add-member", second, "--person", SIV, "--role", "co_applicant", "--from", "2021-02-01")
    rows = cli.json("household", "find", SIV)
    assert [(r["household_id"], r["role"], r["from"], r["to"]) for r in rows] == [
        (first, "applicant", "2020-12-01", "2021-01-31"),
        (second, "co_applicant", "2021-02-01", None),
    ]
    assert "no household" in cli.ok("household", "find", "640823-3234").stdout


def test_correct_and_withdraw_an_application(cli: Bistand) -> None:
    hid = single(cli)
    cli.ok("apply", hid, "--month", "2021-01", "--cost", "rent=5000")
    cli.ok("apply", hid, "--month", "2021-02", "--cost", "rent=5000")
    cli.ok("application", "correct", hid, "--month", "2021-01", "--cost", "rent=5200", "--reason", "ny hyresavi")
    dry = cli.json("decide", hid, "--month", "2021-01", "--on", "2021-01-05", "--dry-run")
    assert dry["calculation"]["aid"] == "9380.00"  # 4 180 + 5 200
    cli.ok("application", "withdraw", hid, "--month", "2021-02", "--reason", "återtagen av sökande")
    shown = cli.json("household", "show", hid)
    assert [a["month"] for a in shown["applications"]] == ["2021-01"]
    types = [e["type"] for e in cli.json("history", hid)]
    assert types[-2:] == ["ApplicationCorrected", "ApplicationWithdrawn"]


def test_amending_a_paid_month_down_shows_a_recovery_candidate(cli: Bistand) -> None:
    hid = single(cli)
    cli.ok("apply", hid, "--month", "2021-01", "--cost", "rent=5000")
    cli.ok("decide", hid, "--month", "2021-01", "--on", "2021-01-05", "--yes")
    cli.ok("pay", hid, "--month", "2021-01", "--on", "2021-01-25", user="erik")
    cli.ok("income", "report", hid, "--member", SIV, "--kind", "employment", "--month", "2020-12", "--amount", "3000")
    cli.ok(
        "decide", hid, "--month", "2021-01", "--on", "2021-02-10", "--amend", "--reason", "lön som inte redovisats",
        "--yes",
    )  # fmt: skip
    shown = cli.json("household", "show", hid)
    # 9 180 paid, 9 180 − 3 000 = 6 180 granted now: 3 000 to assess for återkrav.
    assert shown["recovery_candidates"] == [
        {"month": "2021-01", "granted": "6180.00", "paid": "9180.00", "overpaid": "3000.00"}
    ]
    assert "Recovery candidates" in cli.ok("household", "show", hid).stdout
    verified = cli.run("verify", hid)
    assert verified.exit_code == 0, verified.output


def test_as_of_means_the_same_moment_in_any_time_zone(tmp_path: Path) -> None:
    stockholm = Bistand(tmp_path / "data", TZ="Europe/Stockholm")
    hid = single(stockholm)
    stockholm.ok("apply", hid, "--month", "2021-01", "--cost", "rent=5000")
    events = stockholm.json("history", hid)
    registered = events[0]["time"]
    assert registered.endswith(("+01:00", "+02:00"))  # Swedish time, with its offset
    without_zone = registered[:19]  # what a caseworker might type: 2026-11-30T05:40:12 (Swedish time)
    same_second = without_zone + registered[-6:]  # the same second with its offset written out
    exact, typed, zoned = [], [], []
    for tz in ("UTC", "America/New_York", "Asia/Tokyo"):
        other = Bistand(tmp_path / "data", TZ=tz)
        exact.append(other.json("household", "show", hid, "--as-of", registered)["version"])
        typed.append(other.json("household", "show", hid, "--as-of", without_zone)["version"])
        zoned.append(other.json("household", "show", hid, "--as-of", same_second)["version"])
    assert exact == [1, 1, 1]  # the registration's own time shows the household as registered
    assert typed == zoned and len(set(typed)) == 1  # no zone = Swedish time, whatever TZ the machine has


def test_a_finance_officer_never_decides(cli: Bistand) -> None:
    hid = single(cli)
    cli.ok("apply", hid, "--month", "2021-01", "--cost", "rent=5000")
    for extra in (
        [],
        ["--delegat", "enhetschef"],
        ["--reduce-norm", "500", "--reason", "x", "--delegat", "enhetschef"],
    ):
        result = cli.run("decide", hid, "--month", "2021-01", "--yes", "--actor-role", "ekonom", *extra)
        assert result.exit_code == 5, result.output
        assert result.stderr.count("error:") == 1
