"""Must-show 2: the read side's jobbstimulans windows are the engine's, across random histories and overrides.

Each example records a random support history through the real application (SQLite event store), with months of
försörjningsstöd, months of livsföring i övrigt only (tandvård: not a support month), refused months, decisions
recorded before the engine kept the two parts apart (their whole aid counts) and months from another
municipality; optionally with a parameter override in ``BISTAND_HOME/parameters`` that changes the qualifying
run or the window length from some month. The projector builds the DuckDB read model; then, for every month, the
window the read model lists as active equals the window the rules engine (``calculate``) applies to a calculation
of that month, and "qualifies next month" equals the engine's window opening the month after. The override is
then changed without a new event: the next catch-up recomputes the windows and they still agree.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bistand_es.application.config import Settings
from bistand_es.domain.month import Month
from bistand_es.domain.rules.calculation import calculate
from bistand_es.domain.rules.jobbstimulans import window_containing
from bistand_es.domain.rules.rule_set import RuleSet, load_rule_set
from bistand_es.domain.rules.situation import parse_situation
from bistand_es.projections.projector import catch_up

from .scenario import ANNA, alias, apply, decide, register, sqlite_app

FIRST = Month(2021, 1)
SPAN = 30  # months with a possible decision: 2021-01 .. 2023-06
CHECKED = SPAN + 26  # and the windows they open, to their end
PERSON = "P1"

# month kinds: None no decision; "fs" försörjningsstöd; "dental" only livsföring i övrigt; "refused";
# "legacy" a decision without the parts (its whole aid counts); "external" a month from another municipality.
kind = st.sampled_from([None, "fs", "fs", "fs", "fs", "dental", "refused", "legacy", "external"])
override = st.one_of(
    st.none(),
    st.tuples(
        st.sampled_from([("jobbstimulans.qualifying_months", 3), ("jobbstimulans.window_months", 12)]),
        st.integers(min_value=0, max_value=SPAN),
    ),
)


def write_override(home: Path, chosen: tuple[tuple[str, int], int] | None) -> None:
    directory = home / "parameters"
    shutil.rmtree(directory, ignore_errors=True)
    if chosen is None:
        return
    (param_id, value), offset = chosen
    directory.mkdir(parents=True)
    (directory / f"{param_id}.yaml").write_text(
        f"""id: {param_id}
values:
  "{(FIRST + offset).first_day.isoformat()}":
    value: {value}
    source: {{title: "Test override", reference: "test"}}
    confidence: HIGH
