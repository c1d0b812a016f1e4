"""A huge amount never freezes the read model silently (issue: 1e9+ kr made `projections update` fail on every run
while `bistand sql` answered stale data with exit 0).

Real SQLite event store and DuckDB file. Events with values the read model cannot hold are written as raw
fixtures: a normal event is recorded through the application, then its stored JSON is edited in the SQLite file
(the write side refuses such amounts now, but a store written before that may hold them).
"""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner, Result

from bistand_es.application.config import Settings
from bistand_es.cli.main import cli
from bistand_es.domain.month import Month
from bistand_es.projections.errors import UnprojectableEvent
from bistand_es.projections.projector import catch_up, rebuild, status
from tests.e2e.cli import register_users

from .scenario import ANNA, alias, register, sqlite_app


def run(home: Path, *args: str) -> Result:
    register_users(home)  # anna and the other test users (docs/security.md)
    return CliRunner().invoke(
        cli, list(args), env={"BISTAND_HOME": str(home), "BISTAND_USER": "anna", "BISTAND_ROLE": "handlaggare"}
    )


JANUARY = Month(2021, 1)


def report_income(app: object, hid: object, amount: str, month: Month = JANUARY) -> None:
    app.report_income(  # type: ignore[attr-defined]
        hid, actor=ANNA, member="A1", kind="employment", month=month, amount=Decimal(amount), source="applicant"
    )


def edit_stored(home: Path, position: int, old: str, new: str) -> None:
    """Replace text in the stored JSON of the event at ``position`` (a raw fixture; the write side never does)."""
    con = sqlite3.connect(home / "events.sqlite")
    try:
        (state,) = con.execute("SELECT state FROM stored_events WHERE rowid = ?", [position]).fetchone()
        text = bytes(state).decode()
        assert old in text
        con.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", [text.replace(old, new).encode(), position])
        con.commit()
    finally:
        con.close()


def store_digest(home: Path) -> str:
    con = sqlite3.connect(home / "events.sqlite")
    try:
        rows = con.execute("SELECT rowid, * FROM stored_events ORDER BY rowid").fetchall()
    finally:
        con.close()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def incomes(settings: Settings) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(settings.reports_path), read_only=True)
    try:
        return con.execute("SELECT amount FROM f_income_changes ORDER BY position").fetchall()
    finally:
        con.close()


def test_the_largest_amount_the_write_side_stores_is_projected_and_summed(tmp_path: Path) -> None:
    # 1 000 000 000 kr is the write side's maximum; three of them sum to 3 000 000 000.00, exactly.
    app, settings = sqlite_app(tmp_path)
    hid = register(app, "A1")
    for month in (Month(2021, 1), Month(2021, 2), Month(2021, 3)):
        report_income(app, hid, "1000000000.00", month)
    catch_up(app, settings, skip_if_busy=False)
    con = duckdb.connect(str(settings.reports_path), read_only=True)
    try:
        assert con.execute("SELECT sum(amount) FROM incomes").fetchall() == [(Decimal("3000000000.00"),)]
    finally:
        con.close()


@pytest.fixture
def stuck(tmp_path: Path) -> tuple[Path, int]:
    """A store whose fifth household event holds 1E+27 kr (wider than DECIMAL(18,2)), with one event after it."""
    app, _ = sqlite_app(tmp_path)
    register_users(tmp_path)  # first: the events below stay the store's last
    hid = register(app, "A1")
    report_income(app, hid, "1000.00")
    report_income(app, hid, "7777.00")  # becomes 1E+27
    report_income(app, hid, "2000.00")
    bad = app.max_position() - 1
    edit_stored(tmp_path, bad, '"7777.00"', '"1E+27"')
    return tmp_path, bad


def test_an_unprojectable_event_stops_the_projector_there_with_its_position(stuck: tuple[Path, int]) -> None:
    home, bad = stuck
    app, settings = sqlite_app(home)
    digest = store_digest(home)
    with pytest.raises(UnprojectableEvent) as raised:
        catch_up(app, settings, skip_if_busy=False)
    assert raised.value.position == bad
    assert str(raised.value).startswith(f"cannot project the event at position {bad} (IncomeReported): amount 1E+27")
    # Every event before it is projected; the one after waits behind it.
    assert incomes(settings) == [(Decimal("1000.00"),)]
    now = status(app, settings)
    assert (now.position, now.store_position) == (bad - 1, bad + 1)
    assert now.failure is not None and f"position {bad}" in now.failure
    # After a write command (skip_if_busy): no exception, the failure is in the status.
    assert catch_up(app, settings).failure == str(raised.value)
    # A rebuild stops at the same event and still swaps in the read model up to it.
    with pytest.raises(UnprojectableEvent):
        rebuild(app, settings)
    assert incomes(settings) == [(Decimal("1000.00"),)]
    assert store_digest(home) == digest


def test_the_cli_says_the_read_model_is_behind_instead_of_answering_silently(stuck: tuple[Path, int]) -> None:
    home, bad = stuck
    digest = store_digest(home)
    update = run(home, "projections", "update")
    assert update.exit_code == 6
    assert update.stderr.strip().splitlines()[-1].startswith(f"error: cannot project the event at position {bad}")
    assert "Traceback" not in update.output
    shown = run(home, "projections", "status")
    assert shown.exit_code == 0 and f"FAILING      cannot project the event at position {bad}" in shown.stdout
    answered = run(home, "sql", "SELECT count(*) AS n FROM f_income_changes", "--format", "csv")
    assert answered.exit_code == 0 and answered.stdout.strip().splitlines() == ["n", "1"]
    assert answered.stderr.startswith(f"warning: the read model is behind the event store (position {bad - 1} of ")
    stale = run(home, "sql", "SELECT 1 AS one", "--no-update")
    assert stale.stderr.startswith("warning: the read model is behind the event store: cannot project")
    monthly = run(home, "report", "monthly")
    assert monthly.exit_code == 0 and "warning: the read model is behind" in monthly.stderr
    assert store_digest(home) == digest


def test_a_value_duckdb_refuses_is_found_by_halving_the_batch(tmp_path: Path) -> None:
    # Ten registrations; the seventh's birth date is made 2021-02-30 (no such day), which only DuckDB checks.
    app, settings = sqlite_app(tmp_path)
    for number in range(10):
        register(app, f"R{number}", on=date(2021, 1, 5))
    registered = [
        n.id for n in app.recorder.select_notifications(start=0, limit=1000) if n.topic.endswith(":HouseholdRegistered")
    ]
    bad = registered[6]
    edit_stored(tmp_path, bad, '"1985-04-02"', '"2021-02-30"')
    with pytest.raises(UnprojectableEvent) as raised:
        catch_up(app, settings, skip_if_busy=False)
    assert raised.value.position == bad
    assert "HouseholdRegistered" in str(raised.value) and "DuckDB" in str(raised.value)
    con = duckdb.connect(str(settings.reports_path), read_only=True)
    try:
        applicants = con.execute("SELECT applicant FROM f_households_registered ORDER BY position").fetchall()
        position = con.execute("SELECT position FROM projector_state").fetchall()
    finally:
        con.close()
    assert applicants == [(alias(app, f"R{n}"),) for n in range(6)]  # the applicants' pseudonyms
    assert position == [(bad - 1,)]
