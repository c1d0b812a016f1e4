"""Återsökning on the household: person facts, tagged costs, filed claims and their outcomes.

- **Events** (stored schema, like :mod:`.events`): the person facts ``MigrationStatusRecorded``,
  ``ReceptionRecorded``, ``UnaccompaniedMinorRecorded``, ``AgencyReferenceRecorded``; the costs
  ``ReimbursableCostRecorded`` (paid outside ekonomiskt bistånd) and ``PaymentTagged`` (a payment's compensation
  type per person, next to ``PaymentIssued``, whose schema is unchanged); the claims ``ReimbursementFiled`` and
  ``ReimbursementOutcomeRecorded``.
- **Rules** (pure): the default tag of a payment (aid paid for a month in which members are asylum seekers is
  ``asylum.lma_aid``, per person), the split of a payment over persons, and what a claim may cover.
- **Commands** (:class:`MigrationMixin`, inherited by ``Household``): validate, then ``trigger_event``; the
  mutators ``_on_*`` only assign (docs/adr/0005-decide-then-record.md).

Eligibility, amounts and deadlines are the återsökning engine's (:mod:`bistand_es.domain.reimbursement`); this
module only records facts and claims, and hands the engine its input (:meth:`MigrationMixin.engine_person`,
:meth:`MigrationMixin.tagged_costs`). See docs/reimbursement.md and docs/adr/0018-reimbursement-claims.md.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final
from uuid import uuid4

from bistand_es.domain.errors import DomainRuleViolation, InvalidInput, NotFound, UnknownMember
from bistand_es.domain.household.events import TOPIC_PREFIX, HouseholdEvent
from bistand_es.domain.money import Money
from bistand_es.domain.month import Month
from bistand_es.domain.records import Actor, Membership, RecordedPayment
from bistand_es.domain.reimbursement.case import MigrationStatus, Person, Reception, StatusSpan
from bistand_es.domain.reimbursement.eligibility import ASYLUM_STATUSES
from bistand_es.domain.reimbursement.periods import Period
from bistand_es.domain.rules.household_norm import age_on

if TYPE_CHECKING:  # pragma: no cover - the mixin is only ever used through Household
    from eventsourcing.domain import Aggregate as _HouseholdBase
else:
    _HouseholdBase = object

ZERO: Final = Decimal("0.00")

#: The compensation type the default rule tags a payment with (förordning 2017:193, LMA-type aid).
LMA_AID: Final = "asylum.lma_aid"
MAX_TEXT: Final = 1000
ADULT_AGE: Final = 18


class AgencyReferenceKind(StrEnum):
    """Migrationsverket's numbers for a person (a claim's evidence names them)."""

    DOSSIER = "dossiernummer"
    LMA = "lma_number"  # LMA-kortets nummer


class ClaimOutcome(StrEnum):
    GRANTED = "granted"
    PARTLY = "partly"
    REFUSED = "refused"


# ---------------------------------------------------------------------------------------------------- events


class MigrationStatusRecorded(HouseholdEvent):
    """A person's migration status from a date (in force until the next); permit_type only with a permit."""

    TOPIC = TOPIC_PREFIX + "MigrationStatusRecorded"
    person: str
    status: str
    permit_type: str | None
    valid_from: date


class ReceptionRecorded(HouseholdEvent):
    """The person's first reception (mottagande) in a municipality: the date, anvisad or egenbosatt."""

    TOPIC = TOPIC_PREFIX + "ReceptionRecorded"
    person: str
    received_on: date
    reception: str


class UnaccompaniedMinorRecorded(HouseholdEvent):
    """The person is (or, with ``unaccompanied`` false, no longer is) an unaccompanied minor from a date."""

    TOPIC = TOPIC_PREFIX + "UnaccompaniedMinorRecorded"
    person: str
    unaccompanied: bool
    valid_from: date


class AgencyReferenceRecorded(HouseholdEvent):
    """Migrationsverket's dossiernummer or LMA number of a person."""

    TOPIC = TOPIC_PREFIX + "AgencyReferenceRecorded"
    person: str
    kind: str
    reference: str


class ReimbursableCostRecorded(HouseholdEvent):
    """A cost paid outside ekonomiskt bistånd (care, a foster home's basic equipment …), tagged by type."""

    TOPIC = TOPIC_PREFIX + "ReimbursableCostRecorded"
    cost_id: str
    person: str
    month: Month
    type: str
    amount: Decimal
    fees: Decimal
    care_began_on: date | None
    evidence: str
    note: str


