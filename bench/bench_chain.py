"""Benchmark: what the hash chain costs in the write path (and on load), as a ratio to writes without it.

The same stories as ``bench_write.py`` are written in the same run by the application with chains (plain SHA-256,
and signed with an audit key: HMAC-SHA-256) and by the same application with chains turned off
(``hash_chains = False``, which only this benchmark does). Variants alternate and each is run ``--repeat`` times;
the best run of each counts, so that a noisy neighbour on the machine does not decide the ratio.

    python bench/bench_chain.py                        # SQLite (temp files)
    python bench/bench_chain.py --postgres postgresql://bistand:bistand@127.0.0.1:5432/bistand_chain
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from uuid import UUID

from bench_write import story_aggregate, story_commands  # run as a script: bench/ is on sys.path
from bistand_es.application.app import BistandApplication
from bistand_es.application.config import Settings

KEY = "bench-audit-key-0123456789abcdef0123456789abcdef"


class Unchained(BistandApplication):
    name = "Bistand"  # the same tables
    hash_chains = False


VARIANTS: dict[str, tuple[type[BistandApplication], dict[str, str]]] = {
    "no chain": (Unchained, {"BISTAND_AUDIT_KEY": "", "BISTAND_AUDIT_KEY_FILE": ""}),
    "chain (SHA-256)": (BistandApplication, {"BISTAND_AUDIT_KEY": "", "BISTAND_AUDIT_KEY_FILE": ""}),
    "chain + HMAC key": (BistandApplication, {"BISTAND_AUDIT_KEY": KEY, "BISTAND_AUDIT_KEY_FILE": ""}),
}


def open_store(kind: type[BistandApplication], extra: dict[str, str], store: str, tmp: Path) -> BistandApplication:
    """A new, empty store: ``memory``, ``sqlite`` (a temp file) or a PostgreSQL URL (its table dropped first)."""
    if store == "memory":
        env = {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    elif store == "sqlite":
        env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(tmp / f"{time.perf_counter_ns()}.db")}
    else:
        import psycopg

        with psycopg.connect(store, autocommit=True) as conn:
            conn.execute("DROP TABLE IF EXISTS bistand_events")
            conn.execute("DROP TABLE IF EXISTS bistand_snapshots")
        env = Settings(home=tmp, database_url=store).event_store_env()
    return kind(env={**env, **extra})


def per_command(app: BistandApplication, households: int, events: int) -> float:
    started = time.perf_counter()
    for i in range(households):
        story_commands(app, i, events)
    return time.perf_counter() - started  # float-ok: seconds


def batched(app: BistandApplication, households: int, events: int) -> float:
    started = time.perf_counter()
    for start in range(0, households, 100):
        app.save(*(story_aggregate(i, events) for i in range(start, min(start + 100, households))))
    return time.perf_counter() - started  # float-ok: seconds


def loads(app: BistandApplication, households: int, events: int) -> float:
    """Write (batched, not timed), then time loading every household: the read path checks each chain."""
    batched(app, households, events)
    ids = [UUID(row["household_id"]) for row in app.list_households()]
    started = time.perf_counter()
    for hid in ids:
        app.get_household(hid)
    return time.perf_counter() - started  # float-ok: seconds


def measure(
    work: Callable[[BistandApplication, int, int], float],
    households: int,
    events: int,
    repeat: int,
    store: str,
    tmp: Path,
) -> dict[str, float]:
    """The best time of each variant over ``repeat`` alternating runs, each on a new store."""
    best: dict[str, float] = {}
    for _ in range(repeat):
        for name, (kind, extra) in VARIANTS.items():
            app = open_store(kind, extra, store, tmp)
            elapsed = work(app, households, events)
            app.close()
            best[name] = min(best.get(name, float("inf")), elapsed)  # float-ok: seconds
    return best


def report(title: str, best: dict[str, float], events: int) -> None:
    base = best["no chain"]
    print(f"{title}:")
    for name, seconds in best.items():
        print(f"  {name:18} {events / seconds:9.0f} events/s  {seconds:7.3f} s  ratio {seconds / base:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=50, help="households written one command at a time")
    parser.add_argument("--batched", type=int, default=500, help="households written 100 per save")
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()
    store = args.postgres or "sqlite"
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(tmp)
        h, b, e, r = args.households, args.batched, args.events, args.repeat
        print(f"store: {store if store == 'sqlite' else 'PostgreSQL'}; best of {r} alternating runs per variant")
        report(
            f"per command, in memory: CPU only ({h} households × {e} events)",
            measure(per_command, h, e, r, "memory", where),
            h * e,
        )
        report(f"per command ({h} households × {e} events)", measure(per_command, h, e, r, store, where), h * e)
        report(f"batched ({b} households × {e} events, 100 per save)", measure(batched, b, e, r, store, where), b * e)
        report(f"load every household ({b} × {e} events)", measure(loads, b, e, r, store, where), b * e)


if __name__ == "__main__":
    main()
