"""Återsökning events → rows (pure), for :func:`bistand_es.projections.rows.page_rows`.

One row per event in the ``f_*`` återsökning tables (:mod:`bistand_es.projections.reimbursement_schema`), one per
line of a payment's tag and of a claim. Keys the stored events may gain later (a hash chain's fields, …) are
ignored. Every person whose case an event changes is marked (``dirty_reimbursement``) so that the projector runs
the återsökning engine for them at the end of the run (:mod:`bistand_es.projections.reimbursement_due`); an outcome,
an unaccompanied minor and an agency reference change no opportunity (the engine does not read them), so they
mark nobody.

A person is written as the person's pseudonym, an agency reference (dossiernummer, LMA number) as its pseudonym
too (so an analyst still sees that one was recorded), and free text (evidence, notes, reasons) is left out
(:mod:`bistand_es.projections.rows`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from bistand_es.domain.household.migration import (
    AgencyReferenceRecorded,
    MigrationStatusRecorded,
    PaymentTagged,
    ReceptionRecorded,
    ReimbursableCostRecorded,
    ReimbursementFiled,
    ReimbursementOutcomeRecorded,
    UnaccompaniedMinorRecorded,
)
from bistand_es.projections.decoding import money, plain

if TYPE_CHECKING:
    from bistand_es.projections.rows import Handler, PageRows


def _status(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    person = rows.member(hid, s["person"])
    rows.rows["f_migration_statuses"].append(
        (pos, hid, person, s["status"], s.get("permit_type"), plain(s["valid_from"]), user, at)
    )
    rows.dirty_reimbursement.add((person, None))


def _reception(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    person = rows.member(hid, s["person"])
    rows.rows["f_receptions"].append((pos, hid, person, plain(s["received_on"]), s["reception"], user, at))
    rows.dirty_reimbursement.add((person, None))


def _unaccompanied(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    person = rows.member(hid, s["person"])
    rows.rows["f_unaccompanied_minors"].append(
        (pos, hid, person, bool(s["unaccompanied"]), plain(s["valid_from"]), user, at)
    )  # the engine does not read it: nobody to recompute


def _reference(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    rows.rows["f_agency_references"].append(
        (pos, hid, rows.member(hid, s["person"]), s["kind"], rows.alias(s["reference"]), user, at)
    )


def _cost(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    person = rows.member(hid, s["person"])
    rows.rows["f_reimbursable_costs_recorded"].append(
        (
            pos, hid, s["cost_id"], person, str(plain(s["month"])), s["type"], money(s["amount"]),
            money(s.get("fees")) or "0.00", plain(s.get("care_began_on")), None, None, user, at,
        ),
    )  # fmt: skip
    rows.dirty_reimbursement.add((person, None))


def _tagged(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    append = rows.rows["f_payment_tags"].append
    payment_id = s["payment_id"]
    month = str(plain(s["month"]))
    automatic = bool(s.get("automatic"))
    for line in s.get("lines") or ():
        person = rows.member(hid, str(line["person"]))
        append((pos, hid, payment_id, month, s["type"], person, money(line["amount"]), automatic, user, at))
        rows.dirty_reimbursement.add((person, None))
    # A new tag replaces the payment's earlier one: the persons of that one are looked up at the end of the run.
    rows.dirty_reimbursement.add((None, payment_id))


def _filed(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    claim_id = s["claim_id"]
    # A claim may cover persons of other households: the same pseudonyms, resolved through their own households.
    persons = [str(rows.alias(str(p))) for p in s.get("persons") or ()]
    rows.rows["f_reimbursement_filings"].append(
        (
            pos, hid, claim_id, s["type"], str(plain(s["period"])), persons, money(s["amount"]),
            money(s["claim_amount"]), [str(h) for h in s.get("households") or ()], plain(s["filed_on"]),
            s.get("filed_by"), s.get("unit"), None, user, at,
        ),
    )  # fmt: skip
    append = rows.rows["f_reimbursement_claim_lines"].append
    for line in s.get("lines") or ():
        append(
            (
                pos, hid, claim_id, str(line["source"]), rows.alias(str(line["person"])), str(plain(line["month"])),
                money(line.get("cost")), money(line.get("fees")), money(line["amount"]), None,
            ),
        )  # fmt: skip
    rows.dirty_reimbursement.update((person, None) for person in persons)


def _outcome(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    rows.rows["f_reimbursement_outcomes"].append(
        (
            pos, hid, s["claim_id"], s["outcome"], money(s["claimed"]), money(s["granted"]),
            money(s["difference"]), None, plain(s["decided_on"]), user, at,
        ),
    )  # fmt: skip


REIMBURSEMENT_HANDLERS: Final[dict[str, Handler]] = {
    MigrationStatusRecorded.TOPIC: _status,
    ReceptionRecorded.TOPIC: _reception,
    UnaccompaniedMinorRecorded.TOPIC: _unaccompanied,
    AgencyReferenceRecorded.TOPIC: _reference,
    ReimbursableCostRecorded.TOPIC: _cost,
    PaymentTagged.TOPIC: _tagged,
    ReimbursementFiled.TOPIC: _filed,
    ReimbursementOutcomeRecorded.TOPIC: _outcome,
}
