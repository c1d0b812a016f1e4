"""The application service: one named method per use case, over household ids and plain values.

Commands (verb_noun) load one household, call one aggregate command (which validates, then records) and save;
queries (get_/find_/list_) return plain data or the aggregate for reading. The CLI only parses, calls and
prints. Decisions and payments have their own modules (:mod:`.decisions`, :mod:`.payments`), mixed in here.
Store plumbing, error translation and retries are in :mod:`.base`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, RecordConflictError

from bistand_es.application.base import HouseholdStore, Recorded
from bistand_es.application.decisions import DecisionCommands
from bistand_es.application.monthly_run import MonthlyRunCommands
from bistand_es.application.payments import PaymentCommands
from bistand_es.application.placements import PlacementCommands
from bistand_es.application.recovery import RecoveryCommands
from bistand_es.application.reimbursement import ReimbursementCommands
from bistand_es.application.stays import StayCommands
from bistand_es.domain.errors import ConcurrentChange, NotFound
from bistand_es.domain.household import Household
from bistand_es.domain.month import Month
from bistand_es.domain.person_index import PersonIndexBucket, bucket_id
from bistand_es.domain.records import Actor
from bistand_es.domain.vocabulary import MemberRole

__all__ = ["BistandApplication", "Recorded"]


class BistandApplication(
    MonthlyRunCommands,
    DecisionCommands,
    PaymentCommands,
    PlacementCommands,
    RecoveryCommands,
    ReimbursementCommands,
    StayCommands,
    HouseholdStore,
):
    """The write side: households in an event store (SQLite file, PostgreSQL or memory)."""

    name = "Bistand"  # the library derives table and environment names from it: PostgreSQL table bistand_events

    # ------------------------------------------------------------------ membership (one open household per person)

    def _bucket(self, person: str) -> PersonIndexBucket:
        try:
            bucket: object = self.repository.get(bucket_id(person))
        except AggregateNotFoundError:
            return PersonIndexBucket.start(person)
        if not isinstance(bucket, PersonIndexBucket):  # pragma: no cover - ids are namespaced
            raise NotFound("person index is damaged")
        return bucket

    def _save_with_index(
        self, household: Household, joins: list[str], leaves: list[str], *others: Aggregate
    ) -> Recorded:
        """Save the household, the index buckets of the persons who joined or left and ``others``, atomically."""
        buckets: dict[UUID, PersonIndexBucket] = {}
        for person in [*joins, *leaves]:
            key = bucket_id(person)
            if key not in buckets:
                buckets[key] = self._bucket(person)
        for person in leaves:
            buckets[bucket_id(person)].leave(person, household.id)
        for person in joins:
            buckets[bucket_id(person)].join(person, household.id)
        try:
            recordings = self.save(household, *buckets.values(), *others)
        except (IntegrityError, RecordConflictError):
            raise ConcurrentChange(household.id) from None
        mine = [r for r in recordings if r.domain_event.originator_id == household.id]
        return self._recorded(household, mine)

    def _membership_change(
        self,
        household_id: UUID,
        command: Any,
        *,
        joins: list[str],
        leaves: list[str],
        expected_version: int | None,
        closed_on: date | None = None,
    ) -> Recorded:
        attempts = 1 if expected_version is not None else 2
        for attempt in range(attempts):
            household = self._load(household_id)
            if expected_version is not None and household.version != expected_version:
                raise ConcurrentChange(household_id)
            command(household)
            others: list[Aggregate] = []
            if closed_on is not None:  # the case closed: so says the household index, in the same save
                shard = self._index_for_write(household_id)
                shard.close(household_id, closed_on)
                others.append(shard)
            try:
                return self._save_with_index(household, joins, leaves, *others)
            except ConcurrentChange:
                if attempt + 1 >= attempts:
                    raise
        raise ConcurrentChange(household_id)  # pragma: no cover

    # ------------------------------------------------------------------ commands: household composition

    def register_household(
        self, *, actor: Actor, municipality: str, applicant: str, birth_date: date, registered_on: date
    ) -> Recorded:
        """Register a household with its applicant; refused while the applicant is in another open household."""
        for _ in range(2):
            household = Household.register(
                actor=actor,
                municipality=municipality,
                applicant=applicant,
                birth_date=birth_date,
                registered_on=registered_on,
            )
            shard = self._index_for_write(household.id)
            shard.add(household.id, municipality=municipality, applicant=applicant, registered_on=registered_on)
            try:
                return self._save_with_index(household, [applicant], [], shard)
            except ConcurrentChange:
                continue  # someone else changed the person's bucket: look again (the join check decides)
        raise ConcurrentChange("(new household)")

    def add_member(
        self,
        household_id: UUID,
        *,
        actor: Actor,
        person: str,
        role: MemberRole,
        birth_date: date,
        in_school: bool | None,
        effective_on: date,
        expected_version: int | None = None,
    ) -> Recorded:
        return self._membership_change(
            household_id,
            lambda h: h.add_member(
                actor=actor,
                person=person,
                role=role,
                birth_date=birth_date,
                in_school=in_school,
                effective_on=effective_on,
            ),
            joins=[person],
            leaves=[],
            expected_version=expected_version,
        )

    def remove_member(
        self,
        household_id: UUID,
        *,
        actor: Actor,
        person: str,
        effective_on: date,
        reason: str,
        expected_version: int | None = None,
    ) -> Recorded:
        return self._membership_change(
            household_id,
            lambda h: h.remove_member(actor=actor, person=person, effective_on=effective_on, reason=reason),
            joins=[],
            leaves=[person],
            expected_version=expected_version,
        )

    def close_case(
        self,
        household_id: UUID,
        *,
        actor: Actor,
        closed_on: date,
        reason_code: str,
        reason_label: str,
        expected_version: int | None = None,
    ) -> Recorded:
        """End the case (avslut); its members are then free to join another household."""
        members = [m.person for m in self._load(household_id).current_members()]
        return self._membership_change(
            household_id,
            lambda h: h.close_case(
                actor=actor, closed_on=closed_on, reason_code=reason_code, reason_label=reason_label
            ),
            joins=[],
            leaves=members,
            expected_version=expected_version,
            closed_on=closed_on,
        )

    def set_cohabiting(
        self,
        household_id: UUID,
        *,
        actor: Actor,
        cohabiting: bool,
        effective_on: date,
        expected_version: int | None = None,
    ) -> Recorded:
        recorded, _ = self._change(
            household_id,
            lambda h: h.set_cohabiting(actor=actor, cohabiting=cohabiting, effective_on=effective_on),
            expected_version=expected_version,
        )
        return recorded

    def record_external_support(
        self,
        household_id: UUID,
        *,
        actor: Actor,
        person: str,
        months: list[Month],
        source: str,
        expected_version: int | None = None,
    ) -> Recorded:
        recorded, _ = self._change(
            household_id,
            lambda h: h.record_external_support(actor=actor, person=person, months=months, source=source),
            expected_version=expected_version,
        )
        return recorded

    # ------------------------------------------------------------------ commands: applications, incomes

    def submit_application(
        self,
        household_id: UUID,
        *,
        actor: Actor,
        month: Month,
        received_on: date,
        complete_on: date | None,
        cost_lines: list[dict[str, Any]],
        first_time: bool | None = None,
        expected_version: int | None = None,
        contact_on: date | None = None,
        reason: str = "",
    ) -> Recorded:
        recorded, _ = self._change(
            household_id,
            lambda h: h.submit_application(
                actor=actor,
                month=month,
                received_on=received_on,
                complete_on=complete_on,
                cost_lines=cost_lines,
                first_time=first_time,
                contact_on=contact_on,
                reason=reason,
            ),
            expected_version=expected_version,
        )
        return recorded

    def correct_application(
        self,
        household_id: UUID,
        *,
        actor: Actor,
        month: Month,
        reason: str,
        cost_lines: list[dict[str, Any]] | None = None,
        received_on: date | None = None,
        complete_on: date | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        recorded, _ = self._change(
            household_id,
            lambda h: h.correct_application(
                actor=actor,
                month=month,
                reason=reason,
                cost_lines=cost_lines,
                received_on=received_on,
                complete_on=complete_on,
            ),
            expected_version=expected_version,
            retry=False,
        )
        return recorded

    def withdraw_application(
        self, household_id: UUID, *, actor: Actor, month: Month, reason: str, expected_version: int | None = None
    ) -> Recorded:
        recorded, _ = self._change(
            household_id,
            lambda h: h.withdraw_application(actor=actor, month=month, reason=reason),
            expected_version=expected_version,
        )
        return recorded

    def report_income(
        self,
        household_id: UUID,
        *,
        actor: Actor,
        member: str,
        kind: str,
        month: Month,
        amount: Decimal,
        source: str,
        expected_version: int | None = None,
    ) -> Recorded:
        recorded, income_id = self._change(
            household_id,
            lambda h: h.report_income(actor=actor, member=member, kind=kind, month=month, amount=amount, source=source),
            expected_version=expected_version,
            retry=False,
        )
        return recorded.with_result(income_id)

    def correct_income(
        self,
        household_id: UUID,
        *,
        actor: Actor,
        income_id: str,
        reason: str,
        amount: Decimal | None = None,
        kind: str | None = None,
        month: Month | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        recorded, _ = self._change(
            household_id,
            lambda h: h.correct_income(
                actor=actor, income_id=income_id, reason=reason, amount=amount, kind=kind, month=month
            ),
            expected_version=expected_version,
            retry=False,
        )
        return recorded

    def record_support_obstacle(
        self,
        household_id: UUID,
        *,
        actor: Actor,
        person: str,
        month: Month,
        code: str,
        label: str,
        expected_version: int | None = None,
    ) -> Recorded:
        recorded, _ = self._change(
            household_id,
            lambda h: h.record_support_obstacle(actor=actor, person=person, month=month, code=code, label=label),
            expected_version=expected_version,
        )
        return recorded

    # ------------------------------------------------------------------ queries

    def get_household(self, household_id: UUID, *, as_of: datetime | None = None) -> Household:
        """The household now, or as it was at ``as_of`` (from the events recorded up to that moment)."""
        if as_of is None:
            return self._load(household_id)
        household: Household | None = None
        for domain_event in self.repository.event_store.get(household_id):
            if domain_event.timestamp > as_of:  # type: ignore[attr-defined]
                break
            household = domain_event.mutate(household)  # type: ignore[attr-defined]
        if household is None:
            self._load(household_id)  # raises NotFound for an unknown id
            raise NotFound(f"household {household_id} did not exist yet at {as_of.isoformat()}")
        return household

    def get_history(self, household_id: UUID) -> list[Any]:
        """Every event of the household in order (the auditor's view)."""
        events = list(self.repository.event_store.get(household_id))
        if not events or not isinstance(events[0], Household.Registered):
            raise NotFound(f"unknown household {household_id}")
        return events

    def find_households(self, person: str) -> list[dict[str, Any]]:
        """Every household the person belongs or belonged to (as applicant or member), with the periods."""
        topics = (
            Household.Registered.TOPIC,
            Household.MemberAdded.TOPIC,
            Household.MemberRemoved.TOPIC,
            Household.CaseClosed.TOPIC,
        )
        rows: list[dict[str, Any]] = []
        open_rows: dict[UUID, dict[str, Any]] = {}
        municipality: dict[UUID, str] = {}
        for e in self.iter_events(topics=topics):
            hid = e.originator_id
            if isinstance(e, Household.Registered):
                municipality[hid] = e.municipality
            joined = (isinstance(e, Household.Registered) and e.applicant == person) or (
                isinstance(e, Household.MemberAdded) and e.person == person
            )
            if joined:
                role = "applicant" if isinstance(e, Household.Registered) else e.role
                start = e.registered_on if isinstance(e, Household.Registered) else e.effective_on
                row = {
                    "household_id": str(hid),
                    "municipality": municipality.get(hid, ""),
                    "role": role,
                    "from": start.isoformat(),
                    "to": None,
                    "current": True,
                }
                rows.append(row)
                open_rows[hid] = row
            elif isinstance(e, Household.MemberRemoved) and e.person == person and hid in open_rows:
                open_rows.pop(hid).update({"to": e.effective_on.isoformat(), "current": False})
            elif isinstance(e, Household.CaseClosed) and hid in open_rows:
                open_rows.pop(hid).update({"to": e.closed_on.isoformat(), "current": False})
        return rows

    def get_recovery_candidates(self, household_id: UUID | None = None) -> list[dict[str, Any]]:
        """Months paid above what their (amended) decisions now grant: what återkrav may be considered for.

        Nothing is claimed or netted here; a caseworker assesses each candidate (9 kap. 1 § SoL).
        """
        ids = [household_id] if household_id is not None else [UUID(r["household_id"]) for r in self.list_households()]
        rows = []
        for hid in ids:
            household = self._load(hid)
            for month, excess in household.overpaid().items():
                rows.append(
                    {
                        "household_id": str(hid),
                        "month": str(month),
                        "granted": f"{household.granted_amount(month):.2f}",
                        "paid": f"{household.paid_amount(month):.2f}",
                        "overpaid": f"{excess:.2f}",
                    }
                )
        return rows
