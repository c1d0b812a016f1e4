"""Benchmark: replay of a ten-year household, in full and from its snapshot, beside the library's own replay.

(a) One household is built through the application service on a SQLite file: 120 months, each with an
application, eight reported incomes (two adults' wages, benefits, child allowance), a försörjningshinder per adult
and the monthly run's decision, payment and tag — about 1 500 events, each stored with its hash chain and its
personal fields sealed. Then, timed (median of ``--repeat``): its full replay (every event read, its chain checked,
its sealed fields opened, applied); its load from the latest snapshot as the store stands (the snapshot's seal
checked and its state opened, then the events saved after it); on a copy of the store, its load from a snapshot
taken at its last version (what the snapshot alone costs: its large attributes are read back when first used),
and the same followed by reading every record of its state (what a command that reads all of it pays). (b) The
yardstick, in the same run: the eventsourcing library alone on its own SQLite file, one plain aggregate with as
many events of the household's average stored size, replayed by the library's repository.

    python bench/bench_replay.py [--months 120] [--repeat 15]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from bistand_es.application.app import BistandApplication
from bistand_es.application.base import replay
from bistand_es.application.config import Settings
from bistand_es.domain.household import Household
from bistand_es.domain.month import Month
from bistand_es.domain.records import Actor
from bistand_es.domain.rules.rule_set import load_rule_set
from bistand_es.domain.vocabulary import ActorRole, MemberRole

CASEWORKER = Actor("bench.handlaggare", ActorRole.CASEWORKER.value)
SYSTEM = Actor("bench.system", ActorRole.SYSTEM.value)
APPLICANT, PARTNER = "reserv:R00000001", "reserv:R00000002"
FIRST = Month(2015, 1)


class Floor(Aggregate):
    """A bare aggregate: each event carries an opaque text payload of a chosen size."""

    def __init__(self) -> None:
        self.sizes: list[int] = []

    @event("Noted")
    def note(self, payload: str) -> None:
        self.sizes.append(len(payload))


def month_of_facts(month: Month) -> Callable[[Household], None]:
    """A month's application, eight incomes and two försörjningshinder (the run then decides, pays and tags)."""

    def prepare(household: Household) -> None:
        household.submit_application(
            actor=CASEWORKER,
            month=month,
            received_on=(month - 1).first_day + timedelta(days=20),
            complete_on=None,
            cost_lines=[{"kind": "rent", "amount": Decimal("7400.00")}],
            first_time=month == FIRST,
            contact_on=None,
            reason="",
        )
        previous = month - 1
        for n, (member, kind, amount) in enumerate(
            [
                (APPLICANT, "employment", "1200.00"),
                (PARTNER, "employment", "900.00"),
                (APPLICANT, "child_allowance", "1250.00"),
                (APPLICANT, "housing_allowance", "800.00"),
                (PARTNER, "unemployment_benefit", "300.00"),
                (APPLICANT, "employment", "150.00"),
                (PARTNER, "employment", "200.00"),
            ]
        ):
            household.report_income(
                actor=CASEWORKER,
                member=member,
                kind=kind,
                month=previous,
                amount=Decimal(amount) + n,
                source="applicant",
            )
        for person in (APPLICANT, PARTNER):
            household.record_support_obstacle(
                actor=CASEWORKER, person=person, month=month, code="1", label="Arbetslöshet"
            )

    return prepare


def build(app: BistandApplication, months: int) -> UUID:
    hid = app.register_household(
        actor=CASEWORKER,
        municipality="1765",
        applicant=APPLICANT,
        birth_date=date(1980, 3, 1),
        registered_on=FIRST.first_day - timedelta(days=20),
    ).household_id
    app.add_member(
        hid,
        actor=CASEWORKER,
        person=PARTNER,
        role=MemberRole.CO_APPLICANT,
        birth_date=date(1982, 6, 1),
        in_school=None,
        effective_on=FIRST.first_day - timedelta(days=20),
    )
    app.set_cohabiting(hid, actor=CASEWORKER, cohabiting=True, effective_on=FIRST.first_day - timedelta(days=20))
    rules = load_rule_set()
    for k in range(months):
        month = FIRST + k
        app.run_month(month, actor=SYSTEM, rule_set=rules, run_on=(month - 1).last_day, prepare=month_of_facts(month))
    return hid


