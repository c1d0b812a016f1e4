"""The återsökning (reimbursement from Migrationsverket) part of the read model: facts, derived rows and views.

docs/reporting.md documents every column. The ``f_*`` fact tables are append-only, one row per event (per line
for a payment's tag and a claim); the views pick what is in force. The read side owns no återsökning rule:

- which costs are eligible and unclaimed, their compensable amounts (the whole cost, 75 % of cost minus fees …)
  and their last day to file come from the återsökning engine (:func:`bistand_es.domain.reimbursement.check`),
  run by the projector on the case the write side's scan builds too
  (:func:`bistand_es.domain.household.reimbursement_ledger.build_ledger`) for every person an event changed
  (``f_reimbursement_opportunities``, :mod:`bistand_es.projections.reimbursement_due`);
- the days left depend on the day asked, so they are not stored: the macro ``reimbursement_opportunities_on(day)``
  gives each opportunity's days left on ``day`` (the engine's last day − ``day``) and its status (``lost`` once
  the days left are negative, as the engine counts it), and the views ``v_reimbursement_open``,
  ``v_reimbursement_lost`` and ``v_reimbursement_by_quarter`` ask it for ``current_date``.
"""

from __future__ import annotations

from typing import Final

from bistand_es.projections.column_types import MONEY

_AUDIT: Final = (("actor_user", "VARCHAR"), ("recorded_at", "TIMESTAMP"))

#: Fact tables the row handlers append to.
REIMBURSEMENT_TABLES: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "f_migration_statuses": (
        ("position", "BIGINT"),
        ("household_id", "VARCHAR"),
        ("person", "VARCHAR"),
        ("status", "VARCHAR"),
        ("permit_type", "VARCHAR"),
        ("valid_from", "DATE"),
        *_AUDIT,
    ),
    "f_receptions": (
        ("position", "BIGINT"),
        ("household_id", "VARCHAR"),
        ("person", "VARCHAR"),
        ("received_on", "DATE"),
        ("reception", "VARCHAR"),
        *_AUDIT,
    ),
    "f_unaccompanied_minors": (
        ("position", "BIGINT"),
        ("household_id", "VARCHAR"),
        ("person", "VARCHAR"),
        ("unaccompanied", "BOOLEAN"),
        ("valid_from", "DATE"),
        *_AUDIT,
    ),
    "f_agency_references": (
        ("position", "BIGINT"),
        ("household_id", "VARCHAR"),
        ("person", "VARCHAR"),
        ("kind", "VARCHAR"),
        ("reference", "VARCHAR"),
        *_AUDIT,
    ),
    "f_reimbursable_costs_recorded": (
        ("position", "BIGINT"),
        ("household_id", "VARCHAR"),
        ("cost_id", "VARCHAR"),
        ("person", "VARCHAR"),
        ("month", "VARCHAR"),
        ("type", "VARCHAR"),
        ("amount", MONEY),
        ("fees", MONEY),
        ("care_began_on", "DATE"),
        ("evidence", "VARCHAR"),
        ("note", "VARCHAR"),
        *_AUDIT,
    ),
    "f_payment_tags": (
        ("position", "BIGINT"),
        ("household_id", "VARCHAR"),
        ("payment_id", "VARCHAR"),
        ("month", "VARCHAR"),
        ("type", "VARCHAR"),
        ("person", "VARCHAR"),
        ("amount", MONEY),
        ("automatic", "BOOLEAN"),
        *_AUDIT,
    ),
    "f_reimbursement_filings": (
        ("position", "BIGINT"),
        ("household_id", "VARCHAR"),
        ("claim_id", "VARCHAR"),
        ("type", "VARCHAR"),
        ("period", "VARCHAR"),
        ("persons", "VARCHAR[]"),
        ("amount", MONEY),
        ("claim_amount", MONEY),
        ("households", "VARCHAR[]"),
        ("filed_on", "DATE"),
        ("filed_by", "VARCHAR"),
        ("unit", "VARCHAR"),
        ("evidence", "VARCHAR"),
        *_AUDIT,
    ),
    "f_reimbursement_claim_lines": (
        ("position", "BIGINT"),
        ("household_id", "VARCHAR"),
        ("claim_id", "VARCHAR"),
        ("source", "VARCHAR"),
        ("person", "VARCHAR"),
        ("month", "VARCHAR"),
        ("cost", MONEY),
        ("fees", MONEY),
        ("amount", MONEY),
        ("evidence", "VARCHAR"),
    ),
    "f_reimbursement_outcomes": (
        ("position", "BIGINT"),
        ("household_id", "VARCHAR"),
        ("claim_id", "VARCHAR"),
        ("outcome", "VARCHAR"),
        ("claimed", MONEY),
        ("granted", MONEY),
        ("difference", MONEY),
        ("reason", "VARCHAR"),
        ("decided_on", "DATE"),
        *_AUDIT,
    ),
}

