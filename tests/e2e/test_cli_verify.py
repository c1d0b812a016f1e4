"""The auditor's `bistand verify`: reproduced decisions, changed rules, and a tampered store."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from bistand_es.application.app import BistandApplication
from bistand_es.application.config import Settings
from tests.e2e.cli import Bistand
from tests.e2e.test_cli_decisions import OVERRIDE_SAMBOR_2021, family


@pytest.fixture
def decided(tmp_path: Path) -> tuple[Bistand, str]:
    cli = Bistand(tmp_path / "data")
    hid = family(cli)
    for month in ("2021-02", "2021-03"):
        cli.ok("apply", hid, "--month", month, "--cost", "rent=7500")
        cli.ok("decide", hid, "--month", month, "--yes")
    cli.ok("pay", hid, "--month", "2021-03")
    return cli, hid


def test_every_decision_is_reproduced(decided: tuple[Bistand, str]) -> None:
    cli, hid = decided
    rows = cli.json("verify", hid)
    assert [(r["month"], r["status"], r["aid"]) for r in rows] == [
        ("2021-02", "reproduced", "17060.00"), ("2021-03", "reproduced", "17060.00")]


def test_changed_rules_are_reported_but_the_decision_stands(decided: tuple[Bistand, str]) -> None:
    cli, hid = decided
    (cli.home / "parameters").mkdir()
    (cli.home / "parameters" / "riksnorm.personal.sambor.yaml").write_text(OVERRIDE_SAMBOR_2021, encoding="utf-8")
    result = cli.run("verify", hid, "--json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert {r["status"] for r in rows} == {"rules changed"}
    assert "need 17060.00 → 17160.00" in rows[0]["problems"]  # sambor 5 700 → 5 800


def test_a_tampered_decision_fails_verification(decided: tuple[Bistand, str]) -> None:
    cli, hid = decided
    app = BistandApplication(env=Settings(home=cli.home).event_store_env())
    table = app.recorder.events_table_name  # ask the recorder: the name differs by backend
    with sqlite3.connect(cli.home / "events.sqlite") as conn:
        (version, state) = conn.execute(
            f"SELECT originator_version, state FROM {table} WHERE topic LIKE '%DecisionMade' "
            "ORDER BY originator_version DESC LIMIT 1").fetchone()
        tampered = state.replace(b'"aid":{"_type_":"decimal_str","_data_":"17060.00"}',
                                 b'"aid":{"_type_":"decimal_str","_data_":"19060.00"}')
        assert tampered != state
        conn.execute(f"UPDATE {table} SET state = ? WHERE originator_version = ? AND topic LIKE '%DecisionMade'",
                     (tampered, version))
    result = cli.run("verify", hid, "--json")
    assert result.exit_code == 1
    rows = json.loads(result.stdout)
    march = next(r for r in rows if r["month"] == "2021-03")
    assert march["status"] == "FAILED"
    assert "the event grants 19060.00 but its calculation gives 17060.00" in march["problems"]
    assert "1 failed" in result.stderr
