"""Gallring on the read side: a household disposed of (``HouseholdDisposed``) keeps its figures, not its person data.

At the end of each catch-up run (and of a rebuild) the projector calls :func:`refresh`: every ``HouseholdDisposed``
projected since the last call replaces the household's rows in every fact table by the **statistical residue** the
event carries, and then blanks (sets to NULL) the columns that still describe a person — birth dates, free text
(reasons, notes, evidence, an income's source), payees, case and agency reference numbers. Amounts, months, codes,
dates of decisions and payments, and the pseudonyms stay, so the statistics of past months are the same before
the gallring, after it, and after any rebuild of the read model (when the household's events open only as
``[gallrad]``). The disposed households are listed in ``f_disposals`` (household id, position of the event).

The residue is taken by :func:`residue_of` from the up-to-date read model just before the event is recorded: the
household's rows of every fact table (:func:`fact_tables`), its person columns already NULL (:data:`BLANKED`), as
``{table: {"columns": [...], "rows": [[...], ...]}}`` with JSON text and numbers (amounts as text, dates ISO). A
``HouseholdDisposed`` without a residue (recorded before it existed) blanks the rows in place instead. A column the
schema no longer has is dropped; a column the residue does not know stays NULL; a fact table the residue does not
name (newer than it) keeps its rows, blanked.

Only the events projected since the last call are read (``disposal_state.checked``), so the cost does not grow
with the store.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from bistand_es.projections.errors import ReadModelError
from bistand_es.projections.recovery_schema import RECOVERY_DERIVED_TABLES
from bistand_es.projections.reimbursement_schema import REIMBURSEMENT_DERIVED_TABLES
from bistand_es.projections.schema import TABLES

if TYPE_CHECKING:
    from pathlib import Path

    import duckdb

    from bistand_es.projections.batches import Fault

EVENT_TYPE: Final = "HouseholdDisposed"

#: The columns blanked for a disposed household, per fact table (those the schema still has).
BLANKED: Final[dict[str, tuple[str, ...]]] = {
    "f_households_registered": ("birth_date",),
    "f_member_changes": ("birth_date", "reason"),
    "f_income_changes": ("source", "reason"),
    "f_external_support": ("source",),
    "f_decisions": ("reason",),
    "f_payments_issued": ("payee",),
    "f_payment_cancellations": ("reason",),
    "f_recovery_claims": ("reason",),
    "f_repayments_received": ("reference",),
    "f_repayments_waived": ("reason",),
    "f_recovery_court_filings": ("case_number",),
    "f_recovery_plans": ("note",),
    "f_agency_references": ("reference",),
    "f_reimbursable_costs_recorded": ("evidence", "note"),
    "f_reimbursement_filings": ("evidence",),
    "f_reimbursement_claim_lines": ("evidence",),
    "f_reimbursement_outcomes": ("reason",),
}

#: Tables with a ``household_id`` that are not facts: the audit log of events, and the derived tables that their
#: own refresh recomputes from the facts.
NOT_FACTS: Final = frozenset({"events", *RECOVERY_DERIVED_TABLES, *REIMBURSEMENT_DERIVED_TABLES})

#: What a residue reader is: (household id, the household's version it must be read at) -> the residue.
ResidueOf = Callable[[str, int], dict[str, Any]]

_TABLES: Final = (
    "CREATE TABLE IF NOT EXISTS f_disposals (household_id VARCHAR PRIMARY KEY, position BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS disposal_state (checked BIGINT NOT NULL)",
)

#: The persons of a household whose derived rows (jobbstimulans windows, återsökning opportunities) are recomputed
#: after its rows are replaced: those of the rows before (``[gallrad]`` after a rebuild) and after.
_MARK_PERSONS: Final = """WITH chosen AS (SELECT unnest(?::VARCHAR[]) AS household_id)
    INSERT INTO f_dirty_persons
    SELECT DISTINCT person FROM (
        SELECT unnest(members) AS person FROM f_decisions WHERE household_id IN (SELECT household_id FROM chosen)
        UNION ALL
        SELECT person FROM f_external_support WHERE household_id IN (SELECT household_id FROM chosen)
    ) WHERE person IS NOT NULL"""
_MARK_REIMBURSEMENT: Final = """WITH chosen AS (SELECT unnest(?::VARCHAR[]) AS household_id)
    INSERT INTO f_dirty_reimbursement
    SELECT DISTINCT person, NULL FROM (
        SELECT person FROM f_reimbursable_costs_recorded WHERE household_id IN (SELECT household_id FROM chosen)
        UNION ALL SELECT person FROM f_payment_tags WHERE household_id IN (SELECT household_id FROM chosen)
        UNION ALL
        SELECT unnest(persons) FROM f_reimbursement_filings WHERE household_id IN (SELECT household_id FROM chosen)
    ) WHERE person IS NOT NULL"""


def blanked_columns() -> dict[str, tuple[str, ...]]:
    """:data:`BLANKED`, limited to the tables and columns the schema has."""
    found: dict[str, tuple[str, ...]] = {}
    for table, columns in BLANKED.items():
        present = {name for name, _ in TABLES.get(table, ())}
        kept = tuple(c for c in columns if c in present)
        if kept and "household_id" in present:
            found[table] = kept
    return found


def fact_tables() -> tuple[str, ...]:
    """Every fact table with a ``household_id`` column (the tables a residue holds), in schema order."""
    return tuple(
        name
        for name, columns in TABLES.items()
        if name not in NOT_FACTS and not name.startswith("f_dirty_") and any(c == "household_id" for c, _ in columns)
    )


# ---------------------------------------------------------------------- taking the residue (gallring run)


def residue_of(con: duckdb.DuckDBPyConnection, household_id: str, version: int | None = None) -> dict[str, Any]:
    """The household's statistical residue: its rows of every fact table, person columns NULL, as JSON values.

    With ``version``, the read model must hold the household's events up to exactly that version (the one the
    disposal is recorded after); otherwise :class:`ReadModelError` (nothing is recorded).
    """
    if version is not None:
        found = con.execute("SELECT max(version) FROM events WHERE household_id = ?", [household_id]).fetchone()
        held = int(found[0]) if found is not None and found[0] is not None else 0
        if held != version:
            raise ReadModelError(
                f"the read model holds household {household_id} up to version {held}, not {version}: run "
                "`bistand projections update` and the gallring again (it finishes what this run recorded)"
            )
    blanked = blanked_columns()
    residue: dict[str, Any] = {}
    for table in fact_tables():
        columns = [column for column, _ in TABLES[table]]
        nulls = blanked.get(table, ())
        chosen = ", ".join("NULL" if column in nulls else f'"{column}"' for column in columns)
        rows = con.execute(
            f'SELECT {chosen} FROM "{table}" WHERE household_id = ? ORDER BY ALL', [household_id]
        ).fetchall()
        # an empty table is named too (its rows are replaced by none), without its columns
        residue[table] = {
            "columns": columns if rows else [],
            "rows": [[_plain(value) for value in row] for row in rows],
        }
    return residue


@contextmanager
def residue_reader(reports_path: Path) -> Iterator[ResidueOf]:
    """A :data:`ResidueOf` reading the read model at ``reports_path`` (read-only, open while the block runs)."""
    import duckdb

    from bistand_es.projections.store import ReadModelStore, wrap_error

    con: duckdb.DuckDBPyConnection | None = None

    def read(household_id: str, version: int) -> dict[str, Any]:
        nonlocal con
        try:
            if con is None:
                con = ReadModelStore(reports_path).connect_reader()
            return residue_of(con, household_id, version)
        except duckdb.Error as error:
            raise wrap_error(error) from None

    try:
        yield read
    finally:
        if con is not None:
            con.close()


def _plain(value: Any) -> Any:
    """A read-model value as JSON text or number: amounts as text (exact), dates and times ISO, lists as lists."""
    if value is None or type(value) in (bool, int, str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return str(value)


# ---------------------------------------------------------------------- projecting a disposal


def refresh(con: duckdb.DuckDBPyConnection, fault: Fault | None = None) -> int:
    """Replace (or blank) the rows of the households disposed of since the last call. Returns how many.

    All of them together, one statement per table (a rebuild meets every disposal of the store at once)."""
    for statement in _TABLES:
        con.execute(statement)
    state = con.execute("SELECT max(checked) FROM disposal_state").fetchone()
    checked = int(state[0]) if state is not None and state[0] is not None else 0
    top_row = con.execute("SELECT position FROM projector_state").fetchone()
    top = int(top_row[0]) if top_row is not None and top_row[0] is not None else 0
    if top <= checked:
        return 0
    found = con.execute(
        "SELECT household_id, position, payload FROM events WHERE position > ? AND event_type = ? ORDER BY position",
        [checked, EVENT_TYPE],
    ).fetchall()
    residues = {str(hid): residue for hid, _, payload in found if (residue := residue_in(payload))}
    households = [str(hid) for hid, _, _ in found]
    con.begin()
    try:
        if residues:
            restore(con, residues)
        blank(con, households)
        for household_id, position, _ in found:
            con.execute("INSERT OR IGNORE INTO f_disposals VALUES (?, ?)", [household_id, position])
        con.execute("DELETE FROM disposal_state")
        con.execute("INSERT INTO disposal_state VALUES (?)", [top])
        if fault is not None:
            fault("disposal_after_update")
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return len(found)


def residue_in(payload: Any) -> dict[str, Any]:
    """The residue of a ``HouseholdDisposed`` event's stored payload (``{}`` for an event without one)."""
    try:
        state = json.loads(payload) if isinstance(payload, str | bytes) else payload
    except ValueError:
        return {}
    residue = state.get("residue") if isinstance(state, dict) else None
    return residue if isinstance(residue, dict) else {}


