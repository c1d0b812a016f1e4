"""Payments (utbetalningar): pay what the decisions grant, never more, and the monthly payment run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from bistand_es.application.app import BistandApplication, Recorded
from bistand_es.domain.errors import PaymentRefused
from bistand_es.domain.household import Household
from bistand_es.domain.month import Month
from bistand_es.domain.records import Actor
from bistand_es.domain.vocabulary import Outcome


@dataclass(frozen=True)
class PaymentOrder:
    month: Month
    actor: Actor
    paid_on: date
    payee: str = "applicant"
    method: str = "bank_transfer"
    amount: Decimal | None = None  # None: the granted amount not yet paid


def unpaid(household: Household, month: Month) -> Decimal:
    decision = household.decisions.get(month)
    if decision is None or decision.outcome == Outcome.REFUSED.value:
        return Decimal("0.00")
    return decision.aid - household.paid_amount(month)


def pay(app: BistandApplication, household_id: UUID, order: PaymentOrder) -> Recorded:
    def command(household: Household) -> str:
        amount = unpaid(household, order.month) if order.amount is None else order.amount
        if order.amount is None and amount <= 0:
            raise PaymentRefused(f"nothing left to pay for {order.month} in household {household.id}")
        return household.issue_payment(
            actor=order.actor,
            month=order.month,
            amount=amount,
            payee=order.payee,
            method=order.method,
            paid_on=order.paid_on,
        )

    # Paying "the rest" is safe to retry (the rest is recomputed); a stated amount is not (it may be a twin).
    recorded, payment_id = app.change_household(household_id, command, retry=order.amount is None)
    return Recorded(recorded.household_id, recorded.version, recorded.positions, recorded.event_types, payment_id)


def payment_run(
    app: BistandApplication, order: PaymentOrder, *, progress: Callable[[int, int], None] | None = None
) -> list[dict[str, Any]]:
    """Pay every granted, unpaid decision for the month. Returns the payment list (one row per payment)."""
    households = [row for row in app.list_households()]
    rows: list[dict[str, Any]] = []
    for index, row in enumerate(households, start=1):
        hid = UUID(row["household_id"])
        household = app.get_household(hid)
        remaining = unpaid(household, order.month)
        if remaining > 0:
            recorded = pay(
                app, hid, PaymentOrder(order.month, order.actor, order.paid_on, order.payee, order.method, None)
            )
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
            progress(index, len(households))
    return rows
