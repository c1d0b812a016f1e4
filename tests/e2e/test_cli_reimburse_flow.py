"""Issue 8, must show 2 and 4 (write side): återsökning through the CLI on SQLite and PostgreSQL.

Figures by hand. The aid: riksnorm 2021 (SFS 2020:1013) for a single adult, 3 160 personal + 1 020 common costs
= 4 180; with rent 5 000 and no income the aid is 9 180 kr a month. The applicant is an asylum seeker from
2021-05-01, so the default rule tags each month's payment asylum.lma_aid, all of it for the only member.
Deadlines (förordning 2017:193 19 §, SFS 2021:804): the last day of the sixth month after the quarter ends:
2021-Q3 (ends 2021-09-30) → 2022-03-31; 2021-Q4 (ends 2021-12-31) → 2022-06-30.
Days left on 2022-01-15: to 2022-03-31 = 16 (rest of January) + 28 + 31 = 75; to 2022-06-30 = 16 + 28 + 31 + 30 +
31 + 30 = 166. On 2022-07-01 Q4's last day was the day before: −1, lost.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.e2e.cli import Bistand, on_backend

SIV = "19850402-1232"
OTHER = "19640823-3234"
LMA = "asylum.lma_aid"

UNITS = """\
version: 1
units:
  - id: forsorjningsstod
    name: Försörjningsstöd, vuxenenheten
    target_groups: [asylsökande och tillståndssökande med bistånd]
    compensation_types: [asylum.lma_aid]
    files: handläggare med ansvar för återsökning
    responsible: enhetschef
