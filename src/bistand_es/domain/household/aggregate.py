"""The Household aggregate (hushåll): one event-sourced history per household.

Decide, then record (docs/adr/0005-decide-then-record.md): each public command validates its input against the
current state (with the pure checks of :mod:`.policy`) and computes everything (ids, dates, amounts) *before* it
triggers an event; the mutators (``_on_*``) only assign, because they run again on every replay.

The events are defined in :mod:`.events` (the stored schema); the library needs each one reachable as an
attribute of the aggregate class, hence the aliases below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from bistand_es.domain.errors import (
    DecisionConflict,
    DomainRuleViolation,
    DuplicateMember,
    HouseholdDisposedOf,
    InvalidInput,
    PaymentRefused,
    UnknownIncome,
    UnknownMember,
)
from bistand_es.domain.household import approvals as ap
from bistand_es.domain.household import disposal as dp
from bistand_es.domain.household import events as ev
from bistand_es.domain.household import migration as mg
from bistand_es.domain.household import placements as pl
from bistand_es.domain.household import recovery as rc
from bistand_es.domain.household import stays as st
from bistand_es.domain.household.deferred import DeferredState
from bistand_es.domain.household.policy import (
    check_delegation,
    matters_of,
    require_reasons,
    required_levels,
    subsistence_aid,
)
from bistand_es.domain.month import Month
from bistand_es.domain.records import (
    Actor,
    CohabitationPeriod,
    Membership,
    MonthlyApplication,
    RecordedDecision,
    RecordedPayment,
    ReportedIncome,
    SupportHistory,
    decision_figures,
)
from bistand_es.domain.vocabulary import ActorRole, MemberRole, NormAdjustment, Outcome


class Household(
    DeferredState, rc.RecoveryMixin, mg.MigrationMixin, pl.PlacementMixin, st.StayMixin, ap.ApprovalsMixin, Aggregate
):
    """A household applying for ekonomiskt bistånd, with its whole case history."""

    TOPIC = ev.TOPIC_PREFIX + "Household"

    # The stored schema (see events.py); aliases so the library finds and registers every event.
    Event = ev.HouseholdEvent
    Registered = ev.Registered
    Created = ev.Registered
    MemberAdded = ev.MemberAdded
    MemberRemoved = ev.MemberRemoved
    CohabitationChanged = ev.CohabitationChanged
    ApplicationSubmitted = ev.ApplicationSubmitted
    ApplicationCorrected = ev.ApplicationCorrected
    ApplicationWithdrawn = ev.ApplicationWithdrawn
    IncomeReported = ev.IncomeReported
    IncomeCorrected = ev.IncomeCorrected
    ExternalSupportRecorded = ev.ExternalSupportRecorded
    DecisionMade = ev.DecisionMade
    DecisionAmended = ev.DecisionAmended
    PaymentIssued = ev.PaymentIssued
    PaymentCancelled = ev.PaymentCancelled
    SupportObstacleRecorded = ev.SupportObstacleRecorded
    CaseClosed = ev.CaseClosed
    HouseholdDisposed = ev.HouseholdDisposed
    # Återkrav (recovery.py): the commands and mutators come from RecoveryMixin.
    RepaymentClaimed = rc.RepaymentClaimed
    RepaymentReceived = rc.RepaymentReceived
    RepaymentWaived = rc.RepaymentWaived
    RepaymentCourtFiled = rc.RepaymentCourtFiled
    RepaymentPlanAgreed = rc.RepaymentPlanAgreed
    AdvanceRequestedFromAgency = rc.AdvanceRequestedFromAgency
    AdvanceRefunded = rc.AdvanceRefunded
    # Återsökning (migration.py): the commands and mutators come from MigrationMixin.
    MigrationStatusRecorded = mg.MigrationStatusRecorded
    ReceptionRecorded = mg.ReceptionRecorded
    UnaccompaniedMinorRecorded = mg.UnaccompaniedMinorRecorded
    AgencyReferenceRecorded = mg.AgencyReferenceRecorded
    ReimbursableCostRecorded = mg.ReimbursableCostRecorded
    PaymentTagged = mg.PaymentTagged
    ReimbursementFiled = mg.ReimbursementFiled
    ReimbursementOutcomeRecorded = mg.ReimbursementOutcomeRecorded
    # Four-eyes (approvals.py): a second person's approval of a payment.
    PaymentApproved = ap.PaymentApproved
    # Placeringar (placements.py): the commands and mutators come from PlacementMixin.
    PlacementStarted = pl.PlacementStarted
    PlacementEnded = pl.PlacementEnded
    PlacementPayeeChanged = pl.PlacementPayeeChanged
    # Vistelse på institution (stays.py): the commands and mutators come from StayMixin.
    InstitutionStayStarted = st.InstitutionStayStarted
    InstitutionStayEnded = st.InstitutionStayEnded

    # ------------------------------------------------------------------ state

    municipality: str
    memberships: list[Membership]
    cohabitation: list[CohabitationPeriod]
    applications: dict[Month, MonthlyApplication]
    withdrawn: dict[Month, str]
    incomes: dict[str, ReportedIncome]
    decisions: dict[Month, RecordedDecision]
    payments: dict[str, RecordedPayment]
    external_support: dict[str, set[Month]]
    obstacles: dict[tuple[str, Month], str]
    closed_on: date | None
    disposed_on: date | None

    _MUTATORS: ClassVar[dict[type[ev.HouseholdEvent], Callable[[Household, Any], None]]]

    # ------------------------------------------------------------------ creation

    @classmethod
    def register(
        cls, *, actor: Actor, municipality: str, applicant: str, birth_date: date, registered_on: date
    ) -> Household:
        """Register a new household with its applicant (sökande). The id is a random UUID."""
        if not (len(municipality) == 4 and municipality.isdigit()):
            raise InvalidInput(f"municipality: {municipality!r} is not a four-digit kommunkod (e.g. 1765)")
        if birth_date > registered_on:
            raise InvalidInput(f"birth date {birth_date} is after the registration date {registered_on}")
        return cls._create(
            ev.Registered,
            id=uuid4(),
            actor=actor.as_dict(),
            municipality=municipality,
            applicant=applicant,
            birth_date=birth_date,
            registered_on=registered_on,
        )

    def __init__(self) -> None:
        """State starts empty; ``Registered.apply`` fills it (the same path as every other event)."""
        self.municipality = ""
        self.memberships = []
        self.cohabitation = []
        self.applications = {}
        self.withdrawn = {}
        self.incomes = {}
        self.decisions = {}
        self.payments = {}
        self.external_support = {}
        self.obstacles = {}
        self.closed_on = None
        self.disposed_on = None
        self.claims = {}
        self.advances = {}
        self.person_facts = {}
        self.reimbursable_costs = {}
        self.payment_tags = {}
        self.reimbursements = {}
        self.deciders = {}
        self.approvals = {}
        self.placements = {}
        self.stays = {}

    # ------------------------------------------------------------------ queries on state

    @property
    def household_id(self) -> UUID:
        return self.id

    @property
    def applicant(self) -> str:
        return self.memberships[0].person

    def current_members(self) -> list[Membership]:
        return [m for m in self.memberships if m.valid_to is None]

    def current_member(self, person: str) -> Membership | None:
        for membership in self.memberships:
            if membership.person == person and membership.valid_to is None:
                return membership
        return None

    def members_in(self, month: Month) -> list[Membership]:
        """Members who count for the month (see :meth:`Membership.covers`); latest period per person."""
        chosen: dict[str, Membership] = {}
        for membership in self.memberships:
            if membership.covers(month):
                chosen[membership.person] = membership
        return list(chosen.values())

    def cohabiting_in(self, month: Month) -> bool:
        """Cohabitation in force on the last day of the month (a couple is one household from the day
        they move in, RÅ 1995:48)."""
        state = False
        for period in self.cohabitation:
            if period.effective_on <= month.last_day:
                state = period.cohabiting
        return state

    @property
    def cohabiting(self) -> bool:
        return self.cohabitation[-1].cohabiting if self.cohabitation else False

    def incomes_received_until(self, month: Month) -> list[ReportedIncome]:
        return [i for i in self.incomes.values() if i.month <= month]

    def granted_amount(self, month: Month) -> Decimal:
        decision = self.decisions.get(month)
        return decision.aid if decision is not None else Decimal("0.00")

    def paid_amount(self, month: Month) -> Decimal:
        return sum(
            (p.amount for p in self.payments.values() if p.month == month and not p.cancelled),
            Decimal("0.00"),
        )

    def overpaid(self) -> dict[Month, Decimal]:
        """Months paid above what their decisions (as amended) now grant: candidates for återkrav.

        They are never set off against later aid (HFD 2013 ref. 18); a caseworker assesses each one.
        """
        found: dict[Month, Decimal] = {}
        for month in sorted({p.month for p in self.payments.values()}):
            excess = self.paid_amount(month) - self.granted_amount(month)
            if excess > 0:
                found[month] = excess
        return found

    def support_history(self) -> SupportHistory:
        """Months with försörjningsstöd per person: decisions whose försörjningsstöd part is above 0, plus
        recorded months from another municipality.

        A refused month, a month with no decision, or one with only livsföring i övrigt (e.g. tandvård) is
        not a support month, so it breaks a run towards jobbstimulans.
        """
        history = SupportHistory()
        for decision in self.decisions.values():
            if decision.subsistence_aid > 0:
                for person in decision.members:
                    history.months.setdefault(person, set()).add(decision.month)
        for person, months in self.external_support.items():
            history.months.setdefault(person, set()).update(months)
        return history

    def find_income(self, income_id: str) -> ReportedIncome:
        """Find an income by id or by an unambiguous id prefix (at least 8 characters)."""
        if income_id in self.incomes:
            return self.incomes[income_id]
        matches = [i for key, i in self.incomes.items() if len(income_id) >= 8 and key.startswith(income_id)]
        if len(matches) == 1:
            return matches[0]
        raise UnknownIncome(f"no income {income_id} in household {self.id}")

    def find_payment(self, payment_id: str) -> RecordedPayment | None:
        """A payment by id or by an unambiguous id prefix (at least 8 characters)."""
        if payment_id in self.payments:
            return self.payments[payment_id]
        matches = [p for key, p in self.payments.items() if len(payment_id) >= 8 and key.startswith(payment_id)]
        return matches[0] if len(matches) == 1 else None

    # ------------------------------------------------------------------ commands: composition

    def add_member(
        self,
        *,
        actor: Actor,
        person: str,
        role: MemberRole,
        birth_date: date,
        in_school: bool | None,
        effective_on: date,
    ) -> None:
        """Add a person to the household (medsökande, barn or vuxen)."""
        self._require_open()
        if self.current_member(person) is not None:
            raise DuplicateMember(f"the person is already a member of household {self.id}")
        if role == MemberRole.APPLICANT:
            raise InvalidInput("role: a household has one applicant, registered with the household")
        if role == MemberRole.CO_APPLICANT and any(m.role == MemberRole.CO_APPLICANT for m in self.current_members()):
            raise DomainRuleViolation(f"household {self.id} already has a co-applicant (medsökande)")
        if birth_date > effective_on:
            raise InvalidInput(f"birth date {birth_date} is after the date the member joins ({effective_on})")
        self.trigger_event(
            ev.MemberAdded,
            actor=actor.as_dict(),
            person=person,
            role=role.value,
            birth_date=birth_date,
            in_school=in_school,
            effective_on=effective_on,
        )

    def remove_member(self, *, actor: Actor, person: str, effective_on: date, reason: str) -> None:
        """Remove a member from a date (e.g. moved out). The applicant cannot be removed."""
        self._require_open()
        membership = self.current_member(person)
        if membership is None:
            raise UnknownMember(f"the person is not a current member of household {self.id}")
        if membership.role == MemberRole.APPLICANT:
            raise DomainRuleViolation("the applicant (sökande) cannot be removed; close the case instead")
        if effective_on < membership.valid_from:
            raise InvalidInput(f"removal date {effective_on} is before the member joined ({membership.valid_from})")
        self.trigger_event(
            ev.MemberRemoved, actor=actor.as_dict(), person=person, effective_on=effective_on, reason=reason
        )

    def set_cohabiting(self, *, actor: Actor, cohabiting: bool, effective_on: date) -> None:
        """Record that applicant and co-applicant are (or no longer are) sambor/makar."""
        self._require_open()
        if cohabiting and not any(m.role == MemberRole.CO_APPLICANT for m in self.current_members()):
            raise DomainRuleViolation("cohabitation needs a co-applicant (medsökande) in the household")
        if self.cohabitation and self.cohabitation[-1].effective_on > effective_on:
            raise InvalidInput(
                f"effective date {effective_on} is before the last change ({self.cohabitation[-1].effective_on})"
            )
        if self.cohabiting == cohabiting:
            state = "cohabiting" if cohabiting else "not cohabiting"
            raise DomainRuleViolation(f"household {self.id} is already {state}")
        self.trigger_event(
            ev.CohabitationChanged, actor=actor.as_dict(), cohabiting=cohabiting, effective_on=effective_on
        )

    # ------------------------------------------------------------------ commands: applications, incomes

    def submit_application(
        self,
        *,
        actor: Actor,
        month: Month,
        received_on: date,
        complete_on: date | None,
        cost_lines: list[dict[str, Any]],
        first_time: bool | None,
        contact_on: date | None = None,
        reason: str = "",
    ) -> None:
        """Record an application (ansökan) for one month with the costs applied for."""
        self._require_open()
        if month in self.applications:
            raise DomainRuleViolation(f"an application for {month} is already recorded for household {self.id}")
        if complete_on is not None and complete_on < received_on:
            raise InvalidInput(f"complete date {complete_on} is before the received date {received_on}")
        first = (not self.applications and not self.withdrawn) if first_time is None else first_time
        self.trigger_event(
            ev.ApplicationSubmitted,
            actor=actor.as_dict(),
            month=month,
            received_on=received_on,
            complete_on=complete_on,
            cost_lines=cost_lines,
            first_time=first,
            contact_on=contact_on,
            reason=reason,
        )

    def correct_application(
        self,
        *,
        actor: Actor,
        month: Month,
        reason: str,
        cost_lines: list[dict[str, Any]] | None = None,
        received_on: date | None = None,
        complete_on: date | None = None,
    ) -> None:
        """Correct a month's application (costs applied for, dates). A decided month is then amended to use it."""
        self._require_open()
        application = self.applications.get(month)
        if application is None:
            raise DomainRuleViolation(f"no application for {month} in household {self.id}")
        if not reason.strip():
            raise InvalidInput("reason: a correction needs a reason")
        new_received = application.received_on if received_on is None else received_on
        new_complete = application.complete_on if complete_on is None else complete_on
        lines = application.cost_lines if cost_lines is None else tuple(cost_lines)
        if new_complete is not None and new_complete < new_received:
            raise InvalidInput(f"complete date {new_complete} is before the received date {new_received}")
        if (new_received, new_complete, tuple(lines)) == (
            application.received_on,
            application.complete_on,
            application.cost_lines,
        ):
            raise DomainRuleViolation(f"the correction changes nothing in the application for {month}")
        self.trigger_event(
            ev.ApplicationCorrected,
            actor=actor.as_dict(),
            month=month,
            received_on=new_received,
            complete_on=new_complete,
            cost_lines=list(lines),
            reason=reason,
        )

    def withdraw_application(self, *, actor: Actor, month: Month, reason: str) -> None:
        """The applicant withdraws an undecided application (a decided month is amended instead)."""
        self._require_open()
        if month not in self.applications:
            raise DomainRuleViolation(f"no application for {month} in household {self.id}")
        if month in self.decisions:
            raise DecisionConflict(f"{month} is already decided; amend the decision (decide --amend) instead")
        if not reason.strip():
            raise InvalidInput("reason: a withdrawal needs a reason")
        self.trigger_event(ev.ApplicationWithdrawn, actor=actor.as_dict(), month=month, reason=reason)

    def report_income(self, *, actor: Actor, member: str, kind: str, month: Month, amount: Decimal, source: str) -> str:
        """Record an income a member received in a month (net amount). Returns the new income id."""
        self._require_open()
        if not any(m.person == member for m in self.memberships):
            raise UnknownMember(f"the person is not a member of household {self.id}")
        income_id = str(uuid4())
        self.trigger_event(
            ev.IncomeReported,
            actor=actor.as_dict(),
            income_id=income_id,
            member=member,
            kind=kind,
            month=month,
            amount=amount,
            source=source,
        )
        return income_id

    def correct_income(
        self,
        *,
        actor: Actor,
        income_id: str,
        reason: str,
        amount: Decimal | None = None,
        kind: str | None = None,
        month: Month | None = None,
    ) -> None:
        """Correct a reported income: the old figure stays in the history, the new one counts."""
        self._require_open()
        income = self.find_income(income_id)
        new_amount = income.amount if amount is None else amount
        new_kind = income.kind if kind is None else kind
        new_month = income.month if month is None else month
        if (new_amount, new_kind, new_month) == (income.amount, income.kind, income.month):
            raise DomainRuleViolation(f"the correction changes nothing in income {income.income_id}")
        if not reason.strip():
            raise InvalidInput("reason: a correction needs a reason")
        self.trigger_event(
            ev.IncomeCorrected,
            actor=actor.as_dict(),
            income_id=income.income_id,
            kind=new_kind,
            month=new_month,
            amount=new_amount,
            reason=reason,
        )

    def record_external_support(self, *, actor: Actor, person: str, months: list[Month], source: str) -> None:
        """Record months of försörjningsstöd from another municipality (for jobbstimulans)."""
        if not any(m.person == person for m in self.memberships):
            raise UnknownMember(f"the person is not a member of household {self.id}")
        if not source.strip():
            raise InvalidInput("source: say where the months come from (e.g. 'Karlstads kommun, intyg 2021-04-02')")
        if not months:
            raise InvalidInput("months: give at least one month")
        self.trigger_event(
            ev.ExternalSupportRecorded,
            actor=actor.as_dict(),
            person=person,
            months=sorted({str(m) for m in months}),
            source=source,
        )

    # ------------------------------------------------------------------ commands: decisions

    def make_decision(
        self,
        *,
        actor: Actor,
        month: Month,
        outcome: Outcome,
        situation: dict[str, Any],
        calculation: dict[str, Any],
        rule_set_hash: str,
        parameters: list[str],
        approved_costs: dict[str, Decimal],
        norm_adjustment: dict[str, Any] | None,
        conditions: list[str],
        delegat: ActorRole,
        reason: str,
        decided_on: date,
        amends: bool = False,
    ) -> str:
        """Record a decision (beslut) with its full calculation. Returns the decision id.

        The calculation is computed by the application service before this call (decide, then record)
        and stored whole in the event with the situation it was computed from, so a later change of rules
        never rewrites this decision and an auditor can recompute it with `bistand calc`.

        Amending a month already paid may lower its aid: what was paid above the new aid is then shown as a
        recovery candidate (:meth:`overpaid`), never netted against later aid.
        """
        self._require_open()
        application = self.applications.get(month)
        if application is None:
            raise DecisionConflict(f"no application for {month} in household {self.id}; record one first")
        existing = self.decisions.get(month)
        if existing is not None and not amends:
            raise DecisionConflict(f"{month} is already decided ({existing.outcome}); amend it with a reason instead")
        if existing is None and amends:
            raise DecisionConflict(f"{month} has no decision to amend")
        adjustment = NormAdjustment(norm_adjustment["kind"]) if norm_adjustment is not None else None
        require_reasons(
            refuse=outcome == Outcome.REFUSED,
            norm_adjustment=adjustment,
            amend=amends,
            reason=reason,
        )
        check_delegation(
            actor.role,
            delegat,
            adjustment,
            levels=required_levels(situation),
            matters=matters_of(adjustment, conditions),
            outcome=None if amends else outcome,
        )
        aid = Decimal(calculation["aid"])
        if outcome == Outcome.REFUSED:
            aid = Decimal("0.00")
        elif aid <= 0:
            raise DecisionConflict(f"the calculation for {month} gives no aid; only a refusal (avslag) is possible")
        members = [str(m["id"]) for m in situation.get("household", {}).get("members", [])]
        decision_id = str(uuid4())
        fields: dict[str, Any] = {
            "actor": actor.as_dict(),
            "decision_id": decision_id,
            "month": month,
            "outcome": outcome.value,
            "aid": aid,
            "members": sorted(set(members)),
            "situation": situation,
            "calculation": calculation,
            "rule_set_hash": rule_set_hash,
            "parameters": parameters,
            "applied_costs": dict(application.costs),
            "approved_costs": approved_costs,
            "norm_adjustment": norm_adjustment,
            "conditions": rc.decision_conditions(conditions, existing if amends else None),
            "delegat": delegat.value,
            "reason": reason,
            "decided_on": decided_on,
        }
        if amends and existing is not None:
            self.trigger_event(ev.DecisionAmended, amends=existing.decision_id, **fields)
        else:
            self.trigger_event(ev.DecisionMade, **fields)
        return decision_id

    # ------------------------------------------------------------------ commands: payments

    def issue_payment(
        self,
        *,
        actor: Actor,
        month: Month,
        amount: Decimal,
        payee: str,
        method: str,
        paid_on: date,
    ) -> str:
        """Pay (part of) the aid granted for a month. Never more than the decisions grant."""
        decision = self.decisions.get(month)
        if decision is None or decision.outcome == Outcome.REFUSED.value:
            raise PaymentRefused(f"no granting decision for {month} in household {self.id}")
        if amount <= 0:
            raise InvalidInput(f"amount: {amount} must be more than 0")
        already = self.paid_amount(month)
        if already + amount > decision.aid:
            raise PaymentRefused(
                f"{month}: paying {amount} would pay {already + amount} in total, "
                f"more than the {decision.aid} granted ({already} already paid)"
            )
        payment_id = str(uuid4())
        self.trigger_event(
            ev.PaymentIssued,
            actor=actor.as_dict(),
            payment_id=payment_id,
            decision_id=decision.decision_id,
            month=month,
            amount=amount,
            payee=payee,
            method=method,
            paid_on=paid_on,
        )
        return payment_id

    def cancel_payment(self, *, actor: Actor, payment_id: str, reason: str) -> str:
        """Cancel a payment that was stopped or came back (makulerad/återkommen). Returns the payment id."""
        payment = self.find_payment(payment_id)
        if payment is None:
            raise PaymentRefused(f"no payment {payment_id} in household {self.id}")
        if payment.cancelled:
            raise PaymentRefused(f"payment {payment.payment_id} is already cancelled")
        if not reason.strip():
            raise InvalidInput("reason: a cancellation needs a reason")
        self.trigger_event(ev.PaymentCancelled, actor=actor.as_dict(), payment_id=payment.payment_id, reason=reason)
        return payment.payment_id

    # ------------------------------------------------------------------ commands: statistics

    def record_support_obstacle(self, *, actor: Actor, person: str, month: Month, code: str, label: str) -> None:
        """Record the försörjningshinder of one adult for one month."""
        membership = next((m for m in self.members_in(month) if m.person == person), None)
        if membership is None:
            raise UnknownMember(f"the person is not a member of household {self.id} in {month}")
        if membership.role not in (MemberRole.APPLICANT, MemberRole.CO_APPLICANT, MemberRole.ADULT):
            raise DomainRuleViolation("försörjningshinder is recorded for adults only")
        self.trigger_event(
            ev.SupportObstacleRecorded, actor=actor.as_dict(), person=person, month=month, code=code, label=label
        )

    def close_case(self, *, actor: Actor, closed_on: date, reason_code: str, reason_label: str) -> None:
        self._require_open()
        self.trigger_event(
            ev.CaseClosed,
            actor=actor.as_dict(),
            closed_on=closed_on,
            reason_code=reason_code,
            reason_label=reason_label,
        )

    def dispose(
        self,
        *,
        actor: Actor,
        year: int,
        disposed_on: date,
        kept_elsewhere: list[str],
        residue: dict[str, Any] | None = None,
    ) -> None:
        """Gallring: record that the file is disposed of in the gallring of ``year``; refused unless the rule
        (domain/household/disposal.py) finds it due. ``kept_elsewhere``: the other households sharing a person
        with this one that are kept (the application finds them; no household can see the others).
        ``residue``: the household's statistical residue, carried as it is (see ``HouseholdDisposed``)."""
        verdict = dp.judge(dp.facts_of(self), year, kept_elsewhere)
        if verdict.status != dp.DUE:
            raise DomainRuleViolation(
                f"household {self.id} is not disposed of in the gallring of {year}: " + "; ".join(verdict.reasons)
            )
        self.trigger_event(
            ev.HouseholdDisposed,
            actor=actor.as_dict(),
            disposed_on=disposed_on,
            year=year,
            last_entry_on=verdict.last_entry,
            rule=dp.RULE,
            residue=residue or {},
        )

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        """Every command records through here: after gallring the household refuses them all."""
        if self.disposed_on is not None:
            raise HouseholdDisposedOf(self.id, self.disposed_on)
        super().trigger_event(event_class, **kwargs)

    def _require_open(self) -> None:
        if self.closed_on is not None:
            raise DomainRuleViolation(f"household {self.id} was closed on {self.closed_on}")

    # ------------------------------------------------------------------ mutators (only assign)

    def on_event(self, event: ev.HouseholdEvent) -> None:
        """Apply one event: the single way every event changes the household."""
        self._MUTATORS[type(event)](self, event)

    def _on_registered(self, e: ev.Registered) -> None:
        self.municipality = e.municipality
        self.memberships = [Membership(e.applicant, MemberRole.APPLICANT.value, e.birth_date, None, e.registered_on)]

    def _on_member_added(self, e: ev.MemberAdded) -> None:
        self.memberships.append(Membership(e.person, e.role, e.birth_date, e.in_school, e.effective_on))

    def _on_member_removed(self, e: ev.MemberRemoved) -> None:
        for index, membership in enumerate(self.memberships):
            if membership.person == e.person and membership.valid_to is None:
                self.memberships[index] = replace(membership, valid_to=e.effective_on)

    def _on_cohabitation_changed(self, e: ev.CohabitationChanged) -> None:
        self.cohabitation.append(CohabitationPeriod(e.cohabiting, e.effective_on))

    def _on_application_submitted(self, e: ev.ApplicationSubmitted) -> None:
        self.applications[e.month] = replace(
            MonthlyApplication.of(e.month, e.received_on, e.complete_on, e.cost_lines, e.first_time),
            contact_on=e.contact_on,
            reason=e.reason,
        )
        self.withdrawn.pop(e.month, None)

    def _on_application_corrected(self, e: ev.ApplicationCorrected) -> None:
        old = self.applications[e.month]
        self.applications[e.month] = replace(
            MonthlyApplication.of(e.month, e.received_on, e.complete_on, e.cost_lines, old.first_time),
            contact_on=old.contact_on,
            reason=old.reason,
        )

    def _on_application_withdrawn(self, e: ev.ApplicationWithdrawn) -> None:
        self.applications.pop(e.month, None)
        self.withdrawn[e.month] = e.reason

    def _on_income_reported(self, e: ev.IncomeReported) -> None:
        self.incomes[e.income_id] = ReportedIncome(e.income_id, e.member, e.kind, e.month, e.amount, e.source)

    def _on_income_corrected(self, e: ev.IncomeCorrected) -> None:
        old = self.incomes[e.income_id]
        self.incomes[e.income_id] = replace(
            old, kind=e.kind, month=e.month, amount=e.amount, corrections=old.corrections + 1
        )

    def _on_external_support(self, e: ev.ExternalSupportRecorded) -> None:
        self.external_support.setdefault(e.person, set()).update(Month.parse(m) for m in e.months)

    def _on_decision(self, e: ev.DecisionMade) -> None:
        previous = self.decisions.get(e.month)
        self._note_decider(e.month, e.actor["user"])
        amended = isinstance(e, ev.DecisionAmended) and previous is not None
        self.decisions[e.month] = RecordedDecision(
            decision_id=e.decision_id,
            month=e.month,
            outcome=e.outcome,
            aid=e.aid,
            members=tuple(e.members),
            calculation=decision_figures(e.calculation),
            rule_set_hash=e.rule_set_hash,
            conditions=tuple(e.conditions),
            decided_on=e.decided_on,
            amendments=previous.amendments + 1 if amended and previous is not None else 0,
            subsistence_aid=Decimal("0.00")
            if e.outcome == Outcome.REFUSED.value
            else subsistence_aid(e.calculation, e.aid),
        )

    def _on_payment_issued(self, e: ev.PaymentIssued) -> None:
        self.payments[e.payment_id] = RecordedPayment(
            e.payment_id, e.decision_id, e.month, e.amount, e.payee, e.method, e.paid_on
        )

    def _on_payment_cancelled(self, e: ev.PaymentCancelled) -> None:
        self.payments[e.payment_id] = replace(self.payments[e.payment_id], cancelled=True)

    def _on_support_obstacle(self, e: ev.SupportObstacleRecorded) -> None:
        self.obstacles[(e.person, e.month)] = e.code

    def _on_case_closed(self, e: ev.CaseClosed) -> None:
        self.closed_on = e.closed_on

    def _on_disposed(self, e: ev.HouseholdDisposed) -> None:
        self.disposed_on = e.disposed_on


