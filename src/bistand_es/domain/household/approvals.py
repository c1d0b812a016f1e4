"""Four-eyes on payments (fyraögonsprincipen): who may pay a month's aid, and second approvals.

- **Rule 1, not your own decision:** nobody pays a month whose decision (or an amendment of it) they recorded
  themselves, when the month's aid is above :attr:`FourEyes.self_payment_above` (default 0: always).
- **Rule 2, a second person above an amount:** a payment above :attr:`FourEyes.approval_above` (default: no
  limit set) needs a ``PaymentApproved`` for the month by another user, recorded before the payment. An approval
  covers payments up to its amount made after it (the latest approval by someone other than the payer counts).
- **Event** ``PaymentApproved`` (stored schema, like :mod:`.events`), **command** :meth:`ApprovalsMixin.approve_payment`
  and the pure check :meth:`ApprovalsMixin.check_four_eyes`, which the payment use cases call before
  ``issue_payment`` (``application/payments.py``). The limits come from the configuration (``security.yaml`` or
  environment; docs/security.md); *which role* may pay or approve is the role matrix's.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from bistand_es.domain.errors import InvalidInput, NotAuthorised, PaymentRefused
from bistand_es.domain.household.events import TOPIC_PREFIX, HouseholdEvent
from bistand_es.domain.month import Month
from bistand_es.domain.records import Actor, RecordedDecision
from bistand_es.domain.vocabulary import Outcome

if TYPE_CHECKING:  # pragma: no cover - the mixin is only ever used through Household
    from eventsourcing.domain import Aggregate as _HouseholdBase
else:
    _HouseholdBase = object

ZERO: Final = Decimal("0.00")


class FourEyesRequired(NotAuthorised):
    """A payment four-eyes stops: the payer decided the month, or a second approval is missing."""


@dataclass(frozen=True, slots=True)
class FourEyes:
    """The configured limits (docs/security.md, "Four-eyes")."""

    self_payment_above: Decimal = ZERO  # pay your own decision only when the month's aid is at most this
    approval_above: Decimal | None = None  # a payment above this needs a second person's approval; None: never


@dataclass(frozen=True, slots=True)
class PaymentApproval:
    """A second person's approval to pay up to ``amount`` for a month, after ``paid_before`` was paid."""

    month: Month
    amount: Decimal
    approved_by: str
    paid_before: Decimal


class PaymentApproved(HouseholdEvent):
    TOPIC = TOPIC_PREFIX + "PaymentApproved"
    month: Month
    amount: Decimal
    paid_before: Decimal  # what was paid for the month when approved: later payments use the approval up
    reason: str


class ApprovalsMixin(_HouseholdBase):
    """The household's four-eyes state (``deciders``, ``approvals``), command and check."""

    deciders: dict[Month, set[str]]  # who recorded the month's decision or an amendment of it
    approvals: dict[Month, list[PaymentApproval]]
    decisions: dict[Month, RecordedDecision]

    if TYPE_CHECKING:  # pragma: no cover - defined by Household

        def paid_amount(self, month: Month) -> Decimal: ...

    # ------------------------------------------------------------------ queries

    def approved_remaining(self, month: Month, payer: str) -> Decimal:
        """What the latest approval of the month by someone other than ``payer`` still covers."""
        others = [a for a in self.approvals.get(month, []) if a.approved_by != payer]
        if not others:
            return ZERO
        latest = others[-1]
        used = max(ZERO, self.paid_amount(month) - latest.paid_before)
        return max(ZERO, latest.amount - used)

    def check_four_eyes(self, *, payer: Actor, month: Month, amount: Decimal, policy: FourEyes) -> None:
        """Refuse (:class:`FourEyesRequired`) a payment four-eyes does not allow; otherwise return."""
        decision = self.decisions.get(month)
        if decision is None:
            return  # issue_payment refuses a month without a decision with its own message
        if payer.user in self.deciders.get(month, set()) and decision.aid > policy.self_payment_above:
            raise FourEyesRequired(
                f"four-eyes: {payer.user} recorded the decision for {month} in household {self.id}; "
                "another person must pay it"
            )
        limit = policy.approval_above
        if limit is not None and amount > limit:
            remaining = self.approved_remaining(month, payer.user)
            if amount > remaining:
                raise FourEyesRequired(
                    f"four-eyes: paying {amount} for {month} (above {limit}) needs a second person's approval "
                    f"(bistand payments approve {str(self.id)[:8]} --month {month}); approved and unused: {remaining}"
                )

    # ------------------------------------------------------------------ command

    def approve_payment(
        self, *, actor: Actor, month: Month, amount: Decimal | None, reason: str, policy: FourEyes
    ) -> Decimal:
        """Record a second person's approval to pay up to ``amount`` (default: the unpaid rest) for a month."""
        decision = self.decisions.get(month)
        if decision is None or decision.outcome == Outcome.REFUSED.value:
            raise PaymentRefused(f"no granting decision for {month} in household {self.id}")
        if actor.user in self.deciders.get(month, set()) and decision.aid > policy.self_payment_above:
            raise FourEyesRequired(
                f"four-eyes: {actor.user} recorded the decision for {month}; another person must approve its payment"
            )
        paid = self.paid_amount(month)
        rest = max(ZERO, decision.aid - paid)
        approved = rest if amount is None else amount
        if approved <= 0:
            raise PaymentRefused(f"nothing left to pay for {month} in household {self.id}")
        if approved > rest:
            raise InvalidInput(f"--amount: {approved} is more than the {rest} granted and not yet paid for {month}")
        if len(reason) > 1000:
            raise InvalidInput("--reason: at most 1000 characters")
        self.trigger_event(
            PaymentApproved, actor=actor.as_dict(), month=month, amount=approved, paid_before=paid, reason=reason
        )
        return approved

    # ------------------------------------------------------------------ mutators (only assign)

    def _on_payment_approved(self, e: PaymentApproved) -> None:
        approval = PaymentApproval(e.month, e.amount, e.actor["user"], e.paid_before)
        self.approvals.setdefault(e.month, []).append(approval)

    def _note_decider(self, month: Month, user: str) -> None:
        self.deciders.setdefault(month, set()).add(user)
