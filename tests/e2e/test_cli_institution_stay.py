"""A stay at an HVB through the CLI: ``household stay-start``/``stay-end`` and a Forshaga decision with fickpeng.

Figures by hand (riksnorm 2021, Forshaga's guideline 2014 p. 10): a single adult's personal costs 3 160 kr, the
household's common costs for one person 1 020 kr, fickpeng 50 kr per day. April 2021 has 30 days.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.cli import Bistand

APPLICANT = "640823-3234"  # 56 in April 2021: an adult, alone
FORSHAGA = "1763"


@pytest.fixture
def cli(tmp_path: Path) -> Bistand:
    return Bistand(tmp_path / "data")


def refused(cli: Bistand, text: str, *args: str) -> None:
    cli.refused(text, *args)


def lines_of(calc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {str(line["kind"]): line for line in calc["lines"]}


def test_a_stay_at_an_hvb_gives_fickpeng_for_its_days_under_forshaga(cli: Bistand) -> None:
    hid = cli.json("household", "register", "--municipality", FORSHAGA, "--applicant", APPLICANT, "--on", "2021-03-01")[
        "household_id"
    ]
    person = cli.json("household", "show", hid)["members"][0]["person"]
    cli.ok("apply", hid, "--month", "2021-04", "--received", "2021-04-01")
    started = cli.json("household", "stay-start", hid, "--person", APPLICANT, "--kind", "hvb", "--from", "2021-04-11",
                       "--source", "intyg HVB Björken")  # fmt: skip
    assert started["events"] == ["InstitutionStayStarted"]

    # At the HVB 11–30 April = 20 days, at home 1–10 April = 10 days.
    # Personal 3 160 × 10 ÷ 30 = 1 053.333… → 1 053.33; fickpeng 50 × 20 = 1 000.00; common costs 1 020 stay.
    # Norm 1 053.33 + 1 000.00 + 1 020.00 = 3 073.33.
    calc = cli.json("decide", hid, "--month", "2021-04", "--dry-run")["calculation"]  # kommunkod 1763: forshaga
    by_kind = lines_of(calc)
    assert by_kind["norm.personal"]["amount"] == "1053.33"
    assert "20 dagar på institution ersätts av fickpeng" in by_kind["norm.personal"]["rule"]
    pocket = by_kind["norm.pocket_money"]
    assert (pocket["member"], pocket["amount"]) == (person, "1000.00")
    assert "fickpeng 50.00 kr/dag × 20 dagar på HVB" in pocket["rule"]
    assert by_kind["norm.common"]["amount"] == "1020.00"
    assert calc["norm_total"] == "3073.33"

    # The stay ends on the 20th: at the HVB 11–20 April = 10 days, at home 20 days.
    # Personal 3 160 × 20 ÷ 30 = 2 106.666… → 2 106.67; fickpeng 50 × 10 = 500.00;
    # norm 2 106.67 + 500.00 + 1 020.00 = 3 626.67.
    ended = cli.json("household", "stay-end", hid, "--person", APPLICANT, "--on", "2021-04-20", "--reason", "utskriven")
    assert ended["events"] == ["InstitutionStayEnded"]
    calc = cli.json("decide", hid, "--month", "2021-04", "--dry-run")["calculation"]
    by_kind = lines_of(calc)
    assert (by_kind["norm.personal"]["amount"], by_kind["norm.pocket_money"]["amount"]) == ("2106.67", "500.00")
    assert calc["norm_total"] == "3626.67"

    # A month with no day of the stay: the whole personal norm, 3 160 + 1 020 = 4 180, and no fickpeng line.
    cli.ok("apply", hid, "--month", "2021-05", "--received", "2021-05-01")
    calc = cli.json("decide", hid, "--month", "2021-05", "--dry-run")["calculation"]
    assert calc["norm_total"] == "4180.00"
    assert "norm.pocket_money" not in lines_of(calc)


def test_refused_stay_commands_record_nothing(cli: Bistand) -> None:
    hid = cli.json("household", "register", "--municipality", FORSHAGA, "--applicant", APPLICANT, "--on", "2021-03-01")[
        "household_id"
    ]
    start = ("household", "stay-start", hid, "--kind", "hvb")
    refused(cli, "not a member", *start, "--person", "19800101-0001", "--from", "2021-04-11")
    refused(cli, "before --from", *start, "--person", APPLICANT, "--from", "2021-04-11", "--to", "2021-04-10")
    refused(cli, "no institution stay", "household", "stay-end", hid, "--person", APPLICANT, "--on", "2021-04-20")
    cli.ok(*start, "--person", APPLICANT, "--from", "2021-04-11", "--to", "2021-04-30")
    refused(cli, "already stays at an institution", *start, "--person", APPLICANT, "--from", "2021-04-20")
    refused(cli, "before the stay began", "household", "stay-end", hid, "--person", APPLICANT, "--on", "2021-04-10")
    refused(cli, "is not a date", "household", "stay-end", hid, "--person", APPLICANT, "--on", "2021-13-01")
    # An earlier stay with a planned last day may not be ended so late that it runs into a later one.
    cli.ok("household", "stay-end", hid, "--person", APPLICANT, "--on", "2021-04-25")
    cli.ok(*start, "--person", APPLICANT, "--from", "2021-04-01", "--to", "2021-04-05")
    refused(cli, "would overlap the stay from 2021-04-11", "household", "stay-end", hid, "--person", APPLICANT,
            "--on", "2021-04-12")  # fmt: skip
    cli.ok("household", "stay-end", hid, "--person", APPLICANT, "--on", "2021-04-03")
    # Two separate stays in one month: the calculation takes one stay per member and month.
    cli.ok("apply", hid, "--month", "2021-04", "--received", "2021-04-01")
    refused(cli, "2 separate institution stays in 2021-04", "decide", hid, "--month", "2021-04", "--dry-run")
