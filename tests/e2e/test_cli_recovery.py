"""Issue 9, must show 1–4 (write side): återkrav through the CLI on SQLite and PostgreSQL.

Figures by hand from the riksnorm 2021 (SFS 2020:1013): a single adult, 3 160 personal + 1 020 common costs for one
person = 4 180; with rent 5 000 and no income the aid is 9 180 kr a month.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.cli import Bistand, on_backend

SIV = "850402-1232"


@pytest.fixture(params=["sqlite", "postgres"])
def cli(request: pytest.FixtureRequest, tmp_path: Path) -> Bistand:
    return on_backend(request.param, tmp_path / "data")


def refused(cli: Bistand, code: int, text: str, *args: str) -> None:
    cli.refused(text, *args, code=code)


def month(cli: Bistand, hid: str, m: str, *decide: str, paid_on: str | None = None) -> str:
    cli.ok("apply", hid, "--month", m, "--cost", "rent=5000")
    cli.ok("decide", hid, "--month", m, "--yes", *decide)
    if paid_on is None:
        return ""
    return str(cli.json("pay", hid, "--month", m, "--on", paid_on)["id"])


def household(cli: Bistand) -> str:
    return str(cli.json("household", "register", "--municipality", "1765", "--applicant", SIV, "--on", "2021-02-01")[
        "household_id"
    ])  # fmt: skip


def test_the_contract_scenario(cli: Bistand) -> None:
    hid = household(cli)
    # March granted with the condition (förskott på förmån), April without; both 9 180, paid.
    march = month(cli, hid, "2021-03", "--condition", "advance_on_benefit", paid_on="2021-03-25")
    april = month(cli, hid, "2021-04", paid_on="2021-04-23")
    april_decision = cli.json("household", "show", hid)["decisions"][1]["decision_id"]

    claim = ["recovery", "claim", hid, "--on", "2021-06-01", "--reason", "Sjukpenning beviljad retroaktivt"]
    refused(cli, 1, f"decision {april_decision}", *claim, "--ground", "advance_on_benefit", "--payment", april,
            "--amount", "100")  # fmt: skip
    refused(cli, 1, "lacks the condition advance_on_benefit", *claim, "--ground", "advance_on_benefit",
            "--payment", april, "--amount", "100")  # fmt: skip
    refused(cli, 2, "at most 9180.00", *claim, "--ground", "advance_on_benefit", "--payment", march,
            "--amount", "9180.01")  # fmt: skip
    refused(cli, 2, "more than 0", *claim, "--ground", "advance_on_benefit", "--payment", march, "--amount", "0")
    refused(cli, 2, "'--ground'", *claim, "--ground", "theft", "--payment", march, "--amount", "100")
    refused(cli, 2, "not a date", "recovery", "claim", hid, "--ground", "advance_on_benefit", "--payment", march,
            "--amount", "100", "--on", "2021-02-30", "--reason", "x")  # fmt: skip
    refused(cli, 3, "unknown payment", *claim, "--ground", "wrongful_payment", "--payment", "0000000000",
            "--amount", "100")  # fmt: skip
    refused(cli, 3, "unknown household", "recovery", "claim", "00000000-0000-0000-0000-000000000000",
            "--ground", "wrongful_payment", "--payment", march, "--amount", "100", "--on", "2021-06-01",
            "--reason", "x")  # fmt: skip

    advance = cli.json(*claim, "--ground", "advance_on_benefit", "--payment", march, "--amount", "4000")
    cid = advance["claim_id"]
    assert advance == advance | {
        "household_id": hid,
        "ground": "advance_on_benefit",
        "amount": "4000.00",
        "received": "0.00",
        "waived": "0.00",
        "outstanding": "4000.00",
        "status": "open",
        "court_deadline": "2024-03-25",  # 2021-03-25 + 3 years
    }
    assert [{k: p[k] for k in ("payment_id", "paid_on", "amount", "court_deadline")} for p in advance["payments"]] == [
        {"payment_id": march, "paid_on": "2021-03-25", "amount": "9180.00", "court_deadline": "2024-03-25"}
    ]
    received = cli.json("recovery", "receive", cid, "--amount", "1500", "--on", "2021-07-01")
    assert (received["received"], received["outstanding"]) == ("1500.00", "2500.00")  # 4 000 − 1 500
    waived = cli.json("recovery", "waive", cid[:8], "--amount", "500", "--reason", "Synnerliga skäl")
    # The contract's example: 4 000 − 1 500 − 500 = 2 000.
    assert (waived["received"], waived["waived"], waived["outstanding"], waived["status"]) == (
        "1500.00",
        "500.00",
        "2000.00",
        "open",
    )
    refused(cli, 1, "more than the 2000.00 outstanding", "recovery", "receive", cid, "--amount", "2000.01",
            "--on", "2021-08-01")  # fmt: skip
    refused(cli, 1, "more than the 2000.00 outstanding", "recovery", "waive", cid, "--amount", "2000.01",
            "--reason", "x")  # fmt: skip
    refused(cli, 3, "unknown claim", "recovery", "receive", "feedface-0000", "--amount", "1", "--on", "2021-08-01")
    refused(cli, 2, "more than 0", "recovery", "receive", cid, "--amount", "-1", "--on", "2021-08-01")

    # A 9:1 claim on April (no condition needed), partly: 5 000 of 9 180; then 4 180 is what is left.
    wrongful = cli.json(*claim, "--ground", "wrongful_payment", "--payment", april, "--amount", "5000")
    refused(cli, 2, "at most 4180.00", *claim, "--ground", "wrongful_payment", "--payment", april,
            "--amount", "4180.01")  # fmt: skip
    assert wrongful["court_deadline"] == "2024-04-23"

    # From 2024-02-01: the March claim is due in 28 + 25 = 53 days, April's in 28 + 31 + 23 = 82 days.
    due = cli.run("recovery", "list", "--as-of", "2024-02-01", "--due-within", "90", "--json")
    assert due.exit_code == 0
    listed = json.loads(due.stdout)["claims"]
    assert [(c["claim_id"], c["outstanding"], c["court_deadline"]) for c in listed] == [
        (cid, "2000.00", "2024-03-25"),
        (wrongful["claim_id"], "5000.00", "2024-04-23"),
    ]
    assert due.stderr.count("warning: claim") == 2 and "2024-03-25 (in 53 days)" in due.stderr
    assert [c["claim_id"] for c in cli.json("recovery", "list", "--as-of", "2024-02-01", "--due-within", "60")[
        "claims"]] == [cid]  # fmt: skip
    assert cli.json("recovery", "list", "--as-of", "2024-01-01", "--due-within", "60")["claims"] == []

    # Settle the first claim: it leaves the list of open claims.
    settled = cli.json("recovery", "receive", cid, "--amount", "2000", "--on", "2021-09-01")
    assert (settled["outstanding"], settled["status"]) == ("0.00", "settled")
    assert cli.json("recovery", "show", cid)["status"] == "settled"
    assert [c["claim_id"] for c in cli.json("recovery", "list", "--as-of", "2024-02-01")["claims"]] == [
        wrongful["claim_id"]
    ]
    # Every step is an event in order, with its actor; no decision or payment was touched.
    history = cli.json("history", hid)
    assert [e["type"] for e in history if e["type"].startswith("Repayment")] == [
        "RepaymentClaimed",
        "RepaymentReceived",
        "RepaymentWaived",
        "RepaymentClaimed",
        "RepaymentReceived",
    ]
    # Money in and out is the ekonom's (erik), everything else the handläggare's (anna): the role matrix.
    money = ("PaymentIssued", "PaymentTagged", "RepaymentReceived")
    assert {e["actor"] for e in history if e["type"] in money} == {"erik"}
    assert {e["actor"] for e in history if e["type"] not in money} == {"anna"}
    # No netting: May is decided on its own figures, 9 180.
    month(cli, hid, "2021-05")
    assert cli.json("household", "show", hid)["decisions"][2]["aid"] == "9180.00"


def test_advance_on_benefit_through_the_cli(cli: Bistand) -> None:
    hid = household(cli)
    april = month(cli, hid, "2021-04", "--condition", "advance_on_benefit", paid_on="2021-04-23")
    request = cli.json("recovery", "advance-request", hid, "--benefit", "sickness_benefit", "--months", "2021-04",
                       "--amount-per-month", "9180", "--on", "2021-04-02")["request_id"]  # fmt: skip
    claim = cli.json("recovery", "claim", hid, "--ground", "advance_on_benefit", "--payment", april,
                     "--amount", "3000", "--on", "2021-06-01", "--reason", "Sjukpenning april")  # fmt: skip
    refund = cli.json("recovery", "advance-refund", request, "--amount", "3000", "--on", "2021-06-15")
    assert refund["receipts"] == [{"claim_id": claim["claim_id"], "amount": "3000.00"}]
    assert refund["unapplied"] == "0.00"
    shown = cli.json("recovery", "show", claim["claim_id"])
    assert (shown["received"], shown["outstanding"], shown["status"]) == ("3000.00", "0.00", "settled")
    # The same benefit reported in June is not counted in July: 4 180 + 5 000 − 0 = 9 180.
    cli.ok("income", "report", hid, "--member", SIV, "--kind", "sickness_benefit", "--month", "2021-06",
           "--amount", "3000")  # fmt: skip
    month(cli, hid, "2021-07")
    july = [e for e in cli.json("history", hid) if e["type"] == "DecisionMade"][-1]["details"]
    assert (july["calculation"]["income_counted"], july["aid"]) == ("0.00", "9180.00")


def test_a_wage_corrected_after_payment_is_claimed_from_the_candidate(cli: Bistand) -> None:
    hid = household(cli)
    wage = cli.json("income", "report", hid, "--member", SIV, "--kind", "employment", "--month", "2021-02",
                    "--amount", "2000")["id"]  # fmt: skip
    month(cli, hid, "2021-03", paid_on="2021-03-25")  # 9 180 − 2 000 = 7 180 paid
    cli.ok("income", "correct", hid, wage, "--amount", "3000", "--reason", "Lönespecifikation")
    cli.ok("decide", hid, "--month", "2021-03", "--amend", "--reason", "Rätt lön", "--yes")  # 9 180 − 3 000 = 6 180
    (row,) = cli.json("recovery", "candidates", "--household", hid)
    assert (row["granted"], row["paid"], row["overpaid"], row["unclaimed"]) == ("6180.00", "7180.00", "1000.00",
                                                                                "1000.00")  # fmt: skip
    options = [w for p in row["payments"] for w in ("--payment", p)]
    claim = cli.json("recovery", "claim", hid, "--ground", "wrongful_payment", *options, "--amount", row["unclaimed"],
                     "--on", "2021-05-03", "--reason", "Lön som inte redovisats")  # fmt: skip
    assert (claim["amount"], claim["outstanding"]) == ("1000.00", "1000.00")
    assert cli.json("recovery", "candidates", "--household", hid) == []
