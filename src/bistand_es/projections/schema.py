"""The DuckDB read model's schema: fact tables the projector appends to, and views that pick what is in force.

Layout (docs/reporting.md documents every column):

- ``f_*`` tables are **append-only facts**, one row per event (or per calculation line / per month). The
  projector only ever INSERTs into them, so a page of events is one ``INSERT … SELECT FROM batch`` per table.
- Corrections, amendments, removals and cancellations are facts too; the views with the stable names
  (``households``, ``members``, ``incomes``, ``decisions``, ``decision_lines``, ``payments`` …) pick the row in
  force by notification position. Rebuild and incremental projection therefore give the same tables.
- ``f_jobbstimulans_spans`` is derived: the rules engine's windows over each person's support months, with the
  dated lengths of ``jobbstimulans_rules`` (the rule set's periods; no rule number is written in SQL). It is
  recomputed for the persons marked in ``f_dirty_persons`` at the end of every catch-up run, and for everyone
  when the periods change (a new parameter override).
- The återkrav tables and views are in :mod:`bistand_es.projections.recovery_schema`; ``f_recovery_balances`` is
  derived too (each changed claim's balance per month, from the domain's rules), recomputed for the claims marked
  in ``f_dirty_claims``.
- The återsökning tables and views are in :mod:`bistand_es.projections.reimbursement_schema`;
  ``f_reimbursement_opportunities`` is derived (the återsökning engine's eligible, unclaimed costs with their last
  day to file), recomputed for the persons marked in ``f_dirty_reimbursement``.

Migrations are numbered and recorded in ``schema_migrations``; a migration only adds or replaces objects. When the
*projection logic* changes (what rows an event gives), raise :data:`PROJECTION_VERSION`: a read model with another
version is rebuilt from zero automatically.
"""

from __future__ import annotations

from typing import Final

from bistand_es.projections.column_types import MONEY
from bistand_es.projections.recovery_schema import (
    RECOVERY_DERIVED_TABLES,
    RECOVERY_TABLES,
    RECOVERY_VIEW_NAMES,
    RECOVERY_VIEWS,
)
from bistand_es.projections.reimbursement_schema import (
    REIMBURSEMENT_DERIVED_TABLES,
    REIMBURSEMENT_MACROS,
    REIMBURSEMENT_TABLES,
    REIMBURSEMENT_VIEW_NAMES,
    REIMBURSEMENT_VIEWS,
)

#: Raise when the rows an event produces change; a store with another version is rebuilt from zero.
#: 4: the återkrav events get rows (before, only the ``events`` audit log had them).
#: 5: the återsökning events get rows, and the engine's opportunities are derived from them.
#: 6: identity numbers become pseudonyms; names, reasons, notes and evidence are left out (ADR 0024).
PROJECTION_VERSION: Final = 6


