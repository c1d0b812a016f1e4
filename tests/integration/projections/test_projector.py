"""The catch-up projector against real DuckDB files: values, resumption, versions, gaps and crashes."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from bistand_es.application.app import BistandApplication
from bistand_es.application.config import Settings
from bistand_es.domain.month import Month
from bistand_es.domain.vocabulary import MemberRole
from bistand_es.projections.projector import catch_up, rebuild, status
from bistand_es.projections.schema import MODEL_TABLES, PROJECTION_VERSION

from .scenario import add_member, alias, apply, decide, memory_app, register, sample, sqlite_app, table_contents


def read(settings: Settings, sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(settings.reports_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def snapshot(settings: Settings) -> dict[str, list[tuple[object, ...]]]:
    con = duckdb.connect(str(settings.reports_path), read_only=True)
    try:
        data = {name: table_contents(con, name) for name in MODEL_TABLES}
        data["position"] = con.execute("SELECT position, events_projected FROM projector_state").fetchall()
        return data
    finally:
        con.close()


def test_the_sample_history_projects_to_the_values_worked_out_by_hand(tmp_path: Path) -> None:
    app = memory_app()
    sample(app)
    settings = Settings(home=tmp_path)
    result = catch_up(app, settings)
    assert result.position == app.max_position() and result.lag == 0
    # One row per household-month; the amended March keeps 11 000 kr and counts one amendment.
    assert read(
        settings, "SELECT month, aid, amendments FROM decisions WHERE municipality = '1765' ORDER BY month"
    ) == [
        ("2021-01", Decimal("10000.00"), 0),
        ("2021-02", Decimal("10000.00"), 0),
        ("2021-03", Decimal("11000.00"), 1),
        ("2021-04", Decimal("10000.00"), 0),
        ("2021-05", Decimal("10000.00"), 0),
        ("2021-06", Decimal("10000.00"), 0),
        ("2021-07", Decimal("10000.00"), 0),
    ]
    # Only the lines of the decision in force: March has norm 5 000 + rent 6 000 = 11 000.
    assert read(settings, "SELECT kind, amount FROM decision_lines WHERE month = '2021-03' ORDER BY line_no") == [
        ("norm.personal", Decimal("5000.00")),
        ("cost.rent", Decimal("6000.00")),
    ]
    # B1's January wage, counted (income.counted, income_kind employment) in the February decision.
    assert read(
        settings,
        "SELECT amount, reported_amount, corrections, decision_month, counted_in_decision, disregarded_in_decision "
        "FROM incomes",
    ) == [(Decimal("2500.00"), Decimal("2000.00"), 1, "2021-02", Decimal("2500.00"), None)]
    assert read(settings, "SELECT amount, cancelled FROM payments WHERE municipality = '1780' ORDER BY paid_on") == [
        (Decimal("5000.00"), True),
        (Decimal("4000.00"), False),
    ]
    # Persons appear as their pseudonyms (the application's key store's secret), never as identity numbers.
    assert read(settings, "SELECT person, valid_to FROM members WHERE valid_to IS NOT NULL") == [
        (alias(app, "A2"), date(2021, 6, 15))
    ]
    assert sorted(read(settings, "SELECT applicant, status, closed_on, members_now FROM households")) == sorted(
        [(alias(app, "A1"), "open", None, 2), (alias(app, "B1"), "closed", date(2021, 2, 28), 1)]
    )
    # The audit log has every stored event: the sample's 32 household events (12 types), and the person index's.
    assert read(
        settings,
        "SELECT count(*), count(DISTINCT event_type) FROM events "
        "WHERE household_id IN (SELECT household_id FROM households)",
    ) == [(32, 12)]
    assert read(settings, "SELECT count(*) FROM events") == [(app.max_position(),)]


def test_nothing_new_is_cheap_and_new_events_are_added_incrementally(tmp_path: Path) -> None:
    app = memory_app()
    hid = register(app, "A1")
    settings = Settings(home=tmp_path)
    first = catch_up(app, settings)
    assert first.applied == first.position == app.max_position()
    again = catch_up(app, settings)
    assert (again.applied, again.position, again.note) == (0, first.position, None)
    add_member(app, hid, "A2", MemberRole.CO_APPLICANT)
    step = catch_up(app, settings)
    assert (step.applied, step.position, step.rebuilt) == (
        app.max_position() - first.position,
        app.max_position(),
        False,
    )
    assert read(settings, "SELECT members_now FROM households") == [(2,)]
    assert status(app, settings).lag == 0


def test_a_different_projection_version_rebuilds_from_zero(tmp_path: Path) -> None:
    app = memory_app()
    sample(app)
    settings = Settings(home=tmp_path)
    catch_up(app, settings)
    expected = snapshot(settings)
    con = duckdb.connect(str(settings.reports_path))
    con.execute("UPDATE projector_state SET projection_version = 0")
    con.execute("DELETE FROM f_decisions")  # damage that only a rebuild repairs
    con.close()
    (tmp_path / "reports.duckdb.position").unlink()
    result = catch_up(app, settings)
    assert result.rebuilt and result.note == f"projection version 0 → {PROJECTION_VERSION}"
    assert snapshot(settings) == expected


def test_gaps_in_notification_ids_are_tolerated(tmp_path: Path) -> None:
    app, settings = sqlite_app(tmp_path)
    register(app, "X1")
    middle = register(app, "Y1")
    add_member(app, middle, "Y2", MemberRole.CO_APPLICANT)
    register(app, "Z1")
    everything = app.recorder.select_notifications(start=0, limit=1000)
    gone = [n.id for n in everything if str(n.originator_id) == str(middle)]  # Y1's household: registered, Y2
    with sqlite3.connect(settings.events_path) as db:
        db.executemany("DELETE FROM stored_events WHERE rowid = ?", [(number,) for number in gone])
    result = catch_up(app, settings, page_size=500, batch_size=500)
    assert len(gone) == 2 and result.position == everything[-1].id
    left = [(n.id,) for n in everything if n.id not in gone]
    assert read(settings, "SELECT position FROM events ORDER BY position") == left
    assert sorted(read(settings, "SELECT applicant FROM households")) == sorted(
        [(alias(app, "X1"),), (alias(app, "Z1"),)]
    )


def many_events(app: BistandApplication, households: int, prefix: str = "P") -> None:
    for index in range(households):
        hid = register(app, f"{prefix}{index:03d}")
        for offset in range(7):
            month = Month(2021, 1) + offset
            apply(app, hid, month)
            decide(app, hid, month, "4000.00", [f"{prefix}{index:03d}"])


class Crash(Exception):
    pass


def crash_at(stage: str, occurrence: int) -> Callable[[str], None]:
    seen = {"count": 0}

    def fault(current: str) -> None:
        if current == stage:
            seen["count"] += 1
            if seen["count"] == occurrence:
                raise Crash(stage)

    return fault


@pytest.mark.parametrize(
    ("stage", "occurrence"),
    [("after_insert", 1), ("after_insert", 2), ("after_commit", 1), ("after_commit", 2), ("derived_after_insert", 1)],
)
def test_a_crash_at_any_point_ends_in_the_state_of_an_uninterrupted_run(
    tmp_path: Path, stage: str, occurrence: int
) -> None:
    app = memory_app()
    many_events(app, 120)  # 1 800 events: four batches of 500
    clean = Settings(home=tmp_path / "clean")
    catch_up(app, clean, page_size=500, batch_size=500)
    expected = snapshot(clean)

    settings = Settings(home=tmp_path / "crashing")
    catch_up(app, settings, page_size=500, batch_size=500)  # a first, complete run (so later runs are incremental)
    many_events(app, 80, prefix="Q")
    clean_more = catch_up(app, clean, page_size=500, batch_size=500)
    expected = snapshot(clean)
    with pytest.raises(Crash):
        catch_up(app, settings, page_size=500, batch_size=500, fault=crash_at(stage, occurrence))
    resumed = catch_up(app, settings, page_size=500, batch_size=500)
    assert resumed.position == clean_more.position
    assert snapshot(settings) == expected
    assert read(settings, "SELECT count(*), count(DISTINCT position) FROM events") == [
        (app.max_position(), app.max_position())
    ]


def test_a_crash_during_a_first_build_leaves_no_half_built_read_model(tmp_path: Path) -> None:
    app = memory_app()
    many_events(app, 80)
    settings = Settings(home=tmp_path)
    with pytest.raises(Crash):
        catch_up(app, settings, page_size=500, batch_size=500, fault=crash_at("after_commit", 1))
    assert not settings.reports_path.exists()
    assert catch_up(app, settings, page_size=500, batch_size=500).position == app.max_position()
    clean = Settings(home=tmp_path / "clean")
    rebuild(app, clean, page_size=500, batch_size=500)
    assert snapshot(settings) == snapshot(clean)


def test_an_error_in_the_reader_thread_reaches_the_caller_and_keeps_the_committed_batches(tmp_path: Path) -> None:
    app = memory_app()
    many_events(app, 80)  # 1 200 household events: more than one batch, so a reader thread reads ahead
    settings = Settings(home=tmp_path)
    first = catch_up(app, settings, page_size=500, batch_size=500).position
    many_events(app, 80, prefix="Q")
    select = app.recorder.select_notifications
    calls = {"count": 0}

    def failing(*args: object, **kwargs: object) -> object:
        calls["count"] += 1
        if calls["count"] == 2:
            raise Crash("reader")
        return select(*args, **kwargs)  # type: ignore[arg-type]

    app.recorder.select_notifications = failing  # type: ignore[method-assign,assignment]
    with pytest.raises(Crash):
        catch_up(app, settings, page_size=500, batch_size=500)
    app.recorder.select_notifications = select  # type: ignore[method-assign]
    assert read(settings, "SELECT position FROM projector_state") == [(first + 500,)]
    assert catch_up(app, settings, page_size=500, batch_size=500).position == app.max_position()
    assert read(settings, "SELECT count(*), count(DISTINCT position) FROM events") == [
        (app.max_position(), app.max_position())
    ]
