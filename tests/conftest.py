"""Shared fixtures: the three event-store backends and a digest of everything stored."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from typing import Any

import pytest

from bistand_es.application.app import BistandApplication
from bistand_es.application.config import Settings

POSTGRES_ENV = "BISTAND_TEST_POSTGRES_URL"


def postgres_url_or_skip() -> str:
    """The test database URL; without one the test is skipped locally and FAILS in CI."""
    url = os.environ.get(POSTGRES_ENV)
    if url:
        return url
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{POSTGRES_ENV} is not set: CI must run the PostgreSQL tests (see .ci/run)")
    pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV}")


def reset_postgres(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bistand_events")
        conn.execute("DROP TABLE IF EXISTS bistand_snapshots")  # derived from the events: goes with them
        conn.execute("DROP TABLE IF EXISTS bistand_keys, bistand_pseudonyms")  # the key store goes with its events


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Settings]:
    """Settings for each backend: one scenario, three stores."""
    if request.param == "memory":
        yield Settings(home=tmp_path / "home", database_url="memory:")
    elif request.param == "sqlite":
        yield Settings(home=tmp_path / "home")
    else:
        url = postgres_url_or_skip()
        reset_postgres(url)
        yield Settings(home=tmp_path / "home", database_url=url)


@pytest.fixture
def app(settings: Settings) -> BistandApplication:
    return BistandApplication(env=settings.event_store_env())


def store_digest(app: BistandApplication) -> tuple[int, str]:
    """Count and hash every stored event (id, aggregate, version, topic, state bytes)."""
    digest = hashlib.sha256()
    count = 0
    start = None
    while True:
        page = app.recorder.select_notifications(start=start, limit=500, inclusive_of_start=False)
        for n in page:
            count += 1
            digest.update(f"{n.id}|{n.originator_id}|{n.originator_version}|{n.topic}|".encode())
            digest.update(n.state)
        if len(page) < 500:
            return count, digest.hexdigest()
        start = page[-1].id