#: Columns of every table the projector writes: (name, DuckDB type). Order = insert order.
TABLES: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "events": (
        ("position", "BIGINT"),
        ("recorded_at", "TIMESTAMP"),
        ("household_id", "VARCHAR"),
        ("version", "BIGINT"),
        ("event_type", "VARCHAR"),
        ("actor_user", "VARCHAR"),
        ("actor_role", "VARCHAR"),
        ("payload", "JSON"),
    ),
    "f_households_registered": (
        ("position", "BIGINT"),
        ("household_id", "VARCHAR"),
        ("municipality", "VARCHAR"),
        ("applicant", "VARCHAR"),
        ("birth_date", "DATE"),
        ("registered_on", "DATE"),
        ("actor_user", "VARCHAR"),
        ("recorded_at", "TIMESTAMP"),
    ),
    "f_member_changes": (
        ("position", "BIGINT"),
        ("household_id", "VARCHAR"),
        ("person", "VARCHAR"),
        ("change", "VARCHAR"),
        ("role", "VARCHAR"),
        ("birth_date", "DATE"),
        ("in_school", "BOOLEAN"),
        ("effective_on", "DATE"),
        ("reason", "VARCHAR"),
        ("recorded_at", "TIMESTAMP"),
    ),
    "f_cohabitation": (
        ("position", "BIGINT"),
        ("household_id", "VARCHAR"),
        ("cohabiting", "BOOLEAN"),
        ("effective_on", "DATE"),
        ("recorded_at", "TIMESTAMP"),
    ),
    "applications": (
        ("position", "BIGINT"),
        ("household_id", "VARCHAR"),
        ("month", "VARCHAR"),
        ("received_on", "DATE"),
        ("complete_on", "DATE"),
        ("first_time", "BOOLEAN"),
        ("costs_total", MONEY),
        ("cost_lines", "JSON"),
        ("actor_user", "VARCHAR"),
        ("recorded_at", "TIMESTAMP"),
    ),
    "f_income_changes": (
        ("position", "BIGINT"),
        ("household_id", "VARCHAR"),
        ("income_id", "VARCHAR"),
        ("change", "VARCHAR"),
        ("member", "VARCHAR"),
        ("kind", "VARCHAR"),
        ("month", "VARCHAR"),
        ("amount", MONEY),
        ("source", "VARCHAR"),
        ("reason", "VARCHAR"),
        ("actor_user", "VARCHAR"),
        ("recorded_at", "TIMESTAMP"),
    ),
    "f_external_support": (
        ("position", "BIGINT"),
        ("household_id", "VARCHAR"),
        ("person", "VARCHAR"),
        ("month", "VARCHAR"),
        ("source", "VARCHAR"),
        ("actor_user", "VARCHAR"),
        ("recorded_at", "TIMESTAMP"),
    ),
    "f_decisions": (
        ("position", "BIGINT"),
        ("household_id", "VARCHAR"),
        ("decision_id", "VARCHAR"),
        ("amends", "VARCHAR"),
        ("month", "VARCHAR"),
        ("outcome", "VARCHAR"),
        ("norm_total", MONEY),
        ("costs_total", MONEY),
        ("need", MONEY),
        ("income_counted", MONEY),
        ("income_disregarded", MONEY),
        ("aid", MONEY),
        ("surplus", MONEY),
        ("members", "VARCHAR[]"),
        ("rule_set_hash", "VARCHAR"),
        ("parameters", "VARCHAR[]"),
        ("conditions", "VARCHAR[]"),
        ("delegat", "VARCHAR"),
        ("reason", "VARCHAR"),
        ("decided_on", "DATE"),
        ("actor_user", "VARCHAR"),
        ("actor_role", "VARCHAR"),
        ("warnings", "JSON"),
        ("norm_adjustment", "JSON"),
        ("recorded_at", "TIMESTAMP"),
        ("income_month", "VARCHAR"),
        ("subsistence_aid", MONEY),
        ("other_aid", MONEY),
    ),
    "f_decision_lines": (
        ("position", "BIGINT"),
        ("decision_id", "VARCHAR"),
        ("household_id", "VARCHAR"),
        ("month", "VARCHAR"),
        ("line_no", "INTEGER"),
        ("kind", "VARCHAR"),
        ("member", "VARCHAR"),
        ("amount", MONEY),
        ("rule", "VARCHAR"),
        ("reference", "VARCHAR"),
        ("parameter", "VARCHAR"),
        ("confidence", "VARCHAR"),
        ("income_kind", "VARCHAR"),
    ),
    "f_payments_issued": (
        ("position", "BIGINT"),
        ("household_id", "VARCHAR"),
        ("payment_id", "VARCHAR"),
        ("decision_id", "VARCHAR"),
        ("month", "VARCHAR"),
        ("amount", MONEY),
        ("payee", "VARCHAR"),
        ("method", "VARCHAR"),
        ("paid_on", "DATE"),
        ("actor_user", "VARCHAR"),
        ("recorded_at", "TIMESTAMP"),
    ),
    "f_payment_cancellations": (
        ("position", "BIGINT"),
        ("household_id", "VARCHAR"),
        ("payment_id", "VARCHAR"),
        ("reason", "VARCHAR"),
        ("actor_user", "VARCHAR"),
        ("recorded_at", "TIMESTAMP"),
    ),
    "f_support_obstacles": (
        ("position", "BIGINT"),
        ("household_id", "VARCHAR"),
        ("person", "VARCHAR"),
        ("month", "VARCHAR"),
        ("code", "VARCHAR"),
        ("label", "VARCHAR"),
        ("actor_user", "VARCHAR"),
        ("recorded_at", "TIMESTAMP"),
    ),
    "case_closures": (
        ("position", "BIGINT"),
        ("household_id", "VARCHAR"),
        ("closed_on", "DATE"),
        ("reason_code", "VARCHAR"),
        ("reason_label", "VARCHAR"),
        ("actor_user", "VARCHAR"),
        ("actor_role", "VARCHAR"),
        ("recorded_at", "TIMESTAMP"),
    ),
    "f_dirty_persons": (("person", "VARCHAR"),),
    "f_dirty_decisions": (("decision_id", "VARCHAR"),),
    "f_jobbstimulans_spans": (
        ("person", "VARCHAR"),
        ("window_no", "INTEGER"),
        ("qualifying_from", "VARCHAR"),
        ("qualifying_to", "VARCHAR"),
        ("window_start", "VARCHAR"),
        ("window_end", "VARCHAR"),
        ("active_from", "VARCHAR"),
        ("active_to", "VARCHAR"),
        ("qualifying_months", "INTEGER"),
        ("window_months", "INTEGER"),
    ),
    "jobbstimulans_rules": (
        ("rules_from", "VARCHAR"),
        ("rules_to", "VARCHAR"),
        ("qualifying_months", "INTEGER"),
        ("window_months", "INTEGER"),
    ),
    **RECOVERY_TABLES,
    **RECOVERY_DERIVED_TABLES,
    **REIMBURSEMENT_TABLES,
    **REIMBURSEMENT_DERIVED_TABLES,
}