""",
        encoding="utf-8",
    )


def record(months: Sequence[str | None], home: Path) -> tuple[Any, Settings]:
    app, store_settings = sqlite_app(home)
    hid = register(app, PERSON, on=date(2020, 12, 1))
    external = [FIRST + i for i, k in enumerate(months) if k == "external"]
    if external:
        app.change_household(
            hid, lambda h: h.record_external_support(actor=ANNA, person=PERSON, months=external, source="Karlstad")
        )
    for offset, chosen in enumerate(months):
        month = FIRST + offset
        if chosen in (None, "external"):
            continue
        apply(app, hid, month)
        if chosen == "fs":
            decide(app, hid, month, "5000.00", [PERSON], subsistence_aid="5000.00", other_aid="0.00")
        elif chosen == "dental":
            # tandvård 2 000 kr: aid 2 000, försörjningsstöd 0 (income covers the norm) → not a support month
            decide(app, hid, month, "2000.00", [PERSON], subsistence_aid="0.00", other_aid="2000.00")
        elif chosen == "refused":
            decide(app, hid, month, "0.00", [PERSON], refused=True, norm="3000.00")
        else:
            decide(app, hid, month, "4000.00", [PERSON])  # legacy: no parts stored, the whole aid counts
    return app, store_settings


def support_months(months: Sequence[str | None]) -> list[Month]:
    return [FIRST + i for i, k in enumerate(months) if k in ("fs", "legacy", "external")]


def engine_window(history: list[Month], month: Month, rules: RuleSet) -> tuple[str, str] | None:
    """The window the rules engine applies to a calculation of ``month`` (history: months before it)."""
    situation = parse_situation(
        {
            "month": str(month),
            "household": {
                "cohabiting": False,
                "members": [{"id": PERSON, "role": "applicant", "birth_date": "1985-04-02"}],
            },
            "costs": [],
            "incomes": [],
            "support_history": {PERSON: [str(m) for m in history if m < month]},
        }
    )
    statuses = {status.member: status for status in calculate(situation, rules).jobbstimulans}
    status = statuses.get(PERSON)
    if status is None or not status.applies:
        return None
    window = window_containing(status.windows, month)
    return None if window is None else (str(window[0]), str(window[1]))


def read_side(path: Path, app: Any) -> tuple[dict[str, tuple[str, str, int, int]], set[str], set[str]]:
    person = alias(app, PERSON)  # the read model's pseudonym of the person
    con = duckdb.connect(str(path), read_only=True)
    try:
        active = {
            row[0]: (row[1], row[2], row[3], row[4])
            for row in con.execute(
                "SELECT month, window_start, window_end, months_used, months_left FROM v_jobbstimulans_active "
                "WHERE person = ?",
                [person],
            ).fetchall()
        }
        months = con.execute("SELECT month FROM v_jobbstimulans_qualifying_next WHERE person = ?", [person]).fetchall()
        received = con.execute("SELECT month FROM support_months WHERE person = ? AND received", [person]).fetchall()
    finally:
        con.close()
    return active, {m for (m,) in months}, {m for (m,) in received}


def check(home: Path, app: Any, store_settings: Settings, history: list[Month]) -> None:
    directory = home / "parameters"
    rules = load_rule_set(directory if directory.is_dir() else None)
    catch_up(app, store_settings)
    active, qualifying_next, received = read_side(store_settings.reports_path, app)
    assert received == {str(m) for m in history}
    for offset in range(CHECKED):
        month = FIRST + offset
        expected = engine_window(history, month, rules)
        found = active.get(str(month))
        assert (found[:2] if found else None) == expected, f"{month}: read side {found}, engine {expected}"
        if found is not None:
            start, end = Month.parse(found[0]), Month.parse(found[1])
            assert (found[2], found[3]) == (start.months_until(month) + 1, month.months_until(end))
        opens_next = engine_window(history, month + 1, rules)
        engine_next = opens_next is not None and opens_next[0] == str(month + 1)
        assert (str(month) in qualifying_next) == engine_next, f"{month}: qualifies next month?"


@pytest.mark.slow
@settings(
    max_examples=10 if os.environ.get("CI") == "true" else 25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(kind, min_size=SPAN, max_size=SPAN), override, override)
def test_the_read_sides_windows_are_the_engines_across_histories_and_overrides(
    months: list[str | None], first: tuple[tuple[str, int], int] | None, second: tuple[tuple[str, int], int] | None
) -> None:
    home = Path(tempfile.mkdtemp(prefix="bistand-jobb-"))
    try:
        write_override(home, first)
        app, store_settings = record(months, home)
        history = support_months(months)
        check(home, app, store_settings, history)
        write_override(home, second)  # a new override, no new event: the windows follow it
        check(home, app, store_settings, history)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def test_six_months_of_dental_only_aid_open_no_window(tmp_path: Path) -> None:
    # 2021-01..06 tandvård only (försörjningsstöd 0): no support month, so 2021-07 has no window; with
    # försörjningsstöd the same six months open 2021-07..2023-06 (6 months, then 24).
    app, store_settings = record(["dental"] * 6 + ["fs"], tmp_path / "dental")
    catch_up(app, store_settings)
    active, qualifying_next, received = read_side(store_settings.reports_path, app)
    assert (active, qualifying_next, received) == ({}, set(), {"2021-07"})
    app, store_settings = record(["fs"] * 7, tmp_path / "fs")
    catch_up(app, store_settings)
    active, qualifying_next, _ = read_side(store_settings.reports_path, app)
    assert active["2021-07"] == ("2021-07", "2023-06", 1, 23)
    assert qualifying_next == {"2021-06"}


def test_an_override_of_the_qualifying_run_changes_the_windows_without_a_new_event(tmp_path: Path) -> None:
    # Support 2021-01..04 only. Law: 6 months needed, no window. Override: 3 months from 2021-06, so from 2021-06
    # the engine finds 2021-01..03 → window 2021-04..2023-03, applied from 2021-06 (months used 3 in 2021-06).
    app, store_settings = record(["fs"] * 4, tmp_path)
    catch_up(app, store_settings)
    assert read_side(store_settings.reports_path, app)[0] == {}
    write_override(tmp_path, (("jobbstimulans.qualifying_months", 3), 5))
    catch_up(app, store_settings)
    active, qualifying_next, _ = read_side(store_settings.reports_path, app)
    assert min(active) == "2021-06" and max(active) == "2023-03"
    assert active["2021-06"] == ("2021-04", "2023-03", 3, 21)
    assert qualifying_next == set()  # the window opened (2021-04) before the override was in force
    con = duckdb.connect(str(store_settings.reports_path), read_only=True)
    try:
        rules = con.execute("SELECT * FROM jobbstimulans_rules ORDER BY rules_from").fetchall()
    finally:
        con.close()
    assert rules == [("2013-07", "2021-05", 6, 24), ("2021-06", None, 3, 24)]
