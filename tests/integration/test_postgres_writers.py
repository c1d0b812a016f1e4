"""Four processes writing one PostgreSQL event store at once (issue 12: PostgreSQL with many writers).

- Different households: every registration and income succeeds, nothing is lost, the index lists them all.
- One household: each write either lands or surfaces as ``ConcurrentChange`` ("changed since you read it");
  the history has exactly the writes that landed, its versions follow each other and every chain verifies.
"""

from __future__ import annotations

import multiprocessing
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from uuid import UUID

from bistand_es.application.app import BistandApplication
from bistand_es.application.audit import verify_store
from bistand_es.application.bootstrap import bootstrap
from bistand_es.application.config import Settings
from bistand_es.domain.errors import ConcurrentChange
from bistand_es.domain.household import Household
from bistand_es.domain.month import Month
from bistand_es.domain.records import Actor
from bistand_es.domain.rules.rule_set import load_rule_set
from tests.conftest import postgres_url_or_skip, reset_postgres

WRITERS = 4
HOUSEHOLDS_EACH = 12
INCOMES_EACH = 10
ANNA = Actor("anna", "handlaggare")
APRIL = Month(2024, 4)


def _open(url: str, home: str) -> BistandApplication:
    return bootstrap(Settings(home=Path(home), database_url=url))


def _register(app: BistandApplication, person: str) -> UUID:
    return app.register_household(
        actor=ANNA, municipality="1765", applicant=person, birth_date=date(1980, 1, 1), registered_on=date(2024, 1, 2)
    ).household_id


def _register_many(url: str, home: str, writer: int) -> tuple[list[str], float]:  # float-ok: seconds
    """One writer: its own households, each with an income (two saves per household); and the seconds taken."""
    app = _open(url, home)
    started = time.perf_counter()
    ids = []
    for n in range(HOUSEHOLDS_EACH):
        person = f"reserv:W{writer}N{n:04d}"
        hid = app.register_household(
            actor=ANNA,
            municipality="1765",
            applicant=person,
            birth_date=date(1980, 1, 1),
            registered_on=date(2024, 1, 2),
        ).household_id
        app.report_income(
            hid, actor=ANNA, member=person, kind="employment", month=APRIL, amount=Decimal("1000"), source="external"
        )
        ids.append(str(hid))
    return ids, time.perf_counter() - started


def _income_on_one(url: str, home: str, household: str, person: str, writer: int) -> tuple[int, int]:
    """One writer reporting incomes on the shared household: (landed, refused as changed since read)."""
    app = _open(url, home)
    landed = refused = 0
    for n in range(INCOMES_EACH):
        try:
            app.report_income(
                UUID(household),
                actor=ANNA,
                member=person,
                kind="employment",
                month=APRIL,
                amount=Decimal(100 * writer + n),  # 100·writer + n kr: each write is recognisable
                source="external",
            )
            landed += 1
        except ConcurrentChange:
            refused += 1
    return landed, refused


def test_four_writers_on_different_households_lose_nothing(tmp_path: Path) -> None:
    url = postgres_url_or_skip()
    reset_postgres(url)
    context = multiprocessing.get_context("spawn")
    with context.Pool(WRITERS) as pool:
        results = pool.starmap(_register_many, [(url, str(tmp_path / f"h{w}"), w) for w in range(WRITERS)])
    took = max(seconds for _, seconds in results)  # the writers ran side by side; start-up not counted
    written = {hid for ids, _ in results for hid in ids}
    assert len(written) == WRITERS * HOUSEHOLDS_EACH  # 4 × 12 = 48 households, none lost

    app = _open(url, str(tmp_path / "check"))
    assert {row["household_id"] for row in app.list_households()} == written
    registered = list(app.iter_events(topics=(Household.Registered.TOPIC,)))
    incomes = list(app.iter_events(topics=(Household.IncomeReported.TOPIC,)))
    assert len(registered) == 48 and len(incomes) == 48  # one income per household
    assert verify_store(app, load_rule_set(None), None, None).chains.findings == []
    saves = WRITERS * HOUSEHOLDS_EACH * 2
    print(f"\n4 writers, different households: {saves} saves in {took:.1f} s ({saves / took:.0f} saves/s)")


def test_four_writers_on_one_household_conflict_cleanly(tmp_path: Path) -> None:
    url = postgres_url_or_skip()
    reset_postgres(url)
    app = _open(url, str(tmp_path / "setup"))
    person = "reserv:SHARED0001"
    hid = _register(app, person)
    context = multiprocessing.get_context("spawn")
    with context.Pool(WRITERS) as pool:
        args = [(url, str(tmp_path / f"h{w}"), str(hid), person, w) for w in range(WRITERS)]
        results = pool.starmap(_income_on_one, args)
    landed = sum(r[0] for r in results)
    assert sum(r[0] + r[1] for r in results) == WRITERS * INCOMES_EACH  # every write landed or was refused
    assert landed >= INCOMES_EACH  # at least one writer's run of writes gets through at any moment

    fresh = _open(url, str(tmp_path / "check"))
    history = fresh.get_history(hid)
    incomes = [e for e in history if isinstance(e, Household.IncomeReported)]
    assert len(incomes) == landed  # exactly the writes that landed, none twice
    assert [e.originator_version for e in history] == list(range(1, len(history) + 1))
    assert verify_store(fresh, load_rule_set(None), [hid], None).chains.findings == []