#: Relations whose full contents define the read model (compared by the rebuild-equals-incremental test).
MODEL_TABLES: Final = tuple(name for name in TABLES if not name.startswith("f_dirty_"))


def _create_table(name: str) -> str:
    columns = ", ".join(f'"{column}" {kind}' for column, kind in TABLES[name])
    return f'CREATE TABLE IF NOT EXISTS "{name}" ({columns})'


_STATE_TABLES: Final = (
    """CREATE TABLE IF NOT EXISTS projector_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        position BIGINT NOT NULL,
        projection_version INTEGER NOT NULL,
        events_projected BIGINT NOT NULL,
        updated_at TIMESTAMP
    )""",
    """CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL
    )""",
)

_MACROS: Final = (
    # 'YYYY-MM' plus n months.
    """CREATE OR REPLACE MACRO month_add(m, n) AS
        strftime(CAST(m || '-01' AS DATE) + to_months(CAST(n AS INTEGER)), '%Y-%m')""",
    # Months from a to b ('YYYY-MM'), negative when b is earlier.
    """CREATE OR REPLACE MACRO months_between(a, b) AS
        (CAST(left(b, 4) AS INTEGER) * 12 + CAST(right(b, 2) AS INTEGER))
        - (CAST(left(a, 4) AS INTEGER) * 12 + CAST(right(a, 2) AS INTEGER))""",
    # A field of the stored event JSON, unwrapping the typed values ({"_type_": …, "_data_": …}).
    """CREATE OR REPLACE MACRO payload_value(payload, key) AS
        coalesce(json_extract_string(payload, '$.' || key || '._data_'),
                 json_extract_string(payload, '$.' || key))""",
)

