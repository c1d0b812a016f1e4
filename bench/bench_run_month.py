"""Benchmark: `run-month` per household against the library's floor, measured in the same run.

(a) ``bistand demo`` builds N households with M months of history (the last month applied for, undecided) in
a SQLite file; then ``run_month`` decides and pays that month (timed). (b) The floor: the eventsourcing library
alone, on its own SQLite file: N plain aggregates with as many events as an average demo household, each event
as large as the demo's average stored event; load each, append one event as large as a stored decision and one
as large as a stored payment, save 100 aggregates per transaction (timed). Prints both per household and the
ratio, in wall time and in CPU time (the process's own: on a machine shared with other work, the wall time of
the two parts, measured minutes apart, can be inflated differently; their CPU times much less).

    python bench/bench_run_month.py [--households 2000] [--months 6]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from bistand_es.application.app import BistandApplication
from bistand_es.application.config import Settings
from bistand_es.application.demo import LAST_MONTH, SYSTEM_USER, run_demo
from bistand_es.domain.records import Actor
from bistand_es.domain.rules.rule_set import load_rule_set
from bistand_es.domain.vocabulary import ActorRole

BATCH = 100


class Floor(Aggregate):
    """A bare aggregate: each event carries an opaque text payload of a chosen size."""

    def __init__(self) -> None:
        self.sizes: list[int] = []

    @event("Noted")
    def note(self, payload: str) -> None:
        self.sizes.append(len(payload))


def sizes(db: Path) -> dict[str, float]:  # float-ok: averages of byte counts
    """Average stored size of an event, a decision and a payment, and events per household, in the demo store."""
    with sqlite3.connect(db) as conn:

        def avg(where: str) -> float:  # float-ok
            row = conn.execute(f"SELECT avg(length(state)) FROM stored_events WHERE {where}").fetchone()
            return float(row[0] or 0)  # float-ok

        per = conn.execute(
            "SELECT avg(n) FROM (SELECT count(*) AS n FROM stored_events "
            "WHERE topic LIKE '%Household%' GROUP BY originator_id)"
        ).fetchone()[0]
        return {
            "event": avg("topic LIKE '%Household%'"),
            "decision": avg("topic LIKE '%DecisionMade'"),
            "payment": avg("topic LIKE '%PaymentIssued'"),
            "events_per_household": float(per or 0),  # float-ok
        }


def measure_run_month(
    home: Path, households: int, months: int, *, build: bool
) -> tuple[tuple[float, float], Any]:  # float-ok: (wall, CPU) seconds
    settings = Settings(home=home)
    app = BistandApplication(env=settings.event_store_env())
    rules = load_rule_set()
    admin = Actor("bench.admin", ActorRole.ADMINISTRATOR.value)
    if build:
        run_demo(app, admin=admin, rule_set=rules, households=households, months=months, seed=1, open_last_month=True)
    started, cpu = time.perf_counter(), time.process_time()
    run = app.run_month(
        LAST_MONTH,
        actor=Actor(SYSTEM_USER, ActorRole.SYSTEM.value),
        rule_set=rules,
        run_on=(LAST_MONTH - 1).last_day,
    )
    return (time.perf_counter() - started, time.process_time() - cpu), run


def measure_floor(home: Path, households: int, shape: dict[str, float]) -> tuple[float, float]:  # float-ok
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(home / "floor.sqlite")}
    app: Application[UUID] = Application(env=env)
    history = max(1, round(shape["events_per_household"]) - 1)
    filler = "x" * int(shape["event"])
    ids = []
    pending = []
    for _ in range(households):
        aggregate = Floor()
        for _ in range(history):
            aggregate.note(filler)
        pending.append(aggregate)
        ids.append(aggregate.id)
        if len(pending) == BATCH:
            app.save(*pending)
            pending = []
    if pending:
        app.save(*pending)
    decision, payment = "d" * int(shape["decision"]), "p" * int(shape["payment"])
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(ids), BATCH):
        batch = []
        for aggregate_id in ids[start : start + BATCH]:
            loaded: Floor = app.repository.get(aggregate_id)
            loaded.note(decision)
            loaded.note(payment)
            batch.append(loaded)
        app.save(*batch)
    return time.perf_counter() - started, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--months", type=int, default=6)
    parser.add_argument(
        "--home", type=Path, help="An existing `bistand demo --open-last-month` store (run once: it is changed)."
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        demo = args.home or home / "demo"
        took, run = measure_run_month(demo, args.households, args.months, build=args.home is None)
        shape = sizes(demo / "events.sqlite")
        floor = measure_floor(home, run.households, shape)
    n = run.households
    history = f"months of history {args.months}" if args.home is None else f"store {args.home}"
    print(
        f"households {run.households}, {history}: {len(run.decided)} decided, "
        f"{len(run.paid)} paid, {len(run.left)} left"
    )
    print(
        f"average stored event {shape['event']:.0f} B, decision {shape['decision']:.0f} B, "
        f"payment {shape['payment']:.0f} B, {shape['events_per_household']:.1f} events per household"
    )
    for label, run_s, floor_s in (("wall", took[0], floor[0]), ("CPU", took[1], floor[1])):
        print(f"{label:4s} run-month      {run_s:8.2f} s  {run_s / n * 1000:7.2f} ms/household")
        print(f"{label:4s} library floor  {floor_s:8.2f} s  {floor_s / n * 1000:7.2f} ms/household")
        print(f"{label:4s} ratio          {run_s / floor_s:8.2f}x")


if __name__ == "__main__":
    main()
