"""Återkrav (recovery claims, 9 kap. SoL 2001:453): events, state records, pure rules and the household's commands.

- **Events** (stored schema, like :mod:`.events`): ``RepaymentClaimed`` and its successors ``RepaymentReceived``,
  ``RepaymentWaived`` (eftergift, 9:4), ``RepaymentCourtFiled`` (förvaltningsrätten, 9:3), ``RepaymentPlanAgreed``,
  and for förskott på förmån ``AdvanceRequestedFromAgency`` / ``AdvanceRefunded`` (socialförsäkringsbalken
  107 kap. 5 §).
- **Rules** (pure functions): which decision condition each ground needs, the court deadline per payment, what a
  claim may cover, what is outstanding, and which incomes a refund from Försäkringskassan takes out of later
  calculations.
- **Commands** (:class:`RecoveryMixin`, inherited by ``Household``): validate, then ``trigger_event``; the
  mutators ``_on_*`` only assign (docs/adr/0005-decide-then-record.md).

A claim is never netted against later aid (HFD 2013 ref. 18): nothing here touches decisions or payments.
See docs/recovery.md and docs/adr/0017-recovery-claims.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final
from uuid import uuid4

from bistand_es.domain.errors import DomainRuleViolation, InvalidInput, NotFound, UnknownMember
from bistand_es.domain.household.events import TOPIC_PREFIX, HouseholdEvent
from bistand_es.domain.household.policy import check_delegation
from bistand_es.domain.month import Month
from bistand_es.domain.records import Actor, Membership, RecordedDecision, RecordedPayment, ReportedIncome
from bistand_es.domain.vocabulary import (
    ActorRole,
    IncomeKind,
    Outcome,
    RecoveryCondition,
    RecoveryGround,
    parse_choice,
)

if TYPE_CHECKING:  # pragma: no cover - the mixin is only ever used through Household
    from eventsourcing.domain import Aggregate as _HouseholdBase
else:
    _HouseholdBase = object

ZERO: Final = Decimal("0.00")

#: The agency that pays a benefit retroactively to the nämnd (107 kap. 5 § socialförsäkringsbalken).
FORSAKRINGSKASSAN: Final = "forsakringskassan"

# ---------------------------------------------------------------------------------------------------- events


class RepaymentClaimed(HouseholdEvent):
    """An återkrav decided: its ground, the payments it covers (each with its court deadline) and the amount.

    ``payments`` rows: payment_id, decision_id, month, paid_on, amount (what the payment paid), claimed (the part
    of this claim on it), court_deadline, conditions (those the granting decision stated).
    """

    TOPIC = TOPIC_PREFIX + "RepaymentClaimed"
    claim_id: str
    ground: str
    law: str
    required_condition: str | None
    amount: Decimal
    payments: list[dict[str, Any]]
    decided_on: date
    delegat: str
    reason: str


class RepaymentReceived(HouseholdEvent):
    """A repayment received on a claim: from the person, or from Försäkringskassan for an advance."""

    TOPIC = TOPIC_PREFIX + "RepaymentReceived"
    claim_id: str
    amount: Decimal
    received_on: date
    source: str  # "person" or "forsakringskassan"
    reference: str  # the advance request id when the money came from the agency


class RepaymentWaived(HouseholdEvent):
    """Eftergift (9 kap. 4 § SoL): the nämnd waives a claim wholly or partly."""

    TOPIC = TOPIC_PREFIX + "RepaymentWaived"
    claim_id: str
    amount: Decimal
    waived_on: date
    delegat: str
    reason: str


class RepaymentCourtFiled(HouseholdEvent):
    """Talan i förvaltningsrätten (9 kap. 3 § SoL)."""

    TOPIC = TOPIC_PREFIX + "RepaymentCourtFiled"
    claim_id: str
    filed_on: date
    court: str
    case_number: str
    delegat: str


class RepaymentPlanAgreed(HouseholdEvent):
    """An agreed repayment plan (avbetalningsplan): instalments of due_on and amount. A later plan replaces it."""

    TOPIC = TOPIC_PREFIX + "RepaymentPlanAgreed"
    claim_id: str
    agreed_on: date
    instalments: list[dict[str, Any]]
    note: str


class AdvanceRequestedFromAgency(HouseholdEvent):
    """The nämnd asks Försäkringskassan to pay a coming benefit to it, for aid granted as förskott på förmån."""

    TOPIC = TOPIC_PREFIX + "AdvanceRequestedFromAgency"
    request_id: str
    agency: str
    member: str
    benefit: str
    months: list[str]
    amount_per_month: Decimal
    requested_on: date
    decisions: list[str]


class AdvanceRefunded(HouseholdEvent):
    """What the agency paid the nämnd for the period of a request. The receipts on claims follow as
    ``RepaymentReceived`` events (source ``forsakringskassan``) in the same save."""

    TOPIC = TOPIC_PREFIX + "AdvanceRefunded"
    request_id: str
    amount: Decimal
    refunded_on: date


RECOVERY_EVENTS: Final = (
    RepaymentClaimed,
    RepaymentReceived,
    RepaymentWaived,
    RepaymentCourtFiled,
    RepaymentPlanAgreed,
    AdvanceRequestedFromAgency,
    AdvanceRefunded,
)

# ---------------------------------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class ClaimedPayment:
    """One payment a claim covers, with the part of the claim on it and its own court deadline."""

    payment_id: str
    decision_id: str
    month: Month
    paid_on: date
    amount: Decimal  # what the payment paid
    claimed: Decimal  # the part of this claim attributed to it
    court_deadline: date
    conditions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Instalment:
    due_on: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class CourtFiling:
    filed_on: date
    court: str
    case_number: str


@dataclass(frozen=True, slots=True)
class RecoveryClaim:
    """An återkrav as it now stands."""

    claim_id: str
    ground: str
    amount: Decimal
    decided_on: date
    payments: tuple[ClaimedPayment, ...]
    delegat: str
    reason: str
    received: Decimal = ZERO
    waived: Decimal = ZERO
    court: CourtFiling | None = None
    plan: tuple[Instalment, ...] = ()

    @property
    def outstanding(self) -> Decimal:
        return outstanding(self.amount, self.received, self.waived)

    @property
    def status(self) -> str:
        return claim_status(self.outstanding)

    @property
    def court_deadline(self) -> date:
        """The earliest court deadline among the claim's payments."""
        return min(p.court_deadline for p in self.payments)