def median_ms(actions: dict[str, Callable[[], Any]], repeat: int) -> dict[str, float]:  # float-ok: timings
    """The median time of each action in milliseconds, the actions taking turns (a load on the machine then
    weighs on each alike)."""
    samples: dict[str, list[float]] = {name: [] for name in actions}  # float-ok
    for _ in range(repeat):
        for name, action in actions.items():
            started = time.perf_counter()
            action()
            samples[name].append(time.perf_counter() - started)
    return {name: statistics.median(times) * 1000 for name, times in samples.items()}  # float-ok


def average_event_size(db: Path) -> float:  # float-ok: an average of byte counts
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT avg(length(state)) FROM stored_events WHERE topic LIKE '%household:%'").fetchone()
    return float(row[0])  # float-ok


def latest_snapshot(db: Path, hid: UUID) -> tuple[int, int]:
    """The version and stored size of the household's latest snapshot."""
    with sqlite3.connect(db) as conn:
        row = conn.execute(
            "SELECT originator_version, length(state) FROM stored_snapshots WHERE originator_id = ? "
            "ORDER BY originator_version DESC",
            (hid.hex,),
        ).fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        app = BistandApplication(env=Settings(home=home).event_store_env())
        started = time.perf_counter()
        hid = build(app, args.months)
        built = time.perf_counter() - started
        fresh = BistandApplication(env=Settings(home=home).event_store_env())
        household = fresh.get_household(hid)
        events = household.version
        assert fresh.check_snapshot(hid), "the snapshot differs from a full replay"
        db = home / "events.sqlite"
        size, (at, snapshot) = average_event_size(db), latest_snapshot(db, hid)

        floor_app: Application[UUID] = Application(
            env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(Path(tmp) / "floor.sqlite")}
        )
        floor = Floor()
        filler = "x" * round(size)
        for _ in range(events - 1):
            floor.note(filler)
        floor_app.save(floor)
        # the same household loaded from a snapshot at its last version (no event after it): what the snapshot
        # itself costs. On a copy of the store, so that the store's own latest snapshot stays as built.
        last_home = Path(tmp) / "last"
        shutil.copytree(home, last_home)
        at_last = BistandApplication(env=Settings(home=last_home).event_store_env())
        at_last.take_snapshot(hid)  # at version `events`
        assert at_last.check_snapshot(hid), "the snapshot at the last version differs from a full replay"

        def used(load: Callable[[], Household]) -> None:
            """Load, then read every record of the state (what a command reading all of it would build)."""
            household = load()
            household.resolve_deferred()
            for value in vars(household).values():
                if hasattr(value, "values"):
                    list(value.values())

        times = median_ms(
            {
                "full": lambda: replay(None, fresh.events.get(hid)),
                "snapshot": lambda: fresh.get_household(hid),
                "last": lambda: at_last.get_household(hid),
                "used": lambda: used(lambda: at_last.get_household(hid)),
                "library": lambda: floor_app.repository.get(floor.id),
            },
            args.repeat,
        )
        full, from_snapshot, library = times["full"], times["snapshot"], times["library"]
    print(
        f"household: {events} events over {args.months} months (built in {built:.0f} s), average stored event "
        f"{size:.0f} B; latest snapshot at version {at} ({events - at} events after it), {snapshot} B, "
        f"interval {fresh.snapshotting_intervals[Household]}"
    )
    print(f"full replay          {full:8.2f} ms  ({full / library:.2f}x the library)")
    print(f"from the snapshot    {from_snapshot:8.2f} ms  ({from_snapshot / library:.2f}x the library)")
    last, used = times["last"], times["used"]
    print(f"from a snapshot at the last version (no event after it) {last:8.2f} ms  ({last / library:.3f}x)")
    print(f"  the same, then every record of its state read     {used:8.2f} ms  ({used / library:.3f}x)")
    print(f"library, {events} events {library:8.2f} ms  (a plain aggregate, same number and size of events)")


if __name__ == "__main__":
    main()