_VIEWS: Final = (
    """CREATE OR REPLACE VIEW members AS
    WITH ordered AS (
        SELECT *,
            lead(change) OVER w AS next_change,
            lead(effective_on) OVER w AS next_on,
            lead(reason) OVER w AS next_reason
        FROM f_member_changes
        WINDOW w AS (PARTITION BY household_id, person ORDER BY position)
    )
    SELECT household_id, person, role, birth_date, in_school,
        effective_on AS valid_from,
        CASE WHEN next_change = 'removed' THEN next_on END AS valid_to,
        CASE WHEN next_change = 'removed' THEN next_reason END AS removal_reason,
        position AS added_position
    FROM ordered WHERE change = 'added'""",
    """CREATE OR REPLACE VIEW households AS
    SELECT r.household_id, r.municipality, r.applicant, r.birth_date AS applicant_birth_date, r.registered_on,
        CASE WHEN c.household_id IS NULL THEN 'open' ELSE 'closed' END AS status,
        c.closed_on, c.reason_code AS closure_reason_code,
        coalesce(m.members_now, 0) AS members_now,
        coalesce(m.adults_now, 0) AS adults_now,
        coalesce(m.children_now, 0) AS children_now,
        coalesce(co.cohabiting, false) AS cohabiting,
        r.recorded_at AS registered_at
    FROM f_households_registered r
    LEFT JOIN case_closures c USING (household_id)
    LEFT JOIN (
        SELECT household_id, count(*) AS members_now,
            count(*) FILTER (WHERE role <> 'child') AS adults_now,
            count(*) FILTER (WHERE role = 'child') AS children_now
        FROM members WHERE valid_to IS NULL GROUP BY household_id
    ) m USING (household_id)
    LEFT JOIN (
        SELECT household_id, arg_max(cohabiting, position) AS cohabiting FROM f_cohabitation GROUP BY household_id
    ) co USING (household_id)""",
    """CREATE OR REPLACE VIEW decisions AS
    SELECT d.household_id, r.municipality, d.month, d.decision_id, d.outcome,
        d.norm_total, d.costs_total, d.need, d.income_counted, d.income_disregarded, d.aid, d.surplus,
        d.subsistence_aid, coalesce(d.other_aid, 0) AS other_aid,
        d.members, d.rule_set_hash, d.parameters, d.conditions, d.delegat, d.reason,
        d.actor_user, d.actor_role, d.decided_on, d.recorded_at AS decided_at,
        count(*) OVER hm - 1 AS amendments,
        min(d.recorded_at) OVER hm AS first_decided_at,
        d.position,
        coalesce(d.income_month, month_add(d.month, -1)) AS income_month
    FROM f_decisions d
    JOIN f_households_registered r USING (household_id)
    WINDOW hm AS (PARTITION BY d.household_id, d.month)
    QUALIFY row_number() OVER (PARTITION BY d.household_id, d.month ORDER BY d.position DESC) = 1""",
    """CREATE OR REPLACE VIEW decision_lines AS
    SELECT l.household_id, d.municipality, l.month, l.decision_id, l.line_no, l.kind, l.member, l.amount,
        l.rule, l.reference, l.parameter, l.confidence, l.income_kind, d.income_month
    FROM f_decision_lines l
    JOIN decisions d ON d.position = l.position""",
    """CREATE OR REPLACE VIEW incomes AS
    WITH current AS (
        SELECT income_id,
            any_value(household_id) AS household_id,
            max(member) AS member,
            arg_max(kind, position) AS kind,
            arg_max(month, position) AS month,
            arg_max(amount, position) AS amount,
            max(amount) FILTER (WHERE change = 'reported') AS reported_amount,
            max(source) AS source,
            count(*) - 1 AS corrections,
            min(recorded_at) AS reported_at,
            max(recorded_at) FILTER (WHERE change = 'corrected') AS last_corrected_at
        FROM f_income_changes GROUP BY income_id
    ), deciding AS (
        -- the decision in force whose calculation took its incomes from the month (the latest, if two did)
        SELECT household_id, income_month, max(month) AS month FROM decisions GROUP BY ALL
    ), lines AS (
        SELECT household_id, month, member, income_kind,
            sum(amount) FILTER (WHERE kind = 'income.counted') AS counted,
            sum(amount) FILTER (WHERE kind LIKE 'income.disregarded.%') AS disregarded
        FROM decision_lines WHERE kind LIKE 'income.%' AND income_kind IS NOT NULL GROUP BY ALL
    )
    SELECT c.*, coalesce(dm.month, month_add(c.month, 1)) AS decision_month,
        l.counted AS counted_in_decision,
        l.disregarded AS disregarded_in_decision
    FROM current c
    LEFT JOIN deciding dm ON dm.household_id = c.household_id AND dm.income_month = c.month
    LEFT JOIN lines l
      ON l.household_id = c.household_id AND l.month = dm.month AND l.member = c.member
     AND l.income_kind = c.kind""",
    """CREATE OR REPLACE VIEW payments AS
    SELECT p.household_id, r.municipality, p.payment_id, p.decision_id, p.month AS month_concerned,
        p.paid_on, strftime(p.paid_on, '%Y-%m') AS payment_month, p.amount, p.payee, p.method,
        c.payment_id IS NOT NULL AS cancelled, c.recorded_at AS cancelled_at, c.reason AS cancel_reason,
        p.actor_user, p.recorded_at AS issued_at, p.position
    FROM f_payments_issued p
    JOIN f_households_registered r USING (household_id)
    LEFT JOIN f_payment_cancellations c USING (payment_id)""",
    """CREATE OR REPLACE VIEW support_obstacles AS
    SELECT household_id, person, month, code, label, actor_user, recorded_at, position
    FROM f_support_obstacles
    QUALIFY row_number() OVER (PARTITION BY household_id, person, month ORDER BY position DESC) = 1""",
    """CREATE OR REPLACE VIEW support_months AS
    WITH decided AS (
        SELECT household_id, month, subsistence_aid, unnest(members) AS person FROM decisions
    ), facts AS (
        SELECT person, month, household_id, subsistence_aid > 0 AS received, subsistence_aid AS amount,
            'decision' AS source
        FROM decided
        UNION ALL
        SELECT person, month, household_id, true, NULL, 'external: ' || source FROM f_external_support
    )
    SELECT person, month, bool_or(received) AS received, sum(amount) AS amount,
        string_agg(DISTINCT household_id, ',' ORDER BY household_id) AS households,
        string_agg(DISTINCT source, '; ' ORDER BY source) AS sources
    FROM facts GROUP BY person, month""",
    """CREATE OR REPLACE VIEW jobbstimulans_windows AS
    WITH last_month AS (
        SELECT person, max(month) AS last_month FROM support_months GROUP BY person
    ), disregarded AS (
        SELECT s.person, s.window_no, sum(l.amount) AS amount
        FROM f_jobbstimulans_spans s
        JOIN decision_lines l ON l.member = s.person AND l.kind = 'income.disregarded.jobbstimulans'
             AND l.month BETWEEN s.active_from AND s.active_to
        GROUP BY ALL
    )
    SELECT s.person, s.window_no, s.qualifying_from, s.qualifying_to, s.window_start, s.window_end,
        s.active_from, s.active_to, s.qualifying_months, s.window_months,
        greatest(0, least(months_between(s.window_start, s.window_end) + 1,
                          months_between(s.window_start, lm.last_month) + 1)) AS months_used,
        coalesce(d.amount, 0)::DECIMAL(18,2) AS employment_income_disregarded
    FROM f_jobbstimulans_spans s
    LEFT JOIN last_month lm USING (person)
    LEFT JOIN disregarded d USING (person, window_no)""",
    """CREATE OR REPLACE VIEW v_jobbstimulans_active AS
    WITH months AS (
        SELECT s.*, month_add(s.active_from, unnest(range(months_between(s.active_from, s.active_to) + 1))) AS month
        FROM f_jobbstimulans_spans s
    )
    SELECT person, month, window_no, window_start, window_end,
        months_between(window_start, month) + 1 AS months_used,
        months_between(month, window_end) AS months_left
    FROM months""",
    """CREATE OR REPLACE MACRO jobbstimulans_active(m) AS TABLE
    SELECT * FROM v_jobbstimulans_active WHERE month = m""",
    """CREATE OR REPLACE VIEW v_jobbstimulans_qualifying_next AS
    SELECT qualifying_to AS month, person, qualifying_from, qualifying_to, window_start, window_end, window_no
    FROM f_jobbstimulans_spans
    WHERE active_from = window_start""",
    """CREATE OR REPLACE VIEW v_payments_by_month_concerned AS
    SELECT municipality, month_concerned AS month,
        count(*) FILTER (WHERE NOT cancelled) AS payments,
        coalesce(sum(amount) FILTER (WHERE NOT cancelled), 0) AS paid,
        coalesce(sum(amount) FILTER (WHERE cancelled), 0) AS cancelled
    FROM payments GROUP BY ALL""",
    """CREATE OR REPLACE VIEW v_payments_by_payment_month AS
    SELECT municipality, payment_month AS month,
        count(*) FILTER (WHERE NOT cancelled) AS payments,
        coalesce(sum(amount) FILTER (WHERE NOT cancelled), 0) AS paid,
        coalesce(sum(amount) FILTER (WHERE cancelled), 0) AS cancelled
    FROM payments GROUP BY ALL""",
    """CREATE OR REPLACE VIEW v_payments_concerned_vs_paid AS
    SELECT municipality, month,
        coalesce(c.paid, 0) AS paid_for_month, coalesce(p.paid, 0) AS paid_in_month
    FROM v_payments_by_month_concerned c
    FULL OUTER JOIN v_payments_by_payment_month p USING (municipality, month)""",
    """CREATE OR REPLACE VIEW v_monthly_totals AS
    SELECT d.municipality, d.month,
        count(*) AS decisions,
        count(*) FILTER (WHERE d.outcome <> 'refused') AS households_granted,
        count(*) FILTER (WHERE d.outcome = 'refused') AS households_refused,
        sum(d.aid) AS aid_granted,
        sum(d.norm_total) AS norm_total,
        sum(d.costs_total) AS costs_total,
        sum(d.income_counted) AS income_counted,
        sum(d.income_disregarded) AS income_disregarded,
        coalesce(any_value(p.paid), 0) AS paid_for_month
    FROM decisions d
    LEFT JOIN v_payments_by_month_concerned p USING (municipality, month)
    GROUP BY d.municipality, d.month""",
    """CREATE OR REPLACE VIEW v_outcomes AS
    SELECT municipality, month, outcome, count(*) AS households, sum(aid) AS aid
    FROM decisions GROUP BY ALL""",
    """CREATE OR REPLACE VIEW v_norm_item_costs AS
    SELECT municipality, month, split_part(kind, '.', 1) AS category, kind,
        count(*) AS lines, sum(amount) AS amount
    FROM decision_lines GROUP BY ALL""",
    *RECOVERY_VIEWS,
    *REIMBURSEMENT_VIEWS,
)

