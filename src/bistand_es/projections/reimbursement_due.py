"""The återsökning engine's opportunities in the read model (the read side owns no återsökning rule).

At the end of each run the projector takes the persons the pages marked (``f_dirty_reimbursement``: persons, and
payments whose tag changed or that were cancelled, whose tagged persons are looked up), rebuilds each household's
part from the projected facts (statuses, reception, members' birth dates, the costs in force of
``reimbursable_costs`` and the filed claims), builds the engine's case with the write side's own
:func:`~bistand_es.domain.household.reimbursement_ledger.build_ledger` limited to those persons, runs
:func:`~bistand_es.domain.reimbursement.check` and replaces those persons' rows of
``f_reimbursement_opportunities``: one per cost line of an opportunity (eligible, not in a filed claim), with the
engine's compensable amount, last day to file (``deadline``; null when NOT FOUND) and, for 22 §, ``first_claim_by``.

The engine's answer for a person depends on that person's facts, costs and claims only, so recomputing the marked
persons gives the same rows as a rebuild from zero. The ``as_of`` given to the engine is the last possible day, so
every filed claim counts; days left and open / lost depend on the day asked and are computed by the views
(:mod:`bistand_es.projections.reimbursement_schema`). When the compensation-type parameters change (an override in
``BISTAND_HOME/parameters``), their fingerprint (``reimbursement_rules``) differs and every person is recomputed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from bistand_es.domain.household.migration import FiledReimbursement, PersonFacts, StatusRecord, TaggedCost
from bistand_es.domain.household.reimbursement_ledger import HouseholdPart, build_ledger
from bistand_es.domain.money import Money
from bistand_es.domain.month import Month
from bistand_es.domain.reimbursement import Period, check
from bistand_es.domain.reimbursement.case import MigrationStatus, Reception
from bistand_es.domain.reimbursement.errors import InvalidCase
from bistand_es.domain.reimbursement.types import PREFIX
from bistand_es.domain.rules.rule_set import RuleSet, canonical_entry
from bistand_es.projections.batches import Fault, arrow_table, insert_arrow
from bistand_es.projections.errors import ReadModelError

if TYPE_CHECKING:
    import duckdb

#: The engine's "as of" day for the read model: every filed claim counts (days left are the views' business).
_ALWAYS: date = date.max


def fingerprint(rule_set: RuleSet) -> str:
    """A short text that changes when any compensation-type parameter (``reimbursement.*``) changes."""
    digest = hashlib.sha256()
    for param_id in sorted(rule_set.ids_with_prefix(PREFIX)):
        entries = [canonical_entry(entry) for entry in rule_set.parameter(param_id).entries]
        digest.update(json.dumps([param_id, entries], sort_keys=True, ensure_ascii=False, default=str).encode())
    return digest.hexdigest()[:16]


def _money(value: Any) -> Money:
    return Money(Decimal(str(value)))


class _Facts:
    """The projected facts of some persons, per household."""

    def __init__(self, con: duckdb.DuckDBPyConnection, persons: list[str]) -> None:
        self.con = con
        self.persons = persons

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, [self.persons]).fetchall()

    def person_facts(self) -> dict[str, dict[str, PersonFacts]]:
        """Per household, each person's facts as the household records them (the latest event per date / kind)."""
        statuses: dict[tuple[str, str], dict[date, StatusRecord]] = {}
        for hid, person, status, permit, valid_from in self.rows(
            "SELECT household_id, person, status, permit_type, valid_from FROM f_migration_statuses "
            "WHERE person IN (SELECT unnest(?::VARCHAR[])) ORDER BY position"
        ):
            statuses.setdefault((hid, person), {})[valid_from] = StatusRecord(
                MigrationStatus(status), valid_from, permit
            )
        receptions = {
            (hid, person): (on, Reception(kind))
            for hid, person, on, kind in self.rows(
                "SELECT household_id, person, received_on, reception FROM f_receptions "
                "WHERE person IN (SELECT unnest(?::VARCHAR[])) ORDER BY position"
            )
        }
        found: dict[str, dict[str, PersonFacts]] = {}
        for key in sorted(statuses.keys() | receptions.keys()):
            hid, person = key
            on, kind = receptions.get(key, (None, None))
            spans = statuses.get(key, {})
            found.setdefault(hid, {})[person] = PersonFacts(
                person=person,
                statuses=tuple(spans[d] for d in sorted(spans)),
                received_on=on,
                reception=kind,
            )
        return found

    def births(self) -> dict[str, list[tuple[str, date]]]:
        found: dict[str, list[tuple[str, date]]] = {}
        for hid, person, born in self.rows(
            "SELECT household_id, person, birth_date FROM f_member_changes "
            "WHERE change = 'added' AND person IN (SELECT unnest(?::VARCHAR[])) ORDER BY position"
        ):
            found.setdefault(hid, []).append((person, born))
        return found

    def costs(self) -> dict[str, list[TaggedCost]]:
        found: dict[str, list[TaggedCost]] = {}
        for hid, source, person, month, type_name, amount, fees, care, evidence in self.rows(
            "SELECT household_id, source, person, month, type, amount, fees, care_began_on, evidence "
            "FROM reimbursable_costs WHERE person IN (SELECT unnest(?::VARCHAR[])) ORDER BY position, person"
        ):
            found.setdefault(hid, []).append(
                TaggedCost(
                    source=source,
                    person=person,
                    month=Month.parse(month),
                    type=type_name,
                    amount=_money(amount),
                    fees=_money(fees),
                    care_began_on=care,
                    evidence=evidence or "",
                )
            )
        return found

    def claims(self) -> dict[str, list[FiledReimbursement]]:
        found: dict[str, list[FiledReimbursement]] = {}
        for hid, claim_id, type_name, period, persons, amount, claim_amount, households, filed_on in self.rows(
            "SELECT household_id, claim_id, type, period, persons, amount, claim_amount, households, filed_on "
            "FROM f_reimbursement_filings WHERE list_has_any(persons, ?::VARCHAR[]) ORDER BY position"
        ):
            found.setdefault(hid, []).append(
                FiledReimbursement(
                    claim_id=claim_id,
                    type=type_name,
                    period=Period.parse(period),
                    persons=tuple(persons),
                    lines=(),
                    amount=Decimal(amount),
                    claim_amount=Decimal(claim_amount),
                    households=tuple(households),
                    filed_on=filed_on,
                    filed_by="",
                    unit=None,
                    evidence="",
                )
            )
        return found


