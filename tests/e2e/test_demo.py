"""Issue 12: `bistand demo` — a synthetic municipality with corrections, cancelled payments and återkrav.

The demo's summary is checked against the store and the read model, which count the same things independently:
every cancelled payment is a ``PaymentCancelled`` event, every återkrav a ``RepaymentClaimed`` and each first
repayment a ``RepaymentReceived``; a repaid claim has half its amount received (the demo's rule), so the
outstanding total is what was claimed minus what was repaid. Determinism for a seed, and the resumable monthly
run, are tested in tests/e2e/test_run_month_resume.py.
"""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from bistand_es.application.demo import LAST_MONTH
from tests.e2e.cli import Bistand

#: Seed 3 with 40 households over 3 months gives every kind of follow-up (3 cancelled payments, 2 claims, one of
#: them half repaid); the assertions below hold for any seed that gives each kind.
SEED = "3"


def topics(home: Path) -> dict[str, int]:
    with sqlite3.connect(home / "events.sqlite") as db:
        rows = db.execute("SELECT topic, count(*) FROM stored_events GROUP BY topic").fetchall()
    return {str(topic).rsplit(":", 1)[-1]: int(n) for topic, n in rows}


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Bistand, dict[str, Any]]:
    home = tmp_path_factory.mktemp("demo") / "data"
    cli = Bistand(home, user="boss", users=False, BISTAND_NO_PROJECTION="0")
    result = cli.run("demo", "--households", "40", "--months", "3", "--seed", SEED, "--json")
    assert result.exit_code == 0, result.output
    summary: dict[str, Any] = json.loads(result.stdout)
    return cli, summary


def test_the_summary_has_the_keys_the_issue_asks_for(made: tuple[Bistand, dict[str, Any]]) -> None:
    _, summary = made
    assert summary["households"] == 40
    assert summary["months"] == ["2025-10", "2025-11", "2025-12"]  # three months ending LAST_MONTH
    assert summary["months"][-1] == str(LAST_MONTH)
    assert summary["open_month"] is None
    assert summary["run_as"] == "demo.batch"
    assert summary["decided"] + summary["left_for_caseworker"] == 40 * 3  # each household-month one way


def test_corrections_cancellations_and_claims_are_recorded(made: tuple[Bistand, dict[str, Any]]) -> None:
    cli, summary = made
    assert summary["payments_cancelled"] > 0 and summary["recovery_claims"] > 0
    assert Decimal(summary["repaid_total"]) > 0 and summary["application_corrections"] > 0
    found = topics(cli.home)
    assert found.get("PaymentCancelled", 0) == summary["payments_cancelled"]
    assert found.get("RepaymentClaimed", 0) == summary["recovery_claims"]
    assert found.get("ApplicationCorrected", 0) == summary["application_corrections"]
    assert found.get("IncomeCorrected", 0) == summary["income_corrections"]
    # each follow-up was recorded by a user whose role may: cancellations and repayments by the ekonom,
    # återkrav by a handläggare
    by_type: dict[str, set[str]] = {}
    for event in _events_of_type(cli, ("PaymentCancelled", "RepaymentReceived", "RepaymentClaimed")):
        by_type.setdefault(event["type"], set()).add(event["actor"])
    assert by_type["PaymentCancelled"] == by_type["RepaymentReceived"] == {"demo.ekonom"}
    assert by_type["RepaymentClaimed"] <= {"demo.handlaggare1", "demo.handlaggare2", "demo.handlaggare3"}


def _events_of_type(cli: Bistand, types: tuple[str, ...]) -> list[dict[str, Any]]:
    with sqlite3.connect(cli.home / "events.sqlite") as db:
        ids = {
            row[0]
            for row in db.execute("SELECT originator_id, topic FROM stored_events").fetchall()
            if str(row[1]).rsplit(":", 1)[-1] in types
        }
    events: list[dict[str, Any]] = []
    for hid in ids:
        events += [e for e in cli.json("history", str(UUID(str(hid))), user="boss") if e["type"] in types]
    return events


def test_the_read_model_shows_the_recovery_balances(made: tuple[Bistand, dict[str, Any]]) -> None:
    cli, summary = made
    query = "SELECT count(*) AS claims, sum(claimed) AS claimed, sum(received) AS received, sum(outstanding) AS left"
    (row,) = cli.json("sql", query + " FROM recovery_ledger", user="boss")
    claimed, repaid = Decimal(summary["claimed_total"]), Decimal(summary["repaid_total"])
    assert row["claims"] == summary["recovery_claims"]
    assert Decimal(str(row["claimed"])) == claimed
    assert Decimal(str(row["received"])) == repaid
    assert Decimal(str(row["left"])) == claimed - repaid  # outstanding = claimed − received, nothing waived
    repaid_claims = cli.json("sql", "SELECT claimed, received FROM recovery_ledger WHERE received > 0", user="boss")
    assert repaid_claims and all(Decimal(str(r["claimed"])) == 2 * Decimal(str(r["received"])) for r in repaid_claims)


def test_the_demo_store_verifies_clean(made: tuple[Bistand, dict[str, Any]]) -> None:
    cli, _ = made
    result = cli.run("audit", "verify", "--json", user="boss")
    assert result.exit_code == 0, result.output
    assert all(row["status"] != "FAILED" for row in json.loads(result.stdout))


def test_sixty_months_are_accepted(tmp_path: Path) -> None:
    """`--months 60` (with `--households 20000`, the size the issue asks for) runs from 2021-01 to 2025-12."""
    cli = Bistand(tmp_path / "data", user="boss", users=False)
    result = cli.run("demo", "--households", "1", "--months", "60", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["months"][0], summary["months"][-1], len(summary["months"])) == ("2021-01", "2025-12", 60)
    too_many = cli.run("demo", "--households", "100001")
    assert too_many.exit_code == 2 and "between 1 and 100000" in too_many.stderr  # 20 000 is within the limit


def test_the_follow_ups_are_the_same_for_a_seed(made: tuple[Bistand, dict[str, Any]], tmp_path: Path) -> None:
    _, first = made
    cli = Bistand(tmp_path / "data", user="boss", users=False)
    result = cli.run("demo", "--households", "40", "--months", "3", "--seed", SEED, "--json")
    assert result.exit_code == 0, result.output
    again = json.loads(result.stdout)
    assert {k: v for k, v in again.items() if k != "seconds"} == {k: v for k, v in first.items() if k != "seconds"}
