"""Återsökning on the write side: person facts, tagged costs, scan, file, outcome.

``scan`` builds the återsökning engine's input (:class:`~bistand_es.domain.reimbursement.ReimbursementCase`) from
the households' events and runs the same engine as ``bistand reimburse check``; ``prepare_filing`` runs it for one
type and period and turns its opportunities into a claim; ``record_filing`` records that claim on **every**
household it covers in one atomic save (docs/adr/0018-reimbursement-claims.md). No rule of eligibility, amount or
deadline lives here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.persistence import IntegrityError, RecordConflictError

from bistand_es.application.base import HouseholdStore, Recorded
from bistand_es.application.units import Units
from bistand_es.domain.errors import ConcurrentChange, DomainRuleViolation, InvalidInput, NotFound
from bistand_es.domain.household import Household
from bistand_es.domain.household.migration import AgencyReferenceKind, ClaimOutcome, FiledReimbursement, engine_person
from bistand_es.domain.household.reimbursement_ledger import HouseholdPart, Ledger, build_ledger
from bistand_es.domain.money import Money
from bistand_es.domain.month import Month
from bistand_es.domain.records import Actor
from bistand_es.domain.reimbursement import CheckResult, Period, ReimbursementCase, check
from bistand_es.domain.reimbursement.case import Cost, MigrationStatus, Reception
from bistand_es.domain.reimbursement.errors import InvalidCase
from bistand_es.domain.reimbursement.types import type_names, type_on
from bistand_es.domain.rules.rule_set import RuleSet

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class FilingPlan:
    """A claim ready to be written (the specification) and then recorded on each household it covers."""

    claim_id: str
    type: str
    period: Period
    filed_on: date
    unit: str | None
    regulation: str
    reference: str
    lines: tuple[dict[str, Any], ...]  # with household_id, dossiernummer, lma_number
    total: Decimal
    versions: dict[UUID, int]
    opportunities: tuple[dict[str, Any], ...]
    warnings: tuple[str, ...] = field(default=())

    @property
    def households(self) -> list[UUID]:
        return list(self.versions)

    @property
    def persons(self) -> list[str]:
        return sorted({str(line["person"]) for line in self.lines})


def _check(case: ReimbursementCase, rule_set: RuleSet) -> CheckResult:
    try:
        return check(case, rule_set)
    except InvalidCase as error:  # recorded facts the engine cannot use: say which, never a traceback
        raise DomainRuleViolation(f"the recorded återsökning facts cannot be checked: {error}") from None


class ReimbursementCommands(HouseholdStore):
    """Återsökning use cases: person facts, costs and tags, scan, file, outcome."""

    # ------------------------------------------------------------------ person facts

    def record_migration_status(
        self,
        household_id: UUID,
        *,
        actor: Actor,
        person: str,
        status: MigrationStatus,
        valid_from: date,
        permit_type: str | None = None,
    ) -> Recorded:
        recorded, _ = self._change(
            household_id,
            lambda h: h.record_migration_status(
                actor=actor, person=person, status=status, valid_from=valid_from, permit_type=permit_type
            ),
        )
        return recorded

    def record_reception(
        self, household_id: UUID, *, actor: Actor, person: str, received_on: date, reception: Reception
    ) -> Recorded:
        recorded, _ = self._change(
            household_id,
            lambda h: h.record_reception(actor=actor, person=person, received_on=received_on, reception=reception),
        )
        return recorded

    def record_unaccompanied(
        self, household_id: UUID, *, actor: Actor, person: str, unaccompanied: bool, valid_from: date
    ) -> Recorded:
        recorded, _ = self._change(
            household_id,
            lambda h: h.record_unaccompanied(
                actor=actor, person=person, unaccompanied=unaccompanied, valid_from=valid_from
            ),
            retry=False,
        )
        return recorded

    def record_agency_reference(
        self, household_id: UUID, *, actor: Actor, person: str, kind: AgencyReferenceKind, reference: str
    ) -> Recorded:
        recorded, _ = self._change(
            household_id,
            lambda h: h.record_agency_reference(actor=actor, person=person, kind=kind, reference=reference),
        )
        return recorded

    # ------------------------------------------------------------------ costs and tags

    def record_reimbursable_cost(
        self,
        household_id: UUID,
        *,
        actor: Actor,
        rule_set: RuleSet,
        person: str,
        month: Month,
        type_name: str,
        amount: Money,
        fees: Money | None = None,
        care_began_on: date | None = None,
        evidence: str,
        note: str = "",
    ) -> Recorded:
        """A cost paid outside ekonomiskt bistånd; the engine checks its type and fields before it is recorded."""

        def command(household: Household) -> str:
            birth = household.birth_date_of(person)
            if birth is not None:  # the household refuses an unknown person itself
                cost = Cost(
                    person=person,
                    month=month,
                    type=type_name,
                    amount=amount,
                    fees=fees or Money.zero(),
                    care_began_on=care_began_on,
                )
                probe = ReimbursementCase.model_construct(
                    as_of=month.last_day,
                    persons=[engine_person(household.facts_of(person), birth)],
                    costs=[cost],
                    claims=[],
                )
                try:
                    check(probe, rule_set)
                except InvalidCase as error:
                    where, _, problem = str(error).removeprefix("costs[0].").partition(": ")
                    raise InvalidInput(f"--{where.replace('_', '-')}: {problem}") from None
            return household.record_reimbursable_cost(
                actor=actor,
                person=person,
                month=month,
                type_name=type_name,
                amount=amount,
                fees=fees or Money.zero(),
                care_began_on=care_began_on,
                evidence=evidence,
                note=note,
            )

        recorded, cost_id = self._change(household_id, command, retry=False)
        return recorded.with_result(cost_id)

    def tag_payment(
        self,
        household_id: UUID,
        payment_id: str,
        *,
        actor: Actor,
        rule_set: RuleSet,
        type_name: str,
        person: str | None,
    ) -> Recorded:
        """Tag a payment (all of it for one person, or shared by the month's members) with a compensation type."""
        known = type_names(rule_set)
        recorded, _ = self._change(
            household_id,
            lambda h: h.tag_payment(
                actor=actor, payment_id=payment_id, type_name=type_name, person=person, known_types=known
            ),
        )
        return recorded

    # ------------------------------------------------------------------ the ledger and the scan

    def _households_with(self, topics: tuple[str, ...]) -> list[UUID]:
        seen: dict[UUID, None] = {}
        for e in self.iter_events(topics=topics):
            seen[e.originator_id] = None
        return list(seen)

    def build_ledger(self, *, as_of: date, types: Iterable[str] | None = None) -> Ledger:
        """The engine's case from every household with a tagged cost or a claim (the pure
        :func:`~bistand_es.domain.household.reimbursement_ledger.build_ledger`, which the read model uses too)."""
        topics = (
            Household.ReimbursableCostRecorded.TOPIC,
            Household.PaymentTagged.TOPIC,
            Household.ReimbursementFiled.TOPIC,
        )
        parts = []
        for hid in self._households_with(topics):
            household = self._load(hid)
            parts.append(
                HouseholdPart(
                    household_id=str(hid),
                    person_facts=household.person_facts,
                    births=[(m.person, m.birth_date) for m in household.memberships],
                    costs=household.tagged_costs(),
                    claims=list(household.reimbursements.values()),
                )
            )
        return build_ledger(parts, as_of=as_of, types=types)

    def scan(self, *, as_of: date, rule_set: RuleSet, units: Units, unit: str | None = None) -> dict[str, Any]:
        """Every eligible unclaimed cost by type and period (the engine's result), plus the households behind each
        opportunity, the claims filed and warnings for types no unit is responsible for."""
        names = type_names(rule_set)
        units.check_types(names)
        types = units.unit(unit).compensation_types if unit is not None else None
        ledger = self.build_ledger(as_of=as_of, types=types)
        result = _check(ledger.case, rule_set)
        data = result.to_dict()
        for opportunity, shown in zip(result.opportunities, data["opportunities"], strict=True):
            shown["households"] = sorted({str(s.household_id) for s in ledger.match(opportunity)})
        seen = {o.type for o in result.opportunities} | {c.type for _, c in ledger.filed}
        data["warnings"] = [*data["warnings"], *units.warnings(seen), *self._late_costs(ledger)]
        data["claims"] = _claims_view(ledger.filed)
        data["unit"] = unit
        return data

    @staticmethod
    def _late_costs(ledger: Ledger) -> list[str]:
        """Costs the engine counts as claimed (their person, type and period are in a claim) that no filed claim
        lists: recorded after the claim was filed, so Migrationsverket has not been asked for them."""
        listed = {pair for _, claim in ledger.filed for pair in claim.sources}
        found = []
        for source in ledger.sources:
            cost = source.cost
            for _, claim in ledger.filed:
                covered = claim.type == cost.type and cost.person in claim.persons
                if covered and claim.period.contains(cost.month) and (cost.source, cost.person) not in listed:
                    found.append(
                        f"{cost.type} {cost.month} {cost.person}: {cost.amount} was recorded after claim "
                        f"{claim.claim_id} covered {claim.period}; it is not in that claim: ask Migrationsverket "
                        "for it as a supplement (komplettering)"
                    )
                    break
        return found

    # ------------------------------------------------------------------ filing

    def prepare_filing(
        self,
        *,
        type_name: str,
        period_text: str,
        filed_on: date,
        rule_set: RuleSet,
        units: Units,
        unit: str | None = None,
    ) -> FilingPlan:
        """What a claim of ``type_name`` for the period would cover, from the engine's open (or lost) opportunities.

        Nothing is recorded. Refused: an unknown type, a period of the wrong kind or not yet ended, a unit not
        responsible for the type, and a period with nothing left to claim (already filed).
        """
        names = type_names(rule_set)
        units.check_types(names)
        if type_name not in names:
            raise InvalidInput(f"--type: {type_name!r} is not a compensation type (known: {', '.join(names)})")
        try:
            period = Period.parse(period_text)
        except ValueError as error:
            raise InvalidInput(f"--period: {error}") from None
        ctype = type_on(rule_set, type_name, period.last_day)
        if ctype is None:
            raise InvalidInput(f"--period: {type_name} is not in force on {period.last_day.isoformat()}")
        if ctype.period is not period.kind:
            raise InvalidInput(f"--period: {type_name} is claimed per {ctype.period.value}, not {period}")
        if filed_on <= period.last_day:
            raise InvalidInput(
                f"--period: {period} has not ended on {filed_on.isoformat()} (its last day is "
                f"{period.last_day.isoformat()}); a claim is filed afterwards"
            )
        warnings: list[str] = []
        if unit is not None and type_name not in units.unit(unit).compensation_types:
            raise InvalidInput(f"--unit: {unit} does not claim {type_name} (see `bistand reimburse routine`)")
        warnings.extend(units.warnings([type_name]))
        ledger = self.build_ledger(as_of=filed_on, types=[type_name])
        result = _check(ledger.case, rule_set)
        chosen = [o for o in result.opportunities if o.type == type_name and o.period == period]
        if not chosen:
            earlier = sorted({c.claim_id for _, c in ledger.filed if c.type == type_name and c.period == period})
            if earlier:
                raise DomainRuleViolation(
                    f"{type_name} {period} is already filed (claim {', '.join(earlier)}): nothing is left to claim, "
                    "and a cost is claimed once"
                )
            raise DomainRuleViolation(f"no eligible, unclaimed {type_name} cost in {period}: nothing to claim")
        lines: list[dict[str, Any]] = []
        for opportunity in chosen:
            if opportunity.status == "lost":
                warnings.append(
                    f"{type_name} {period}: the last day to file was {opportunity.deadline}; "
                    "Migrationsverket may refuse the claim"
                )
            for line, source in zip(opportunity.lines, ledger.match(opportunity), strict=True):
                refs = ledger.references.get(line.person, {})
                lines.append(
                    {
                        "household_id": str(source.household_id),
                        "source": source.cost.source,
                        "person": line.person,
                        "dossiernummer": refs.get(AgencyReferenceKind.DOSSIER.value, ""),
                        "lma_number": refs.get(AgencyReferenceKind.LMA.value, ""),
                        "month": str(line.month),
                        "cost": f"{line.cost.amount:.2f}",
                        "fees": f"{line.fees.amount:.2f}",
                        "amount": f"{line.amount.amount:.2f}",
                        "evidence": source.cost.evidence,
                    }
                )
        versions = {UUID(str(line["household_id"])): 0 for line in lines}
        for hid in versions:
            versions[hid] = self._load(hid).version
        return FilingPlan(
            claim_id=str(uuid4()),
            type=type_name,
            period=period,
            filed_on=filed_on,
            unit=unit,
            regulation=ctype.regulation,
            reference=ctype.reference,
            lines=tuple(lines),
            total=sum((Decimal(str(line["amount"])) for line in lines), ZERO),
            versions=versions,
            opportunities=tuple(o.to_dict() for o in chosen),
            warnings=tuple(dict.fromkeys(warnings)),
        )

    def record_filing(self, plan: FilingPlan, *, actor: Actor, evidence: str = "") -> list[Recorded]:
        """Record ``plan`` as one ``ReimbursementFiled`` on each household it covers, in one atomic save.

        A household that changed since the plan was made is a conflict (nothing is recorded): make the plan again.
        """
        households = []
        for hid in plan.households:
            household = self._load(hid)
            if household.version != plan.versions[hid]:
                raise ConcurrentChange(hid)
            keep = ("source", "person", "month", "cost", "fees", "amount", "evidence")
            household.file_reimbursement(
                actor=actor,
                claim_id=plan.claim_id,
                type_name=plan.type,
                period=plan.period,
                lines=[{k: line[k] for k in keep} for line in plan.lines if line["household_id"] == str(hid)],
                claim_amount=plan.total,
                households=[str(h) for h in plan.households],
                filed_on=plan.filed_on,
                unit=plan.unit,
                evidence=evidence,
            )
            households.append(household)
        return self._save_all(households, plan.claim_id)

    def _save_all(self, households: Sequence[Household], result: str) -> list[Recorded]:
        try:
            recordings = self.save(*households)
        except (IntegrityError, RecordConflictError):
            raise ConcurrentChange(households[0].id if len(households) == 1 else "(several households)") from None
        return [
            self._recorded(h, [r for r in recordings if r.domain_event.originator_id == h.id], result)
            for h in households
        ]

    # ------------------------------------------------------------------ outcome and queries

    def find_reimbursement_households(self, claim_id: str) -> tuple[str, list[UUID]]:
        """The full claim id and the households a reimbursement claim (id or 8+ character prefix) covers."""
        text = claim_id.strip().lower()
        found: dict[str, list[UUID]] = {}
        if len(text) >= 8:
            for e in self.iter_events(topics=(Household.ReimbursementFiled.TOPIC,)):
                if e.claim_id.startswith(text):
                    found.setdefault(e.claim_id, []).append(e.originator_id)
        if len(found) != 1:
            raise NotFound(f"unknown reimbursement claim {text}" + (" (ambiguous prefix)" if found else ""))
        return next(iter(found.items()))

    def record_reimbursement_outcome(
        self,
        claim_id: str,
        *,
        actor: Actor,
        outcome: ClaimOutcome,
        granted: Decimal | None = None,
        reason: str = "",
        decided_on: date,
    ) -> list[Recorded]:
        """Migrationsverket's decision on a claim, recorded on each household the claim covers (one save)."""
        full, ids = self.find_reimbursement_households(claim_id)
        households = [self._load(hid) for hid in ids]
        for household in households:
            household.record_reimbursement_outcome(
                actor=actor, claim_id=full, outcome=outcome, granted=granted, reason=reason, decided_on=decided_on
            )
        return self._save_all(households, full)

    def get_reimbursement_claim(self, claim_id: str) -> dict[str, Any]:
        full, ids = self.find_reimbursement_households(claim_id)
        return _claims_view([(hid, self._load(hid).find_reimbursement(full)) for hid in ids])[0]


def _claims_view(filed: Sequence[tuple[UUID | str, FiledReimbursement]]) -> list[dict[str, Any]]:
    """One row per claim (its households' parts together), in filing order."""
    rows: dict[str, dict[str, Any]] = {}
    for hid, claim in sorted(filed, key=lambda hc: (hc[1].filed_on, hc[1].claim_id)):
        row = rows.setdefault(
            claim.claim_id,
            {
                "claim_id": claim.claim_id,
                "type": claim.type,
                "period": str(claim.period),
                "persons": [],
                "households": [],
                "amount": f"{claim.claim_amount:.2f}",
                "filed_on": claim.filed_on.isoformat(),
                "filed_by": claim.filed_by,
                "unit": claim.unit,
                "outcome": claim.outcome,
                "granted": None if claim.granted is None else f"{claim.granted:.2f}",
                "difference": None if claim.difference is None else f"{claim.difference:.2f}",
                "reason": claim.reason,
                "decided_on": claim.decided_on.isoformat() if claim.decided_on else None,
            },
        )
        row["persons"] = sorted(set(row["persons"]) | set(claim.persons))
        row["households"] = [*row["households"], str(hid)]
    return list(rows.values())
