"""A projector following one PostgreSQL event store while four processes write to it (issue 12).

The projector process runs ``projections.projector.watch`` (what ``bistand projections update --watch`` runs) from
before the writers start until after they end; each writer registers its own households and, for each, adds a
co-applicant (sambo), reports an income, applies for a month and has it decided. At the end the followed read model must
equal a read model rebuilt from zero out of the same store, table by table and row by row: following many
concurrent writers neither loses, repeats nor reorders an event (notification ids may be committed out of order
on PostgreSQL; the recorder's own ordering is what both read).
"""

from __future__ import annotations

import multiprocessing
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from bistand_es.application.bootstrap import bootstrap
from bistand_es.application.config import Settings
from bistand_es.application.decisions import DecisionRequest
from bistand_es.domain.month import Month
from bistand_es.domain.records import Actor
from bistand_es.domain.rules.rule_set import load_rule_set
from bistand_es.domain.vocabulary import MemberRole
from tests.conftest import postgres_url_or_skip, reset_postgres

WRITERS = 4
HOUSEHOLDS_EACH = 3
COMMANDS_PER_HOUSEHOLD = 6  # register, add member, cohabiting, income, application, decision
ANNA = Actor("anna", "handlaggare")
APRIL = Month(2024, 4)
#: Tables whose rows say when they were written, not what was projected: compared without those columns.
_CLOCK_COLUMNS = {"projector_state": ("updated_at",), "schema_migrations": ("applied_at",)}


def _settings(url: str, home: str) -> Settings:
    return Settings(home=Path(home), database_url=url)


def _follow(url: str, home: str, ready: str, stop: str) -> tuple[int, int]:
    """The projector process: follow the store until ``stop`` exists; (position reached, updates seen)."""
    from bistand_es.projections.projector import watch

    settings = _settings(url, home)
    app = bootstrap(settings)
    updates: list[int] = []

    def seen(status: Any) -> None:
        updates.append(status.position)
        Path(ready).touch()  # the first catch-up (an empty read model) is done: the writers may start

    last = watch(app, settings, interval=0.05, max_seconds=120, on_update=seen, until=Path(stop).exists)
    return last.position, len(updates)


def _write(url: str, home: str, writer: int) -> int:
    """One writer: its own households, five commands each; the number of commands that landed."""
    app = bootstrap(_settings(url, home))
    rules = load_rule_set(None)
    landed = 0
    for n in range(HOUSEHOLDS_EACH):
        applicant, partner = f"reserv:F{writer}N{n:03d}A", f"reserv:F{writer}N{n:03d}B"
        hid = app.register_household(
            actor=ANNA, municipality="1765", applicant=applicant, birth_date=date(1980, 1, 1),
            registered_on=date(2024, 1, 2),
        ).household_id  # fmt: skip
        app.add_member(
            hid, actor=ANNA, person=partner, role=MemberRole.CO_APPLICANT, birth_date=date(1982, 5, 5), in_school=None,
            effective_on=date(2024, 1, 2),
        )  # fmt: skip
        app.set_cohabiting(hid, actor=ANNA, cohabiting=True, effective_on=date(2024, 1, 2))
        app.report_income(
            hid, actor=ANNA, member=applicant, kind="employment", month=APRIL - 1,
            amount=Decimal(1000 + 100 * writer + n), source="external",
        )  # fmt: skip
        app.submit_application(
            hid, actor=ANNA, month=APRIL, received_on=date(2024, 3, 20), complete_on=None,
            cost_lines=[{"kind": "rent", "amount": Decimal("6500"), "note": "hyresavi mars"}],
        )  # fmt: skip
        app.decide(hid, DecisionRequest(month=APRIL, actor=ANNA, decided_on=date(2024, 4, 2)), rules)
        landed += COMMANDS_PER_HOUSEHOLD
    return landed


def _tables(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of a read model, its rows sorted (the clock columns left out)."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [row[0] for row in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        found: dict[str, list[tuple[Any, ...]]] = {}
        for name in names:
            columns = [
                row[0]
                for row in con.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index", [name]
                ).fetchall()
                if row[0] not in _CLOCK_COLUMNS.get(name, ())
            ]
            selected = ", ".join(f'"{column}"' for column in columns)
            found[name] = con.execute(f'SELECT {selected} FROM "{name}" ORDER BY ALL').fetchall()
        return found
    finally:
        con.close()


def test_a_projector_following_four_writers_ends_equal_to_a_rebuild(tmp_path: Path) -> None:
    url = postgres_url_or_skip()
    reset_postgres(url)
    from bistand_es.projections.projector import rebuild

    ready, stop = tmp_path / "ready", tmp_path / "stop"
    followed_home = tmp_path / "follower"
    context = multiprocessing.get_context("spawn")
    with context.Pool(WRITERS + 1) as pool:
        follower = pool.apply_async(_follow, (url, str(followed_home), str(ready), str(stop)))
        deadline = time.monotonic() + 60
        while not ready.exists():  # the follower has opened the store and made its (empty) read model
            if follower.ready() or time.monotonic() > deadline:
                follower.get(timeout=1)  # raises what went wrong in it
                raise AssertionError("the follower never started")
            time.sleep(0.05)
        started = time.perf_counter()
        landed = pool.starmap(_write, [(url, str(tmp_path / f"w{w}"), w) for w in range(WRITERS)])
        took = time.perf_counter() - started
        stop.touch()
        position, updates = follower.get(timeout=60)

    assert sum(landed) == WRITERS * HOUSEHOLDS_EACH * COMMANDS_PER_HOUSEHOLD  # 4 × 3 × 6 = 72 commands
    assert updates >= 2  # it followed while they wrote (the empty start, then at least one catch-up)
    rebuilt_settings = _settings(url, str(tmp_path / "rebuilt"))
    app = bootstrap(rebuilt_settings)
    assert position == app.max_position()
    rebuilt = rebuild(app, rebuilt_settings)
    assert rebuilt.position == position

    followed = _tables(_settings(url, str(followed_home)).reports_path)
    expected = _tables(rebuilt_settings.reports_path)
    assert sorted(followed) == sorted(expected)
    for table, rows in expected.items():
        assert followed[table] == rows, f"{table} differs from the rebuild"
    households = expected["f_households_registered"]
    assert len(households) == WRITERS * HOUSEHOLDS_EACH  # 4 writers × 3 households, none lost or repeated
    assert len(expected["f_decisions"]) == WRITERS * HOUSEHOLDS_EACH
    print(f"\nfollowed {position} events from 4 writers ({sum(landed)} commands in {took:.1f} s), {updates} updates")
