"""The återkrav (recovery) part of the read model: fact tables, the derived balances and the views.

docs/reporting.md documents every column. As everywhere in the read model the ``f_*`` tables are append-only, one
row per event (per covered payment for a claim), and the views pick what is in force. The read side owns no
recovery rule:

- a payment's court deadline (9 kap. 3 § SoL) is the one the claim event stored; a claim's earliest deadline is
  the domain's (:attr:`~bistand_es.domain.household.recovery.RecoveryClaim.court_deadline`), taken when the
  event is projected (:mod:`bistand_es.projections.recovery_rows`);
- what is outstanding and a claim's status come from the domain's
  :func:`~bistand_es.domain.household.recovery.outstanding` and
  :func:`~bistand_es.domain.household.recovery.claim_status`, called by the projector for every month in which a
  claim changed (``f_recovery_balances``, :mod:`bistand_es.projections.recovery_balances`). The SQL here only
  sums, counts and picks rows; it never subtracts what was received or waived from a claim.
"""

from __future__ import annotations

from typing import Final

from bistand_es.projections.column_types import MONEY

_AUDIT: Final = (("actor_user", "VARCHAR"), ("recorded_at", "TIMESTAMP"))

#: Fact tables the row handlers append to (one row per event; per covered payment for a claim).
RECOVERY_TABLES: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "f_recovery_claims": (
        ("position", "BIGINT"),
        ("household_id", "VARCHAR"),
        ("claim_id", "VARCHAR"),
        ("ground", "VARCHAR"),
        ("law", "VARCHAR"),
        ("required_condition", "VARCHAR"),
        ("amount", MONEY),
        ("decided_on", "DATE"),
        ("delegat", "VARCHAR"),
        ("reason", "VARCHAR"),
        ("court_deadline", "DATE"),
        *_AUDIT,
    ),
    "f_recovery_claim_payments": (
        ("position", "BIGINT"),
        ("household_id", "VARCHAR"),
        ("claim_id", "VARCHAR"),
        ("payment_id", "VARCHAR"),
        ("decision_id", "VARCHAR"),
        ("month", "VARCHAR"),
        ("paid_on", "DATE"),
        ("payment_amount", MONEY),
        ("claimed", MONEY),
        ("court_deadline", "DATE"),
        ("conditions", "VARCHAR[]"),
    ),
    "f_repayments_received": (
        ("position", "BIGINT"),
        ("household_id", "VARCHAR"),
        ("claim_id", "VARCHAR"),
        ("amount", MONEY),
        ("received_on", "DATE"),
        ("source", "VARCHAR"),
        ("reference", "VARCHAR"),
        *_AUDIT,
    ),
    "f_repayments_waived": (
        ("position", "BIGINT"),
        ("household_id", "VARCHAR"),
        ("claim_id", "VARCHAR"),
        ("amount", MONEY),
        ("waived_on", "DATE"),
        ("delegat", "VARCHAR"),
        ("reason", "VARCHAR"),
        *_AUDIT,
    ),
    "f_recovery_court_filings": (
        ("position", "BIGINT"),
        ("household_id", "VARCHAR"),
        ("claim_id", "VARCHAR"),
        ("filed_on", "DATE"),
        ("court", "VARCHAR"),
        ("case_number", "VARCHAR"),
        ("delegat", "VARCHAR"),
        *_AUDIT,
    ),
    "f_recovery_plans": (
        ("position", "BIGINT"),
        ("household_id", "VARCHAR"),
        ("claim_id", "VARCHAR"),
        ("agreed_on", "DATE"),
        ("instalments", "JSON"),
        ("note", "VARCHAR"),
        *_AUDIT,
    ),
    "f_advance_requests": (
        ("position", "BIGINT"),
        ("household_id", "VARCHAR"),
        ("request_id", "VARCHAR"),
        ("agency", "VARCHAR"),
        ("member", "VARCHAR"),
        ("benefit", "VARCHAR"),
        ("months", "VARCHAR[]"),
        ("amount_per_month", MONEY),
        ("requested_on", "DATE"),
        ("decisions", "VARCHAR[]"),
        *_AUDIT,
    ),
    "f_advance_refunds": (
        ("position", "BIGINT"),
        ("household_id", "VARCHAR"),
        ("request_id", "VARCHAR"),
        ("amount", MONEY),
        ("refunded_on", "DATE"),
        *_AUDIT,
    ),
}

