"""Återsökning in the read model (issue 8, must-show 3): real SQLite event store + DuckDB, figures by hand.

The history is :func:`reimbursement_sample` (reimbursement_scenario.py, where the aid of 9 180 kr a month, the
quarters and their last days to file are worked out): an asylum seeker's LMA-type aid in 2021-Q3 (2 × 9 180 =
18 360, last day 2022-03-31) and 2021-Q4 (9 180, last day 2022-06-30; October's payment was cancelled); Q3 filed on
2022-01-17 and granted 15 000 of 18 360 on 2022-03-01.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from bistand_es.application.config import Settings
from bistand_es.application.units import Units
from bistand_es.domain.rules.rule_set import load_rule_set
from bistand_es.projections.projector import catch_up, rebuild
from bistand_es.projections.schema import PROJECTION_VERSION

from .reimbursement_scenario import ANNA, LMA, reimbursement_sample
from .scenario import alias, memory_app, sqlite_app
from .test_property import CatchingUp, everything

D = Decimal
OPEN_COLUMNS = "type, period, persons, amount, deadline, days_left, status"


def query(settings: Settings, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(settings.reports_path), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def on(settings: Settings, day: str) -> list[tuple[Any, ...]]:
    return query(
        settings,
        f"SELECT {OPEN_COLUMNS} FROM reimbursement_opportunities_on(DATE '{day}') ORDER BY deadline",
    )


def test_both_quarters_are_open_before_filing_then_only_the_second(tmp_path: Path) -> None:
    app, settings = sqlite_app(tmp_path)
    reimbursement_sample(app, until="paid")
    catch_up(app, settings, skip_if_busy=False)
    m1 = alias(app, "M1")  # the read model's pseudonym of M1
    # On 2022-01-16: to 2022-03-31 is 15 (rest of January) + 28 (February) + 31 (March) = 74 days;
    # to 2022-06-30 another 30 + 31 + 30 = 91, 165 in all.
    assert on(settings, "2022-01-16") == [
        (LMA, "2021-Q3", [m1], D("18360.00"), date(2022, 3, 31), 74, "open"),  # 9 180 + 9 180
        (LMA, "2021-Q4", [m1], D("9180.00"), date(2022, 6, 30), 165, "open"),  # October's cancelled
    ]
    plan = app.prepare_filing(
        type_name=LMA, period_text="2021-Q3", filed_on=date(2022, 1, 17), rule_set=load_rule_set(None),
        units=Units((), None),
    )  # fmt: skip
    app.record_filing(plan, actor=ANNA)
    catch_up(app, settings, skip_if_busy=False)
    assert on(settings, "2022-01-17") == [(LMA, "2021-Q4", [m1], D("9180.00"), date(2022, 6, 30), 164, "open")]
    # The day after the last day the quarter is lost (−1); on the last day it is still open (0).
    assert on(settings, "2022-06-30")[0][5:] == (0, "open")
    assert on(settings, "2022-07-01")[0][5:] == (-1, "lost")


@pytest.fixture(scope="module")
def projected(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, dict[str, Any], Any]:
    app, settings = sqlite_app(tmp_path_factory.mktemp("reimbursement"))
    ids = reimbursement_sample(app)
    status = catch_up(app, settings, skip_if_busy=False)
    assert status.position == app.max_position()
    return settings, ids, app


def test_the_claim_and_its_partial_outcome(projected: tuple[Settings, dict[str, Any], Any]) -> None:
    settings, ids, app = projected
    assert query(
        settings,
        "SELECT claim_id, type, period, persons, lines, claim_amount, filed_on, filed_by, outcome, granted, "
        "difference, decided_on FROM reimbursement_claims",
    ) == [
        # August + September: 2 lines, 18 360; granted 15 000, difference 18 360 − 15 000 = 3 360.
        (ids["claim"], LMA, "2021-Q3", [alias(app, "M1")], 2, D("18360.00"), date(2022, 1, 17), "anna", "partly",
         D("15000.00"), D("3360.00"), date(2022, 3, 1)),
    ]  # fmt: skip
    assert query(settings, "SELECT outcome, claimed, granted, difference FROM reimbursement_outcomes") == [
        ("partly", D("18360.00"), D("15000.00"), D("3360.00"))
    ]


def test_the_costs_with_their_claims(projected: tuple[Settings, dict[str, Any], Any]) -> None:
    settings, ids, app = projected
    m1 = alias(app, "M1")
    rows = query(
        settings,
        "SELECT payment_id, person, month, type, amount, fees, automatic, claim_id, evidence "
        "FROM reimbursable_costs ORDER BY month",
    )
    assert rows == [
        # The default rule tagged each payment, all of it for M1 (the only member); October's is cancelled.
        (ids["august"], m1, "2021-08", LMA, D("9180.00"), D("0.00"), True, ids["claim"],
         f"utbetalning {ids['august']} (2021-08-25)"),
        (ids["september"], m1, "2021-09", LMA, D("9180.00"), D("0.00"), True, ids["claim"],
         f"utbetalning {ids['september']} (2021-09-24)"),
        (ids["november"], m1, "2021-11", LMA, D("9180.00"), D("0.00"), True, None,
         f"utbetalning {ids['november']} (2021-11-25)"),
    ]  # fmt: skip


def test_the_migration_status(projected: tuple[Settings, dict[str, Any], Any]) -> None:
    settings, _, app = projected
    assert query(
        settings, "SELECT municipality, person, status, valid_from, valid_to, received_on, reception "
        "FROM person_migration_status"
    ) == [("0662", alias(app, "M1"), "asylum_seeker", date(2021, 5, 1), None, date(2021, 5, 10),
           "anvisad")]  # fmt: skip


def test_per_quarter_claimed_granted_refused_and_lost(projected: tuple[Settings, dict[str, Any], Any]) -> None:
    settings, _, _ = projected
    sql = (
        "SELECT period, type, claims, claimed, granted, refused, awaiting_decision, open, lost "
        "FROM reimbursement_by_quarter_on(DATE '{}') ORDER BY period"
    )
    # Q3: 18 360 claimed, 15 000 granted, 3 360 not granted. Q4: 9 180 unclaimed, open on its last day …
    assert query(settings, sql.format("2022-06-30")) == [
        ("2021-Q3", LMA, 1, D("18360.00"), D("15000.00"), D("3360.00"), D("0"), D("0"), D("0")),
        ("2021-Q4", LMA, 0, D("0"), D("0"), D("0"), D("0"), D("9180.00"), D("0")),
    ]
    # … and lost the day after.
    assert query(settings, sql.format("2022-07-01"))[1][-2:] == (D("0"), D("9180.00"))
    # Today (the views ask current_date) 2021-Q4's last day has long passed.
    assert query(settings, "SELECT period, lost FROM v_reimbursement_by_quarter ORDER BY period") == [
        ("2021-Q3", D("0")),
        ("2021-Q4", D("9180.00")),
    ]
    assert query(settings, "SELECT period, amount FROM v_reimbursement_lost") == [("2021-Q4", D("9180.00"))]
    assert query(settings, "SELECT count(*) FROM v_reimbursement_open") == [(0,)]


def test_the_views_agree_with_the_scan(projected: tuple[Settings, dict[str, Any], Any]) -> None:
    # The write side's scan runs the same engine on the same case: same periods, amounts, deadlines, days left.
    settings, _, app = projected
    for day in (date(2022, 3, 1), date(2022, 7, 1)):
        scan = app.scan(as_of=day, rule_set=load_rule_set(None), units=Units((), None))
        expected = [
            (o["type"], o["period"], [alias(app, p) for p in o["persons"]], D(o["amount"]),
             date.fromisoformat(o["deadline"]), o["days_left"], o["status"])
            for o in scan["opportunities"]
        ]  # fmt: skip
        assert on(settings, day.isoformat()) == expected


def test_a_deadline_not_found_is_null_and_open(tmp_path: Path) -> None:
    # A municipality's override that makes the LMA deadline unknown (null, NOT FOUND) from 2021-07-20: the engine
    # gives no last day, so nothing is ever lost; changing the parameters recomputes every person without an event.
    app, settings = sqlite_app(tmp_path)
    reimbursement_sample(app, until="paid")
    catch_up(app, settings, skip_if_busy=False)
    assert [row[4] for row in on(settings, "2022-07-01")] == [date(2022, 3, 31), date(2022, 6, 30)]
    settings.parameters_dir.mkdir(parents=True, exist_ok=True)
    (settings.parameters_dir / "reimbursement.asylum.deadline_months.yaml").write_text(
        'id: reimbursement.asylum.deadline_months\nvalues:\n  "2021-07-20": null\n', encoding="utf-8"
    )
    catch_up(app, settings, skip_if_busy=False)
    m1 = alias(app, "M1")
    assert on(settings, "2022-07-01") == [
        (LMA, "2021-Q3", [m1], D("18360.00"), None, None, "open"),
        (LMA, "2021-Q4", [m1], D("9180.00"), None, None, "open"),
    ]


def test_rebuilding_gives_the_rows_of_catching_up_after_every_command(tmp_path: Path) -> None:
    app = memory_app()
    incremental = Settings(home=tmp_path / "incremental")
    reimbursement_sample(CatchingUp(app, incremental))  # type: ignore[arg-type]
    rebuilt = Settings(home=tmp_path / "rebuilt")
    rebuild(app, rebuilt)
    data = everything(incremental.reports_path)
    assert data == everything(rebuilt.reports_path)
    assert data["state"] == [(app.max_position(), app.max_position(), PROJECTION_VERSION)]
    assert len(data["f_reimbursement_opportunities"]) == 1  # November's line; Q3 is claimed
    assert len(data["f_payment_tags"]) == 4  # four payments tagged, October's later cancelled


class Crash(Exception):
    pass


def test_a_crash_while_opportunities_are_recomputed_is_repaired_by_the_next_run(tmp_path: Path) -> None:
    app = memory_app()
    reimbursement_sample(app)
    clean = Settings(home=tmp_path / "clean")
    catch_up(app, clean, skip_if_busy=False)

    def crash(stage: str) -> None:
        if stage == "reimbursement_after_insert":
            raise Crash(stage)

    crashing = Settings(home=tmp_path / "crashing")
    with pytest.raises(Crash):
        catch_up(app, crashing, skip_if_busy=False, fault=crash)
    catch_up(app, crashing, skip_if_busy=False)
    assert everything(crashing.reports_path) == everything(clean.reports_path)
    assert query(crashing, "SELECT count(*) FROM f_dirty_reimbursement") == [(0,)]


def test_stored_events_with_extra_keys_are_projected(tmp_path: Path) -> None:
    # The event store may gain fields (a hash chain's); decoding ignores keys it does not know.
    from bistand_es.application.integrity.keystore import MemoryKeyStore
    from bistand_es.application.integrity.pseudonyms import pseudonym_of
    from bistand_es.projections.rows import Opener, page_rows

    class Stored:
        def __init__(self, state: bytes) -> None:
            self.id, self.originator_id, self.originator_version = 7, "h", 3
            self.topic = "bistand_es.household:MigrationStatusRecorded"
            self.state = state

    state = (
        b'{"person":"M1","status":"asylum_seeker","permit_type":null,'
        b'"valid_from":{"_type_":"date_iso","_data_":"2021-05-01"},"chain_hash":"abc","previous_hash":"def",'
        b'"actor":{"user":"anna","role":"handlaggare"},"timestamp":{"_type_":"datetime_iso","_data_":'
        b'"2021-05-02T10:00:00"}}'
    )
    keys = MemoryKeyStore()
    rows = page_rows([Stored(state)], Opener(keys))
    m1 = pseudonym_of(keys, "M1")
    assert rows.rows["f_migration_statuses"] == [
        (7, "h", m1, "asylum_seeker", None, "2021-05-01", "anna", "2021-05-02T10:00:00")
    ]
    assert rows.dirty_reimbursement == {(m1, None)}
