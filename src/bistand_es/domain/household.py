"""The Household aggregate (hushåll): one event-sourced history per household.

Decide, then record (docs/adr/0002-event-schema.md): each public command method validates its input
against the current state and computes everything (ids, dates, amounts) *before* it triggers an event;
the ``@event`` methods only assign, because their bodies run again on every replay.

Every event carries ``actor`` (user + role). Event classes have explicit, stable topics, so this module
can move without breaking stored history. A changed event gets ``class_version`` + ``upcast_vX_vY``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from bistand_es.domain.errors import (
    DecisionConflict,
    DomainRuleViolation,
    DuplicateMember,
    InvalidInput,
    NotAuthorised,
    PaymentRefused,
    UnknownIncome,
    UnknownMember,
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
)
from bistand_es.domain.vocabulary import (
    DELEGATION_LEVEL,
    ActorRole,
    MemberRole,
    NormAdjustment,
    Outcome,
)

_TOPIC_PREFIX = "bistand_es.household:"
_ADULT_ROLES = (MemberRole.APPLICANT, MemberRole.CO_APPLICANT)


class Household(Aggregate):
    """A household applying for ekonomiskt bistånd, with its whole case history."""

    TOPIC = _TOPIC_PREFIX + "Household"

    class Event(Aggregate.Event):
        actor: dict[str, str]

    # ------------------------------------------------------------------ events (the stored schema)

    class Registered(Aggregate.Created, Event):
        TOPIC = _TOPIC_PREFIX + "HouseholdRegistered"
        municipality: str
        applicant: str
        birth_date: date
        registered_on: date

    Created = Registered  # the library's default creation event is this one (no separate topic)

    class MemberAdded(Event):
        TOPIC = _TOPIC_PREFIX + "MemberAdded"
        person: str
        role: str
        birth_date: date
        in_school: bool | None
        effective_on: date

    class MemberRemoved(Event):
        TOPIC = _TOPIC_PREFIX + "MemberRemoved"
        person: str
        effective_on: date
        reason: str

    class CohabitationChanged(Event):
        TOPIC = _TOPIC_PREFIX + "CohabitationChanged"
        cohabiting: bool
        effective_on: date

    class ApplicationSubmitted(Event):
        """Version 2 keeps costs as lines (kind, amount, note): two bills of one kind are two lines.

        Version 1 (the first prototype) stored ``costs`` as a mapping kind → amount.
        """

        TOPIC = _TOPIC_PREFIX + "ApplicationSubmitted"
        class_version = 2
        month: Month
        received_on: date
        complete_on: date | None
        cost_lines: list[dict[str, Any]]
        first_time: bool

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            costs = state.pop("costs", {}) or {}
            state["cost_lines"] = [{"kind": k, "amount": v, "note": ""} for k, v in costs.items()]

    class IncomeReported(Event):
        TOPIC = _TOPIC_PREFIX + "IncomeReported"
        income_id: str
        member: str
        kind: str
        month: Month
        amount: Decimal
        source: str

    class IncomeCorrected(Event):
        TOPIC = _TOPIC_PREFIX + "IncomeCorrected"
        income_id: str
        kind: str
        month: Month
        amount: Decimal
        reason: str

    class ExternalSupportRecorded(Event):
        """Months of försörjningsstöd from another municipality (they count for jobbstimulans)."""

        TOPIC = _TOPIC_PREFIX + "ExternalSupportRecorded"
        person: str
        months: list[str]
        source: str

    class DecisionMade(Event):
        TOPIC = _TOPIC_PREFIX + "DecisionMade"
        decision_id: str
        month: Month
        outcome: str
        aid: Decimal
        members: list[str]
        situation: dict[str, Any]
        calculation: dict[str, Any]
        rule_set_hash: str
        parameters: list[str]
        applied_costs: dict[str, Decimal]
        approved_costs: dict[str, Decimal]
        norm_adjustment: dict[str, Any] | None
        conditions: list[str]
        delegat: str
        reason: str
        decided_on: date

        def apply(self, aggregate: Household) -> None:
            aggregate._apply_decision(self)

    class DecisionAmended(DecisionMade):
        TOPIC = _TOPIC_PREFIX + "DecisionAmended"
        amends: str

    class PaymentIssued(Event):
        TOPIC = _TOPIC_PREFIX + "PaymentIssued"
        payment_id: str
        decision_id: str
        month: Month
        amount: Decimal
        payee: str
        method: str
        paid_on: date

    class PaymentCancelled(Event):
        TOPIC = _TOPIC_PREFIX + "PaymentCancelled"
        payment_id: str
        reason: str

    class SupportObstacleRecorded(Event):
        """Försörjningshinder for one adult and month (Socialstyrelsen's statistics)."""

        TOPIC = _TOPIC_PREFIX + "SupportObstacleRecorded"
        person: str
        month: Month
        code: str
        label: str

    class CaseClosed(Event):
        """The case ended (avslut) with an avslutsorsak from the municipality's loaded list."""

        TOPIC = _TOPIC_PREFIX + "CaseClosed"
        closed_on: date
        reason_code: str
        reason_label: str

    # ------------------------------------------------------------------ state

    municipality: str
    memberships: list[Membership]
    cohabitation: list[CohabitationPeriod]
    applications: dict[Month, MonthlyApplication]
    incomes: dict[str, ReportedIncome]
    decisions: dict[Month, RecordedDecision]
    payments: dict[str, RecordedPayment]
    external_support: dict[str, set[Month]]
    obstacles: dict[tuple[str, Month], str]
    closed_on: date | None

    _EVENT_NAMES: ClassVar[dict[str, str]] = {}

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
            cls.Registered,
            id=uuid4(),
            actor=actor.as_dict(),
            municipality=municipality,
            applicant=applicant,
            birth_date=birth_date,
            registered_on=registered_on,
        )

    @event(Registered)
    def __init__(
        self,
        actor: dict[str, str],
        municipality: str,
        applicant: str,
        birth_date: date,
        registered_on: date,
    ) -> None:
        self.municipality = municipality
        self.memberships = [Membership(applicant, MemberRole.APPLICANT.value, birth_date, None, registered_on)]
        self.cohabitation = []
        self.applications = {}
        self.incomes = {}
        self.decisions = {}
        self.payments = {}
        self.external_support = {}
        self.obstacles = {}
        self.closed_on = None

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

    def support_history(self) -> SupportHistory:
        """Months with försörjningsstöd per person: decisions with aid > 0 plus recorded external months.

        A refused month (or one with no decision) is not a support month, so it breaks a run.
        """
        history = SupportHistory()
        for decision in self.decisions.values():
            if decision.aid > 0:
                for person in decision.members:
                    history.months.setdefault(person, set()).add(decision.month)
        for person, months in self.external_support.items():
            history.months.setdefault(person, set()).update(months)
        return history

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
            raise DuplicateMember(f"{person} is already a member of household {self.id}")
        if role == MemberRole.APPLICANT:
            raise InvalidInput("role: a household has one applicant, registered with the household")
        if role == MemberRole.CO_APPLICANT and any(m.role == MemberRole.CO_APPLICANT for m in self.current_members()):
            raise DomainRuleViolation(f"household {self.id} already has a co-applicant (medsökande)")
        if birth_date > effective_on:
            raise InvalidInput(f"birth date {birth_date} is after the date the member joins ({effective_on})")
        self._member_added(
            actor=actor.as_dict(),
            person=person,
            role=role.value,
            birth_date=birth_date,
            in_school=in_school,
            effective_on=effective_on,
        )

    @event(MemberAdded)
    def _member_added(
        self,
        actor: dict[str, str],
        person: str,
        role: str,
        birth_date: date,
        in_school: bool | None,
        effective_on: date,
    ) -> None:
        self.memberships.append(Membership(person, role, birth_date, in_school, effective_on))

    def remove_member(self, *, actor: Actor, person: str, effective_on: date, reason: str) -> None:
        """Remove a member from a date (e.g. moved out). The applicant cannot be removed."""
        self._require_open()
        membership = self.current_member(person)
        if membership is None:
            raise UnknownMember(f"{person} is not a current member of household {self.id}")
        if membership.role == MemberRole.APPLICANT:
            raise DomainRuleViolation("the applicant (sökande) cannot be removed; close the case instead")
        if effective_on < membership.valid_from:
            raise InvalidInput(f"removal date {effective_on} is before the member joined ({membership.valid_from})")
        self._member_removed(actor=actor.as_dict(), person=person, effective_on=effective_on, reason=reason)

    @event(MemberRemoved)
    def _member_removed(self, actor: dict[str, str], person: str, effective_on: date, reason: str) -> None:
        for index, membership in enumerate(self.memberships):
            if membership.person == person and membership.valid_to is None:
                self.memberships[index] = replace(membership, valid_to=effective_on)

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
        self._cohabitation_changed(actor=actor.as_dict(), cohabiting=cohabiting, effective_on=effective_on)

    @event(CohabitationChanged)
    def _cohabitation_changed(self, actor: dict[str, str], cohabiting: bool, effective_on: date) -> None:
        self.cohabitation.append(CohabitationPeriod(cohabiting, effective_on))

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
    ) -> None:
        """Record an application (ansökan) for one month with the costs applied for."""
        self._require_open()
        if month in self.applications:
            raise DomainRuleViolation(f"an application for {month} is already recorded for household {self.id}")
        if complete_on is not None and complete_on < received_on:
            raise InvalidInput(f"complete date {complete_on} is before the received date {received_on}")
        first = (not self.applications) if first_time is None else first_time
        self._application_submitted(
            actor=actor.as_dict(),
            month=month,
            received_on=received_on,
            complete_on=complete_on,
            cost_lines=cost_lines,
            first_time=first,
        )

    @event(ApplicationSubmitted)
    def _application_submitted(
        self,
        actor: dict[str, str],
        month: Month,
        received_on: date,
        complete_on: date | None,
        cost_lines: list[dict[str, Any]],
        first_time: bool,
    ) -> None:
        costs: dict[str, Decimal] = {}
        for line in cost_lines:
            costs[line["kind"]] = costs.get(line["kind"], Decimal("0.00")) + Decimal(line["amount"])
        self.applications[month] = MonthlyApplication(month, received_on, complete_on, costs, first_time)

    def report_income(self, *, actor: Actor, member: str, kind: str, month: Month, amount: Decimal, source: str) -> str:
        """Record an income a member received in a month (net amount). Returns the new income id."""
        self._require_open()
        if not any(m.person == member for m in self.memberships):
            raise UnknownMember(f"{member} is not a member of household {self.id}")
        income_id = str(uuid4())
        self._income_reported(
            actor=actor.as_dict(),
            income_id=income_id,
            member=member,
            kind=kind,
            month=month,
            amount=amount,
            source=source,
        )
        return income_id

    @event(IncomeReported)
    def _income_reported(
        self,
        actor: dict[str, str],
        income_id: str,
        member: str,
        kind: str,
        month: Month,
        amount: Decimal,
        source: str,
    ) -> None:
        self.incomes[income_id] = ReportedIncome(income_id, member, kind, month, amount, source)

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
        self._income_corrected(
            actor=actor.as_dict(),
            income_id=income.income_id,
            kind=new_kind,
            month=new_month,
            amount=new_amount,
            reason=reason,
        )

    def find_income(self, income_id: str) -> ReportedIncome:
        """Find an income by id or by an unambiguous id prefix (at least 8 characters)."""
        if income_id in self.incomes:
            return self.incomes[income_id]
        matches = [i for key, i in self.incomes.items() if len(income_id) >= 8 and key.startswith(income_id)]
        if len(matches) == 1:
            return matches[0]
        raise UnknownIncome(f"no income {income_id} in household {self.id}")

    @event(IncomeCorrected)
    def _income_corrected(
        self, actor: dict[str, str], income_id: str, kind: str, month: Month, amount: Decimal, reason: str
    ) -> None:
        old = self.incomes[income_id]
        self.incomes[income_id] = replace(old, kind=kind, month=month, amount=amount, corrections=old.corrections + 1)

    def record_external_support(self, *, actor: Actor, person: str, months: list[Month], source: str) -> None:
        """Record months of försörjningsstöd from another municipality (for jobbstimulans)."""
        if not any(m.person == person for m in self.memberships):
            raise UnknownMember(f"{person} is not a member of household {self.id}")
        if not source.strip():
            raise InvalidInput("source: say where the months come from (e.g. 'Karlstads kommun, intyg 2021-04-02')")
        if not months:
            raise InvalidInput("months: give at least one month")
        self._external_support_recorded(
            actor=actor.as_dict(), person=person, months=sorted({str(m) for m in months}), source=source
        )

    @event(ExternalSupportRecorded)
    def _external_support_recorded(self, actor: dict[str, str], person: str, months: list[str], source: str) -> None:
        self.external_support.setdefault(person, set()).update(Month.parse(m) for m in months)

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
        if amends and not reason.strip():
            raise InvalidInput("reason: an amended decision needs a reason")
        if outcome == Outcome.REFUSED and not reason.strip():
            raise InvalidInput("reason: a refusal (avslag) needs the caseworker's reason")
        if actor.role == ActorRole.SYSTEM.value and outcome == Outcome.REFUSED:
            raise NotAuthorised("a refusal (avslag) is always made by a caseworker, never automatically")
        self._check_delegation(actor, delegat, norm_adjustment)
        aid = Decimal(calculation["aid"])
        if outcome == Outcome.REFUSED:
            aid = Decimal("0.00")
        elif aid <= 0:
            raise DecisionConflict(f"the calculation for {month} gives no aid; only a refusal (avslag) is possible")
        if amends and existing is not None:
            paid = self.paid_amount(month)
            if aid < paid:
                raise PaymentRefused(
                    f"{paid} kr is already paid for {month}; cancel payments before lowering the aid to {aid}"
                )
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
            "conditions": conditions,
            "delegat": delegat.value,
            "reason": reason,
            "decided_on": decided_on,
        }
        if amends and existing is not None:
            self.trigger_event(self.DecisionAmended, amends=existing.decision_id, **fields)
        else:
            self.trigger_event(self.DecisionMade, **fields)
        return decision_id

    @staticmethod
    def _check_delegation(actor: Actor, delegat: ActorRole, adjustment: dict[str, Any] | None) -> None:
        level = DELEGATION_LEVEL.get(delegat)
        if level is None:
            raise NotAuthorised(f"delegat: {delegat.value} may not take decisions on ekonomiskt bistånd")
        if adjustment is not None:
            kind = NormAdjustment(adjustment["kind"])
            if level < DELEGATION_LEVEL[ActorRole.UNIT_MANAGER]:
                raise NotAuthorised(
                    f"a {'förhöjd' if kind == NormAdjustment.RAISED else 'reducerad'} norm needs "
                    "delegat enhetschef or higher"
                )
            if not str(adjustment.get("reason", "")).strip():
                raise InvalidInput("reason: a förhöjd/reducerad norm needs a reason")
        if actor.role != delegat.value and actor.role in DELEGATION_LEVEL:
            actor_level = DELEGATION_LEVEL[ActorRole(actor.role)]
            if actor_level < level:
                raise NotAuthorised(f"{actor.user} ({actor.role}) cannot decide as {delegat.value}")

    def _apply_decision(self, recorded: Household.DecisionMade) -> None:
        """Called by the decision events' ``apply`` (their fields are many; the body only assigns)."""
        previous = self.decisions.get(recorded.month)
        amended = isinstance(recorded, Household.DecisionAmended) and previous is not None
        self.decisions[recorded.month] = RecordedDecision(
            decision_id=recorded.decision_id,
            month=recorded.month,
            outcome=recorded.outcome,
            aid=recorded.aid,
            members=tuple(recorded.members),
            calculation=recorded.calculation,
            rule_set_hash=recorded.rule_set_hash,
            conditions=tuple(recorded.conditions),
            decided_on=recorded.decided_on,
            amendments=previous.amendments + 1 if amended and previous is not None else 0,
        )

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
        self._payment_issued(
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

    @event(PaymentIssued)
    def _payment_issued(
        self,
        actor: dict[str, str],
        payment_id: str,
        decision_id: str,
        month: Month,
        amount: Decimal,
        payee: str,
        method: str,
        paid_on: date,
    ) -> None:
        self.payments[payment_id] = RecordedPayment(payment_id, decision_id, month, amount, payee, method, paid_on)

    def cancel_payment(self, *, actor: Actor, payment_id: str, reason: str) -> None:
        payment = self.payments.get(payment_id)
        if payment is None:
            raise PaymentRefused(f"no payment {payment_id} in household {self.id}")
        if payment.cancelled:
            raise PaymentRefused(f"payment {payment_id} is already cancelled")
        if not reason.strip():
            raise InvalidInput("reason: a cancellation needs a reason")
        self._payment_cancelled(actor=actor.as_dict(), payment_id=payment_id, reason=reason)

    @event(PaymentCancelled)
    def _payment_cancelled(self, actor: dict[str, str], payment_id: str, reason: str) -> None:
        self.payments[payment_id] = replace(self.payments[payment_id], cancelled=True)

    # ------------------------------------------------------------------ commands: statistics

    def record_support_obstacle(self, *, actor: Actor, person: str, month: Month, code: str, label: str) -> None:
        """Record the försörjningshinder of one adult for one month."""
        membership = next((m for m in self.members_in(month) if m.person == person), None)
        if membership is None:
            raise UnknownMember(f"{person} is not a member of household {self.id} in {month}")
        if membership.role not in (MemberRole.APPLICANT, MemberRole.CO_APPLICANT, MemberRole.ADULT):
            raise DomainRuleViolation("försörjningshinder is recorded for adults only")
        self._support_obstacle_recorded(actor=actor.as_dict(), person=person, month=month, code=code, label=label)

    @event(SupportObstacleRecorded)
    def _support_obstacle_recorded(
        self, actor: dict[str, str], person: str, month: Month, code: str, label: str
    ) -> None:
        self.obstacles[(person, month)] = code

    def close_case(self, *, actor: Actor, closed_on: date, reason_code: str, reason_label: str) -> None:
        self._require_open()
        self._case_closed(
            actor=actor.as_dict(), closed_on=closed_on, reason_code=reason_code, reason_label=reason_label
        )

    @event(CaseClosed)
    def _case_closed(self, actor: dict[str, str], closed_on: date, reason_code: str, reason_label: str) -> None:
        self.closed_on = closed_on

    # ------------------------------------------------------------------ helpers

    def _require_open(self) -> None:
        if self.closed_on is not None:
            raise DomainRuleViolation(f"household {self.id} was closed on {self.closed_on}")


def event_type_name(event_obj: object) -> str:
    """The readable event name stored in reports (the last part of its topic)."""
    topic = getattr(type(event_obj), "TOPIC", type(event_obj).__name__)
    return str(topic).split(":", 1)[-1]