#: The views migration 3 replaced (the income columns of decision lines; PROJECTION_VERSION 2).
_INCOME_VIEWS: Final = ("decisions", "decision_lines", "incomes")

#: Numbered migrations: (number, name, statements). Never edit an applied one; add the next number.
MIGRATIONS: Final[tuple[tuple[int, str, tuple[str, ...]], ...]] = (
    (1, "fact tables and projector state", (*_STATE_TABLES, *(_create_table(name) for name in TABLES))),
    (2, "macros and views", (*_MACROS, *_VIEWS)),
    (
        3,
        "income kind and income month of decision lines",
        (
            'ALTER TABLE f_decisions ADD COLUMN IF NOT EXISTS "income_month" VARCHAR',
            'ALTER TABLE f_decision_lines ADD COLUMN IF NOT EXISTS "income_kind" VARCHAR',
            *(view for view in _VIEWS if view.split(" AS", 1)[0].rsplit(" ", 1)[-1] in _INCOME_VIEWS),
        ),
    ),
    (
        4,
        "försörjningsstöd part of decisions, jobbstimulans windows from the dated rules, wider money",
        (
            *(
                f'ALTER TABLE "{table}" ADD COLUMN IF NOT EXISTS "{column}" {kind}'
                for table, columns in (
                    ("f_decisions", ("subsistence_aid", "other_aid")),
                    ("f_jobbstimulans_spans", ("active_from", "active_to", "qualifying_months", "window_months")),
                )
                for column, kind in TABLES[table]
                if column in columns
            ),
            _create_table("jobbstimulans_rules"),
            *_VIEWS,
        ),
    ),
    (
        5,
        "återkrav: claims, repayments, waivers, court filings, plans, förskott på förmån, balances",
        (*(_create_table(name) for name in (*RECOVERY_TABLES, *RECOVERY_DERIVED_TABLES)), *RECOVERY_VIEWS),
    ),
    (
        6,
        "återsökning: migration status, reimbursable costs, claims, outcomes, the engine's opportunities",
        (
            *(_create_table(name) for name in (*REIMBURSEMENT_TABLES, *REIMBURSEMENT_DERIVED_TABLES)),
            *REIMBURSEMENT_VIEWS,
        ),
    ),
)

#: Every view and macro name, in the order created (docs/reporting.md documents each).
VIEWS: Final = (
    "members",
    "households",
    "decisions",
    "decision_lines",
    "incomes",
    "payments",
    "support_obstacles",
    "support_months",
    "jobbstimulans_windows",
    "v_jobbstimulans_active",
    "v_jobbstimulans_qualifying_next",
    "v_payments_by_month_concerned",
    "v_payments_by_payment_month",
    "v_payments_concerned_vs_paid",
    "v_monthly_totals",
    "v_outcomes",
    "v_norm_item_costs",
    *RECOVERY_VIEW_NAMES,
    *REIMBURSEMENT_VIEW_NAMES,
)
MACROS: Final = ("month_add", "months_between", "payload_value", "jobbstimulans_active", *REIMBURSEMENT_MACROS)
