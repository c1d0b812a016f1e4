"""Each återkrav claim's balance per month, computed with the domain's rules (the read side owns none).

For every month in which a claim changed — the month it was decided and each month with a repayment or a waiver,
by the date the event states — a row of ``f_recovery_balances`` gives the amount claimed, what was received and
waived up to the end of that month, and what was outstanding then and the claim's status, from
:func:`~bistand_es.domain.household.recovery.outstanding` and
:func:`~bistand_es.domain.household.recovery.claim_status`. The latest row of a claim is its balance now
(``recovery_ledger``); the rows before it give the balance at any month's end (``v_recovery_monthly``).

The projector marks the claims a batch changes in ``f_dirty_claims`` (committed with the batch) and recomputes
their rows at the end of the run, in one transaction: deleting and inserting the derived rows of those claims
only, so a rebuild from zero and an incremental catch-up give the same rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from bistand_es.domain.household.recovery import ZERO, claim_status, outstanding
from bistand_es.domain.month import Month
from bistand_es.projections.batches import Fault, arrow_table, insert_arrow

if TYPE_CHECKING:
    import duckdb

#: A claim as the balances need it: claim id, household id, amount, decision date.
Claim = tuple[str, str, Decimal, date]
#: A repayment or waiver: claim id, its date, amount, and "received" or "waived".
Movement = tuple[str, date, Decimal, str]


def balance_rows(claims: Iterable[Claim], movements: Iterable[Movement]) -> list[tuple[Any, ...]]:
    """The ``f_recovery_balances`` rows of the claims: one per claim and month in which it changed."""
    by_claim: dict[str, list[Movement]] = {}
    for movement in movements:
        by_claim.setdefault(movement[0], []).append(movement)
    rows: list[tuple[Any, ...]] = []
    for claim_id, household_id, amount, decided_on in sorted(claims):
        changes: dict[Month, tuple[Decimal, Decimal]] = {Month.of(decided_on): (ZERO, ZERO)}
        for _, on, moved, kind in by_claim.get(claim_id, ()):
            month = max(Month.of(on), Month.of(decided_on))
            received, waived = changes.get(month, (ZERO, ZERO))
            changes[month] = (received + moved, waived) if kind == "received" else (received, waived + moved)
        received_to_date = waived_to_date = ZERO
        for month in sorted(changes):
            received_to_date += changes[month][0]
            waived_to_date += changes[month][1]
            owed = outstanding(amount, received_to_date, waived_to_date)
            rows.append(
                (
                    household_id, claim_id, str(month), str(amount), str(received_to_date), str(waived_to_date),
                    str(owed), claim_status(owed),
                ),
            )  # fmt: skip
    return rows


_CLAIMS = """SELECT claim_id, household_id, amount, decided_on FROM f_recovery_claims
    WHERE claim_id IN (SELECT claim_id FROM f_dirty_claims)"""
_MOVEMENTS = """SELECT claim_id, received_on, amount, 'received' FROM f_repayments_received
    WHERE claim_id IN (SELECT claim_id FROM f_dirty_claims)
    UNION ALL
    SELECT claim_id, waived_on, amount, 'waived' FROM f_repayments_waived
    WHERE claim_id IN (SELECT claim_id FROM f_dirty_claims)"""


def refresh(con: duckdb.DuckDBPyConnection, fault: Fault | None = None) -> None:
    """Recompute the balances of the claims marked dirty, in one transaction (nothing to do: no transaction)."""
    marked = con.execute("SELECT count(*) FROM f_dirty_claims").fetchone()
    if marked is None or marked[0] == 0:
        return
    con.begin()
    try:
        claims: Sequence[Claim] = con.execute(_CLAIMS).fetchall()
        movements: Sequence[Movement] = con.execute(_MOVEMENTS).fetchall()
        rows = balance_rows(claims, movements)
        con.execute("DELETE FROM f_recovery_balances WHERE claim_id IN (SELECT claim_id FROM f_dirty_claims)")
        if rows:
            insert_arrow(con, "f_recovery_balances", arrow_table("f_recovery_balances", rows))
        con.execute("DELETE FROM f_dirty_claims")
        if fault is not None:
            fault("recovery_after_insert")
        con.commit()
    except BaseException:
        con.rollback()
        raise
