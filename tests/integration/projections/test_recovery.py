"""Återkrav in the read model: real SQLite event store + DuckDB, figures worked out by hand.

The history is :func:`recovery_sample` (recovery_scenario.py, where the aid of 9 180 kr a month is worked out from
the riksnorm 2021): three claims on household R, repayments, an eftergift, a refund from Försäkringskassan, a plan
and a court filing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from bistand_es.application.config import Settings
from bistand_es.application.integrity.keystore import open_key_store
from bistand_es.application.integrity.pseudonyms import pseudonym_of
from bistand_es.projections.projector import catch_up, rebuild
from bistand_es.projections.recovery_balances import balance_rows
from bistand_es.projections.schema import PROJECTION_VERSION

from .recovery_scenario import recovery_sample
from .scenario import memory_app, sqlite_app
from .test_property import CatchingUp, everything

D = Decimal


def query(settings: Settings, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(settings.reports_path), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def projected(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, dict[str, Any]]:
    app, settings = sqlite_app(tmp_path_factory.mktemp("recovery"))
    ids = recovery_sample(app)
    status = catch_up(app, settings, skip_if_busy=False)
    assert status.position == app.max_position()
    names = {str(value): key for key, value in ids.items()}
    return settings, names


def test_the_ledger_per_claim_is_the_hand_worked_one(projected: tuple[Settings, dict[str, Any]]) -> None:
    settings, names = projected
    rows = query(
        settings,
        "SELECT claim_id, ground, claimed, received, received_from_person, received_from_agency, waived, "
        "outstanding, status, court_deadline, court_filed_on FROM recovery_ledger ORDER BY decided_on",
    )
    assert [(names[r[0]], *r[1:]) for r in rows] == [
        # C1: 2 000 claimed; 500 + 1 500 repaid by the person = 2 000; 2 000 − 2 000 − 0 = 0 → settled.
        # Deadline: March payment 2021-03-25 + 3 years.
        ("C1", "wrongful_payment", D("2000"), D("2000"), D("2000"), D("0"), D("0"), D("0"), "settled",
         date(2024, 3, 25), None),
        # C2: 3 000 claimed; the 3 000 refund from Försäkringskassan for April received on it → 0, settled.
        ("C2", "advance_on_benefit", D("3000"), D("3000"), D("0"), D("3000"), D("0"), D("0"), "settled",
         date(2024, 4, 23), None),
        # C3: 7 000 − 1 000 received − 1 000 waived = 5 000 open; deadline the earliest (April's), in court.
        ("C3", "wrongful_payment", D("7000"), D("1000"), D("1000"), D("0"), D("1000"), D("5000"), "open",
         date(2024, 4, 23), date(2021, 10, 15)),
    ]  # fmt: skip


def test_the_ledger_per_household(projected: tuple[Settings, dict[str, Any]]) -> None:
    settings, _ = projected
    # 2 000 + 3 000 + 7 000 = 12 000 claimed; 2 000 + 3 000 + 1 000 = 6 000 received; 1 000 waived;
    # 0 + 0 + 5 000 = 5 000 outstanding; the one open claim (C3) is in court, so no deadline is pending.
    assert query(
        settings,
        "SELECT municipality, claims, open_claims, claimed, received, waived, outstanding, next_court_deadline "
        "FROM v_recovery_households",
    ) == [("1784", 3, 1, D("12000"), D("6000"), D("1000"), D("5000"), None)]


def test_court_deadlines_per_covered_payment(projected: tuple[Settings, dict[str, Any]]) -> None:
    settings, names = projected
    rows = query(
        settings,
        "SELECT claim_id, payment_id, month_concerned, paid_on, payment_amount, amount_covered, court_deadline "
        "FROM v_recovery_court_deadlines ORDER BY court_deadline",
    )
    assert [(names[r[0]], names[r[1]], *r[2:]) for r in rows if names[r[0]] != "C3"] == [
        ("C1", "march", "2021-03", date(2021, 3, 25), D("9180"), D("2000"), date(2024, 3, 25)),
        ("C2", "april", "2021-04", date(2021, 4, 23), D("9180"), D("3000"), date(2024, 4, 23)),
    ]
    # C3, 7 000 oldest payment first: April has 9 180 − 3 000 (C2) = 6 180 left, May the rest 7 000 − 6 180 = 820;
    # each payment keeps its own deadline (payment date + 3 years).
    assert [(names[r[0]], names[r[1]], *r[2:]) for r in rows if names[r[0]] == "C3"] == [
        ("C3", "april", "2021-04", date(2021, 4, 23), D("9180"), D("6180"), date(2024, 4, 23)),
        ("C3", "may", "2021-05", date(2021, 5, 25), D("9180"), D("820"), date(2024, 5, 25)),
    ]


def test_monthly_totals_recovered_against_outstanding(projected: tuple[Settings, dict[str, Any]]) -> None:
    settings, _ = projected
    rows = query(
        settings,
        "SELECT month, claims_decided, claimed, received_from_person, received_from_agency, recovered, waived, "
        "agency_refunds, outstanding_at_month_end, open_claims_at_month_end FROM v_recovery_monthly ORDER BY month",
    )
    assert rows == [
        # June: C1 2 000 + C2 3 000 decided; nothing back yet → 5 000 outstanding, 2 open.
        ("2021-06", 2, D("5000"), D("0"), D("0"), D("0"), D("0"), D("0"), D("5000"), 2),
        # July: C3 7 000; 500 from the person (C1) + the 3 000 refund (C2) = 3 500 recovered;
        # at the end: C1 1 500 + C2 0 + C3 7 000 = 8 500 (C2 settled → 2 open).
        ("2021-07", 1, D("7000"), D("500"), D("3000"), D("3500"), D("0"), D("3000"), D("8500"), 2),
        # August: 1 500 (C1, now settled); 1 000 waived on C3 → C3 6 000 outstanding, 1 open.
        ("2021-08", 0, D("0"), D("1500"), D("0"), D("1500"), D("1000"), D("0"), D("6000"), 1),
        # September: 1 000 on C3 → 5 000.
        ("2021-09", 0, D("0"), D("1000"), D("0"), D("1000"), D("0"), D("0"), D("5000"), 1),
    ]


def test_claims_plans_filings_and_the_advance_request(projected: tuple[Settings, dict[str, Any]]) -> None:
    settings, names = projected
    claims = query(
        settings,
        "SELECT claim_id, required_condition, decided_on, delegat, payments_covered, court, case_number, "
        "plan_agreed_on, plan_instalments::VARCHAR FROM recovery_claims ORDER BY decided_on",
    )
    assert [(names[c[0]], *c[1:]) for c in claims] == [
        ("C1", None, date(2021, 6, 10), "handlaggare", 1, None, None, None, None),
        ("C2", "advance_on_benefit", date(2021, 6, 15), "handlaggare", 1, None, None, None, None),
        ("C3", None, date(2021, 7, 5), "handlaggare", 2, "Förvaltningsrätten i Karlstad", "4711-21", date(2021, 9, 1),
         '[{"amount":"1000","due_on":"2021-09-30"},{"amount":"1000","due_on":"2021-10-31"}]'),
    ]  # fmt: skip
    # 3 000 a month asked for April; Försäkringskassan refunded 3 000, all of it received on C2. The member is
    # shown as R1's pseudonym (the store's key store's secret).
    r1 = pseudonym_of(open_key_store(settings.event_store_env()), "R1")
    assert query(
        settings,
        "SELECT agency, member, benefit, months, amount_per_month, refunded, applied_to_claims, last_refunded_on "
        "FROM advance_requests",
    ) == [("forsakringskassan", r1, "sickness_benefit", ["2021-04"], D("3000"), D("3000"), D("3000"),
           date(2021, 7, 1))]  # fmt: skip


def test_the_read_model_agrees_with_the_domain(tmp_path: Path) -> None:
    app, settings = sqlite_app(tmp_path)
    ids = recovery_sample(app)
    catch_up(app, settings, skip_if_busy=False)
    for name in ("C1", "C2", "C3"):
        shown = app.get_claim(ids[name])
        row = query(
            settings,
            "SELECT claimed, received, waived, outstanding, status, court_deadline FROM recovery_ledger "
            "WHERE claim_id = ?",
            ids[name],
        )
        assert row == [
            (
                D(shown["amount"]), D(shown["received"]), D(shown["waived"]), D(shown["outstanding"]),
                shown["status"], date.fromisoformat(shown["court_deadline"]),
            )
        ]  # fmt: skip


def test_rebuilding_gives_the_ledger_of_catching_up_after_every_command(tmp_path: Path) -> None:
    app = memory_app()
    incremental = Settings(home=tmp_path / "incremental")
    recovery_sample(CatchingUp(app, incremental))  # type: ignore[arg-type]
    rebuilt = Settings(home=tmp_path / "rebuilt")
    rebuild(app, rebuilt)
    data = everything(incremental.reports_path)
    assert data == everything(rebuilt.reports_path)
    assert data["state"] == [(app.max_position(), app.max_position(), PROJECTION_VERSION)]
    assert len(data["f_recovery_balances"]) == 8  # C1: June, July, August; C2: June, July; C3: July–September


class Crash(Exception):
    pass


def test_a_crash_while_balances_are_recomputed_is_repaired_by_the_next_run(tmp_path: Path) -> None:
    app = memory_app()
    recovery_sample(app)
    clean = Settings(home=tmp_path / "clean")
    catch_up(app, clean, skip_if_busy=False)

    def crash(stage: str) -> None:
        if stage == "recovery_after_insert":
            raise Crash(stage)

    crashing = Settings(home=tmp_path / "crashing")
    with pytest.raises(Crash):
        catch_up(app, crashing, skip_if_busy=False, fault=crash)
    catch_up(app, crashing, skip_if_busy=False)
    assert everything(crashing.reports_path) == everything(clean.reports_path)
    assert query(crashing, "SELECT count(*) FROM f_dirty_claims") == [(0,)]


def test_balances_per_month_by_the_events_own_dates() -> None:
    # A 1 000 claim decided 2021-01-31; 300 received 2021-02-01 and 200 waived 2021-02-28 (same month), 500 received
    # 2021-04-01 (recorded first: the month of the stated date counts, not the recording order).
    claims = [("c", "h", D("1000.00"), date(2021, 1, 31))]
    movements = [
        ("c", date(2021, 4, 1), D("500.00"), "received"),
        ("c", date(2021, 2, 1), D("300.00"), "received"),
        ("c", date(2021, 2, 28), D("200.00"), "waived"),
    ]
    assert balance_rows(claims, movements) == [
        ("h", "c", "2021-01", "1000.00", "0.00", "0.00", "1000.00", "open"),
        # 1 000 − 300 − 200 = 500
        ("h", "c", "2021-02", "1000.00", "300.00", "200.00", "500.00", "open"),
        # 1 000 − 800 − 200 = 0
        ("h", "c", "2021-04", "1000.00", "800.00", "200.00", "0.00", "settled"),
    ]


def test_a_version_3_read_model_is_rebuilt_with_the_recovery_rows(tmp_path: Path) -> None:
    app, settings = sqlite_app(tmp_path)
    ids = recovery_sample(app)
    catch_up(app, settings, skip_if_busy=False)
    expected = everything(settings.reports_path)
    con = duckdb.connect(str(settings.reports_path))
    # As version 3 left it: the återkrav events in the audit log only.
    con.execute("UPDATE projector_state SET projection_version = 3")
    for table in ("f_recovery_claims", "f_recovery_claim_payments", "f_repayments_received", "f_recovery_balances"):
        con.execute(f"DELETE FROM {table}")
    con.close()
    (tmp_path / "reports.duckdb.position").unlink()
    result = catch_up(app, settings, skip_if_busy=False)
    assert result.rebuilt and result.note == f"projection version 3 → {PROJECTION_VERSION}"
    assert everything(settings.reports_path) == expected
    assert query(settings, "SELECT outstanding FROM recovery_ledger WHERE claim_id = ?", ids["C3"]) == [(D("5000"),)]