#: Written by the projector at the end of a run: each changed claim's balance per month (from the domain's
#: rules), and the claims marked for that (committed with the events that changed them).
RECOVERY_DERIVED_TABLES: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "f_recovery_balances": (
        ("household_id", "VARCHAR"),
        ("claim_id", "VARCHAR"),
        ("month", "VARCHAR"),
        ("claimed", MONEY),
        ("received", MONEY),
        ("waived", MONEY),
        ("outstanding", MONEY),
        ("status", "VARCHAR"),
    ),
    "f_dirty_claims": (("claim_id", "VARCHAR"),),
}

RECOVERY_VIEWS: Final = (
    # One row per claim: its balance now (the latest month's row of f_recovery_balances).
    """CREATE OR REPLACE VIEW recovery_ledger AS
    WITH now AS (
        SELECT * FROM f_recovery_balances
        QUALIFY row_number() OVER (PARTITION BY claim_id ORDER BY month DESC) = 1
    ), receipts AS (
        SELECT claim_id,
            sum(amount) FILTER (WHERE source = 'person') AS from_person,
            sum(amount) FILTER (WHERE source <> 'person') AS from_agency,
            max(received_on) AS last_received_on
        FROM f_repayments_received GROUP BY claim_id
    ), waivers AS (
        SELECT claim_id, max(waived_on) AS last_waived_on FROM f_repayments_waived GROUP BY claim_id
    ), filings AS (
        SELECT claim_id, arg_max(filed_on, position) AS filed_on FROM f_recovery_court_filings GROUP BY claim_id
    )
    SELECT c.household_id, r.municipality, c.claim_id, c.ground, c.decided_on, c.court_deadline,
        b.claimed, b.received,
        coalesce(x.from_person, 0)::DECIMAL(18,2) AS received_from_person,
        coalesce(x.from_agency, 0)::DECIMAL(18,2) AS received_from_agency,
        b.waived, b.outstanding, b.status,
        x.last_received_on, w.last_waived_on, f.filed_on AS court_filed_on
    FROM f_recovery_claims c
    JOIN f_households_registered r USING (household_id)
    LEFT JOIN now b USING (claim_id)
    LEFT JOIN receipts x USING (claim_id)
    LEFT JOIN waivers w USING (claim_id)
    LEFT JOIN filings f USING (claim_id)""",
    """CREATE OR REPLACE VIEW recovery_claims AS
    WITH covered AS (
        SELECT claim_id, count(*) AS payments_covered FROM f_recovery_claim_payments GROUP BY claim_id
    ), filings AS (
        SELECT * FROM f_recovery_court_filings
        QUALIFY row_number() OVER (PARTITION BY claim_id ORDER BY position DESC) = 1
    ), plans AS (
        SELECT * FROM f_recovery_plans
        QUALIFY row_number() OVER (PARTITION BY claim_id ORDER BY position DESC) = 1
    )
    SELECT c.household_id, l.municipality, c.claim_id, c.ground, c.law, c.required_condition, c.amount,
        c.decided_on, c.delegat, c.reason, c.court_deadline, v.payments_covered, l.outstanding, l.status,
        f.filed_on AS court_filed_on, f.court, f.case_number,
        p.agreed_on AS plan_agreed_on, p.instalments AS plan_instalments,
        c.actor_user, c.recorded_at AS claimed_at, c.position
    FROM f_recovery_claims c
    JOIN recovery_ledger l USING (claim_id)
    LEFT JOIN covered v USING (claim_id)
    LEFT JOIN filings f USING (claim_id)
    LEFT JOIN plans p USING (claim_id)""",
    """CREATE OR REPLACE VIEW v_recovery_court_deadlines AS
    SELECT p.household_id, l.municipality, p.claim_id, l.ground, p.payment_id, p.decision_id,
        p.month AS month_concerned, p.paid_on, p.payment_amount, p.claimed AS amount_covered, p.court_deadline,
        l.status AS claim_status, l.outstanding AS claim_outstanding, l.court_filed_on
    FROM f_recovery_claim_payments p
    JOIN recovery_ledger l USING (claim_id)""",
    """CREATE OR REPLACE VIEW v_recovery_households AS
    SELECT household_id, municipality,
        count(*) AS claims,
        count(*) FILTER (WHERE status = 'open') AS open_claims,
        sum(claimed) AS claimed, sum(received) AS received, sum(waived) AS waived,
        sum(outstanding) AS outstanding,
        min(court_deadline) FILTER (WHERE status = 'open' AND court_filed_on IS NULL) AS next_court_deadline
    FROM recovery_ledger GROUP BY ALL""",
    """CREATE OR REPLACE VIEW v_recovery_monthly AS
    WITH moves AS (
        SELECT household_id, strftime(decided_on, '%Y-%m') AS month, 1 AS claims, amount AS claimed,
            NULL AS received, NULL AS from_person, NULL AS from_agency, NULL AS waived, NULL AS refunds
        FROM f_recovery_claims
        UNION ALL
        SELECT household_id, strftime(received_on, '%Y-%m'), 0, NULL, amount,
            CASE WHEN source = 'person' THEN amount END, CASE WHEN source <> 'person' THEN amount END, NULL, NULL
        FROM f_repayments_received
        UNION ALL
        SELECT household_id, strftime(waived_on, '%Y-%m'), 0, NULL, NULL, NULL, NULL, amount, NULL
        FROM f_repayments_waived
        UNION ALL
        SELECT household_id, strftime(refunded_on, '%Y-%m'), 0, NULL, NULL, NULL, NULL, NULL, amount
        FROM f_advance_refunds
    ), located AS (
        SELECT r.municipality, m.* EXCLUDE (household_id)
        FROM moves m JOIN f_households_registered r USING (household_id)
    ), sums AS (
        SELECT municipality, month, sum(claims)::BIGINT AS claims, sum(claimed) AS claimed, sum(received) AS received,
            sum(from_person) AS from_person, sum(from_agency) AS from_agency, sum(waived) AS waived,
            sum(refunds) AS refunds
        FROM located GROUP BY ALL
    ), months AS (
        SELECT municipality, month_add(first, unnest(range(months_between(first, last) + 1))) AS month
        FROM (SELECT municipality, min(month) AS first, max(month) AS last FROM located GROUP BY ALL)
    ), at_month_end AS (
        -- each claim decided by the month's end, as its balance stood at the end of the month
        SELECT m.municipality, m.month, b.claim_id,
            arg_max(b.outstanding, b.month) AS outstanding, arg_max(b.status, b.month) AS status
        FROM months m
        JOIN f_households_registered r ON r.municipality = m.municipality
        JOIN f_recovery_balances b ON b.household_id = r.household_id AND b.month <= m.month
        GROUP BY ALL
    ), balances AS (
        SELECT municipality, month, sum(outstanding) AS outstanding,
            count(*) FILTER (WHERE status = 'open') AS open_claims
        FROM at_month_end GROUP BY ALL
    )
    SELECT m.municipality, m.month,
        coalesce(s.claims, 0) AS claims_decided,
        coalesce(s.claimed, 0) AS claimed,
        coalesce(s.from_person, 0) AS received_from_person,
        coalesce(s.from_agency, 0) AS received_from_agency,
        coalesce(s.received, 0) AS recovered,
        coalesce(s.waived, 0) AS waived,
        coalesce(s.refunds, 0) AS agency_refunds,
        coalesce(b.outstanding, 0) AS outstanding_at_month_end,
        coalesce(b.open_claims, 0) AS open_claims_at_month_end
    FROM months m
    LEFT JOIN sums s USING (municipality, month)
    LEFT JOIN balances b USING (municipality, month)""",
    """CREATE OR REPLACE VIEW advance_requests AS
    WITH refunds AS (
        SELECT request_id, sum(amount) AS refunded, max(refunded_on) AS last_refunded_on
        FROM f_advance_refunds GROUP BY request_id
    ), applied AS (
        SELECT reference AS request_id, sum(amount) AS applied
        FROM f_repayments_received WHERE source <> 'person' GROUP BY reference
    )
    SELECT a.household_id, r.municipality, a.request_id, a.agency, a.member, a.benefit, a.months,
        a.amount_per_month, a.requested_on, a.decisions,
        coalesce(f.refunded, 0)::DECIMAL(18,2) AS refunded,
        coalesce(p.applied, 0)::DECIMAL(18,2) AS applied_to_claims,
        f.last_refunded_on, a.actor_user, a.recorded_at AS requested_at, a.position
    FROM f_advance_requests a
    JOIN f_households_registered r USING (household_id)
    LEFT JOIN refunds f USING (request_id)
    LEFT JOIN applied p USING (request_id)""",
)

#: The view names, in the order created (docs/reporting.md documents each).
RECOVERY_VIEW_NAMES: Final = (
    "recovery_ledger",
    "recovery_claims",
    "v_recovery_court_deadlines",
    "v_recovery_households",
    "v_recovery_monthly",
    "advance_requests",
)