_HOUSEHOLD_ORDER = """SELECT household_id FROM (
        SELECT household_id, position FROM f_reimbursable_costs_recorded
        UNION ALL SELECT household_id, position FROM f_payment_tags
        UNION ALL SELECT household_id, position FROM f_reimbursement_filings
    ) GROUP BY household_id ORDER BY min(position)"""

_DIRTY_PERSONS = """SELECT person FROM f_dirty_reimbursement WHERE person IS NOT NULL
    UNION SELECT person FROM f_payment_tags
    WHERE payment_id IN (SELECT payment_id FROM f_dirty_reimbursement WHERE payment_id IS NOT NULL)
    ORDER BY person"""

_EVERY_PERSON = """INSERT INTO f_dirty_reimbursement
    SELECT DISTINCT person, NULL FROM (
        SELECT person FROM f_reimbursable_costs_recorded UNION ALL SELECT person FROM f_payment_tags
        UNION ALL SELECT unnest(persons) FROM f_reimbursement_filings
        UNION ALL SELECT person FROM f_reimbursement_opportunities
    )"""


def opportunity_rows(con: duckdb.DuckDBPyConnection, persons: list[str], rule_set: RuleSet) -> list[tuple[Any, ...]]:
    """The ``f_reimbursement_opportunities`` rows of ``persons``, from the engine."""
    facts = _Facts(con, persons)
    person_facts, births, costs, claims = facts.person_facts(), facts.births(), facts.costs(), facts.claims()
    parts = [
        HouseholdPart(
            household_id=hid,
            person_facts=person_facts.get(hid, {}),
            births=births.get(hid, []),
            costs=costs.get(hid, []),
            claims=claims.get(hid, []),
        )
        for (hid,) in con.execute(_HOUSEHOLD_ORDER).fetchall()
    ]
    ledger = build_ledger(parts, as_of=_ALWAYS, persons=set(persons))
    try:
        result = check(ledger.case, rule_set)
    except InvalidCase as error:
        raise ReadModelError(
            f"the återsökning engine cannot use the recorded facts (persons {', '.join(persons)}): {error}"
        ) from None
    rows: list[tuple[Any, ...]] = []
    for opportunity in result.opportunities:
        per_person = opportunity.persons[0] if opportunity.per_person else None
        deadline = opportunity.deadline.isoformat() if opportunity.deadline else None
        first_by = opportunity.first_claim_by.isoformat() if opportunity.first_claim_by else None
        for line, source in zip(opportunity.lines, ledger.match(opportunity), strict=True):
            rows.append(
                (
                    opportunity.type, str(opportunity.period), opportunity.period.last_day.isoformat(), per_person,
                    line.person, str(line.month), source.household_id, source.cost.source,
                    str(line.cost.amount), str(line.fees.amount), str(line.amount.amount), deadline, first_by,
                    opportunity.confidence.value, opportunity.reference,
                ),
            )  # fmt: skip
    return rows


def refresh(con: duckdb.DuckDBPyConnection, rule_set: RuleSet, fault: Fault | None = None) -> None:
    """Recompute the opportunities of the marked persons (everyone's when the compensation types changed), in one
    transaction; nothing to do: no transaction."""
    wanted = fingerprint(rule_set)
    stored: Sequence[tuple[Any, ...]] = con.execute("SELECT fingerprint FROM reimbursement_rules").fetchall()
    changed = [row[0] for row in stored] != [wanted]
    marked = con.execute("SELECT count(*) FROM f_dirty_reimbursement").fetchone()
    if not changed and (marked is None or marked[0] == 0):
        return
    con.begin()
    try:
        if changed:
            con.execute("DELETE FROM reimbursement_rules")
            con.execute("INSERT INTO reimbursement_rules VALUES (?)", [wanted])
            con.execute(_EVERY_PERSON)
        persons = [row[0] for row in con.execute(_DIRTY_PERSONS).fetchall()]
        rows = opportunity_rows(con, persons, rule_set) if persons else []
        con.execute(
            "DELETE FROM f_reimbursement_opportunities WHERE person IN (SELECT unnest(?::VARCHAR[]))", [persons]
        )
        if rows:
            insert_arrow(con, "f_reimbursement_opportunities", arrow_table("f_reimbursement_opportunities", rows))
        con.execute("DELETE FROM f_dirty_reimbursement")
        if fault is not None:
            fault("reimbursement_after_insert")
        con.commit()
    except BaseException:
        con.rollback()
        raise
