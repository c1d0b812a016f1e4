"""The incomes view against a decision made by the real rules engine (line kinds as the engine names them)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

from bistand_es.application.config import Settings
from bistand_es.application.decisions import DecisionRequest
from bistand_es.domain.month import Month
from bistand_es.domain.rules.rule_set import load_rule_set
from bistand_es.domain.vocabulary import ActorRole
from bistand_es.projections.projector import catch_up

from .scenario import ANNA, apply, memory_app, register


def test_employment_income_under_jobbstimulans_is_shown_counted_and_disregarded(tmp_path: Path) -> None:
    app = memory_app()
    hid = register(app, "J1")
    # Six months of support elsewhere (2021-01..06) open a jobbstimulans window from 2021-07.
    app.change_household(
        hid,
        lambda h: h.record_external_support(
            actor=ANNA, person="J1", months=[Month(2021, 1) + i for i in range(6)], source="Karlstad"
        ),
    )
    app.report_income(
        hid, actor=ANNA, member="J1", kind="employment", month=Month(2021, 7), amount=Decimal("8000.00"),
        source="applicant",
    )  # fmt: skip
    apply(app, hid, Month(2021, 8), rent="6000.00")
    _, draft = app.decide(
        hid,
        DecisionRequest(month=Month(2021, 8), actor=ANNA, delegat=ActorRole.CASEWORKER, decided_on=date(2021, 8, 2)),
        load_rule_set(),
    )
    assert draft.calculation["income_month"] == "2021-07"
    settings = Settings(home=tmp_path)
    catch_up(app, settings)

    con = duckdb.connect(str(settings.reports_path), read_only=True)
    try:
        incomes = con.execute(
            "SELECT kind, month, amount, decision_month, counted_in_decision, disregarded_in_decision FROM incomes"
        ).fetchall()
        lines = con.execute(
            "SELECT kind, income_kind, income_month, amount FROM decision_lines "
            "WHERE kind LIKE 'income.%' ORDER BY line_no"
        ).fetchall()
        others = con.execute(
            "SELECT count(*) FROM decision_lines WHERE income_kind IS NOT NULL AND kind NOT LIKE 'income.%'"
        ).fetchone()
    finally:
        con.close()
    assert incomes == [("employment", "2021-07", Decimal("8000.00"), "2021-08", Decimal("6000.00"), Decimal("2000.00"))]
    assert lines == [
        ("income.counted", "employment", "2021-07", Decimal("6000.00")),
        ("income.disregarded.jobbstimulans", "employment", "2021-07", Decimal("2000.00")),
    ]
    assert others == (0,)