@dataclass(frozen=True, slots=True)
class AdvanceRequest:
    """A request to an agency to pay a benefit to the nämnd (förskott på förmån), with what it refunded."""

    request_id: str
    agency: str
    member: str
    benefit: str
    months: tuple[Month, ...]
    amount_per_month: Decimal
    requested_on: date
    refunded: Decimal = ZERO


# ---------------------------------------------------------------------------------------------------- pure rules

#: The law of each ground.
LAW: Final[dict[RecoveryGround, str]] = {
    RecoveryGround.WRONGFUL_PAYMENT: "9 kap. 1 § SoL (2001:453)",
    RecoveryGround.ADVANCE_ON_BENEFIT: "9 kap. 2 § första stycket SoL (2001:453)",
    RecoveryGround.LABOUR_DISPUTE: "9 kap. 2 § första stycket SoL (2001:453)",
    RecoveryGround.ASSETS_UNAVAILABLE: "9 kap. 2 § första stycket SoL (2001:453)",
    RecoveryGround.REPAYMENT_CONDITION: "9 kap. 2 § andra stycket SoL (2001:453)",
}

#: The condition the decision that granted the paid aid must state for each ground (JO 4000-2000).
REQUIRED_CONDITION: Final[dict[RecoveryGround, RecoveryCondition | None]] = {
    RecoveryGround.WRONGFUL_PAYMENT: None,
    RecoveryGround.ADVANCE_ON_BENEFIT: RecoveryCondition.ADVANCE_ON_BENEFIT,
    RecoveryGround.LABOUR_DISPUTE: RecoveryCondition.LABOUR_DISPUTE,
    RecoveryGround.ASSETS_UNAVAILABLE: RecoveryCondition.ASSETS_UNAVAILABLE,
    RecoveryGround.REPAYMENT_CONDITION: RecoveryCondition.REPAYMENT,
}


