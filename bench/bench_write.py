"""Benchmark: N households × M events written through the application service.

Two modes, as a caseworker's command and a bulk job would write:
- per command: every command loads the household, records one event and saves (disk-sync bound on SQLite);
- batched: aggregates built in memory through the same aggregate commands, saved many per `save()`.

    python bench/bench_write.py                        # SQLite (temp file)
    python bench/bench_write.py --postgres postgresql://bistand:bistand@127.0.0.1/bistand_test
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

from bistand_es.application.app import BistandApplication
from bistand_es.domain.household import Household
from bistand_es.domain.month import Month
from bistand_es.domain.records import Actor
from bistand_es.domain.vocabulary import MemberRole

ACTOR = Actor("bench", "handlaggare")
START = Month(2021, 1)
RENT = Decimal("6500.00")
WAGES = Decimal("4200.00")


def applicant(i: int) -> str:
    return f"reserv:B{i:08d}"


def steps(i: int, events: int) -> Iterator[tuple[str, Month]]:
    """The story after registration and the first member: an application, then that month's wages, …"""
    month = START
    for written in range(2, events):
        if written % 2 == 0:
            yield "apply", month
        else:
            yield "income", month - 1
            month = month + 1


def story_commands(app: BistandApplication, i: int, events: int) -> int:
    """Per-command mode: each event is one service call (load + validate + save)."""
    # Registration goes straight to the aggregate: the service's duplicate-applicant scan reads every
    # registration event, which would measure the store's size rather than the write path.
    household = Household.register(
        actor=ACTOR,
        municipality="1765",
        applicant=applicant(i),
        birth_date=date(1980, 1, 1),
        registered_on=date(2021, 1, 1),
    )
    app.save(household)
    hid = household.id
    app.add_member(
        hid,
        actor=ACTOR,
        person=f"reserv:C{i:08d}",
        role=MemberRole.CHILD,
        birth_date=date(2015, 5, 5),
        in_school=None,
        effective_on=date(2021, 1, 1),
    )
    for step, month in steps(i, events):
        if step == "apply":
            app.submit_application(
                hid,
                actor=ACTOR,
                month=month,
                received_on=month.first_day,
                complete_on=None,
                cost_lines=[{"kind": "rent", "amount": RENT}],
            )
        else:
            app.report_income(
                hid, actor=ACTOR, member=applicant(i), kind="employment", month=month, amount=WAGES, source="applicant"
            )
    return events


def story_aggregate(i: int, events: int) -> Household:
    """Batched mode: the same commands on an in-memory aggregate (saved later, many at a time)."""
    household = Household.register(
        actor=ACTOR,
        municipality="1765",
        applicant=applicant(i),
        birth_date=date(1980, 1, 1),
        registered_on=date(2021, 1, 1),
    )
    household.add_member(
        actor=ACTOR,
        person=f"reserv:C{i:08d}",
        role=MemberRole.CHILD,
        birth_date=date(2015, 5, 5),
        in_school=None,
        effective_on=date(2021, 1, 1),
    )
    for step, month in steps(i, events):
        if step == "apply":
            household.submit_application(
                actor=ACTOR,
                month=month,
                received_on=month.first_day,
                complete_on=None,
                cost_lines=[{"kind": "rent", "amount": RENT}],
                first_time=None,
            )
        else:
            household.report_income(
                actor=ACTOR, member=applicant(i), kind="employment", month=month, amount=WAGES, source="applicant"
            )
    return household


def run(env: dict[str, str], label: str, households: int, events: int, batch: int) -> None:
    app = BistandApplication(env=env)
    started = time.perf_counter()
    total = sum(story_commands(app, i, events) for i in range(households))
    per_command = total / (time.perf_counter() - started)

    started = time.perf_counter()
    total_batched = 0
    pending: list[Household] = []
    for i in range(households, households * 11):
        pending.append(story_aggregate(i, events))
        if len(pending) == batch:
            total_batched += sum(len(h.pending_events) for h in pending)
            app.save(*pending)
            pending = []
    if pending:
        total_batched += sum(len(h.pending_events) for h in pending)
        app.save(*pending)
    batched = total_batched / (time.perf_counter() - started)
    print(f"{label:10s} per command: {total:7d} events {per_command:10.0f} events/s")
    print(
        f"{label:10s} batched:     {total_batched:7d} events {batched:10.0f} events/s "
        f"({batch} households per save; {batched / per_command:.0f}x per command)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=100)
    parser.add_argument("--events", type=int, default=20, help="events per household")
    parser.add_argument("--batch", type=int, default=100, help="households per save in batched mode")
    parser.add_argument("--postgres", help="also run against this PostgreSQL URL (its bistand_events is dropped)")
    args = parser.parse_args()
    print(f"{args.households} households x {args.events} events per command; {args.households * 10} batched")
    with tempfile.TemporaryDirectory() as tmp:
        env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(Path(tmp) / "events.sqlite")}
        run(env, "SQLite", args.households, args.events, args.batch)
    if args.postgres:
        import psycopg

        from bistand_es.application.config import Settings

        with psycopg.connect(args.postgres, autocommit=True) as conn:
            conn.execute("DROP TABLE IF EXISTS bistand_events")
            conn.execute("DROP TABLE IF EXISTS bistand_snapshots")
        run(
            Settings(home=Path("."), database_url=args.postgres).event_store_env(),
            "PostgreSQL",
            args.households,
            args.events,
            args.batch,
        )


if __name__ == "__main__":
    main()