def restore(con: duckdb.DuckDBPyConnection, residues: dict[str, dict[str, Any]]) -> None:
    """Replace the rows of each household (id -> its residue) in every fact table its residue names by the
    residue's rows, column by column name (inside the caller's transaction); the persons of the rows before and
    after are marked for the derived tables (jobbstimulans windows, återsökning opportunities)."""
    from bistand_es.projections.batches import arrow_table, insert_arrow

    households = sorted(residues)
    _mark(con, households)
    for table in fact_tables():
        named = [hid for hid in households if isinstance(residues[hid].get(table), dict)]
        if not named:
            continue  # a table newer than every residue: its rows stay (blanked)
        con.execute(f'DELETE FROM "{table}" WHERE household_id IN (SELECT unnest(?::VARCHAR[]))', [named])
        rows = [row for hid in named for row in _rows_for(table, hid, residues[hid][table])]
        if not rows:
            continue
        try:
            batch = arrow_table(table, rows)
        except (ValueError, TypeError, ArithmeticError) as error:  # pyarrow's errors derive from these
            raise ReadModelError(f"a gallring residue does not fit the read model's {table}: {error}") from None
        insert_arrow(con, table, batch)
    _mark(con, households)


def _rows_for(table: str, household_id: str, part: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The residue's rows of ``table`` in the schema's column order: a column the schema no longer has is
    dropped, one the residue does not know is NULL; ``household_id`` is the disposed household's."""
    names = [str(name) for name in part.get("columns") or ()]
    where = {name: index for index, name in enumerate(names)}
    picks = [where.get(column) for column, _ in TABLES[table]]
    out: list[tuple[Any, ...]] = []
    for row in part.get("rows") or ():
        if not isinstance(row, list) or len(row) != len(names):
            raise ReadModelError(f"the gallring residue of household {household_id} has a malformed row in {table}")
        out.append(
            tuple(
                household_id if column == "household_id" else (None if pick is None else row[pick])
                for (column, _), pick in zip(TABLES[table], picks, strict=True)
            )
        )
    return out


def _mark(con: duckdb.DuckDBPyConnection, households: list[str]) -> None:
    con.execute(_MARK_PERSONS, [households])
    con.execute(_MARK_REIMBURSEMENT, [households])


def blank(con: duckdb.DuckDBPyConnection, households: list[str]) -> None:
    """Set the person columns of the households to NULL in every fact table (inside the caller's transaction)."""
    if not households:
        return
    for table, columns in blanked_columns().items():
        assignments = ", ".join(f'"{column}" = NULL' for column in columns)
        con.execute(
            f'UPDATE "{table}" SET {assignments} WHERE household_id IN (SELECT unnest(?::VARCHAR[]))', [households]
        )