"""


@pytest.fixture(params=["sqlite", "postgres"])
def cli(request: pytest.FixtureRequest, tmp_path: Path) -> Bistand:
    return on_backend(request.param, tmp_path / "data")


def refused(cli: Bistand, code: int, text: str, *args: str) -> None:
    cli.refused(text, *args, code=code)


def paid_month(cli: Bistand, hid: str, month: str, paid_on: str) -> str:
    cli.ok("apply", hid, "--month", month, "--cost", "rent=5000")
    cli.ok("decide", hid, "--month", month, "--yes")
    result = cli.ok("pay", hid, "--month", month, "--on", paid_on)
    assert f"tagged {LMA} automatically" in result.stdout
    assert f"{SIV} 9180.00" in result.stdout  # the whole 9 180 for the only member
    return result.stdout


def test_an_asylum_seeking_household_over_two_quarters(cli: Bistand, tmp_path: Path) -> None:
    hid = cli.json("household", "register", "--municipality", "1765", "--applicant", SIV, "--on", "2021-06-01")[
        "household_id"
    ]
    cli.ok("person", "status", hid, "--person", SIV, "--status", "asylum_seeker", "--from", "2021-05-01")
    cli.ok("person", "reference", hid, "--person", SIV, "--dossier", "1234567")
    paid_month(cli, hid, "2021-07", "2021-07-23")
    paid_month(cli, hid, "2021-10", "2021-10-25")

    scan = cli.json("reimburse", "scan", "--as-of", "2022-01-15")
    assert [(o["type"], o["period"], o["amount"], o["deadline"], o["days_left"], o["status"]) for o in scan[
        "opportunities"]] == [
        (LMA, "2021-Q3", "9180.00", "2022-03-31", 75, "open"),
        (LMA, "2021-Q4", "9180.00", "2022-06-30", 166, "open"),
    ]  # fmt: skip
    assert scan["opportunities"][0]["households"] == [hid]
    assert scan["totals"]["open"] == "18360.00"  # 2 × 9 180
    assert any("no unit is responsible" in w for w in scan["warnings"])

    out = tmp_path / "claims"
    out.mkdir()
    spec = out / "lma-2021-Q3.csv"
    # Bad input: one line, nothing recorded.
    refused(cli, 2, "'asylum.lunch' is not a compensation type", "reimburse", "file", "--type", "asylum.lunch",
            "--period", "2021-Q3", "--on", "2022-01-15", "--output", str(spec))  # fmt: skip
    refused(cli, 2, "2021-Q4 has not ended on 2021-12-15", "reimburse", "file", "--type", LMA, "--period", "2021-Q4",
            "--on", "2021-12-15", "--output", str(spec))  # fmt: skip
    refused(cli, 2, "does not exist", "reimburse", "file", "--type", LMA, "--period", "2021-Q3", "--on", "2022-01-15",
            "--output", str(tmp_path / "missing" / "spec.csv"))  # fmt: skip
    refused(cli, 1, "the person is not a member", "reimburse", "cost", hid, "--person", OTHER, "--month", "2021-08",
            "--type", LMA, "--amount", "1000", "--evidence", "faktura 1")  # fmt: skip
    refused(cli, 2, "--fees: asylum.lma_aid compensates the whole cost", "reimburse", "cost", hid, "--person", SIV,
            "--month", "2021-08", "--type", LMA, "--amount", "1000", "--fees", "100",
            "--evidence", "faktura 1")  # fmt: skip
    assert not spec.exists()

    filed = cli.json("reimburse", "file", "--type", LMA, "--period", "2021-Q3", "--on", "2022-01-15",
                     "--output", str(spec))  # fmt: skip
    claim = filed["claim_id"]
    assert (filed["amount"], filed["persons"], filed["households"]) == ("9180.00", [SIV], [hid])
    with spec.open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert [(r["person"], r["dossiernummer"], r["month"], r["amount"], r["claim_id"]) for r in rows] == [
        (SIV, "1234567", "2021-07", "9180.00", claim)
    ]
    summary = (out / "lma-2021-Q3.summary.txt").read_text(encoding="utf-8")
    assert "9180.00 kr" in summary and "2022-03-31" in summary

    # Filing the same quarter again: nothing is left, so it is refused and nothing is written or recorded.
    again = out / "again.csv"
    refused(cli, 1, "already filed", "reimburse", "file", "--type", LMA, "--period", "2021-Q3", "--on", "2022-01-20",
            "--output", str(again))  # fmt: skip
    refused(cli, 2, "exists", "reimburse", "file", "--type", LMA, "--period", "2021-Q4", "--on", "2022-01-20",
            "--output", str(spec))  # fmt: skip
    assert not again.exists()

    after = cli.json("reimburse", "scan", "--as-of", "2022-01-15")
    assert [(o["period"], o["status"]) for o in after["opportunities"]] == [("2021-Q4", "open")]
    assert after["totals"]["claimed"] == "9180.00"
    assert [(c["claim_id"], c["period"]) for c in after["claims"]] == [(claim, "2021-Q3")]

    late = cli.json("reimburse", "scan", "--as-of", "2022-07-01")
    assert [(o["period"], o["days_left"], o["status"]) for o in late["opportunities"]] == [("2021-Q4", -1, "lost")]
    assert late["totals"]["lost"] == "9180.00"

    outcome = cli.json("reimburse", "outcome", claim[:8], "--partly", "9000", "--on", "2022-03-01")
    assert (outcome["outcome"], outcome["granted"], outcome["difference"]) == ("partly", "9000.00", "180.00")
    refused(cli, 1, "already has its outcome", "reimburse", "outcome", claim, "--granted")

    history = [e["type"] for e in cli.json("history", hid)]
    assert history == [
        "HouseholdRegistered",
        "MigrationStatusRecorded",
        "AgencyReferenceRecorded",
        "ApplicationSubmitted",
        "DecisionMade",
        "PaymentIssued",
        "PaymentTagged",
        "ApplicationSubmitted",
        "DecisionMade",
        "PaymentIssued",
        "PaymentTagged",
        "ReimbursementFiled",
        "ReimbursementOutcomeRecorded",
    ]


def test_units_answer_who_is_responsible(cli: Bistand) -> None:
    assert "No BISTAND_HOME/units.yaml" in cli.ok("reimburse", "routine").stdout
    cli.home.mkdir(parents=True, exist_ok=True)
    (cli.home / "units.yaml").write_text(UNITS, encoding="utf-8")
    shown = cli.ok("reimburse", "routine", "--unit", "forsorjningsstod").stdout
    assert "asylum.lma_aid" in shown and "enhetschef" in shown
    refused(cli, 2, "'elsewhere' is not a unit", "reimburse", "scan", "--unit", "elsewhere")
    scan = cli.json("reimburse", "scan", "--unit", "forsorjningsstod", "--as-of", "2022-01-15")
    assert not any(w.startswith(f"{LMA}: no unit") for w in scan["warnings"])
    # The other types have no unit: the routine warns about each of them.
    assert "asylum.child_care: no unit is responsible" in cli.ok("reimburse", "routine").stderr


def test_an_explicit_tag_on_pay(cli: Bistand) -> None:
    hid = cli.json("household", "register", "--municipality", "1765", "--applicant", SIV, "--on", "2021-06-01")[
        "household_id"
    ]
    cli.ok("apply", hid, "--month", "2021-07", "--cost", "rent=5000")
    cli.ok("decide", hid, "--month", "2021-07", "--yes")
    refused(cli, 2, "'lunch' is not a compensation type", "pay", hid, "--month", "2021-07", "--reimbursable", "lunch")
    out = cli.ok("pay", hid, "--month", "2021-07", "--on", "2021-07-23", "--reimbursable", f"permit.illness:{SIV}")
    assert f"tagged permit.illness as you chose: {SIV} 9180.00" in out.stdout
    payment = cli.json("payments", "list", "--household", hid)[0]["payment_id"]
    refused(cli, 3, "unknown payment", "reimburse", "tag", "feedface00", "--type", LMA)
    cli.ok("reimburse", "tag", payment[:8], "--type", LMA)  # shared by the month's one member: all 9 180 for Siv
    cli.ok("person", "status", hid, "--person", SIV, "--status", "asylum_seeker", "--from", "2021-05-01")
    scan = cli.json("reimburse", "scan", "--as-of", "2022-01-15")
    assert [(o["period"], o["persons"], o["amount"]) for o in scan["opportunities"]] == [("2021-Q3", [SIV], "9180.00")]
