"""Which stored event fields are personal data: the one table the encrypting mapper reads.

Every field name that any stored event of the project carries as text (or as a list or mapping holding text) is
in exactly one of :data:`PERSONAL` or :data:`CLEAR`. A personal field is encrypted with its household's key
wherever it appears in a stored state, at any depth (a member inside a decision's calculation as much as the
applicant of a registration); a clear field stays readable for statistics, accounts and the auditor. A test
fails when an event type gains a text field that is in neither set, so a new event cannot leak by omission.

Aggregates whose topic starts with one of :data:`EXEMPT_TOPICS` are not encrypted at all: the user register
holds the municipality's own staff (user names and roles), not applicants' data (docs/security.md).
"""

from __future__ import annotations

from typing import Final

#: Identity numbers, names, agency references and free text about a person: encrypted.
PERSONAL: Final = frozenset(
    {
        "applicant",  # personnummer / samordningsnummer of the applicant
        "person",
        "member",
        "persons",
        "members",
        "payee",  # an account or identity the money went to
        "payee_name",
        "name",
        "reason",  # free text written by a caseworker
        "note",
        "evidence",
        "reference",  # Migrationsverket dossier number and similar agency references
        "home",  # where a child is placed: a familjehem is named after its family
        "calculation",  # sealed whole: keyed by personnummer (support history, jobbstimulans), texts name persons
        "situation",  # the same inputs, as the caseworker entered them
    }
)

#: Codes, amounts, months, dates, ids, municipality, roles and the acting user: readable.
CLEAR: Final = frozenset(
    {
        "actor", "agency", "amends", "benefit", "case_number", "claim_id", "code", "command", "conditions",
        "cost_id", "court", "decision_id", "decisions", "delegat", "ground", "household_id",
        "households", "income_id", "kind", "label", "law", "method", "months", "municipality", "originator_topic",
        "outcome", "parameters", "payee_role", "payment_id", "period", "permit_type", "placement_id",
        "reason_code", "reason_label", "reception", "request_id", "required_condition", "role", "rule_set_hash",
        "source", "status", "stay_id", "type", "unit", "user", "filed_by", "key", "registered_on", "closed_on",
        "disposed_on", "rule",  # the gallring rule a HouseholdDisposed event cites (fixed text, no personal data)
        # a HouseholdDisposed event's statistical residue: {table: {"columns": [...], "rows": [[...]]}}, person
        # columns blanked (pseudonyms, amounts, codes and dates only; column names are values, not keys)
        "residue", "columns", "rows",
        # structured values: their personal members are found by name inside them
        "lines", "cost_lines", "instalments", "payments", "norm_adjustment",
        "applied_costs", "approved_costs",
        "topic",  # a snapshot's aggregate class
        "state",  # a snapshot's state; a household's snapshot state is sealed whole (integrity/snapshots.py)
    }
)  # fmt: skip

#: Topics of aggregates stored in clear (the user register: staff, not applicants).
EXEMPT_TOPICS: Final = ("bistand_es.users:",)


def is_personal(field: str) -> bool:
    return field in PERSONAL


def is_exempt(topic: str) -> bool:
    return topic.startswith(EXEMPT_TOPICS)