Household._MUTATORS = {
    ev.Registered: Household._on_registered,
    ev.MemberAdded: Household._on_member_added,
    ev.MemberRemoved: Household._on_member_removed,
    ev.CohabitationChanged: Household._on_cohabitation_changed,
    ev.ApplicationSubmitted: Household._on_application_submitted,
    ev.ApplicationCorrected: Household._on_application_corrected,
    ev.ApplicationWithdrawn: Household._on_application_withdrawn,
    ev.IncomeReported: Household._on_income_reported,
    ev.IncomeCorrected: Household._on_income_corrected,
    ev.ExternalSupportRecorded: Household._on_external_support,
    ev.DecisionMade: Household._on_decision,
    ev.DecisionAmended: Household._on_decision,
    ev.PaymentIssued: Household._on_payment_issued,
    ev.PaymentCancelled: Household._on_payment_cancelled,
    ev.SupportObstacleRecorded: Household._on_support_obstacle,
    ev.CaseClosed: Household._on_case_closed,
    ev.HouseholdDisposed: Household._on_disposed,
    rc.RepaymentClaimed: Household._on_repayment_claimed,
    rc.RepaymentReceived: Household._on_repayment_received,
    rc.RepaymentWaived: Household._on_repayment_waived,
    rc.RepaymentCourtFiled: Household._on_repayment_court_filed,
    rc.RepaymentPlanAgreed: Household._on_repayment_plan_agreed,
    rc.AdvanceRequestedFromAgency: Household._on_advance_requested,
    rc.AdvanceRefunded: Household._on_advance_refunded,
    mg.MigrationStatusRecorded: Household._on_migration_status,
    mg.ReceptionRecorded: Household._on_reception,
    mg.UnaccompaniedMinorRecorded: Household._on_unaccompanied,
    mg.AgencyReferenceRecorded: Household._on_agency_reference,
    mg.ReimbursableCostRecorded: Household._on_reimbursable_cost,
    mg.PaymentTagged: Household._on_payment_tagged,
    mg.ReimbursementFiled: Household._on_reimbursement_filed,
    mg.ReimbursementOutcomeRecorded: Household._on_reimbursement_outcome,
    pl.PlacementStarted: Household._on_placement_started,
    pl.PlacementEnded: Household._on_placement_ended,
    pl.PlacementPayeeChanged: Household._on_placement_payee_changed,
    ap.PaymentApproved: Household._on_payment_approved,
    st.InstitutionStayStarted: Household._on_stay_started,
    st.InstitutionStayEnded: Household._on_stay_ended,
}
