"""Statistics and the decisions view take the försörjningsstöd part from the calculation (no formula of their own)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb

from bistand_es.application.config import Settings
from bistand_es.domain.month import Month
from bistand_es.projections.projector import catch_up
from bistand_es.projections.reports import report

from .scenario import alias, apply, decide, memory_app, register


def test_forsorjningsstod_and_livsforing_come_from_the_calculation(tmp_path: Path) -> None:
    app = memory_app()
    parts = register(app, "S1")
    legacy = register(app, "L1")
    march = Month(2021, 3)
    apply(app, parts, march, rent="6000.00")
    apply(app, legacy, march, rent="6000.00")
    # S1: aid 5 000 = försörjningsstöd 3 000 + tandvård 2 000, as the calculation states the parts. Its lines are
    # norm 3 000 (aid − rent + counted = 5 000 − 6 000 + 4 000), rent 6 000, counted 4 000: the old formula of the
    # read side, min(aid, norm + rent − counted) = min(5 000, 5 000) = 5 000, would be wrong here.
    decide(
        app, parts, march, "5000.00", ["S1"], rent="6000.00", employment="4000.00",
        subsistence_aid="3000.00", other_aid="2000.00",
    )  # fmt: skip
    # L1: recorded before the engine kept the parts apart: the whole 4 000 is försörjningsstöd, livsföring 0.
    decide(app, legacy, march, "4000.00", ["L1"], rent="6000.00")
    settings = Settings(home=tmp_path)
    catch_up(app, settings)
    con = duckdb.connect(str(settings.reports_path), read_only=True)
    try:
        decisions = con.execute(
            "SELECT d.members[1], d.aid, d.subsistence_aid, d.other_aid, f.subsistence_aid, f.other_aid "
            "FROM decisions d JOIN f_decisions f USING (decision_id) ORDER BY 1"
        ).fetchall()
        rows = report(con, "statistics", "2021-03").rows
        months = con.execute("SELECT person, received, amount FROM support_months ORDER BY person").fetchall()
    finally:
        con.close()
    d = Decimal
    named = {alias(app, person): person for person in ("L1", "S1")}  # the read model holds pseudonyms
    assert sorted((named[row[0]], *row[1:]) for row in decisions) == [
        ("L1", d("4000.00"), d("4000.00"), d("0.00"), d("4000.00"), None),
        ("S1", d("5000.00"), d("3000.00"), d("2000.00"), d("3000.00"), d("2000.00")),
    ]
    assert sorted(
        (named[r["person_id"]], r["aid_granted"], r["forsorjningsstod"], r["livsforing_ovrigt"]) for r in rows
    ) == [
        ("L1", d("4000.00"), d("4000.00"), d("0.00")),
        ("S1", d("5000.00"), d("3000.00"), d("2000.00")),
    ]
    assert sorted((named[row[0]], *row[1:]) for row in months) == [
        ("L1", True, d("4000.00")),
        ("S1", True, d("3000.00")),
    ]


def test_a_month_of_livsforing_only_is_no_support_month(tmp_path: Path) -> None:
    app = memory_app()
    hid = register(app, "T1")
    apply(app, hid, Month(2021, 3))
    decide(app, hid, Month(2021, 3), "2000.00", ["T1"], subsistence_aid="0.00", other_aid="2000.00")
    settings = Settings(home=tmp_path)
    catch_up(app, settings)
    con = duckdb.connect(str(settings.reports_path), read_only=True)
    try:
        months = con.execute("SELECT person, month, received, amount FROM support_months").fetchall()
    finally:
        con.close()
    assert months == [(alias(app, "T1"), "2021-03", False, Decimal("0.00"))]
