"""Must show 4: events written by an earlier version still load (fixture store + upcast v1 → v2)."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest

from bistand_es.application.app import BistandApplication
from bistand_es.domain.household import Household, event_type_name
from bistand_es.domain.month import Month

FIXTURE = Path(__file__).parent.parent / "fixtures" / "events-0.1.sqlite"


@pytest.fixture
def old_store(tmp_path: Path) -> BistandApplication:
    copy = tmp_path / "events.sqlite"
    shutil.copy(FIXTURE, copy)  # never let a test touch the committed fixture
    return BistandApplication(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(copy)})


def test_the_fixture_household_loads_with_its_whole_history(old_store: BistandApplication) -> None:
    (row,) = old_store.list_households()
    household = old_store.get_household(UUID(row["household_id"]))
    assert household.version == 11
    assert household.applicant == "19640823-3234"
    assert household.cohabiting is True
    assert sorted(str(m) for m in household.applications) == ["2021-01", "2021-02", "2021-03", "2021-04"]
    wages = [i for i in household.incomes.values() if i.kind == "employment"]
    assert [(i.amount, i.corrections) for i in wages] == [(Decimal("8100.00"), 1)]
    types = [event_type_name(e) for e in old_store.get_history(household.id)]
    assert types[0] == "HouseholdRegistered" and types[-1] == "ApplicationSubmitted"


def test_a_version_1_application_is_upcast_to_cost_lines(old_store: BistandApplication) -> None:
    (row,) = old_store.list_households()
    events = old_store.get_history(UUID(row["household_id"]))
    old = events[-1]
    assert isinstance(old, Household.ApplicationSubmitted)
    assert old.cost_lines == [{"kind": "rent", "amount": Decimal("7600.00"), "note": ""}]
    household = old_store.get_household(old.originator_id)
    assert household.applications[Month.parse("2021-04")].costs == {"rent": Decimal("7600.00")}


def test_the_v1_shape_really_is_in_the_fixture() -> None:
    import sqlite3

    with sqlite3.connect(FIXTURE) as conn:
        (state,) = conn.execute("SELECT state FROM stored_events WHERE originator_version = 11").fetchone()
    assert b'"costs":' in state and b"cost_lines" not in state and b"class_version" not in state


def test_upcast_function_itself() -> None:
    state = {"costs": {"rent": Decimal("7500"), "electricity": Decimal("450")}}
    Household.ApplicationSubmitted.upcast_v1_v2(state)
    assert state == {
        "cost_lines": [
            {"kind": "rent", "amount": Decimal("7500"), "note": ""},
            {"kind": "electricity", "amount": Decimal("450"), "note": ""},
        ]
    }
