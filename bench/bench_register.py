"""Benchmark: `register` (and a short-id lookup) on stores of 1 000 / 10 000 / 50 000 households.

Each store is filled in bulk (households, person-index buckets and household-index shards built in memory and
saved 500 households per save), then `register_household` is timed on it, beside the yardstick measured on the
same store in the same run: the library's save of a new one-event aggregate. Register saves three aggregates
(the household, the applicant's person-index bucket, the household-index shard) after loading two of them, so a
flat ratio, not 1.0×, is what shows it does not grow with the store.

    python bench/bench_register.py                     # 1 000, 10 000, 50 000 (SQLite, temp files)
    python bench/bench_register.py --sizes 1000 5000
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from uuid import UUID

from eventsourcing.domain import Aggregate

from bistand_es.application.app import BistandApplication
from bistand_es.domain.household import Household
from bistand_es.domain.household_index import HouseholdIndexShard, shard_key
from bistand_es.domain.person_index import PersonIndexBucket, bucket_id
from bistand_es.domain.records import Actor

ACTOR = Actor("bench", "handlaggare")
BATCH = 500
SAMPLES = 40


def person(i: int) -> str:
    return f"reserv:R{i:08d}"


def fill(app: BistandApplication, households: int) -> list[UUID]:
    """``households`` registered households, written in batches (as a migration or the demo would)."""
    buckets: dict[UUID, PersonIndexBucket] = {}
    shards: dict[str, HouseholdIndexShard] = {}
    ids: list[UUID] = []
    batch: list[Household] = []
    for i in range(households):
        who = person(i)
        household = Household.register(
            actor=ACTOR, municipality="1765", applicant=who, birth_date=date(1980, 1, 1), registered_on=date(2024, 1, 2)
        )
        bucket = buckets.setdefault(bucket_id(who), PersonIndexBucket.start(who))
        bucket.join(who, household.id)
        key = shard_key(household.id)
        shard = shards.setdefault(key, HouseholdIndexShard.start(key))
        shard.add(household.id, municipality="1765", applicant=who, registered_on=date(2024, 1, 2))
        batch.append(household)
        ids.append(household.id)
        if len(batch) == BATCH or i == households - 1:
            app.save(*batch, *buckets.values(), *shards.values())
            batch = []
    return ids


def median_ms(samples: list[float]) -> float:  # float-ok: timings
    return statistics.median(samples) * 1000  # float-ok: timings


def measure(households: int, directory: Path) -> dict[str, float]:  # float-ok: timings
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(directory / f"register-{households}.sqlite"),
    }
    app = BistandApplication(env=env)
    ids = fill(app, households)
    app = BistandApplication(env=env)  # a fresh process's view: empty caches
    register: list[float] = []  # float-ok: timings
    library: list[float] = []  # float-ok: timings
    lookup: list[float] = []  # float-ok: timings
    for n in range(SAMPLES):
        started = time.perf_counter()
        app.register_household(
            actor=ACTOR,
            municipality="1765",
            applicant=person(households + n),
            birth_date=date(1980, 1, 1),
            registered_on=date(2024, 2, 1),
        )
        register.append(time.perf_counter() - started)
        started = time.perf_counter()
        app.save(Aggregate())
        library.append(time.perf_counter() - started)
        started = time.perf_counter()
        found = app.households_with_prefix(str(ids[n * 7 % len(ids)])[:8])
        lookup.append(time.perf_counter() - started)
        if not found:
            raise SystemExit("error: a short id was not found")
    return {"register": median_ms(register), "library": median_ms(library), "lookup": median_ms(lookup)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            started = time.perf_counter()
            figures = measure(size, Path(tmp))
            took = time.perf_counter() - started
            print(
                f"register at {size:>6} households: {figures['register']:6.2f} ms "
                f"(library save of a new aggregate {figures['library']:5.2f} ms, "
                f"{figures['register'] / figures['library']:4.1f}x); "
                f"short-id lookup {figures['lookup']:5.2f} ms  [store built in {took:.0f} s]",
                flush=True,
            )


if __name__ == "__main__":
    main()
