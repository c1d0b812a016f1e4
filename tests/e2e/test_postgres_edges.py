"""PostgreSQL edges: a lock wait gives up with one clear line; concurrent first start-ups all succeed.

Real processes against the local PostgreSQL (``BISTAND_TEST_POSTGRES_URL``); skipped without it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bistand_es.application.app import BistandApplication
from bistand_es.application.config import Settings
from tests.conftest import postgres_url_or_skip, reset_postgres, store_digest
from tests.e2e.cli import Bistand

PNR = "640823-3234"


def _env(url: str, home: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "BISTAND_HOME": str(home),
        "BISTAND_DATABASE_URL": url,
        "BISTAND_USER": "anna",
        "BISTAND_ROLE": "handlaggare",
        "BISTAND_NO_PROJECTION": "1",
        **extra,
    }


def test_concurrent_first_start_ups_all_succeed(tmp_path: Path) -> None:
    url = postgres_url_or_skip()
    for round_no in range(3):
        reset_postgres(url)
        processes = [
            subprocess.Popen(
                # `init` creates the tables and needs no user yet (a new store has none: docs/security.md)
                [sys.executable, "-m", "bistand_es.cli", "init"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=_env(url, tmp_path / f"home-{round_no}-{n}"),
            )
            for n in range(8)
        ]
        for process in processes:
            _, stderr = process.communicate(timeout=120)
            assert process.returncode == 0, stderr
            assert "concurrently" not in stderr


def test_a_lock_held_too_long_is_one_line_and_stores_nothing(tmp_path: Path) -> None:
    import psycopg

    url = postgres_url_or_skip()
    reset_postgres(url)
    cli = Bistand(tmp_path / "home", BISTAND_DATABASE_URL=url, BISTAND_LOCK_TIMEOUT="1")
    hid = cli.json("household", "register", "--municipality", "1765", "--applicant", PNR, "--on", "2021-01-04")[
        "household_id"
    ]
    app = BistandApplication(env=Settings(home=tmp_path / "home", database_url=url).event_store_env())
    before = store_digest(app)
    with psycopg.connect(url) as holder:
        holder.execute("LOCK TABLE bistand_events IN EXCLUSIVE MODE")  # a writer that does not let go
        result = subprocess.run(
            [sys.executable, "-m", "bistand_es.cli", "apply", hid, "--month", "2021-03"],
            capture_output=True,
            text=True,
            env=_env(url, tmp_path / "home", BISTAND_LOCK_TIMEOUT="1"),
            timeout=60,
            check=False,
        )
        holder.rollback()
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 7, result.stderr
    assert len(lines) == 1 and lines[0].startswith("error: ") and "locked by another process" in lines[0]
    assert "Traceback" not in result.stderr
    assert store_digest(app) == before


@pytest.mark.parametrize("value", ["0", "-5", "ten", "99999"])
def test_lock_timeout_setting_is_checked(tmp_path: Path, value: str) -> None:
    result = Bistand(tmp_path / "home", BISTAND_LOCK_TIMEOUT=value).run("household", "list")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: BISTAND_LOCK_TIMEOUT")
