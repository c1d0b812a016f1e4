"""Every benchmark in one command, each figure printed beside a yardstick measured in the same run and the ratio.

    python bench/run_all.py             # the default sizes (about half an hour on a 2-core machine)
    python bench/run_all.py --quick     # small sizes, to see that everything runs (a few minutes)

Runs, one after the other (each is also a script of its own, see docs/performance.md):
- ``bistand --help`` as a new process vs ``python -c "import click"`` (measured here);
- writes through the application service vs the same writes without hash chains (``bench_chain.py``; with
  ``BISTAND_BENCH_POSTGRES_URL`` set, on PostgreSQL too: that database's bistand tables are dropped);
- ``register`` and a short-id lookup at 1 000 / 10 000 / 50 000 households vs the library's save of a new
  aggregate on the same store (``bench_register.py``);
- projection from zero vs the raw read and decode of the same store, and the catch-up after one command on a
  small and a large store (``bench_projection.py``);
- replay of a ten-year household (about 1 500 events) in full and from its snapshot vs the library's replay of a
  plain aggregate with as many events of the same size (``bench_replay.py``);
- the monthly run vs the library's floor (``bench_run_month.py``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PYTHON = sys.executable


def timed_process(args: list[str], runs: int) -> float:  # float-ok: timings
    """The median wall time of starting ``args`` as a new process, in milliseconds."""
    samples: list[float] = []  # float-ok: timings
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000  # float-ok: timings


def help_vs_click(runs: int) -> None:
    bistand = Path(PYTHON).with_name("bistand")
    command = [str(bistand), "--help"] if bistand.exists() else [PYTHON, "-m", "bistand_es.cli.main", "--help"]
    help_ms = timed_process(command, runs)
    click_ms = timed_process([PYTHON, "-c", "import click"], runs)
    print(f"bistand --help: {help_ms:.0f} ms; python -c 'import click': {click_ms:.0f} ms; {help_ms / click_ms:.2f}x")


def script(name: str, *args: str) -> None:
    path = BENCH / name
    if not path.exists():
        print(f"({name} is not in this checkout: skipped)")
        return
    print(f"\n== python bench/{name} {' '.join(args)}", flush=True)
    result = subprocess.run([PYTHON, str(path), *args], check=False)
    if result.returncode != 0:
        print(f"({name} failed with exit code {result.returncode})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes: checks that every benchmark runs")
    args = parser.parse_args()
    quick = args.quick
    postgres = os.environ.get("BISTAND_BENCH_POSTGRES_URL")
    print(f"python {sys.version.split()[0]} on {os.cpu_count()} cores; {time.strftime('%Y-%m-%d %H:%M')}")
    print("\n== startup")
    help_vs_click(3 if quick else 7)
    chain_args = ["--households", "10", "--batched", "100", "--repeat", "1"] if quick else []
    script("bench_chain.py", *chain_args)
    if postgres:
        script("bench_chain.py", *chain_args, "--postgres", postgres)
    script("bench_register.py", "--sizes", *(["500", "2000"] if quick else ["1000", "10000", "50000"]))
    script(
        "bench_projection.py",
        "--events",
        "20000" if quick else "1000000",
        *(["--small-households", "100"] if quick else []),
    )
    script("bench_replay.py", *(["--months", "24", "--repeat", "5"] if quick else []))
    script("bench_run_month.py", *(["--households", "100", "--months", "3"] if quick else []))


if __name__ == "__main__":
    main()