#: Written by the projector at the end of a run (:mod:`bistand_es.projections.reimbursement_due`): the engine's
#: opportunities of the persons marked in ``f_dirty_reimbursement`` (committed with the events that changed them),
#: and the fingerprint of the compensation-type parameters they were computed with.
REIMBURSEMENT_DERIVED_TABLES: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "f_reimbursement_opportunities": (
        ("type", "VARCHAR"),
        ("period", "VARCHAR"),
        ("period_ends", "DATE"),
        ("opportunity_person", "VARCHAR"),
        ("person", "VARCHAR"),
        ("month", "VARCHAR"),
        ("household_id", "VARCHAR"),
        ("source", "VARCHAR"),
        ("cost", MONEY),
        ("fees", MONEY),
        ("amount", MONEY),
        ("deadline", "DATE"),
        ("first_claim_by", "DATE"),
        ("confidence", "VARCHAR"),
        ("reference", "VARCHAR"),
    ),
    "reimbursement_rules": (("fingerprint", "VARCHAR"),),
    "f_dirty_reimbursement": (("person", "VARCHAR"), ("payment_id", "VARCHAR")),
}

REIMBURSEMENT_VIEWS: Final = (
    # Each status in force per household and person: a later event for the same date replaces the earlier one.
    """CREATE OR REPLACE VIEW person_migration_status AS
    WITH statuses AS (
        SELECT * FROM f_migration_statuses
        QUALIFY row_number() OVER (PARTITION BY household_id, person, valid_from ORDER BY position DESC) = 1
    ), receptions AS (
        SELECT * FROM f_receptions
        QUALIFY row_number() OVER (PARTITION BY household_id, person ORDER BY position DESC) = 1
    ), refs AS (
        SELECT household_id, person,
            arg_max(reference, position) FILTER (WHERE kind = 'dossiernummer') AS dossiernummer,
            arg_max(reference, position) FILTER (WHERE kind = 'lma_number') AS lma_number
        FROM f_agency_references GROUP BY ALL
    ), minors AS (
        SELECT household_id, person, arg_max(unaccompanied, position) AS unaccompanied_minor,
            arg_max(valid_from, position) AS unaccompanied_from
        FROM f_unaccompanied_minors GROUP BY ALL
    )
    SELECT s.household_id, h.municipality, s.person, s.status, s.permit_type, s.valid_from,
        lead(s.valid_from) OVER (PARTITION BY s.household_id, s.person ORDER BY s.valid_from) - 1 AS valid_to,
        r.received_on, r.reception, x.dossiernummer, x.lma_number,
        coalesce(m.unaccompanied_minor, false) AS unaccompanied_minor, m.unaccompanied_from,
        s.actor_user, s.recorded_at, s.position
    FROM statuses s
    JOIN f_households_registered h USING (household_id)
    LEFT JOIN receptions r USING (household_id, person)
    LEFT JOIN refs x USING (household_id, person)
    LEFT JOIN minors m USING (household_id, person)""",
    # Recorded costs, and each payment's tag in force (the latest) while the payment is not cancelled.
    """CREATE OR REPLACE VIEW reimbursable_costs AS
    WITH tags AS (
        SELECT t.* FROM f_payment_tags t
        WHERE t.position = (SELECT max(position) FROM f_payment_tags u WHERE u.payment_id = t.payment_id)
    ), costs AS (
        SELECT household_id, 'cost:' || cost_id AS source, cost_id, NULL AS payment_id, person, month, type,
            amount, fees, care_began_on, evidence, NULL::BOOLEAN AS automatic, actor_user, recorded_at, position
        FROM f_reimbursable_costs_recorded
        UNION ALL
        SELECT t.household_id, 'payment:' || t.payment_id, NULL, t.payment_id, t.person, p.month, t.type,
            t.amount, 0, NULL, 'utbetalning ' || t.payment_id || ' (' || strftime(p.paid_on, '%Y-%m-%d') || ')',
            t.automatic, t.actor_user, t.recorded_at, t.position
        FROM tags t
        JOIN f_payments_issued p USING (payment_id)
        WHERE t.payment_id NOT IN (SELECT payment_id FROM f_payment_cancellations)
    ), claimed AS (
        SELECT source, person, any_value(claim_id) AS claim_id FROM f_reimbursement_claim_lines GROUP BY ALL
    )
    SELECT c.household_id, h.municipality, c.source, c.cost_id, c.payment_id, c.person, c.month, c.type,
        c.amount::DECIMAL(18,2) AS amount, c.fees::DECIMAL(18,2) AS fees, c.care_began_on, c.evidence,
        c.automatic, k.claim_id, c.actor_user, c.recorded_at, c.position
    FROM costs c
    JOIN f_households_registered h USING (household_id)
    LEFT JOIN claimed k USING (source, person)""",
    # The whole claim's outcome is recorded on each household it covers: one row per claim.
    """CREATE OR REPLACE VIEW reimbursement_outcomes AS
    SELECT o.claim_id, f.type, f.period, o.outcome, o.claimed, o.granted, o.difference, o.reason, o.decided_on,
        o.actor_user, o.recorded_at, o.position
    FROM f_reimbursement_outcomes o
    JOIN (
        SELECT claim_id, arg_min(type, position) AS type, arg_min(period, position) AS period
        FROM f_reimbursement_filings GROUP BY claim_id
    ) f USING (claim_id)
    QUALIFY row_number() OVER (PARTITION BY o.claim_id ORDER BY o.position) = 1""",
    # One row per claim: its households' parts together, and its outcome once recorded.
    """CREATE OR REPLACE VIEW reimbursement_claims AS
    WITH parts AS (
        SELECT claim_id,
            arg_min(type, position) AS type, arg_min(period, position) AS period,
            list_sort(list_distinct(flatten(list(persons)))) AS persons,
            list_sort(list(household_id)) AS households,
            arg_min(claim_amount, position) AS claim_amount,
            arg_min(filed_on, position) AS filed_on, arg_min(filed_by, position) AS filed_by,
            arg_min(unit, position) AS unit, arg_min(evidence, position) AS evidence,
            min(recorded_at) AS filed_at, min(position) AS position
        FROM f_reimbursement_filings GROUP BY claim_id
    ), lines AS (
        SELECT claim_id, count(*) AS lines FROM f_reimbursement_claim_lines GROUP BY claim_id
    )
    SELECT p.claim_id, p.type, p.period, p.persons, p.households, l.lines, p.claim_amount, p.filed_on,
        p.filed_by, p.unit, p.evidence, o.outcome, o.granted, o.difference, o.reason, o.decided_on,
        p.filed_at, p.position
    FROM parts p
    LEFT JOIN lines l USING (claim_id)
    LEFT JOIN reimbursement_outcomes o USING (claim_id)""",
    # Each opportunity (type, period, and person when the deadline is per person) on a day: the engine's last day
    # to file, the days left on that day and whether it is lost (days left below 0, as the engine counts it).
    """CREATE OR REPLACE MACRO reimbursement_opportunities_on(day) AS TABLE
    WITH grouped AS (
        SELECT type, period, any_value(period_ends) AS period_ends, opportunity_person,
            list_sort(list_distinct(list(person))) AS persons,
            list_sort(list_distinct(list(household_id))) AS households,
            min(month) AS first_month, max(month) AS last_month, count(*) AS lines,
            sum(amount) AS amount, any_value(deadline) AS deadline, any_value(first_claim_by) AS first_claim_by,
            any_value(confidence) AS confidence, any_value(reference) AS reference
        FROM f_reimbursement_opportunities
        GROUP BY type, period, opportunity_person
    )
    SELECT type, period, period_ends, opportunity_person, persons, households, first_month, last_month, lines,
        amount, deadline, deadline - CAST(day AS DATE) AS days_left,
        CASE WHEN deadline - CAST(day AS DATE) < 0 THEN 'lost' ELSE 'open' END AS status,
        first_claim_by, confidence, reference
    FROM grouped""",
    """CREATE OR REPLACE VIEW v_reimbursement_open AS
    SELECT * EXCLUDE (status) FROM reimbursement_opportunities_on(current_date) WHERE status = 'open'""",
    """CREATE OR REPLACE VIEW v_reimbursement_lost AS
    SELECT * EXCLUDE (status) FROM reimbursement_opportunities_on(current_date) WHERE status = 'lost'""",
    # Per period (the quarter, or the year for a type claimed per calendar year) and type, on a day.
    """CREATE OR REPLACE MACRO reimbursement_by_quarter_on(day) AS TABLE
    WITH claims AS (
        SELECT period, type, count(*) AS claims, sum(claim_amount) AS claimed,
            sum(granted) AS granted, sum(difference) AS refused,
            sum(claim_amount) FILTER (WHERE outcome IS NULL) AS awaiting_decision
        FROM reimbursement_claims GROUP BY ALL
    ), due AS (
        SELECT period, type,
            sum(amount) FILTER (WHERE status = 'open') AS open,
            sum(amount) FILTER (WHERE status = 'lost') AS lost
        FROM reimbursement_opportunities_on(day) GROUP BY ALL
    )
    SELECT period, type,
        coalesce(c.claims, 0) AS claims,
        coalesce(c.claimed, 0)::DECIMAL(18,2) AS claimed,
        coalesce(c.granted, 0)::DECIMAL(18,2) AS granted,
        coalesce(c.refused, 0)::DECIMAL(18,2) AS refused,
        coalesce(c.awaiting_decision, 0)::DECIMAL(18,2) AS awaiting_decision,
        coalesce(d.open, 0)::DECIMAL(18,2) AS open,
        coalesce(d.lost, 0)::DECIMAL(18,2) AS lost
    FROM claims c FULL OUTER JOIN due d USING (period, type)""",
    """CREATE OR REPLACE VIEW v_reimbursement_by_quarter AS
    SELECT * FROM reimbursement_by_quarter_on(current_date)""",
)

#: The view names, in the order created (docs/reporting.md documents each).
REIMBURSEMENT_VIEW_NAMES: Final = (
    "person_migration_status",
    "reimbursable_costs",
    "reimbursement_outcomes",
    "reimbursement_claims",
    "v_reimbursement_open",
    "v_reimbursement_lost",
    "v_reimbursement_by_quarter",
)
REIMBURSEMENT_MACROS: Final = ("reimbursement_opportunities_on", "reimbursement_by_quarter_on")
