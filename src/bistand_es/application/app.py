"""The application service: verb_noun commands and get_ queries over household ids and plain values.

Each command loads one household, calls one aggregate command (which validates, then records) and saves.
Library errors become the project's errors here: a missing household is :class:`NotFound`, a version
conflict (two caseworkers on one household) is :class:`ConcurrentChange`. A command that fails saves
nothing, so the event store is exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, JSONTranscoder, RecordConflictError

from bistand_es.application.transcodings import DateAsISO, MonthAsStr
from bistand_es.domain.errors import ConcurrentChange, InvalidInput, NotFound
from bistand_es.domain.household import Household, event_type_name
from bistand_es.domain.month import Month
from bistand_es.domain.records import Actor
from bistand_es.domain.vocabulary import MemberRole

T = TypeVar("T")


@dataclass(frozen=True)
class Recorded:
    """What a write command reports back: where its event(s) landed."""

    household_id: UUID
    version: int
    positions: list[int]
    event_types: list[str]
    result: str | None = None  # e.g. the new income id

    def as_dict(self) -> dict[str, Any]:
        return {
            "household_id": str(self.household_id),
            "version": self.version,
            "position": self.positions[-1] if self.positions else None,
            "positions": self.positions,
            "events": self.event_types,
            "id": self.result,
        }


class BistandApplication(Application[UUID]):
    """The write side: households in an event store (SQLite file, PostgreSQL or memory)."""

    name = "Bistand"  # PostgreSQL table: bistand_events
    is_snapshotting_enabled = False

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())
        transcoder.register(MonthAsStr())

    # ------------------------------------------------------------------ plumbing

    def _load(self, household_id: UUID) -> Household:
        try:
            household: object = self.repository.get(household_id)
        except AggregateNotFoundError:
            raise NotFound(f"unknown household {household_id}") from None
        if not isinstance(household, Household):
            raise NotFound(f"unknown household {household_id}")
        return household

    def _change(
        self,
        household_id: UUID,
        command: Callable[[Household], T],
        *,
        expected_version: int | None = None,
        retry: bool = True,
    ) -> tuple[Recorded, T]:
        """Load, run one aggregate command, save. Retries once on a conflict when ``retry`` says it is safe.

        Safe means that running the command again on the fresh state cannot record the same fact twice: the
        aggregate's own checks refuse a repeat (a second application for a month, a member added twice, a
        month decided twice). Reporting an income, correcting one, or paying a stated amount are not safe:
        the other caseworker may just have recorded the same thing, so they surface ``ConcurrentChange``.
        With ``expected_version`` (the version the caseworker saw) a household that has moved on is a
        conflict at once, and is not retried: the caseworker must look again.
        """
        attempts = 2 if (retry and expected_version is None) else 1
        for attempt in range(attempts):
            household = self._load(household_id)
            if expected_version is not None and household.version != expected_version:
                raise ConcurrentChange(household_id)
            result = command(household)
            try:
                recordings = self.save(household)
            except (IntegrityError, RecordConflictError):
                if attempt + 1 < attempts:
                    continue
                raise ConcurrentChange(household_id) from None
            return self._recorded(household, recordings), result
        raise ConcurrentChange(household_id)  # pragma: no cover - loop always returns or raises

    @staticmethod
    def _recorded(household: Household, recordings: list[Any], result: str | None = None) -> Recorded:
        return Recorded(
            household_id=household.id,
            version=household.version,
            positions=[r.notification.id for r in recordings],
            event_types=[event_type_name(r.domain_event) for r in recordings],
            result=result,
        )

    # ------------------------------------------------------------------ commands

    def register_household(
        self, *, actor: Actor, municipality: str, applicant: str, birth_date: date, registered_on: date
    ) -> Recorded:
        household = Household.register(
            actor=actor,
            municipality=municipality,
            applicant=applicant,
            birth_date=birth_date,
            registered_on=registered_on,
        )
        self._require_unregistered_applicant(applicant)
        recordings = self.save(household)
        return self._recorded(household, recordings)

    def _require_unregistered_applicant(self, applicant: str) -> None:
        for summary in self.list_households():
            if summary["applicant"] == applicant and summary["closed_on"] is None:
                raise InvalidInput(f"{applicant} is already the applicant of household {summary['household_id']}")

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
        recorded, _ = self._change(
            household_id,
            lambda h: h.add_member(
                actor=actor,
                person=person,
                role=role,
                birth_date=birth_date,
                in_school=in_school,
                effective_on=effective_on,
            ),
            expected_version=expected_version,
        )
        return recorded

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
        recorded, _ = self._change(
            household_id,
            lambda h: h.remove_member(actor=actor, person=person, effective_on=effective_on, reason=reason),
            expected_version=expected_version,
        )
        return recorded

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
            ),
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
        return _with_result(recorded, income_id)

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

    def change_household(
        self,
        household_id: UUID,
        command: Callable[[Household], T],
        *,
        expected_version: int | None = None,
        retry: bool = True,
    ) -> tuple[Recorded, T]:
        """Run any aggregate command (used by the decision, payment and statistics services)."""
        return self._change(household_id, command, expected_version=expected_version, retry=retry)

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
        if not events:
            raise NotFound(f"unknown household {household_id}")
        return events

    def list_households(self) -> list[dict[str, Any]]:
        """All households, from their registration and closing events (no read model needed)."""
        rows: dict[UUID, dict[str, Any]] = {}
        topics = (Household.Registered.TOPIC, Household.CaseClosed.TOPIC)
        for domain_event in self.iter_events(topics=topics):
            if isinstance(domain_event, Household.Registered):
                rows[domain_event.originator_id] = {
                    "household_id": str(domain_event.originator_id),
                    "municipality": domain_event.municipality,
                    "applicant": domain_event.applicant,
                    "registered_on": domain_event.registered_on.isoformat(),
                    "closed_on": None,
                }
            elif isinstance(domain_event, Household.CaseClosed) and domain_event.originator_id in rows:
                rows[domain_event.originator_id]["closed_on"] = domain_event.closed_on.isoformat()
        return list(rows.values())

    def iter_events(self, *, topics: tuple[str, ...] = (), page: int = 1000) -> Iterator[Any]:
        """All events of the application in notification order, decoded page by page."""
        start: int | None = None
        while True:
            notifications = self.recorder.select_notifications(
                start=start, limit=page, topics=topics, inclusive_of_start=False
            )
            for notification in notifications:
                yield self.mapper.to_domain_event(notification)
            if len(notifications) < page:
                return
            start = notifications[-1].id

    def max_position(self) -> int:
        return self.recorder.max_notification_id() or 0


def _with_result(recorded: Recorded, result: str) -> Recorded:
    return Recorded(recorded.household_id, recorded.version, recorded.positions, recorded.event_types, result)