def court_deadline(paid_on: date) -> date:
    """9 kap. 3 §: three years from when the cost arose, the same calendar day; a 29 February payment: 28 February."""
    try:
        return paid_on.replace(year=paid_on.year + 3)
    except ValueError:  # 29 February into a year that has none
        return date(paid_on.year + 3, 2, 28)


def outstanding(amount: Decimal, received: Decimal, waived: Decimal) -> Decimal:
    """What is still owed on a claim: amount − received − waived (the commands keep it from going below 0)."""
    return max(ZERO, amount - received - waived)


def claim_status(owed: Decimal) -> str:
    return "settled" if owed == 0 else "open"


def decision_conditions(requested: Iterable[str], existing: RecordedDecision | None) -> list[str]:
    """The conditions a (new or amended) decision records.

    A condition is stated when the aid is granted and never added afterwards (JO 4000-2000): an amendment of a
    granting decision keeps the conditions that decision stated and may not add one.
    """
    stated = sorted({parse_choice(RecoveryCondition, c, "condition").value for c in requested})
    if existing is None or existing.outcome == Outcome.REFUSED.value:
        return stated
    added = [c for c in stated if c not in existing.conditions]
    if added:
        raise DomainRuleViolation(
            f"the condition {', '.join(added)} cannot be added to decision {existing.decision_id} "
            f"({existing.month}) afterwards: a condition is stated when the aid is granted (JO 4000-2000)"
        )
    return sorted(set(existing.conditions))


def require_condition(ground: RecoveryGround, payment: RecordedPayment, conditions: Sequence[str]) -> None:
    """A 9:2 ground needs its condition in the decision that granted the paid aid."""
    needed = REQUIRED_CONDITION[ground]
    if needed is not None and needed.value not in conditions:
        raise DomainRuleViolation(
            f"ground {ground.value} needs the condition {needed.value} in the decision that granted the aid: "
            f"decision {payment.decision_id} ({payment.month}, payment {payment.payment_id}) lacks the condition "
            f"{needed.value}, and a condition cannot be added afterwards"
        )


def require_positive(amount: Decimal, what: str) -> None:
    if amount <= 0:
        raise InvalidInput(f"amount: {what} must be more than 0 (got {amount:.2f})")


def allocate(amount: Decimal, payments: Sequence[RecordedPayment], claimed: dict[str, Decimal]) -> list[Decimal]:
    """Spread a claim over its payments, oldest payment first, each up to what earlier claims left of it.

    Refuses an amount ≤ 0 or above what the payments paid less what earlier claims already cover of them.
    """
    require_positive(amount, "a claim")
    room = [p.amount - claimed.get(p.payment_id, ZERO) for p in payments]
    allowed = sum(room, ZERO)
    if amount > allowed:
        paid = sum((p.amount for p in payments), ZERO)
        raise InvalidInput(
            f"amount: {amount:.2f} is more than the covered payments allow: they paid {paid:.2f}, of which "
            f"{paid - allowed:.2f} is already claimed, so at most {allowed:.2f}"
        )
    shares: list[Decimal] = []
    left = amount
    for free in room:
        share = min(left, max(ZERO, free))
        shares.append(share)
        left -= share
    return shares


def require_at_most_outstanding(claim: RecoveryClaim, amount: Decimal, what: str) -> None:
    if amount > claim.outstanding:
        raise DomainRuleViolation(
            f"{what} of {amount:.2f} is more than the {claim.outstanding:.2f} outstanding on claim {claim.claim_id}"
        )


def net_of_refunds(incomes: Iterable[ReportedIncome], advances: Iterable[AdvanceRequest]) -> list[ReportedIncome]:
    """Incomes with what an agency refunded to the nämnd taken out, so a refunded benefit is never counted again.

    A refund for a request (member, benefit, period) is taken from that member's incomes of that benefit kind
    received in the period's first month or later, oldest first (in the order reported), never below 0; an
    income taken out wholly is left out. The income is the benefit as Försäkringskassan decided it, so the part
    it paid to the nämnd is in it (docs/recovery.md).
    """
    amounts = {i.income_id: i.amount for i in incomes}
    ordered = sorted(incomes, key=lambda i: i.month)
    for advance in advances:
        left = advance.refunded
        start = min(advance.months)
        for income in ordered:
            if left <= 0:
                break
            if income.member == advance.member and income.kind == advance.benefit and income.month >= start:
                taken = min(left, amounts[income.income_id])
                amounts[income.income_id] -= taken
                left -= taken
    return [replace(i, amount=amounts[i.income_id]) for i in incomes if amounts[i.income_id] > 0]


