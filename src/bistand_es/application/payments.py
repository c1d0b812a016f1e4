"""Payments (utbetalningar): pay what the decisions grant, never more; the monthly payment run; cancellations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from bistand_es.application.base import HouseholdStore, Recorded
from bistand_es.domain.errors import NotFound, PaymentRefused
from bistand_es.domain.household import Household
from bistand_es.domain.household.approvals import FourEyes, FourEyesRequired
from bistand_es.domain.month import Month
from bistand_es.domain.records import Actor
from bistand_es.domain.vocabulary import Outcome, Payee, PaymentMethod


@dataclass(frozen=True)
class PaymentOrder:
    month: Month
    actor: Actor
    paid_on: date
    payee: str = Payee.APPLICANT.value
    method: str = PaymentMethod.BANK_TRANSFER.value
    amount: Decimal | None = None  # None: the granted amount not yet paid
    reimbursable: Reimbursable | None = None  # None: the default rule (asylum seekers' aid is asylum.lma_aid)


@dataclass(frozen=True)
class Reimbursable:
    """A compensation type chosen for a payment (``pay --reimbursable TYPE[:PERSON]``) and the types known."""

    type: str
    person: str | None
    known_types: frozenset[str]


def unpaid(household: Household, month: Month) -> Decimal:
    """What the month's decision grants and is not yet paid (never below zero)."""
    decision = household.decisions.get(month)
    if decision is None or decision.outcome == Outcome.REFUSED.value:
        return Decimal("0.00")
    return max(Decimal("0.00"), decision.aid - household.paid_amount(month))


class PaymentCommands(HouseholdStore):
    """Pay, run the month's payments, cancel a payment; four-eyes approvals.

    Every payment passes four-eyes (``domain/household/approvals.py``) with the limits in :attr:`four_eyes`,
    set from the configuration when the application is built (``application/bootstrap.py``).
    """

    four_eyes: FourEyes = FourEyes()

    def issue_payment(self, household_id: UUID, order: PaymentOrder) -> Recorded:
        """Pay a household's granted aid for a month (the rest not yet paid, or a stated amount)."""

        def command(household: Household) -> str:
            amount = unpaid(household, order.month) if order.amount is None else order.amount
            if order.amount is None and amount <= 0:
                raise PaymentRefused(f"nothing left to pay for {order.month} in household {household.id}")
            household.check_four_eyes(payer=order.actor, month=order.month, amount=amount, policy=self.four_eyes)
            payment_id = household.issue_payment(
                actor=order.actor,
                month=order.month,
                amount=amount,
                payee=order.payee,
                method=order.method,
                paid_on=order.paid_on,
            )
            tag = order.reimbursable
            if tag is None:  # the default rule (domain/household/migration.py), in the same save as the payment
                household.tag_payment_by_default(actor=order.actor, payment_id=payment_id)
            else:
                household.tag_payment(
                    actor=order.actor,
                    payment_id=payment_id,
                    type_name=tag.type,
                    person=tag.person,
                    known_types=tag.known_types,
                )
            return payment_id

        # Paying "the rest" is safe to retry (the rest is recomputed); a stated amount is not (it may be a twin).
        recorded, payment_id = self._change(household_id, command, retry=order.amount is None)
        return recorded.with_result(payment_id)

    def plan_payment_run(self, order: PaymentOrder) -> list[tuple[UUID, Household, Decimal]]:
        """What a payment run would pay: every household with granted, unpaid aid for the month."""
        plan = []
        for row in self.list_households():
            hid = UUID(row["household_id"])
            household = self._load(hid)
            remaining = unpaid(household, order.month)
            if remaining > 0:
                plan.append((hid, household, remaining))
        return plan

    def approve_payment(
        self,
        household_id: UUID,
        *,
        actor: Actor,
        month: Month,
        amount: Decimal | None = None,
        reason: str = "",
        expected_version: int | None = None,
    ) -> Recorded:
        """A second person's approval to pay up to ``amount`` (default: the unpaid rest) for a month."""
        recorded, approved = self._change(
            household_id,
            lambda h: h.approve_payment(actor=actor, month=month, amount=amount, reason=reason, policy=self.four_eyes),
            expected_version=expected_version,
            retry=False,
        )
        return recorded.with_result(f"{approved:.2f}")

    def run_payments(
        self,
        order: PaymentOrder,
        *,
        progress: Callable[[int, int], None] | None = None,
        blocked: list[dict[str, Any]] | None = None,
    ) -> list[dict[str, Any]]:
        """Pay every granted, unpaid decision for the month. Returns the payment list (one row per payment).

        A payment four-eyes stops is skipped, not a failure of the run: it is added to ``blocked`` (household,
        amount, why) when a list is given.
        """
        plan = self.plan_payment_run(order)
        rows: list[dict[str, Any]] = []
        for index, (hid, household, remaining) in enumerate(plan, start=1):
            try:
                recorded = self.issue_payment(hid, replace(order, amount=None))
            except FourEyesRequired as error:
                if blocked is not None:
                    blocked.append(
                        {
                            "household_id": str(hid),
                            "month": str(order.month),
                            "amount": f"{remaining:.2f}",
                            "reason": str(error),
                        }
                    )
                if progress is not None:
                    progress(index, len(plan))
                continue
            rows.append(
                {
                    "payment_id": recorded.result,
                    "household_id": str(hid),
                    "applicant": household.applicant,
                    "municipality": household.municipality,
                    "month": str(order.month),
                    "amount": f"{remaining:.2f}",
                    "payee": order.payee,
                    "method": order.method,
                    "paid_on": order.paid_on.isoformat(),
                    "position": recorded.positions[-1],
                }
            )
            if progress is not None:
                progress(index, len(plan))
        return rows

    def find_payment_household(self, payment_id: str) -> UUID:
        """The household a payment (id or an unambiguous prefix of 8+ characters) belongs to."""
        found: set[UUID] = set()
        if len(payment_id) >= 8:
            for e in self.iter_events(topics=(Household.PaymentIssued.TOPIC,)):
                if e.payment_id == payment_id or e.payment_id.startswith(payment_id):
                    found.add(e.originator_id)
        if len(found) != 1:
            raise NotFound(f"unknown payment {payment_id}" + (" (ambiguous prefix)" if found else ""))
        return found.pop()

    def cancel_payment(
        self, payment_id: str, *, actor: Actor, reason: str, expected_version: int | None = None
    ) -> Recorded:
        """Cancel a payment that was stopped or came back (makulerad/återkommen utbetalning)."""
        household_id = self.find_payment_household(payment_id)
        recorded, cancelled = self._change(
            household_id,
            lambda h: h.cancel_payment(actor=actor, payment_id=payment_id, reason=reason),
            expected_version=expected_version,
        )
        return recorded.with_result(cancelled)
