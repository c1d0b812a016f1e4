"""Återkrav events → rows (pure), for :func:`bistand_es.projections.rows.page_rows`.

One row per event in the ``f_*`` recovery tables (:mod:`bistand_es.projections.recovery_schema`), and one row per
covered payment of a claim. Deadlines are the ones the claim event stored per payment; a claim's court deadline
(the earliest of its payments) is the domain's :attr:`RecoveryClaim.court_deadline`, evaluated here on the stored
payments. Every claim an event changes is marked (``dirty_claims``) so that the projector recomputes its balances
with the domain's rules at the end of the run (:mod:`bistand_es.projections.recovery_balances`).

Free text (the caseworker's reasons, a plan's note, the person's own payment reference) stays out of the rows; a
member is written as the member's pseudonym (:mod:`bistand_es.projections.rows`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from bistand_es.domain.household.recovery import (
    AdvanceRefunded,
    AdvanceRequestedFromAgency,
    ClaimedPayment,
    RecoveryClaim,
    RepaymentClaimed,
    RepaymentCourtFiled,
    RepaymentPlanAgreed,
    RepaymentReceived,
    RepaymentWaived,
    court_deadline,
)
from bistand_es.domain.month import Month
from bistand_es.projections.decoding import EMPTY_LIST, json_bytes, money, plain

if TYPE_CHECKING:
    from bistand_es.projections.rows import Handler, PageRows


def _deadline(payment: dict[str, Any]) -> str:
    """A covered payment's court deadline as the claim stored it (the domain's rule for an event without it)."""
    stored = plain(payment.get("court_deadline"))
    if stored:
        return str(stored)
    return court_deadline(date.fromisoformat(str(plain(payment["paid_on"])))).isoformat()


def _earliest_deadline(s: dict[str, Any], payments: list[dict[str, Any]]) -> str:
    """The claim's court deadline as the domain defines it, on the payments the event stored."""
    claim = RecoveryClaim(
        claim_id=s["claim_id"],
        ground=s["ground"],
        amount=Decimal(str(plain(s["amount"]))),
        decided_on=date.fromisoformat(str(plain(s["decided_on"]))),
        payments=tuple(
            ClaimedPayment(
                payment_id=p["payment_id"],
                decision_id=p.get("decision_id") or "",
                month=Month.parse(str(plain(p["month"]))),
                paid_on=date.fromisoformat(str(plain(p["paid_on"]))),
                amount=Decimal(str(plain(p["amount"]))),
                claimed=Decimal(str(plain(p["claimed"]))),
                court_deadline=date.fromisoformat(_deadline(p)),
                conditions=tuple(p.get("conditions") or ()),
            )
            for p in payments
        ),
        delegat=s.get("delegat") or "",
        reason="",  # free text, left sealed by the projector; no part of the deadline
    )
    return claim.court_deadline.isoformat()


def _claimed(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    claim_id = s["claim_id"]
    payments: list[dict[str, Any]] = s.get("payments") or []
    rows.rows["f_recovery_claims"].append(
        (
            pos, hid, claim_id, s["ground"], s.get("law"), s.get("required_condition"), money(s["amount"]),
            plain(s["decided_on"]), s.get("delegat"), None, _earliest_deadline(s, payments), user, at,
        ),
    )  # fmt: skip
    append = rows.rows["f_recovery_claim_payments"].append
    for p in payments:
        append(
            (
                pos, hid, claim_id, p["payment_id"], p.get("decision_id"), str(plain(p["month"])),
                plain(p["paid_on"]), money(p["amount"]), money(p["claimed"]), _deadline(p),
                [str(c) for c in p.get("conditions") or ()],
            ),
        )  # fmt: skip
    rows.dirty_claims.add(claim_id)


def _reference(s: dict[str, Any]) -> str | None:
    """A repayment's reference in the read model: an agency's refund names the advance request it settles (an id,
    joined by ``v_advance_requests``); the person's own reference (free text) is left out."""
    if s.get("source") == "person":
        return None
    return s.get("reference") or None


def _received(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    rows.rows["f_repayments_received"].append(
        (
            pos, hid, s["claim_id"], money(s["amount"]), plain(s["received_on"]), s.get("source"),
            _reference(s), user, at,
        ),
    )  # fmt: skip
    rows.dirty_claims.add(s["claim_id"])


def _waived(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    rows.rows["f_repayments_waived"].append(
        (
            pos, hid, s["claim_id"], money(s["amount"]), plain(s["waived_on"]), s.get("delegat"), None,
            user, at,
        ),
    )  # fmt: skip
    rows.dirty_claims.add(s["claim_id"])


def _court(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    rows.rows["f_recovery_court_filings"].append(
        (
            pos, hid, s["claim_id"], plain(s["filed_on"]), s.get("court"), s.get("case_number"), s.get("delegat"),
            user, at,
        ),
    )  # fmt: skip


def _plan(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    instalments = [
        {"due_on": plain(i.get("due_on")), "amount": money(i.get("amount"))} for i in s.get("instalments") or ()
    ]
    rows.rows["f_recovery_plans"].append(
        (
            pos, hid, s["claim_id"], plain(s["agreed_on"]), json_bytes(instalments) if instalments else EMPTY_LIST,
            None, user, at,
        ),
    )  # fmt: skip


def _advance_requested(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    rows.rows["f_advance_requests"].append(
        (
            pos, hid, s["request_id"], s.get("agency"), rows.member(hid, s.get("member")), s.get("benefit"),
            [str(plain(m)) for m in s.get("months") or ()], money(s["amount_per_month"]), plain(s["requested_on"]),
            [str(d) for d in s.get("decisions") or ()], user, at,
        ),
    )  # fmt: skip


def _advance_refunded(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    # The receipts on claims follow as RepaymentReceived events (source: the agency); they mark the claims.
    rows.rows["f_advance_refunds"].append(
        (pos, hid, s["request_id"], money(s["amount"]), plain(s["refunded_on"]), user, at)
    )


RECOVERY_HANDLERS: Final[dict[str, Handler]] = {
    RepaymentClaimed.TOPIC: _claimed,
    RepaymentReceived.TOPIC: _received,
    RepaymentWaived.TOPIC: _waived,
    RepaymentCourtFiled.TOPIC: _court,
    RepaymentPlanAgreed.TOPIC: _plan,
    AdvanceRequestedFromAgency.TOPIC: _advance_requested,
    AdvanceRefunded.TOPIC: _advance_refunded,
}