class PaymentTagged(HouseholdEvent):
    """A payment's compensation type, per person: ``lines`` rows person, amount (text, two decimals).

    ``automatic`` is true for the default rule (:func:`default_lma_lines`), false when the caseworker chose it.
    """

    TOPIC = TOPIC_PREFIX + "PaymentTagged"
    payment_id: str
    month: Month
    type: str
    lines: list[dict[str, Any]]
    automatic: bool


class ReimbursementFiled(HouseholdEvent):
    """A claim filed with Migrationsverket: this household's part of it (``lines``) and the claim's whole.

    ``lines`` rows: source (``cost:<id>`` or ``payment:<id>``), person, month, cost, fees, amount (compensable),
    evidence. ``households`` lists every household the claim covers; each records its own event.
    """

    TOPIC = TOPIC_PREFIX + "ReimbursementFiled"
    claim_id: str
    type: str
    period: str
    persons: list[str]
    lines: list[dict[str, Any]]
    amount: Decimal
    claim_amount: Decimal
    households: list[str]
    filed_on: date
    filed_by: str
    unit: str | None
    evidence: str


class ReimbursementOutcomeRecorded(HouseholdEvent):
    """Migrationsverket's decision on a claim: granted, partly (granted amount) or refused (reason)."""

    TOPIC = TOPIC_PREFIX + "ReimbursementOutcomeRecorded"
    claim_id: str
    outcome: str
    claimed: Decimal
    granted: Decimal
    difference: Decimal
    reason: str
    decided_on: date


MIGRATION_EVENTS: Final = (
    MigrationStatusRecorded,
    ReceptionRecorded,
    UnaccompaniedMinorRecorded,
    AgencyReferenceRecorded,
    ReimbursableCostRecorded,
    PaymentTagged,
    ReimbursementFiled,
    ReimbursementOutcomeRecorded,
)

# ---------------------------------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class StatusRecord:
    status: MigrationStatus
    valid_from: date
    permit_type: str | None = None


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """What the household knows of one person's migration."""

    person: str
    statuses: tuple[StatusRecord, ...] = ()  # in date order, one per date
    received_on: date | None = None
    reception: Reception | None = None
    unaccompanied: tuple[tuple[date, bool], ...] = ()
    references: tuple[tuple[str, str], ...] = ()  # (kind, reference), latest per kind

    def reference(self, kind: AgencyReferenceKind) -> str | None:
        return dict(self.references).get(kind.value)


@dataclass(frozen=True, slots=True)
class TaggedCost:
    """One cost line of a person and month, tagged by compensation type, with where it came from."""

    source: str  # "cost:<id>" or "payment:<id>"
    person: str
    month: Month
    type: str
    amount: Money
    fees: Money
    care_began_on: date | None
    evidence: str


@dataclass(frozen=True, slots=True)
class FiledReimbursement:
    """A claim filed with Migrationsverket (this household's part) and its outcome once recorded."""

    claim_id: str
    type: str
    period: Period
    persons: tuple[str, ...]
    lines: tuple[dict[str, Any], ...]
    amount: Decimal
    claim_amount: Decimal
    households: tuple[str, ...]
    filed_on: date
    filed_by: str
    unit: str | None
    evidence: str
    outcome: str | None = None
    granted: Decimal | None = None
    difference: Decimal | None = None
    reason: str = ""
    decided_on: date | None = None

    @property
    def sources(self) -> frozenset[tuple[str, str]]:
        """The (source, person) pairs the claim covers: a cost is claimed once."""
        return frozenset((str(line["source"]), str(line["person"])) for line in self.lines)


@dataclass(frozen=True, slots=True)
class TagLine:
    person: str
    amount: Money


# ---------------------------------------------------------------------------------------------------- pure rules


def split_evenly(amount: Money, persons: Sequence[str]) -> list[TagLine]:
    """``amount`` shared equally by ``persons`` (in that order), in whole öre; the first persons take the
    öre left over, so the lines add up to the amount (100.00 over three → 33.34, 33.33, 33.33)."""
    if not persons:
        return []
    cents = int(amount.amount * 100)
    share, rest = divmod(cents, len(persons))
    return [
        TagLine(person, Money(Decimal(share + (1 if index < rest else 0)) / 100))
        for index, person in enumerate(persons)
    ]


