"""Report queries over the read model (read-only connections; values bound, never formatted into SQL)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from bistand_es.projections.statistics import STATISTICS_SQL, statistics_parameters
from bistand_es.projections.store import wrap_error

if TYPE_CHECKING:
    import duckdb


@dataclass(frozen=True)
class Result:
    columns: list[str]
    rows: list[dict[str, Any]]


def run_query(con: duckdb.DuckDBPyConnection, sql: str, parameters: Mapping[str, Any] | None = None) -> Result:
    """Run one statement; duckdb errors become one-line :class:`ReadModelError` s."""
    import duckdb

    try:
        cursor = con.execute(sql, dict(parameters) if parameters else None)
        if cursor.description is None:
            return Result([], [])
        columns = [column[0] for column in cursor.description]
        rows = [dict(zip(columns, values, strict=True)) for values in cursor.fetchall()]
    except duckdb.Error as error:
        raise wrap_error(error) from None
    return Result(columns, rows)


MONTHLY_SQL: Final = """
SELECT * FROM v_monthly_totals
WHERE $month IS NULL OR month = $month
ORDER BY municipality, month
"""

JOBBSTIMULANS_SQL: Final = """
WITH active AS (
    SELECT 'active' AS status, person, window_no, window_start, window_end, months_used, months_left
    FROM jobbstimulans_active($month)
), next AS (
    SELECT 'qualifies next month' AS status, person, window_no, window_start, window_end,
        0 AS months_used, months_between(window_start, window_end) + 1 AS months_left
    FROM v_jobbstimulans_qualifying_next WHERE month = $month
), households_now AS (
    SELECT person, string_agg(DISTINCT household_id, ',' ORDER BY household_id) AS households
    FROM members WHERE valid_to IS NULL GROUP BY person
)
SELECT $month AS month, r.status, r.person, h.households, r.window_no, r.window_start, r.window_end,
    r.months_used, r.months_left, coalesce(w.employment_income_disregarded, 0) AS employment_income_disregarded
FROM (SELECT * FROM active UNION ALL SELECT * FROM next) r
LEFT JOIN households_now h USING (person)
LEFT JOIN jobbstimulans_windows w USING (person, window_no)
ORDER BY r.status, r.person
"""

PAYMENTS_SQL: Final = """
SELECT municipality, month, paid_for_month, paid_in_month
FROM v_payments_concerned_vs_paid
WHERE $month IS NULL OR month = $month
ORDER BY municipality, month
"""

REPORTS: Final = ("monthly", "jobbstimulans", "payments", "statistics")

#: Report columns that hold a person's pseudonym (``bistand report --resolve`` shows the identity number).
PERSON_COLUMNS: Final = frozenset({"person", "person_id"})


def report(con: duckdb.DuckDBPyConnection, name: str, month: str | None) -> Result:
    """Run a named report; ``month`` ('YYYY-MM') is required by jobbstimulans and statistics."""
    if name == "monthly":
        return run_query(con, MONTHLY_SQL, {"month": month})
    if name == "payments":
        return run_query(con, PAYMENTS_SQL, {"month": month})
    if month is None:
        raise ValueError(f"report {name} needs a month")
    if name == "jobbstimulans":
        return run_query(con, JOBBSTIMULANS_SQL, {"month": month})
    if name == "statistics":
        return run_query(con, STATISTICS_SQL, statistics_parameters(month))
    raise KeyError(name)