def find_by_id(items: dict[str, Any], text: str, what: str, household: object) -> Any:
    """An item by id or by an unambiguous id prefix (at least 8 characters); NotFound otherwise."""
    if text in items:
        return items[text]
    matches = [v for k, v in items.items() if len(text) >= 8 and k.startswith(text)]
    if len(matches) == 1:
        return matches[0]
    raise NotFound(f"unknown {what} {text} in household {household}")


# ---------------------------------------------------------------------------------------------------- commands


class RecoveryMixin(_HouseholdBase):
    """The household's recovery commands and mutators (state: ``claims``, ``advances``)."""

    claims: dict[str, RecoveryClaim]
    advances: dict[str, AdvanceRequest]
    memberships: list[Membership]
    incomes: dict[str, ReportedIncome]
    decisions: dict[Month, RecordedDecision]
    payments: dict[str, RecordedPayment]

    if TYPE_CHECKING:  # pragma: no cover - defined by Household

        def find_payment(self, payment_id: str) -> RecordedPayment | None: ...

        def paid_amount(self, month: Month) -> Decimal: ...

    # ------------------------------------------------------------------ queries

    def find_claim(self, claim_id: str) -> RecoveryClaim:
        claim: RecoveryClaim = find_by_id(self.claims, claim_id, "claim", self.id)
        return claim

    def find_advance(self, request_id: str) -> AdvanceRequest:
        advance: AdvanceRequest = find_by_id(self.advances, request_id, "advance request", self.id)
        return advance

    def claimed_on(self, payment_id: str) -> Decimal:
        """What all claims together already cover of one payment."""
        return sum((p.claimed for c in self.claims.values() for p in c.payments if p.payment_id == payment_id), ZERO)

    def incomes_net_of_agency_refunds(self) -> list[ReportedIncome]:
        """The reported incomes less what an agency refunded to the nämnd for the same benefit (never counted twice)."""
        return net_of_refunds(list(self.incomes.values()), self.advances.values())

    # ------------------------------------------------------------------ commands

    def claim_repayment(
        self,
        *,
        actor: Actor,
        ground: RecoveryGround,
        payment_ids: Sequence[str],
        amount: Decimal,
        decided_on: date,
        reason: str,
        delegat: ActorRole,
    ) -> str:
        """Decide an återkrav on one or more payments. Returns the new claim id."""
        check_delegation(actor.role, delegat, None)
        if not reason.strip():
            raise InvalidInput("reason: an återkrav needs the caseworker's reason (--reason)")
        if not payment_ids:
            raise InvalidInput("give at least one payment the claim covers (--payment)")
        covered: list[RecordedPayment] = []
        for text in payment_ids:
            payment = self.find_payment(text)
            if payment is None:
                raise NotFound(f"unknown payment {text} in household {self.id}")
            if any(p.payment_id == payment.payment_id for p in covered):
                raise InvalidInput(f"payment {payment.payment_id} is named twice")
            if payment.cancelled:
                raise DomainRuleViolation(f"payment {payment.payment_id} was cancelled: nothing of it can be claimed")
            if decided_on < payment.paid_on:
                raise InvalidInput(
                    f"--on: the claim date {decided_on} is before payment {payment.payment_id} was made "
                    f"({payment.paid_on})"
                )
            covered.append(payment)
        covered.sort(key=lambda p: (p.paid_on, p.payment_id))
        conditions = {p.payment_id: self._conditions_of(p) for p in covered}
        for payment in covered:
            require_condition(ground, payment, conditions[payment.payment_id])
        shares = allocate(amount, covered, {p.payment_id: self.claimed_on(p.payment_id) for p in covered})
        claim_id = str(uuid4())
        needed = REQUIRED_CONDITION[ground]
        self.trigger_event(
            RepaymentClaimed,
            actor=actor.as_dict(),
            claim_id=claim_id,
            ground=ground.value,
            law=LAW[ground],
            required_condition=needed.value if needed is not None else None,
            amount=amount,
            payments=[
                {
                    "payment_id": p.payment_id,
                    "decision_id": p.decision_id,
                    "month": str(p.month),
                    "paid_on": p.paid_on,
                    "amount": p.amount,
                    "claimed": share,
                    "court_deadline": court_deadline(p.paid_on),
                    "conditions": list(conditions[p.payment_id]),
                }
                for p, share in zip(covered, shares, strict=True)
            ],
            decided_on=decided_on,
            delegat=delegat.value,
            reason=reason.strip(),
        )
        return claim_id

    def receive_repayment(self, *, actor: Actor, claim_id: str, amount: Decimal, received_on: date) -> str:
        """Record a repayment from the person. Never above what is outstanding. Returns the claim id."""
        claim = self.find_claim(claim_id)
        require_positive(amount, "a repayment")
        if received_on < claim.decided_on:
            raise InvalidInput(f"--on: {received_on} is before the claim was decided ({claim.decided_on})")
        require_at_most_outstanding(claim, amount, "a repayment")
        self.trigger_event(
            RepaymentReceived,
            actor=actor.as_dict(),
            claim_id=claim.claim_id,
            amount=amount,
            received_on=received_on,
            source="person",
            reference="",
        )
        return claim.claim_id

    def waive_repayment(
        self, *, actor: Actor, claim_id: str, amount: Decimal, reason: str, waived_on: date, delegat: ActorRole
    ) -> str:
        """Eftergift (9 kap. 4 §), whole or part: a delegat in the delegation order and a reason. Returns the claim."""
        check_delegation(actor.role, delegat, None)
        claim = self.find_claim(claim_id)
        if not reason.strip():
            raise InvalidInput("reason: an eftergift needs the delegat's reason (--reason)")
        require_positive(amount, "a waiver")
        if waived_on < claim.decided_on:
            raise InvalidInput(f"--on: {waived_on} is before the claim was decided ({claim.decided_on})")
        require_at_most_outstanding(claim, amount, "a waiver")
        self.trigger_event(
            RepaymentWaived,
            actor=actor.as_dict(),
            claim_id=claim.claim_id,
            amount=amount,
            waived_on=waived_on,
            delegat=delegat.value,
            reason=reason.strip(),
        )
        return claim.claim_id

    def file_in_court(
        self, *, actor: Actor, claim_id: str, filed_on: date, court: str, case_number: str, delegat: ActorRole
    ) -> str:
        """Talan i förvaltningsrätten (9 kap. 3 §): before the three years of at least one payment have run out."""
        check_delegation(actor.role, delegat, None)
        claim = self.find_claim(claim_id)
        if not court.strip():
            raise InvalidInput("court: name the förvaltningsrätt (e.g. 'Förvaltningsrätten i Karlstad')")
        if filed_on < claim.decided_on:
            raise InvalidInput(f"--on: {filed_on} is before the claim was decided ({claim.decided_on})")
        if claim.court is not None:
            raise DomainRuleViolation(f"claim {claim.claim_id} was filed in court on {claim.court.filed_on}")
        if claim.outstanding == 0:
            raise DomainRuleViolation(f"claim {claim.claim_id} is settled: nothing to take to court")
        last = max(p.court_deadline for p in claim.payments)
        if filed_on > last:
            raise DomainRuleViolation(
                f"claim {claim.claim_id} is time-barred: the three years of 9 kap. 3 § SoL ran out on {last}"
            )
        self.trigger_event(
            RepaymentCourtFiled,
            actor=actor.as_dict(),
            claim_id=claim.claim_id,
            filed_on=filed_on,
            court=court.strip(),
            case_number=case_number.strip(),
            delegat=delegat.value,
        )
        return claim.claim_id

    def agree_plan(
        self, *, actor: Actor, claim_id: str, agreed_on: date, instalments: Sequence[Instalment], note: str
    ) -> str:
        """A repayment plan: instalments after the agreement, in date order, together at most what is outstanding."""
        claim = self.find_claim(claim_id)
        if not instalments:
            raise InvalidInput("give at least one instalment (--instalment DATE=AMOUNT)")
        if agreed_on < claim.decided_on:
            raise InvalidInput(f"--on: {agreed_on} is before the claim was decided ({claim.decided_on})")
        previous = agreed_on
        for instalment in instalments:
            require_positive(instalment.amount, "an instalment")
            if instalment.due_on < previous:
                raise InvalidInput(f"instalment {instalment.due_on}: due dates run from the agreement, in order")
            previous = instalment.due_on
        total = sum((i.amount for i in instalments), ZERO)
        require_at_most_outstanding(claim, total, "a plan")
        self.trigger_event(
            RepaymentPlanAgreed,
            actor=actor.as_dict(),
            claim_id=claim.claim_id,
            agreed_on=agreed_on,
            instalments=[{"due_on": i.due_on, "amount": i.amount} for i in instalments],
            note=note.strip(),
        )
        return claim.claim_id

    def request_advance(
        self,
        *,
        actor: Actor,
        member: str,
        benefit: IncomeKind,
        months: Sequence[Month],
        amount_per_month: Decimal,
        requested_on: date,
    ) -> str:
        """Ask Försäkringskassan to pay a coming benefit to the nämnd (107 kap. 5 § SFB). Returns the request id.

        The aid of every month must be granted with the condition ``advance_on_benefit``, the amount per month is
        at most that aid, and the request must come before the benefit is paid: a benefit of that kind already
        reported for the member from the period on refuses it.
        """
        if not any(m.person == member for m in self.memberships):
            raise UnknownMember(f"the person is not a member of household {self.id}")
        if not months:
            raise InvalidInput("months: give the period the benefit is for (--months 2021-04[,2021-05])")
        require_positive(amount_per_month, "the amount per month")
        period = sorted(set(months))
        decisions: list[str] = []
        for month in period:
            decision = self.decisions.get(month)
            if decision is None or decision.outcome == Outcome.REFUSED.value:
                raise DomainRuleViolation(f"no granting decision for {month} in household {self.id}")
            if RecoveryCondition.ADVANCE_ON_BENEFIT.value not in decision.conditions:
                raise DomainRuleViolation(
                    f"decision {decision.decision_id} ({month}) lacks the condition advance_on_benefit: the aid "
                    "was not granted as förskott på förmån, and a condition cannot be added afterwards"
                )
            if amount_per_month > decision.aid:
                raise InvalidInput(
                    f"amount per month: {amount_per_month:.2f} is more than the {decision.aid:.2f} granted for {month}"
                )
            decisions.append(decision.decision_id)
        for income in self.incomes.values():
            if income.member == member and income.kind == benefit.value and income.month >= period[0]:
                raise DomainRuleViolation(
                    f"{benefit.value} for the member is already reported for {income.month}: the request must be "
                    "made before the benefit is paid (107 kap. 5 § socialförsäkringsbalken)"
                )
        for advance in self.advances.values():
            if advance.member == member and advance.benefit == benefit.value and set(advance.months) & set(period):
                raise DomainRuleViolation(f"advance request {advance.request_id} already covers part of the period")
        request_id = str(uuid4())
        self.trigger_event(
            AdvanceRequestedFromAgency,
            actor=actor.as_dict(),
            request_id=request_id,
            agency=FORSAKRINGSKASSAN,
            member=member,
            benefit=benefit.value,
            months=[str(m) for m in period],
            amount_per_month=amount_per_month,
            requested_on=requested_on,
            decisions=decisions,
        )
        return request_id

    def record_advance_refund(
        self, *, actor: Actor, request_id: str, amount: Decimal, refunded_on: date
    ) -> list[tuple[str, Decimal]]:
        """What Försäkringskassan paid the nämnd for a request's period; it settles that period's advance claims first.

        The refund is at most the aid per month actually paid for the period, less earlier refunds. It is received
        on the open ``advance_on_benefit`` claims that cover a payment of the period (earliest court deadline
        first); what no claim takes is left unapplied (docs/recovery.md). Returns the receipts (claim id, amount).
        """
        advance = self.find_advance(request_id)
        require_positive(amount, "a refund")
        if refunded_on <= advance.requested_on:
            raise DomainRuleViolation(
                f"the request {advance.request_id} was made on {advance.requested_on}, not before the benefit was "
                f"paid ({refunded_on}): the agency pays the nämnd only what was asked for before it paid"
            )
        allowed = sum((min(advance.amount_per_month, self.paid_amount(m)) for m in advance.months), ZERO)
        if amount > allowed - advance.refunded:
            raise InvalidInput(
                f"amount: {amount:.2f} is more than the aid paid for the period allows "
                f"({allowed:.2f}, of which {advance.refunded:.2f} already refunded)"
            )
        period = set(advance.months)
        candidates = sorted(
            (
                c
                for c in self.claims.values()
                if c.ground == RecoveryGround.ADVANCE_ON_BENEFIT.value
                and c.outstanding > 0
                and any(p.month in period for p in c.payments)
            ),
            key=lambda c: (c.court_deadline, c.decided_on, c.claim_id),
        )
        receipts: list[tuple[str, Decimal]] = []
        left = amount
        for claim in candidates:
            share = min(left, claim.outstanding)
            if share > 0:
                receipts.append((claim.claim_id, share))
                left -= share
        self.trigger_event(
            AdvanceRefunded,
            actor=actor.as_dict(),
            request_id=advance.request_id,
            amount=amount,
            refunded_on=refunded_on,
        )
        for claim_id, share in receipts:
            self.trigger_event(
                RepaymentReceived,
                actor=actor.as_dict(),
                claim_id=claim_id,
                amount=share,
                received_on=refunded_on,
                source=advance.agency,
                reference=advance.request_id,
            )
        return receipts

    def _conditions_of(self, payment: RecordedPayment) -> tuple[str, ...]:
        """The conditions of the decision that granted the paid aid (an amendment keeps them: see
        :func:`decision_conditions`)."""
        decision = self.decisions.get(payment.month)
        return decision.conditions if decision is not None else ()

    # ------------------------------------------------------------------ mutators (only assign)

    def _on_repayment_claimed(self, e: RepaymentClaimed) -> None:
        self.claims[e.claim_id] = RecoveryClaim(
            claim_id=e.claim_id,
            ground=e.ground,
            amount=e.amount,
            decided_on=e.decided_on,
            payments=tuple(
                ClaimedPayment(
                    payment_id=p["payment_id"],
                    decision_id=p["decision_id"],
                    month=Month.parse(str(p["month"])),
                    paid_on=p["paid_on"],
                    amount=Decimal(p["amount"]),
                    claimed=Decimal(p["claimed"]),
                    court_deadline=p["court_deadline"],
                    conditions=tuple(p["conditions"]),
                )
                for p in e.payments
            ),
            delegat=e.delegat,
            reason=e.reason,
        )

    def _on_repayment_received(self, e: RepaymentReceived) -> None:
        claim = self.claims[e.claim_id]
        self.claims[e.claim_id] = replace(claim, received=claim.received + e.amount)

    def _on_repayment_waived(self, e: RepaymentWaived) -> None:
        claim = self.claims[e.claim_id]
        self.claims[e.claim_id] = replace(claim, waived=claim.waived + e.amount)

    def _on_repayment_court_filed(self, e: RepaymentCourtFiled) -> None:
        filing = CourtFiling(e.filed_on, e.court, e.case_number)
        self.claims[e.claim_id] = replace(self.claims[e.claim_id], court=filing)

    def _on_repayment_plan_agreed(self, e: RepaymentPlanAgreed) -> None:
        plan = tuple(Instalment(i["due_on"], Decimal(i["amount"])) for i in e.instalments)
        self.claims[e.claim_id] = replace(self.claims[e.claim_id], plan=plan)

    def _on_advance_requested(self, e: AdvanceRequestedFromAgency) -> None:
        self.advances[e.request_id] = AdvanceRequest(
            request_id=e.request_id,
            agency=e.agency,
            member=e.member,
            benefit=e.benefit,
            months=tuple(Month.parse(m) for m in e.months),
            amount_per_month=e.amount_per_month,
            requested_on=e.requested_on,
        )

    def _on_advance_refunded(self, e: AdvanceRefunded) -> None:
        advance = self.advances[e.request_id]
        self.advances[e.request_id] = replace(advance, refunded=advance.refunded + e.amount)
