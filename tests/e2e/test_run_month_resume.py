"""`bistand run-month` killed midway and run again: every household decided and paid exactly once."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path


def bistand(home: Path, user: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BISTAND_HOME": str(home), "BISTAND_USER": user, "BISTAND_NO_PROJECTION": "1"}
    env.pop("BISTAND_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "bistand_es.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def count(home: Path, topic: str) -> Counter[bytes]:
    with sqlite3.connect(home / "events.sqlite", timeout=30) as db:
        rows = db.execute("SELECT originator_id FROM stored_events WHERE topic LIKE ?", (f"%{topic}",)).fetchall()
    return Counter(row[0] for row in rows)


def test_killed_run_resumes_without_deciding_or_paying_twice(tmp_path: Path) -> None:
    home = tmp_path / "home"
    made = bistand(home, "boss", "demo", "--households", "40", "--months", "1", "--open-last-month", "--json")
    assert made.returncode == 0, made.stderr
    summary = json.loads(made.stdout)
    assert (summary["households"], summary["open_month"], summary["run_as"]) == (40, "2025-12", "demo.batch")
    assert not count(home, "PaymentIssued")

    env = {**os.environ, "BISTAND_HOME": str(home), "BISTAND_USER": "demo.batch", "BISTAND_NO_PROJECTION": "1"}
    env.pop("BISTAND_DATABASE_URL", None)
    command = [sys.executable, "-m", "bistand_es.cli", "run-month", "2025-12", "--yes", "--batch-size", "2"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    deadline = time.monotonic() + 120
    while not count(home, "PaymentIssued") and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    paid_before = sum(count(home, "PaymentIssued").values())
    assert 0 < paid_before < 40, "the run was not stopped midway"

    again = bistand(home, "demo.batch", "run-month", "2025-12", "--yes", "--json")
    assert again.returncode == 0, again.stderr
    result = json.loads(again.stdout)
    decisions, payments = count(home, "DecisionMade"), count(home, "PaymentIssued")
    assert set(decisions.values()) == {1} and set(payments.values()) == {1}  # nobody twice
    assert set(payments) == set(decisions)  # every automated grant paid
    assert len(decisions) + result["left_for_caseworker"] == 40  # every household decided or left, none lost
    assert result["paid"] == len(payments) - paid_before


def test_demo_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    runs = []
    for name in ("a", "b"):
        made = bistand(tmp_path / name, "boss", "demo", "--households", "12", "--months", "2", "--seed", "7", "--json")
        assert made.returncode == 0, made.stderr
        summary = json.loads(made.stdout)
        summary.pop("seconds")
        runs.append(summary)
    assert runs[0] == runs[1]
    assert runs[0]["months"] == ["2025-11", "2025-12"] and runs[0]["open_month"] is None
    assert runs[0]["decided"] + runs[0]["left_for_caseworker"] == 24  # 12 households x 2 months, each one way
    assert runs[0]["users_created"][0] == "boss"  # the one running it became the store's administrator


def test_demo_refuses_bad_sizes(tmp_path: Path) -> None:
    bad = bistand(tmp_path / "x", "boss", "demo", "--households", "0")
    assert bad.returncode != 0
    assert bad.stderr.strip().splitlines() == ["error: --households: between 1 and 100000"]
