"""The monthly run (månadskörning): decide every complete, undecided application for a month and pay the grants.

- **Automated decisions grant only** (``domain/household/policy.py``, :func:`check_automated`): the run drafts
  each month with the engine as the ``system`` user; a month the engine would refuse, grant only in part, or
  that needs a higher delegat is left for a caseworker and listed, never decided.
- **Payments**: what a month's decision grants and is not yet paid is paid in the same save as the decision.
  Four-eyes (docs/adr/0025-monthly-run.md): rule 1 (nobody pays their own decision) does not stop the run
  paying its own automated grants, which have no discretion in them; rule 2 (a second person's approval above
  the configured amount) applies as to anyone: such a payment is skipped and listed.
- **Batches**: households are loaded and changed a batch at a time and saved with one atomic ``save`` of the
  whole batch. A run stopped midway leaves whole batches recorded and the rest untouched; running it again
  finds the decided months decided and the paid months paid, so nobody is decided or paid twice. A batch a
  caseworker changed meanwhile is read again and redone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Final
from uuid import UUID

from eventsourcing.persistence import IntegrityError, RecordConflictError

from bistand_es.application.decisions import DecisionCommands, DecisionRequest, draft_for
from bistand_es.application.payments import PaymentCommands, unpaid
from bistand_es.domain.errors import ConcurrentChange, DomainRuleViolation, InvalidInput, NotAuthorised
from bistand_es.domain.household import Household
from bistand_es.domain.household.approvals import FourEyes, FourEyesRequired
from bistand_es.domain.month import Month
from bistand_es.domain.records import Actor
from bistand_es.domain.rules.rule_set import RuleSet
from bistand_es.domain.vocabulary import ActorRole, Payee, PaymentMethod

BATCH: Final = 100
ATTEMPTS: Final = 3
NO_LIMIT: Final = Decimal("Infinity")


@dataclass
class MonthlyRun:
    """What a run did: months decided, payments made, households left for a caseworker (with why)."""

    month: Month
    decided: list[dict[str, Any]] = field(default_factory=list)
    paid: list[dict[str, Any]] = field(default_factory=list)
    left: list[dict[str, Any]] = field(default_factory=list)
    households: int = 0

    def summary(self) -> dict[str, Any]:
        total = sum((Decimal(p["amount"]) for p in self.paid), Decimal("0.00"))
        return {
            "month": str(self.month),
            "households": self.households,
            "decided": len(self.decided),
            "paid": len(self.paid),
            "paid_total": f"{total:.2f}",
            "left_for_caseworker": len(self.left),
            "left": self.left,
        }


def _batches(ids: list[UUID], size: int) -> Iterator[list[UUID]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def is_complete(household: Household, month: Month, on: date) -> bool:
    """An application for the month that is complete by ``on`` (no completion day recorded: complete on receipt)."""
    application = household.applications.get(month)
    return application is not None and (application.complete_on is None or application.complete_on <= on)


class MonthlyRunCommands(DecisionCommands, PaymentCommands):
    """The use case ``run_month``."""

    def run_month(
        self,
        month: Month,
        *,
        actor: Actor,
        rule_set: RuleSet,
        run_on: date,
        batch_size: int = BATCH,
        progress: Callable[[int, int], None] | None = None,
        prepare: Callable[[Household], None] | None = None,
        decide: bool = True,
    ) -> MonthlyRun:
        """Decide and pay ``month`` for every household, a batch per save. ``actor`` is a ``system`` user.

        ``prepare`` (the demo's month of applications and incomes) runs on each loaded household first and is
        saved in the same batch; with ``decide=False`` only that is done.
        """
        if decide and actor.role != ActorRole.SYSTEM.value:
            raise NotAuthorised(f"the monthly run decides automatically: it runs as a system user, not a {actor.role}")
        ids = [UUID(row["household_id"]) for row in self.list_households()]
        run = MonthlyRun(month=month, households=len(ids))
        done = 0
        for batch in _batches(ids, max(1, batch_size)):
            self._run_batch(batch, run, actor=actor, rule_set=rule_set, run_on=run_on, prepare=prepare, decide=decide)
            done += len(batch)
            if progress is not None:
                progress(done, len(ids))
        return run

    def _run_batch(
        self,
        batch: list[UUID],
        run: MonthlyRun,
        *,
        actor: Actor,
        rule_set: RuleSet,
        run_on: date,
        prepare: Callable[[Household], None] | None,
        decide: bool,
    ) -> None:
        for attempt in range(ATTEMPTS):
            partial = MonthlyRun(month=run.month)
            changed = []
            for hid in batch:
                household = self._load(hid)
                before = household.version
                if prepare is not None:
                    prepare(household)
                if decide:
                    self._decide_and_pay(household, partial, actor=actor, rule_set=rule_set, run_on=run_on)
                if household.version != before:
                    changed.append(household)
            try:
                if changed:
                    self.save(*changed)
            except (IntegrityError, RecordConflictError):
                if attempt + 1 < ATTEMPTS:
                    continue  # someone changed a household of the batch meanwhile: read it again
                raise ConcurrentChange(batch[0], "households changed during the monthly run — run it again") from None
            run.decided += partial.decided
            run.paid += partial.paid
            run.left += partial.left
            return

    def _decide_and_pay(
        self, household: Household, run: MonthlyRun, *, actor: Actor, rule_set: RuleSet, run_on: date
    ) -> None:
        month = run.month
        hid = str(household.id)
        if month not in household.decisions and is_complete(household, month, run_on):
            request = DecisionRequest(month=month, actor=actor, decided_on=run_on)
            try:
                draft = draft_for(household, request, rule_set)
                household.make_decision(
                    actor=actor,
                    month=month,
                    outcome=draft.outcome,
                    situation=draft.situation,
                    calculation=draft.calculation,
                    rule_set_hash=draft.rule_set_hash,
                    parameters=draft.parameters,
                    approved_costs=draft.approved_costs,
                    norm_adjustment=None,
                    conditions=[],
                    delegat=draft.delegat,
                    reason="",
                    decided_on=run_on,
                )
            except (DomainRuleViolation, InvalidInput, NotAuthorised) as why:
                run.left.append({"household_id": hid, "month": str(month), "reason": str(why)})
                return
            run.decided.append({"household_id": hid, "month": str(month), "aid": f"{draft.aid:.2f}"})
        remaining = unpaid(household, month)
        if remaining <= 0:
            return
        policy = self._four_eyes_for(household, month, actor)
        try:
            household.check_four_eyes(payer=actor, month=month, amount=remaining, policy=policy)
        except FourEyesRequired as why:
            run.left.append({"household_id": hid, "month": str(month), "reason": str(why)})
            return
        payment_id = household.issue_payment(
            actor=actor,
            month=month,
            amount=remaining,
            payee=Payee.APPLICANT.value,
            method=PaymentMethod.BANK_TRANSFER.value,
            paid_on=run_on,
        )
        household.tag_payment_by_default(actor=actor, payment_id=payment_id)
        run.paid.append(
            {"household_id": hid, "month": str(month), "payment_id": payment_id, "amount": f"{remaining:.2f}"}
        )

    def _four_eyes_for(self, household: Household, month: Month, actor: Actor) -> FourEyes:
        """Four-eyes for the run's payment: its own unamended automated grant is not a person paying their own
        decision (rule 1 does not apply); a second person's approval above the limit (rule 2) still does."""
        decision = household.decisions.get(month)
        automated = decision is not None and decision.amendments == 0 and household.deciders.get(month) == {actor.user}
        if not automated:
            return self.four_eyes
        return FourEyes(self_payment_above=NO_LIMIT, approval_above=self.four_eyes.approval_above)