def asylum_seekers(facts: dict[str, PersonFacts], persons: Sequence[str], month: Month) -> list[str]:
    """The persons whose migration status on the month's first day is one the asylum types cover (the engine's
    :data:`~bistand_es.domain.reimbursement.eligibility.ASYLUM_STATUSES`)."""
    found = []
    for person in persons:
        known = facts.get(person)
        if known is None:
            continue
        span = engine_person(known, None).status_on(month.first_day)
        if span is not None and span.status in ASYLUM_STATUSES:
            found.append(person)
    return found


def default_lma_lines(
    facts: dict[str, PersonFacts], members: Sequence[str], month: Month, amount: Money
) -> list[TagLine]:
    """The default rule: aid paid for a month is LMA-type aid (``asylum.lma_aid``) for each member who is an
    asylum seeker or permit applicant on the month's first day, in equal shares of the members of the month.

    E.g. 9 180.00 to a household of two asylum seekers → 4 590.00 each; to a household of an asylum seeker and a
    person with a residence permit → 4 590.00 tagged for the asylum seeker only. No asylum seeker: no tag.
    """
    seekers = set(asylum_seekers(facts, members, month))
    return [line for line in split_evenly(amount, members) if line.person in seekers]


def payment_cost(payment_id: str, month: Month, paid_on: date, type_name: str, line: TagLine) -> TaggedCost:
    """One person's line of a tagged payment as a cost (no fees; the payment is the evidence)."""
    return TaggedCost(
        source=f"payment:{payment_id}",
        person=line.person,
        month=month,
        type=type_name,
        amount=line.amount,
        fees=Money.zero(),
        care_began_on=None,
        evidence=f"utbetalning {payment_id} ({paid_on.isoformat()})",
    )


def engine_person(facts: PersonFacts, birth_date: date | None) -> Person:
    """The engine's view of a person (its input model)."""
    return Person(
        id=facts.person,
        birth_date=birth_date,
        statuses=[StatusSpan(status=s.status, from_=s.valid_from) for s in facts.statuses],
        received_on=facts.received_on,
        reception=facts.reception,
    )


def clean_text(text: str, field: str, *, required: bool = False) -> str:
    value = text.strip()
    if required and not value:
        raise InvalidInput(f"{field}: give a text")
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"{field}: at most {MAX_TEXT} characters")
    return value


# ---------------------------------------------------------------------------------------------------- commands


