"""The catch-up projector: a pull loop over the event store's notification log into DuckDB.

docs/adr/0008-duckdb-read-side.md. From the position stored in DuckDB, read pages of notifications
(``select_notifications(start=last, limit=N, inclusive_of_start=False)``; ids may have gaps), gather them into
batches (several pages, up to ``batch_size`` events), turn each batch into rows
(:mod:`bistand_es.projections.rows`) and Arrow tables, and commit the rows **and the new position in one DuckDB
transaction**. A crash anywhere leaves either the whole batch or none of it, so the next run continues exactly
where the last commit ended.

When more than one batch is waiting (a rebuild, a long catch-up), a reader thread reads and decodes the next batch
while the main thread writes the current one (DuckDB releases the GIL while it inserts and commits); only the main
thread touches DuckDB, so the transactions are exactly those of the single-threaded loop.

Derived tables (jobbstimulans windows; återkrav balances; återsökning opportunities) are recomputed at the end of
each run for the persons and claims the pages marked dirty, in their own transactions; the marks are committed with
the pages, so a crash in between only delays it.
The windows and the återsökning opportunities come from the engines with the rule set the commands use (package
parameters + ``BISTAND_HOME/parameters``); when the dated jobbstimulans lengths or the compensation types change,
every person's rows are recomputed.

An event the read model cannot hold (:class:`UnprojectableEvent`, e.g. an amount wider than the money columns)
stops the run: every event before it is committed, the error (naming the event's position) is kept beside the
database (``reports.duckdb.failure``) so ``projections status``, ``sql`` and ``report`` say the read model is
behind, and ``projections update`` fails with that one line until a fixed version of the code can project it.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from bistand_es.domain.errors import BistandError
from bistand_es.domain.month import Month
from bistand_es.domain.rules.jobbstimulans import Lengths, dated_lengths
from bistand_es.projections import disposal, jobbstimulans, recovery_balances, reimbursement_due
from bistand_es.projections.batches import (
    Fault,
    PreparedBatch,
    arrow_table,
    insert_arrow,
    prepare_batch,
    write_batch,
)
from bistand_es.projections.errors import ProjectorBusy, ReadModelError, UnprojectableEvent
from bistand_es.projections.reader import BatchReader
from bistand_es.projections.rows import Opener, StoredNotification, opener_of
from bistand_es.projections.schema import MIGRATIONS, PROJECTION_VERSION
from bistand_es.projections.store import Marker, ReadModelStore, wrap_error

if TYPE_CHECKING:
    from pathlib import Path

    import duckdb

    from bistand_es.application.app import BistandApplication
    from bistand_es.application.config import Settings
    from bistand_es.domain.rules.rule_set import RuleSet

DEFAULT_PAGE_SIZE: Final = 1000
MIN_PAGE_SIZE: Final = 500
#: Events per DuckDB transaction when catching up on many events (several pages; measured in
#: bench/bench_projection.py: per-statement and per-commit costs dominate below ~10 000).
DEFAULT_BATCH_SIZE: Final = 20_000
#: DuckDB's buffer memory while projecting (with its default, 80 % of the machine's memory, a rebuild of 200 000
#: events kept about 200 MB more resident, at the same rate; docs/performance.md).
WRITER_MEMORY: Final = "256MB"
#: An incremental run that holds the file longer than this closes it briefly so that waiting readers get in.
YIELD_TO_READERS_AFTER: Final = 2.0

#: Test hook: called with a stage name ("after_insert" before the commit, "after_commit" after it).


@dataclass(frozen=True)
class ProjectionStatus:
    """Where the read model stands."""

    path: str
    position: int
    store_position: int
    projection_version: int | None
    code_version: int
    updated_at: str | None
    events_projected: int
    applied: int = 0
    rebuilt: bool = False
    note: str | None = None
    failure: str | None = None  # why the last run stopped before the store's end (an event it cannot project)

    @property
    def lag(self) -> int:
        return max(self.store_position - self.position, 0)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["lag"] = self.lag
        return data


# ---------------------------------------------------------------------- public API


def commands_rule_set(settings: Settings, rule_set: RuleSet | None = None) -> RuleSet:
    """The rule set the commands use (``rule_set``, or loaded from settings: package + ``BISTAND_HOME/parameters``)."""
    if rule_set is not None:
        return rule_set
    from bistand_es.domain.rules.rule_set import load_rule_set

    directory = settings.parameters_dir
    try:
        return load_rule_set(directory if directory.is_dir() else None)
    except BistandError as error:
        raise ReadModelError(f"cannot read the parameters: {error}") from None


def jobbstimulans_periods(settings: Settings, rule_set: RuleSet | None = None) -> tuple[Lengths, ...]:
    """The dated jobbstimulans lengths of the rule set the commands use (``rule_set``, or loaded from settings)."""
    return dated_lengths(commands_rule_set(settings, rule_set))


def _fingerprint(periods: tuple[Lengths, ...], rule_set: RuleSet) -> str:
    """What the derived rows were computed with (kept in the position marker): the dated jobbstimulans lengths and
    the compensation-type parameters."""
    return f"{jobbstimulans.fingerprint(periods)}|{reimbursement_due.fingerprint(rule_set)}"


def catch_up(
    app: BistandApplication,
    settings: Settings,
    *,
    progress: bool = False,
    page_size: int = DEFAULT_PAGE_SIZE,
    batch_size: int = DEFAULT_BATCH_SIZE,
    skip_if_busy: bool = True,
    fault: Fault | None = None,
    rule_set: RuleSet | None = None,
) -> ProjectionStatus:
    """Project every event not yet in the read model; cheap (no DuckDB open) when nothing is new.

    If another process holds the writer lock, returns at once with a ``note`` (``skip_if_busy=True``, the default
    used after write commands) or raises :class:`ProjectorBusy`. Any other read-model error (an event it cannot
    project) is raised, or with ``skip_if_busy`` returned as the status's ``failure``: a write command never
    fails because of reports. Rebuilds from zero when the stored projection version differs from the code's, or
    when the read model is ahead of the event store (another store).
    """
    store = ReadModelStore(settings.reports_path)
    store_position = app.max_position()
    marker = store.read_marker()
    try:
        rules_in_use = commands_rule_set(settings, rule_set)
        periods = dated_lengths(rules_in_use)
        rules = _fingerprint(periods, rules_in_use)
        if store.marker_is_current(marker, PROJECTION_VERSION, store_position, rules) and marker is not None:
            return _status_from_marker(store, marker, store_position)
        with store.writer_lock():
            return _Projector(app, store, page_size, progress, fault, batch_size, periods, rules_in_use).catch_up()
    except ProjectorBusy as busy:
        if not skip_if_busy:
            raise
        return _status_from_marker(store, marker, store_position, note=f"skipped: {busy}")
    except ReadModelError as error:
        if not skip_if_busy:
            raise
        return _status_from_marker(store, store.read_marker(), store_position, note="not refreshed", failure=str(error))


def rebuild(
    app: BistandApplication,
    settings: Settings,
    *,
    progress: bool = False,
    page_size: int = DEFAULT_PAGE_SIZE,
    batch_size: int = DEFAULT_BATCH_SIZE,
    fault: Fault | None = None,
    rule_set: RuleSet | None = None,
) -> ProjectionStatus:
    """Build the read model from zero into a new file and swap it in (readers keep the old one meanwhile)."""
    store = ReadModelStore(settings.reports_path)
    rules_in_use = commands_rule_set(settings, rule_set)
    periods = dated_lengths(rules_in_use)
    with store.writer_lock():
        projector = _Projector(app, store, page_size, progress, fault, batch_size, periods, rules_in_use)
        return projector.rebuild("rebuild asked for")


def status(app: BistandApplication, settings: Settings) -> ProjectionStatus:
    """Position, lag, last update and versions (read-only; falls back to the position marker when busy)."""
    store = ReadModelStore(settings.reports_path)
    store_position = app.max_position()
    failure = store.read_failure()
    if not store.path.exists():
        return ProjectionStatus(
            str(store.path), 0, store_position, None, PROJECTION_VERSION, None, 0, note="no read model yet",
            failure=failure,
        )  # fmt: skip
    try:
        con = store.connect_reader(wait=2.0)
    except ProjectorBusy as busy:
        return _status_from_marker(
            store, store.read_marker(), store_position, note=f"{busy}; figures from the position marker"
        )
    try:
        state = _read_state(con)
    finally:
        con.close()
    if state is None:
        return ProjectionStatus(
            str(store.path), 0, store_position, None, PROJECTION_VERSION, None, 0, note="empty read model",
            failure=failure,
        )  # fmt: skip
    position, version, projected, updated_at = state
    return ProjectionStatus(
        str(store.path), position, store_position, version, PROJECTION_VERSION, updated_at, projected,
        failure=failure if position < store_position else None,
    )  # fmt: skip


def watch(
    app: BistandApplication,
    settings: Settings,
    *,
    interval: float = 2.0,  # float-ok: seconds
    max_seconds: float | None = None,  # float-ok: seconds
    page_size: int = DEFAULT_PAGE_SIZE,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_update: Callable[[ProjectionStatus], None] | None = None,
    rule_set: RuleSet | None = None,
    until: Callable[[], bool] | None = None,
) -> ProjectionStatus:
    """Follow the event store: catch up every ``interval`` seconds until stopped (or ``max_seconds``).

    Holds the writer lock for its whole life (a second projector is refused), but opens the DuckDB file only
    while there is something to write, so readers are not kept out. The jobbstimulans parameters are read once,
    when it starts. ``until``, asked before each poll, stops it after one last catch-up when it answers True (a
    supervising process's stop signal).
    """
    store = ReadModelStore(settings.reports_path)
    started = time.monotonic()
    rules_in_use = commands_rule_set(settings, rule_set)
    periods = dated_lengths(rules_in_use)
    with store.writer_lock():
        projector = _Projector(app, store, page_size, False, None, batch_size, periods, rules_in_use)
        last = projector.catch_up()
        if on_update is not None:
            on_update(last)
        stopping = False
        while not stopping and (max_seconds is None or time.monotonic() - started < max_seconds):
            stopping = until is not None and until()
            remaining = None if max_seconds is None else max_seconds - (time.monotonic() - started)
            if not stopping:
                time.sleep(max(0.0, interval if remaining is None else min(interval, remaining)))
            try:
                current = projector.catch_up()
            except ProjectorBusy:  # a reader kept the file open longer than the write wait: try next poll
                continue
            if current.applied and on_update is not None:
                on_update(current)
            last = current
    return last


def project_page(
    con: duckdb.DuckDBPyConnection,
    notifications: Sequence[StoredNotification],
    *,
    fault: Fault | None = None,
    opener: Opener | None = None,
) -> int:
    """Write one batch of events and the new position in one transaction. Returns the new position."""
    prepared = prepare_batch(notifications, opener)
    position = write_batch(con, prepared, fault=fault) if prepared.count else 0
    if prepared.failure is not None:
        raise prepared.failure
    return position


# ---------------------------------------------------------------------- the loop


class _Projector:
    def __init__(
        self,
        app: BistandApplication,
        store: ReadModelStore,
        page_size: int,
        progress: bool,
        fault: Fault | None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        periods: tuple[Lengths, ...] = (),
        rule_set: RuleSet | None = None,
    ) -> None:
        self.app = app
        self.store = store
        self.page_size = max(page_size, MIN_PAGE_SIZE)
        self.batch_size = max(batch_size, self.page_size)
        self.progress = progress
        self.fault = fault
        self.periods = periods
        if rule_set is None:
            from bistand_es.domain.rules.rule_set import load_rule_set

            rule_set = load_rule_set(None)
        self.rule_set = rule_set
        self.rules = _fingerprint(periods, rule_set)

    def catch_up(self) -> ProjectionStatus:
        import duckdb

        store_position = self.app.max_position()
        marker = self.store.read_marker()
        if self.store.marker_is_current(marker, PROJECTION_VERSION, store_position, self.rules) and marker is not None:
            return _status_from_marker(self.store, marker, store_position)
        if not self.store.path.exists():
            return self.rebuild("no read model yet")
        con = self._connect()
        stopped: UnprojectableEvent | None = None
        try:
            state = _read_state(con)
            if state is None or state[1] != PROJECTION_VERSION:
                found = "none" if state is None else state[1]
                con.close()
                return self.rebuild(f"projection version {found} → {PROJECTION_VERSION}")
            if state[0] > store_position:
                con.close()
                return self.rebuild(f"read model at {state[0]} is ahead of the event store ({store_position})")
            _migrate(con)
            con, applied, stopped = self._run(con, state[0], store_position, may_yield=True)
            _refresh_derived(con, self.periods, self.rule_set, self.fault)
            final = _read_state(con)
        except duckdb.Error as error:
            raise self._failed(wrap_error(error)) from None
        finally:
            con.close()
        return self._finish(final, store_position, applied, rebuilt=False, stopped=stopped)

    def rebuild(self, reason: str) -> ProjectionStatus:
        import os

        import duckdb

        target = self.store.rebuild_path
        for leftover in (target, self.store.wal_of(target)):
            leftover.unlink(missing_ok=True)
        store_position = self.app.max_position()
        con = self._connect(target)
        try:
            _migrate(con)
            con, applied, stopped = self._run(con, 0, store_position, may_yield=False, label=f"rebuild ({reason})")
            _refresh_derived(con, self.periods, self.rule_set, self.fault)
            final = _read_state(con)
            con.execute("CHECKPOINT")
        except duckdb.Error as error:
            raise self._failed(wrap_error(error)) from None
        finally:
            con.close()
        self.store.wal_of(self.store.path).unlink(missing_ok=True)
        os.replace(target, self.store.path)  # up to an unprojectable event, it is still the best read model
        return self._finish(final, store_position, applied, rebuilt=True, note=reason, stopped=stopped)

    def _connect(self, path: Path | None = None) -> duckdb.DuckDBPyConnection:
        """The read model (or the rebuild's new file) opened for writing, its buffer memory bounded."""
        con = self.store.connect_writer(path)
        con.execute(f"SET memory_limit = '{WRITER_MEMORY}'")
        return con

    def _failed(self, error: ReadModelError) -> ReadModelError:
        """Keep a failure beside the database (for status, sql and report) and give it back to raise."""
        if not isinstance(error, ProjectorBusy):
            self.store.write_failure(str(error))
        return error

    def _finish(
        self,
        state: tuple[int, int, int, str | None] | None,
        store_position: int,
        applied: int,
        *,
        rebuilt: bool,
        note: str | None = None,
        stopped: UnprojectableEvent | None = None,
    ) -> ProjectionStatus:
        position, version, projected, updated_at = state or (0, PROJECTION_VERSION, 0, None)
        self.store.write_marker(position, version, updated_at or "", projected, self.rules)
        if stopped is not None:
            raise self._failed(stopped)
        self.store.clear_failure()
        return ProjectionStatus(
            str(self.store.path),
            position,
            max(store_position, self.app.max_position()),
            version,
            PROJECTION_VERSION,
            updated_at,
            projected,
            applied=applied,
            rebuilt=rebuilt,
            note=note,
        )

    def _run(
        self,
        con: duckdb.DuckDBPyConnection,
        start: int,
        store_position: int,
        *,
        may_yield: bool,
        label: str = "catching up",
    ) -> tuple[duckdb.DuckDBPyConnection, int, UnprojectableEvent | None]:
        """Project batches from ``start`` until the store has no more, or up to an event it cannot project.

        Returns the (possibly reopened) connection, the number of events applied and the event it stopped at.
        """
        position = start
        applied = 0
        opened = time.monotonic()
        bar = _progress(self.progress, store_position - start, label)
        threaded = store_position - start > self.batch_size
        try:
            with BatchReader(self.app, start, self.page_size, self.batch_size, threaded=threaded) as reader:
                for prepared in reader:
                    new_position, written, failure = (
                        self._write(con, prepared, position) if prepared.count else (position, 0, None)
                    )
                    applied += written
                    if bar is not None:
                        bar.update(new_position - position)
                    position = new_position
                    if failure is not None or prepared.failure is not None:
                        return con, applied, failure or prepared.failure
                    if may_yield and time.monotonic() - opened > YIELD_TO_READERS_AFTER:
                        con.close()
                        time.sleep(0.1)
                        con = self._connect()
                        opened = time.monotonic()
        finally:
            if bar is not None:
                bar.render_finish()
        return con, applied, None

    def _write(
        self, con: duckdb.DuckDBPyConnection, prepared: PreparedBatch, position: int
    ) -> tuple[int, int, UnprojectableEvent | None]:
        """Write a batch: (new position, events written, the event DuckDB refused or None).

        If DuckDB refuses a value, the batch is halved (each half its own transaction) until the one event it
        refuses is found; every event before that one is committed.
        """
        import duckdb

        try:
            return write_batch(con, prepared, fault=self.fault), prepared.count, None
        except (duckdb.ConversionException, duckdb.OutOfRangeException, duckdb.InvalidInputException) as error:
            notifications = prepared.notifications
            if len(notifications) <= 1:
                first = notifications[0] if notifications else None
                at = first.id if first is not None else prepared.last_position
                kind = first.topic.split(":", 1)[-1] if first is not None else "event"
                reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
                return position, 0, UnprojectableEvent(at, kind, f"DuckDB: {reason}")
            middle = len(notifications) // 2
            written = 0
            for part in (notifications[:middle], notifications[middle:]):
                position, count, failure = self._write(con, prepare_batch(part, opener_of(self.app)), position)
                written += count
                if failure is not None:
                    return position, written, failure
            return position, written, None


class _Bar:
    def __init__(self, bar: Any) -> None:
        self._bar = bar

    def update(self, steps: int) -> None:
        self._bar.update(steps)

    def render_finish(self) -> None:
        self._bar.render_finish()


def _progress(enabled: bool, length: int, label: str) -> _Bar | None:
    if not enabled or length <= 0:
        return None
    import click

    bar = click.progressbar(length=length, label=label, file=sys.stderr, show_pos=True)
    bar.__enter__()
    return _Bar(bar)


# ---------------------------------------------------------------------- SQL helpers


def _migrate(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    applied = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    for number, name, statements in MIGRATIONS:
        if number in applied:
            continue
        con.begin()
        try:
            for statement in statements:
                con.execute(statement)
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                [number, name, datetime.now(UTC).replace(tzinfo=None)],
            )
            con.commit()
        except BaseException:
            con.rollback()
            raise
    con.execute(
        "INSERT INTO projector_state SELECT 1, 0, ?, 0, NULL WHERE NOT EXISTS (SELECT 1 FROM projector_state)",
        [PROJECTION_VERSION],
    )


def _read_state(con: duckdb.DuckDBPyConnection) -> tuple[int, int, int, str | None] | None:
    import duckdb

    try:
        row = con.execute(
            "SELECT position, projection_version, events_projected, updated_at FROM projector_state"
        ).fetchone()
    except duckdb.CatalogException:
        return None
    if row is None:
        return None
    updated = row[3].isoformat() if row[3] is not None else None
    return int(row[0]), int(row[1]), int(row[2]), updated


def _refresh_derived(
    con: duckdb.DuckDBPyConnection, periods: tuple[Lengths, ...], rule_set: RuleSet, fault: Fault | None = None
) -> None:
    """Recompute the derived tables: the balances of the återkrav claims marked dirty, the återsökning
    opportunities of the persons marked dirty, then the jobbstimulans windows."""
    recovery_balances.refresh(con, fault)
    disposal.refresh(con, fault)  # gallring: blank the person columns of households disposed of
    reimbursement_due.refresh(con, rule_set, fault)
    _refresh_windows(con, periods, fault)


#: The received support months of some persons (``?``: their list), as the ``support_months`` view gives them, but
#: computed from their own households' decisions only: the view decides the latest decision of every household
#: and month in the store before it filters, which costs in proportion to the store (issue 12: the refresh after
#: one command must not).
_SUPPORT_MONTHS_OF: Final = """
WITH persons AS (SELECT DISTINCT unnest(?::VARCHAR[]) AS person),
households AS (
    SELECT DISTINCT household_id FROM (SELECT household_id, unnest(members) AS person FROM f_decisions)
    WHERE person IN (SELECT person FROM persons)
),
latest AS (
    SELECT month, subsistence_aid, members FROM f_decisions
    WHERE household_id IN (SELECT household_id FROM households)
      AND household_id IN (SELECT household_id FROM f_households_registered)
    QUALIFY row_number() OVER (PARTITION BY household_id, month ORDER BY position DESC) = 1
),
facts AS (
    SELECT person, month, subsistence_aid > 0 AS received
    FROM (SELECT month, subsistence_aid, unnest(members) AS person FROM latest)
    WHERE person IN (SELECT person FROM persons)
    UNION ALL
    SELECT person, month, true FROM f_external_support WHERE person IN (SELECT person FROM persons)
)
SELECT person, month FROM facts GROUP BY person, month HAVING bool_or(received) ORDER BY person, month"""


#: Up to this many persons marked, their support months are looked up household by household (a catch-up after
#: commands); more (a rebuild, a long catch-up) and the whole ``support_months`` view is cheaper.
_FEW_PERSONS: Final = 2_000


def _refresh_windows(con: duckdb.DuckDBPyConnection, periods: tuple[Lengths, ...], fault: Fault | None = None) -> None:
    """Recompute the jobbstimulans windows of the persons marked dirty (everyone's when the dated lengths
    changed), in one transaction."""
    wanted = jobbstimulans.period_rows(periods)
    stored = con.execute(
        "SELECT rules_from, rules_to, qualifying_months, window_months FROM jobbstimulans_rules ORDER BY rules_from"
    ).fetchall()
    rules_changed = [tuple(row) for row in stored] != wanted
    dirty = con.execute(
        "SELECT (SELECT count(*) FROM f_dirty_persons), (SELECT count(*) FROM f_dirty_decisions)"
    ).fetchone()
    persons_marked, decisions_marked = (int(dirty[0]), int(dirty[1])) if dirty is not None else (0, 0)
    if not rules_changed and persons_marked == 0 and decisions_marked == 0:
        return
    con.begin()
    try:
        if rules_changed:
            con.execute("DELETE FROM jobbstimulans_rules")
            if wanted:
                insert_arrow(con, "jobbstimulans_rules", arrow_table("jobbstimulans_rules", wanted))
            con.execute(
                "INSERT INTO f_dirty_persons SELECT person FROM support_months "
                "UNION SELECT person FROM f_jobbstimulans_spans"
            )
        if decisions_marked:  # an amendment may drop a member: the persons of the decisions it replaced too
            con.execute(
                "INSERT INTO f_dirty_persons SELECT DISTINCT unnest(members) FROM f_decisions "
                "WHERE decision_id IN (SELECT decision_id FROM f_dirty_decisions)"
            )
            con.execute("DELETE FROM f_dirty_decisions")
        if rules_changed or persons_marked > _FEW_PERSONS:  # many persons (a rebuild): one pass over the view
            months = con.execute(
                "SELECT person, month FROM support_months "
                "WHERE received AND person IN (SELECT person FROM f_dirty_persons) ORDER BY person, month"
            ).fetchall()
        else:
            persons = [row[0] for row in con.execute("SELECT DISTINCT person FROM f_dirty_persons").fetchall()]
            months = con.execute(_SUPPORT_MONTHS_OF, [persons]).fetchall() if persons else []
        by_person: dict[str, list[Month]] = {}
        parsed: dict[str, Month] = {}
        for person, month in months:
            found = parsed.get(month)
            if found is None:
                found = parsed[month] = Month.parse(month)
            by_person.setdefault(person, []).append(found)
        spans = [
            window.row(person)
            for person in sorted(by_person)
            for window in jobbstimulans.window_rows(by_person[person], periods)
        ]
        con.execute("DELETE FROM f_jobbstimulans_spans WHERE person IN (SELECT person FROM f_dirty_persons)")
        if spans:
            insert_arrow(con, "f_jobbstimulans_spans", arrow_table("f_jobbstimulans_spans", spans))
        con.execute("DELETE FROM f_dirty_persons")
        if fault is not None:
            fault("derived_after_insert")
        con.commit()
    except BaseException:
        con.rollback()
        raise


def _status_from_marker(
    store: ReadModelStore,
    marker: Marker | None,
    store_position: int,
    note: str | None = None,
    failure: str | None = None,
) -> ProjectionStatus:
    return ProjectionStatus(
        str(store.path),
        marker.position if marker else 0,
        store_position,
        marker.projection_version if marker else None,
        PROJECTION_VERSION,
        (marker.updated_at or None) if marker else None,
        marker.events_projected if marker else 0,
        note=note,
        failure=failure if failure is not None else store.read_failure(),
    )
