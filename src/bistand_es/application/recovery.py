"""Återkrav (recovery claims): claim, receive, waive, court, plan, förskott på förmån; find and list claims.

Claims and advance requests are found by id (or an 8+ character prefix) across households, the way payments are
(:meth:`~bistand_es.application.payments.PaymentCommands.find_payment_household`). The rules are the household's
(:mod:`bistand_es.domain.household.recovery`); this module loads, calls one command, saves, and shapes the claim as
plain data (the ``bistand recovery`` JSON).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from bistand_es.application.base import HouseholdStore, Recorded
from bistand_es.domain.errors import NotFound
from bistand_es.domain.household import Household
from bistand_es.domain.household.policy import default_delegat
from bistand_es.domain.household.recovery import Instalment, RecoveryClaim
from bistand_es.domain.month import Month
from bistand_es.domain.records import Actor
from bistand_es.domain.vocabulary import ActorRole, IncomeKind, RecoveryGround

#: A listed claim whose court deadline is this close (or passed) gets a warning.
DEADLINE_WARNING_DAYS = 90


def claim_view(household_id: UUID, claim: RecoveryClaim) -> dict[str, Any]:
    """A claim as it now stands (the contract's JSON: amounts as strings with two decimals, dates ISO)."""
    return {
        "claim_id": claim.claim_id,
        "household_id": str(household_id),
        "ground": claim.ground,
        "amount": f"{claim.amount:.2f}",
        "received": f"{claim.received:.2f}",
        "waived": f"{claim.waived:.2f}",
        "outstanding": f"{claim.outstanding:.2f}",
        "status": claim.status,
        "court_deadline": claim.court_deadline.isoformat(),
        "payments": [
            {
                "payment_id": p.payment_id,
                "paid_on": p.paid_on.isoformat(),
                "amount": f"{p.amount:.2f}",
                "court_deadline": p.court_deadline.isoformat(),
                "month": str(p.month),
                "claimed": f"{p.claimed:.2f}",
                "decision_id": p.decision_id,
                "conditions": list(p.conditions),
            }
            for p in claim.payments
        ],
        "decided_on": claim.decided_on.isoformat(),
        "delegat": claim.delegat,
        "reason": claim.reason,
        "court_filed_on": claim.court.filed_on.isoformat() if claim.court else None,
        "court": claim.court.court if claim.court else None,
        "case_number": claim.court.case_number if claim.court else None,
        "plan": [{"due_on": i.due_on.isoformat(), "amount": f"{i.amount:.2f}"} for i in claim.plan],
    }


def _delegat(actor: Actor, delegat: ActorRole | None) -> ActorRole:
    return delegat if delegat is not None else default_delegat(actor.role)


class RecoveryCommands(HouseholdStore):
    """Återkrav use cases (9 kap. SoL) and förskott på förmån (107 kap. 5 § socialförsäkringsbalken)."""

    # ------------------------------------------------------------------ finding by id

    def _find_household(self, topic: str, key: str, text: str, what: str) -> UUID:
        found: set[UUID] = set()
        text = text.strip().lower()
        if len(text) >= 8:
            for e in self.iter_events(topics=(topic,)):
                value = str(getattr(e, key))
                if value == text or value.startswith(text):
                    found.add(e.originator_id)
        if len(found) != 1:
            raise NotFound(f"unknown {what} {text}" + (" (ambiguous prefix)" if found else ""))
        return found.pop()

    def find_claim_household(self, claim_id: str) -> UUID:
        """The household a claim (id or an unambiguous prefix of 8+ characters) belongs to."""
        return self._find_household(Household.RepaymentClaimed.TOPIC, "claim_id", claim_id, "claim")

    def find_advance_household(self, request_id: str) -> UUID:
        return self._find_household(
            Household.AdvanceRequestedFromAgency.TOPIC, "request_id", request_id, "advance request"
        )

    def _claim_change(self, claim_id: str, command: Any, *, retry: bool = False) -> Recorded:
        household_id = self.find_claim_household(claim_id)
        recorded, result = self._change(household_id, command, retry=retry)
        return recorded.with_result(str(result))

    # ------------------------------------------------------------------ commands

    def claim_repayment(
        self,
        household_id: UUID,
        *,
        actor: Actor,
        ground: RecoveryGround,
        payment_ids: Sequence[str],
        amount: Decimal,
        decided_on: date,
        reason: str,
        delegat: ActorRole | None = None,
    ) -> Recorded:
        """Decide an återkrav on payments of the household. ``result`` is the new claim id."""
        who = _delegat(actor, delegat)
        recorded, claim_id = self._change(
            household_id,
            lambda h: h.claim_repayment(
                actor=actor,
                ground=ground,
                payment_ids=[p.strip().lower() for p in payment_ids],
                amount=amount,
                decided_on=decided_on,
                reason=reason,
                delegat=who,
            ),
            retry=False,  # a stated amount: a concurrent twin must not be recorded twice
        )
        return recorded.with_result(claim_id)

    def receive_repayment(self, claim_id: str, *, actor: Actor, amount: Decimal, received_on: date) -> Recorded:
        """A repayment received from the person (never above what is outstanding)."""
        return self._claim_change(
            claim_id,
            lambda h: h.receive_repayment(
                actor=actor, claim_id=claim_id.strip().lower(), amount=amount, received_on=received_on
            ),
        )

    def waive_repayment(
        self,
        claim_id: str,
        *,
        actor: Actor,
        amount: Decimal,
        reason: str,
        waived_on: date,
        delegat: ActorRole | None = None,
    ) -> Recorded:
        """Eftergift (9 kap. 4 § SoL), whole or part."""
        who = _delegat(actor, delegat)
        return self._claim_change(
            claim_id,
            lambda h: h.waive_repayment(
                actor=actor,
                claim_id=claim_id.strip().lower(),
                amount=amount,
                reason=reason,
                waived_on=waived_on,
                delegat=who,
            ),
        )

    def file_in_court(
        self,
        claim_id: str,
        *,
        actor: Actor,
        filed_on: date,
        court: str,
        case_number: str = "",
        delegat: ActorRole | None = None,
    ) -> Recorded:
        """Talan i förvaltningsrätten (9 kap. 3 § SoL)."""
        who = _delegat(actor, delegat)
        return self._claim_change(
            claim_id,
            lambda h: h.file_in_court(
                actor=actor,
                claim_id=claim_id.strip().lower(),
                filed_on=filed_on,
                court=court,
                case_number=case_number,
                delegat=who,
            ),
            retry=True,  # a second filing is refused by the household itself
        )

    def agree_plan(
        self, claim_id: str, *, actor: Actor, agreed_on: date, instalments: Sequence[Instalment], note: str = ""
    ) -> Recorded:
        """An agreed repayment plan (a later plan replaces the earlier one)."""
        return self._claim_change(
            claim_id,
            lambda h: h.agree_plan(
                actor=actor, claim_id=claim_id.strip().lower(), agreed_on=agreed_on, instalments=instalments, note=note
            ),
        )

    def request_advance(
        self,
        household_id: UUID,
        *,
        actor: Actor,
        member: str,
        benefit: IncomeKind,
        months: Sequence[Month],
        amount_per_month: Decimal,
        requested_on: date,
    ) -> Recorded:
        """Ask Försäkringskassan to pay a coming benefit to the nämnd. ``result`` is the request id."""
        recorded, request_id = self._change(
            household_id,
            lambda h: h.request_advance(
                actor=actor,
                member=member,
                benefit=benefit,
                months=months,
                amount_per_month=amount_per_month,
                requested_on=requested_on,
            ),
            retry=True,  # an overlapping second request is refused by the household itself
        )
        return recorded.with_result(request_id)

    def record_advance_refund(
        self, request_id: str, *, actor: Actor, amount: Decimal, refunded_on: date
    ) -> tuple[Recorded, list[tuple[str, Decimal]]]:
        """What Försäkringskassan paid the nämnd for a request's period; returns the receipts it made on claims."""
        household_id = self.find_advance_household(request_id)
        recorded, receipts = self._change(
            household_id,
            lambda h: h.record_advance_refund(
                actor=actor, request_id=request_id.strip().lower(), amount=amount, refunded_on=refunded_on
            ),
            retry=False,
        )
        advance = self._load(household_id).find_advance(request_id.strip().lower())
        return recorded.with_result(advance.request_id), receipts

    # ------------------------------------------------------------------ queries

    def get_claim(self, claim_id: str) -> dict[str, Any]:
        """One claim as it now stands."""
        household_id = self.find_claim_household(claim_id)
        household = self._load(household_id)
        return claim_view(household_id, household.find_claim(claim_id.strip().lower()))

    def _households_with_claims(self) -> list[UUID]:
        seen: dict[UUID, None] = {}
        for e in self.iter_events(topics=(Household.RepaymentClaimed.TOPIC,)):
            seen[e.originator_id] = None
        return list(seen)

    def list_claims(
        self,
        *,
        as_of: date,
        due_within: int | None = None,
        household_id: UUID | None = None,
        include_settled: bool = False,
    ) -> list[dict[str, Any]]:
        """Open claims ordered by court deadline; with ``due_within`` only those due at most that many days after
        ``as_of`` (a deadline already passed included). Each row adds ``days_left`` from ``as_of``."""
        ids = [household_id] if household_id is not None else self._households_with_claims()
        rows: list[tuple[date, str, dict[str, Any]]] = []
        for hid in ids:
            household = self._load(hid)
            for claim in household.claims.values():
                if claim.status != "open" and not include_settled:
                    continue
                if due_within is not None and claim.court_deadline > as_of + timedelta(days=due_within):
                    continue
                view = claim_view(hid, claim)
                view["days_left"] = (claim.court_deadline - as_of).days
                rows.append((claim.court_deadline, claim.claim_id, view))
        return [view for _, _, view in sorted(rows, key=lambda r: (r[0], r[1]))]

    def list_recovery_candidates(self, household_id: UUID | None = None) -> list[dict[str, Any]]:
        """Months paid above their (amended) grant and not yet wholly claimed, with the payments of the month.

        Nothing is claimed automatically (9 kap. 1 § needs the caseworker's assessment); ``claim`` is the one
        command that records a 9:1 claim for the unclaimed excess.
        """
        ids = [household_id] if household_id is not None else [UUID(r["household_id"]) for r in self.list_households()]
        rows: list[dict[str, Any]] = []
        for hid in ids:
            household = self._load(hid)
            for month, excess in household.overpaid().items():
                paid = [p for p in household.payments.values() if p.month == month and not p.cancelled]
                claimed = sum((household.claimed_on(p.payment_id) for p in paid), Decimal("0.00"))
                unclaimed = excess - claimed
                if unclaimed <= 0:
                    continue
                options = " ".join(f"--payment {p.payment_id}" for p in paid)
                rows.append(
                    {
                        "household_id": str(hid),
                        "month": str(month),
                        "granted": f"{household.granted_amount(month):.2f}",
                        "paid": f"{household.paid_amount(month):.2f}",
                        "overpaid": f"{excess:.2f}",
                        "claimed": f"{claimed:.2f}",
                        "unclaimed": f"{unclaimed:.2f}",
                        "payments": [p.payment_id for p in paid],
                        "claim": f"bistand recovery claim {hid} --ground wrongful_payment {options} "
                        f"--amount {unclaimed:.2f} --on YYYY-MM-DD --reason TEXT",
                    }
                )
        return rows