class MigrationMixin(_HouseholdBase):
    """The household's återsökning commands and mutators (state: ``person_facts``, ``reimbursable_costs``,
    ``payment_tags``, ``reimbursements``)."""

    person_facts: dict[str, PersonFacts]
    reimbursable_costs: dict[str, TaggedCost]
    payment_tags: dict[str, tuple[str, tuple[TagLine, ...], bool]]  # payment id → (type, lines, automatic)
    reimbursements: dict[str, FiledReimbursement]
    memberships: list[Membership]
    payments: dict[str, RecordedPayment]

    if TYPE_CHECKING:  # pragma: no cover - defined by Household

        def members_in(self, month: Month) -> list[Membership]: ...

    # ------------------------------------------------------------------ queries

    def _member(self, person: str) -> Membership:
        for membership in self.memberships:
            if membership.person == person:
                return membership
        raise UnknownMember(f"the person is not a member of household {self.id}")

    def facts_of(self, person: str) -> PersonFacts:
        return self.person_facts.get(person, PersonFacts(person))

    def birth_date_of(self, person: str) -> date | None:
        return next((m.birth_date for m in self.memberships if m.person == person), None)

    def tagged_costs(self) -> list[TaggedCost]:
        """Every tagged cost line: recorded costs, and tagged payments that are not cancelled."""
        found = list(self.reimbursable_costs.values())
        for payment_id, (type_name, lines, _) in self.payment_tags.items():
            payment = self.payments.get(payment_id)
            if payment is None or payment.cancelled:
                continue
            found.extend(payment_cost(payment_id, payment.month, payment.paid_on, type_name, line) for line in lines)
        return found

    def claimed_sources(self) -> frozenset[tuple[str, str]]:
        return frozenset(pair for claim in self.reimbursements.values() for pair in claim.sources)

    def find_reimbursement(self, claim_id: str) -> FiledReimbursement:
        claim = self.reimbursements.get(claim_id)
        if claim is None:
            raise NotFound(f"unknown reimbursement claim {claim_id} in household {self.id}")
        return claim

    # ------------------------------------------------------------------ commands: person facts

    def record_migration_status(
        self, *, actor: Actor, person: str, status: MigrationStatus, valid_from: date, permit_type: str | None
    ) -> None:
        """A person's migration status from a date. A status for a date already recorded replaces it."""
        self._member(person)
        kind = clean_text(permit_type or "", "--permit-type")
        if kind and status is not MigrationStatus.RESIDENCE_PERMIT:
            raise InvalidInput(f"--permit-type: only a residence_permit has a permit type, not {status.value}")
        current = next((s for s in self.facts_of(person).statuses if s.valid_from == valid_from), None)
        if current is not None and (current.status, current.permit_type or "") == (status, kind):
            raise DomainRuleViolation(f"{person} already has status {status.value} from {valid_from}")
        self.trigger_event(
            MigrationStatusRecorded,
            actor=actor.as_dict(),
            person=person,
            status=status.value,
            permit_type=kind or None,
            valid_from=valid_from,
        )

    def record_reception(self, *, actor: Actor, person: str, received_on: date, reception: Reception) -> None:
        """The person's first reception in a municipality (mottagande): anvisad or egenbosatt."""
        self._member(person)
        facts = self.facts_of(person)
        if (facts.received_on, facts.reception) == (received_on, reception):
            raise DomainRuleViolation(f"{person} is already recorded as {reception.value} on {received_on}")
        self.trigger_event(
            ReceptionRecorded, actor=actor.as_dict(), person=person, received_on=received_on, reception=reception.value
        )

    def record_unaccompanied(self, *, actor: Actor, person: str, unaccompanied: bool, valid_from: date) -> None:
        """The person is (or no longer is) an unaccompanied minor (ensamkommande barn) from a date."""
        membership = self._member(person)
        if membership.birth_date > valid_from:
            raise InvalidInput(f"--from: {valid_from} is before the person was born ({membership.birth_date})")
        if unaccompanied and age_on(membership.birth_date, valid_from) >= ADULT_AGE:
            raise DomainRuleViolation(
                f"{person} is {age_on(membership.birth_date, valid_from)} on {valid_from}: an unaccompanied minor "
                f"is under {ADULT_AGE}"
            )
        self.trigger_event(
            UnaccompaniedMinorRecorded,
            actor=actor.as_dict(),
            person=person,
            unaccompanied=unaccompanied,
            valid_from=valid_from,
        )

    def record_agency_reference(self, *, actor: Actor, person: str, kind: AgencyReferenceKind, reference: str) -> None:
        """Migrationsverket's dossiernummer or LMA number of the person (shown in claim specifications)."""
        self._member(person)
        text = clean_text(reference, f"--{'dossier' if kind is AgencyReferenceKind.DOSSIER else 'lma'}", required=True)
        if self.facts_of(person).reference(kind) == text:
            raise DomainRuleViolation(f"{person} already has {kind.value} {text}")
        self.trigger_event(
            AgencyReferenceRecorded, actor=actor.as_dict(), person=person, kind=kind.value, reference=text
        )

    # ------------------------------------------------------------------ commands: costs and tags

    def record_reimbursable_cost(
        self,
        *,
        actor: Actor,
        person: str,
        month: Month,
        type_name: str,
        amount: Money,
        fees: Money,
        care_began_on: date | None,
        evidence: str,
        note: str,
    ) -> str:
        """A cost paid outside ekonomiskt bistånd for a member. The caller has checked the type and its fields
        with the engine (:meth:`ReimbursementCommands.record_reimbursable_cost`). Returns the cost id."""
        self._member(person)
        if amount.amount <= 0:
            raise InvalidInput(f"--amount: {amount} must be more than 0")
        if fees.amount < 0 or fees.amount > amount.amount:
            raise InvalidInput(f"--fees: {fees} must be 0 to the cost {amount}")
        cost_id = str(uuid4())
        self.trigger_event(
            ReimbursableCostRecorded,
            actor=actor.as_dict(),
            cost_id=cost_id,
            person=person,
            month=month,
            type=type_name,
            amount=amount.amount,
            fees=fees.amount,
            care_began_on=care_began_on,
            evidence=clean_text(evidence, "--evidence", required=True),
            note=clean_text(note, "--note"),
        )
        return cost_id

    def tag_payment(
        self, *, actor: Actor, payment_id: str, type_name: str, person: str | None, known_types: Collection[str]
    ) -> list[TagLine]:
        """Tag a payment with a compensation type: all of it for ``person``, or shared equally by the members of
        its month. A payment already in a filed claim cannot be tagged again. Returns the lines."""
        if type_name not in known_types:
            raise InvalidInput(
                f"--reimbursable: {type_name!r} is not a compensation type (known: {', '.join(sorted(known_types))})"
            )
        payment = self.payments.get(payment_id)
        if payment is None:
            raise NotFound(f"unknown payment {payment_id} in household {self.id}")
        if payment.cancelled:
            raise DomainRuleViolation(f"payment {payment_id} is cancelled; it is no cost to claim")
        if any(source == f"payment:{payment_id}" for source, _ in self.claimed_sources()):
            raise DomainRuleViolation(f"payment {payment_id} is already in a filed claim; its tag cannot change")
        members = [m.person for m in self.members_in(payment.month)]
        if person is not None:
            if person not in members:
                raise UnknownMember(f"the person is not a member of household {self.id} in {payment.month}")
            lines = [TagLine(person, Money(payment.amount))]
        else:
            lines = split_evenly(Money(payment.amount), members)
        self._tag(actor, payment, type_name, lines, automatic=False)
        return lines

    def tag_payment_by_default(self, *, actor: Actor, payment_id: str) -> list[TagLine]:
        """The default rule (:func:`default_lma_lines`) for a payment just issued; no tag when it gives none."""
        payment = self.payments[payment_id]
        members = [m.person for m in self.members_in(payment.month)]
        lines = default_lma_lines(self.person_facts, members, payment.month, Money(payment.amount))
        if lines:
            self._tag(actor, payment, LMA_AID, lines, automatic=True)
        return lines

    def _tag(
        self, actor: Actor, payment: RecordedPayment, type_name: str, lines: list[TagLine], *, automatic: bool
    ) -> None:
        self.trigger_event(
            PaymentTagged,
            actor=actor.as_dict(),
            payment_id=payment.payment_id,
            month=payment.month,
            type=type_name,
            lines=[{"person": line.person, "amount": f"{line.amount.amount:.2f}"} for line in lines],
            automatic=automatic,
        )

    # ------------------------------------------------------------------ commands: claims

    def file_reimbursement(
        self,
        *,
        actor: Actor,
        claim_id: str,
        type_name: str,
        period: Period,
        lines: Sequence[dict[str, Any]],
        claim_amount: Decimal,
        households: Sequence[str],
        filed_on: date,
        unit: str | None,
        evidence: str,
    ) -> None:
        """Record this household's part of a claim. Refused when a line's cost is already in a filed claim, or
        the period has not ended on the filing day."""
        if filed_on <= period.last_day:
            raise InvalidInput(
                f"--period: {period} has not ended on {filed_on.isoformat()} (its last day is "
                f"{period.last_day.isoformat()}); a claim is filed afterwards"
            )
        if not lines:
            raise InvalidInput(f"nothing of household {self.id} to claim")
        claimed = self.claimed_sources()
        known = {(c.source, c.person) for c in self.tagged_costs()}
        for line in lines:
            pair = (str(line["source"]), str(line["person"]))
            if pair not in known:
                raise NotFound(f"no cost {pair[0]} for {pair[1]} in household {self.id}")
            if pair in claimed:
                other = next(c.claim_id for c in self.reimbursements.values() if pair in c.sources)
                raise DomainRuleViolation(
                    f"the cost {pair[0]} of {pair[1]} is already in claim {other}: a cost is claimed once"
                )
        amount = sum((Decimal(str(line["amount"])) for line in lines), ZERO)
        self.trigger_event(
            ReimbursementFiled,
            actor=actor.as_dict(),
            claim_id=claim_id,
            type=type_name,
            period=str(period),
            persons=sorted({str(line["person"]) for line in lines}),
            lines=[dict(line) for line in lines],
            amount=amount,
            claim_amount=claim_amount,
            households=list(households),
            filed_on=filed_on,
            filed_by=actor.user,
            unit=unit,
            evidence=clean_text(evidence, "evidence"),
        )

    def record_reimbursement_outcome(
        self,
        *,
        actor: Actor,
        claim_id: str,
        outcome: ClaimOutcome,
        granted: Decimal | None,
        reason: str,
        decided_on: date,
    ) -> None:
        """Migrationsverket's decision on a claim (the whole claim): granted, partly granted or refused."""
        claim = self.find_reimbursement(claim_id)
        if claim.outcome is not None:
            raise DomainRuleViolation(f"claim {claim_id} already has its outcome ({claim.outcome}, {claim.decided_on})")
        if decided_on < claim.filed_on:
            raise InvalidInput(f"--on: {decided_on} is before the claim was filed ({claim.filed_on})")
        total = claim.claim_amount
        why = clean_text(reason, "--reason")
        if outcome is ClaimOutcome.GRANTED:
            paid = total
        elif outcome is ClaimOutcome.REFUSED:
            if not why:
                raise InvalidInput("--reason: a refusal needs Migrationsverket's reason")
            paid = ZERO
        else:
            paid = granted if granted is not None else ZERO
            if not ZERO < paid < total:
                raise InvalidInput(
                    f"--partly: {paid:.2f} must be more than 0 and less than the {total:.2f} claimed "
                    "(use --granted or --refused otherwise)"
                )
        self.trigger_event(
            ReimbursementOutcomeRecorded,
            actor=actor.as_dict(),
            claim_id=claim.claim_id,
            outcome=outcome.value,
            claimed=total,
            granted=paid,
            difference=total - paid,
            reason=why,
            decided_on=decided_on,
        )

    # ------------------------------------------------------------------ mutators (only assign)

    def _on_migration_status(self, e: MigrationStatusRecorded) -> None:
        facts = self.facts_of(e.person)
        record = StatusRecord(MigrationStatus(e.status), e.valid_from, e.permit_type)
        kept = [s for s in facts.statuses if s.valid_from != e.valid_from]
        statuses = tuple(sorted([*kept, record], key=lambda s: s.valid_from))
        self.person_facts[e.person] = replace(facts, statuses=statuses)

    def _on_reception(self, e: ReceptionRecorded) -> None:
        facts = self.facts_of(e.person)
        self.person_facts[e.person] = replace(facts, received_on=e.received_on, reception=Reception(e.reception))

    def _on_unaccompanied(self, e: UnaccompaniedMinorRecorded) -> None:
        facts = self.facts_of(e.person)
        self.person_facts[e.person] = replace(
            facts, unaccompanied=(*facts.unaccompanied, (e.valid_from, e.unaccompanied))
        )

    def _on_agency_reference(self, e: AgencyReferenceRecorded) -> None:
        facts = self.facts_of(e.person)
        references = dict(facts.references)
        references[e.kind] = e.reference
        self.person_facts[e.person] = replace(facts, references=tuple(sorted(references.items())))

    def _on_reimbursable_cost(self, e: ReimbursableCostRecorded) -> None:
        self.reimbursable_costs[e.cost_id] = TaggedCost(
            source=f"cost:{e.cost_id}",
            person=e.person,
            month=e.month,
            type=e.type,
            amount=Money(Decimal(e.amount)),
            fees=Money(Decimal(e.fees)),
            care_began_on=e.care_began_on,
            evidence=e.evidence,
        )

    def _on_payment_tagged(self, e: PaymentTagged) -> None:
        lines = tuple(TagLine(str(line["person"]), Money(Decimal(str(line["amount"])))) for line in e.lines)
        self.payment_tags[e.payment_id] = (e.type, lines, e.automatic)

    def _on_reimbursement_filed(self, e: ReimbursementFiled) -> None:
        self.reimbursements[e.claim_id] = FiledReimbursement(
            claim_id=e.claim_id,
            type=e.type,
            period=Period.parse(e.period),
            persons=tuple(e.persons),
            lines=tuple(dict(line) for line in e.lines),
            amount=Decimal(e.amount),
            claim_amount=Decimal(e.claim_amount),
            households=tuple(e.households),
            filed_on=e.filed_on,
            filed_by=e.filed_by,
            unit=e.unit,
            evidence=e.evidence,
        )

    def _on_reimbursement_outcome(self, e: ReimbursementOutcomeRecorded) -> None:
        self.reimbursements[e.claim_id] = replace(
            self.reimbursements[e.claim_id],
            outcome=e.outcome,
            granted=Decimal(e.granted),
            difference=Decimal(e.difference),
            reason=e.reason,
            decided_on=e.decided_on,
        )
