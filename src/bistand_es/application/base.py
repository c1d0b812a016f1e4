"""The event store plumbing every use case shares: load a household, run one aggregate command, save.

Library errors become the project's errors here: a missing household is :class:`NotFound`, a version
conflict (two caseworkers on one household) is :class:`ConcurrentChange`. A command that fails saves
nothing, so the event store is exactly as it was.

Every stored event carries a hash chain per aggregate (:mod:`.integrity`): the mapper the library builds is
wrapped by :class:`~.integrity.mapper.ChainedMapper`, and loading an aggregate whose history is broken refuses
with :class:`~bistand_es.domain.errors.BrokenChain` (docs/adr/0020-tamper-evidence.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.persistence import (
    EventStore,
    IntegrityError,
    JSONTranscoder,
    Mapper,
    RecordConflictError,
    Recording,
    StoredEvent,
)

from bistand_es.application.integrity.keys import AuditKeys, load_audit_keys
from bistand_es.application.integrity.mapper import ChainedEventStore, ChainedMapper
from bistand_es.application.transcodings import DateAsISO, MonthAsStr
from bistand_es.domain.errors import ConcurrentChange, NotFound
from bistand_es.domain.household import Household, event_type_name

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

    def with_result(self, result: str) -> Recorded:
        return replace(self, result=result)


class HouseholdStore(Application[UUID]):
    """The write side's store of households (SQLite file, PostgreSQL or memory)."""

    name = "Bistand"  # PostgreSQL table: bistand_events
    is_snapshotting_enabled = False
    #: Hash chains in the write path. Only the chain benchmark turns them off, to measure what they cost.
    hash_chains = True

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())
        transcoder.register(MonthAsStr())

    # ------------------------------------------------------------------ the hash chain (integrity)

    def construct_mapper(self) -> Mapper[UUID]:
        inner = super().construct_mapper()
        if not self.hash_chains:
            return inner
        return ChainedMapper(inner, load_audit_keys(self.env))

    def construct_event_store(self) -> EventStore[UUID]:
        if not isinstance(self.mapper, ChainedMapper):
            return super().construct_event_store()
        self.mapper.attach(self.recorder)
        return ChainedEventStore(mapper=self.mapper, recorder=self.recorder)

    def _record(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        try:
            return super()._record(processing_event)
        except Exception:
            if isinstance(self.mapper, ChainedMapper):  # the links cached for events that were not stored
                self.mapper.forget([e.originator_id for e in processing_event.events])
            raise

    @property
    def audit_keys(self) -> AuditKeys:
        """The keys this process signs and verifies chains with (none: chains are plain SHA-256)."""
        return self.mapper.keys if isinstance(self.mapper, ChainedMapper) else AuditKeys()

    def decode_unchecked(self, stored: StoredEvent) -> Any:
        """A stored event as a domain event without checking its chain (the auditor reads what is there)."""
        if isinstance(self.mapper, ChainedMapper):
            return self.mapper.decode_unchecked(stored)
        return self.mapper.to_domain_event(stored)

    def stored_events(self, aggregate_id: UUID) -> list[StoredEvent]:
        """One aggregate's raw stored records, by version (for the auditor)."""
        return list(self.recorder.select_events(aggregate_id))

    def iter_stored(self, *, page: int = 1000) -> Iterator[tuple[int, StoredEvent]]:
        """Every raw stored record with its position, in the order they were stored (for the auditor)."""
        start: int | None = None
        while True:
            notifications = self.recorder.select_notifications(start=start, limit=page, inclusive_of_start=False)
            for notification in notifications:
                yield notification.id, notification
            if len(notifications) < page:
                return
            start = notifications[-1].id

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

    def change_household(
        self,
        household_id: UUID,
        command: Callable[[Household], T],
        *,
        expected_version: int | None = None,
        retry: bool = True,
    ) -> tuple[Recorded, T]:
        """Run any aggregate command: for tests and benchmarks that build synthetic histories.

        Use cases call a named method of :class:`~bistand_es.application.app.BistandApplication`; the CLI never
        calls this.
        """
        return self._change(household_id, command, expected_version=expected_version, retry=retry)

    @staticmethod
    def _recorded(household: Household, recordings: list[Any], result: str | None = None) -> Recorded:
        return Recorded(
            household_id=household.id,
            version=household.version,
            positions=[r.notification.id for r in recordings],
            event_types=[event_type_name(r.domain_event) for r in recordings],
            result=result,
        )

    # ------------------------------------------------------------------ reading the log

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
        """All events of the application in notification order, decoded page by page.

        A listing, not a load: chains are not checked here (commands that load an aggregate check its chain;
        ``bistand audit verify`` checks them all).
        """
        start: int | None = None
        while True:
            notifications = self.recorder.select_notifications(
                start=start, limit=page, topics=topics, inclusive_of_start=False
            )
            for notification in notifications:
                yield self.decode_unchecked(notification)
            if len(notifications) < page:
                return
            start = notifications[-1].id

    def max_position(self) -> int:
        return self.recorder.max_notification_id() or 0
