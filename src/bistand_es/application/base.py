"""The event store plumbing every use case shares: load a household, run one aggregate command, save.

Library errors become the project's errors here: a missing household is :class:`NotFound`, a version
conflict (two caseworkers on one household) is :class:`ConcurrentChange`. A command that fails saves
nothing, so the event store is exactly as it was.

Every stored event carries a hash chain per aggregate (:mod:`.integrity`): the mapper the library builds is
wrapped by :class:`~.integrity.mapper.ChainedMapper`, and loading an aggregate whose history is broken refuses
with :class:`~bistand_es.domain.errors.BrokenChain` (docs/adr/0020-tamper-evidence.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent, project_aggregate
from eventsourcing.persistence import (
    EventStore,
    IntegrityError,
    JSONTranscoder,
    Mapper,
    RecordConflictError,
    Recording,
    StoredEvent,
)
from eventsourcing.popo import POPOAggregateRecorder

from bistand_es.application.integrity.keys import AuditKeys, load_audit_keys
from bistand_es.application.integrity.keystore import open_key_store
from bistand_es.application.integrity.mapper import ChainedEventStore, ChainedMapper
from bistand_es.application.integrity.personal import PersonalDataMapper
from bistand_es.application.integrity.snapshots import SnapshotMapper, SnapshotStore, UnusableSnapshot
from bistand_es.application.transcodings import HouseholdSnapshot, register_state_transcodings
from bistand_es.domain.errors import ConcurrentChange, HouseholdDisposedOf, NotFound
from bistand_es.domain.household import Household, event_type_name
from bistand_es.domain.household_index import HouseholdIndexShard, all_shard_keys, shard_id, shard_key
from bistand_es.domain.person_index import PersonIndexBucket

T = TypeVar("T")

#: Not two hex digits, so never a household's shard: its existence says the index was built (or born) complete.
_INDEX_MARKER_KEY = "complete"


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


def replay(aggregate: Any, domain_events: Iterable[Any]) -> Any:
    """Apply events (a snapshot first, if any) in order: the library's projector without its per-event protocol
    check (an ``isinstance`` against a runtime protocol, a tenth of a household's load)."""
    for domain_event in domain_events:
        aggregate = domain_event.mutate(aggregate)
    return aggregate


class HouseholdStore(Application[UUID]):
    """The write side's store of households (SQLite file, PostgreSQL or memory)."""

    name = "Bistand"  # PostgreSQL table: bistand_events
    #: Snapshots (table bistand_snapshots) of the index aggregates, whose histories grow with the number of
    #: households; a snapshot is a cache, outside the hash chain (docs/adr/0026-household-index-and-snapshots.md).
    is_snapshotting_enabled = True
    #: Households are snapshotted from memory, right after a save that reaches a multiple of their interval, at
    #: the version saved (:meth:`_take_snapshots`); loading one then costs its snapshot and fewer events than that.
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {
        PersonIndexBucket: 10,
        HouseholdIndexShard: 10,
        Household: 20,
    }
    #: Hash chains in the write path. Only the chain benchmark turns them off, to measure what they cost.
    hash_chains = True

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_state_transcodings(transcoder)

    # ------------------------------------------------------------------ the hash chain (integrity)

    def construct_mapper(self) -> Mapper[UUID]:
        inner = PersonalDataMapper(super().construct_mapper(), open_key_store(self.env))
        if not self.hash_chains:
            return inner
        return ChainedMapper(inner, load_audit_keys(self.env))

    def construct_snapshot_store(self) -> EventStore[UUID]:
        """Snapshots are written with the mapper the chain wraps: they are derived state, not chained history.

        Through the chained mapper a snapshot at version N would take the place of event N in the link cache
        and the next event would chain to it. Instead each snapshot records the chain hash of event N and is
        sealed (signed with the audit key when there is one); loading it seeds the link cache with that hash,
        so event N+1 must link to it, and a snapshot whose seal fails is not used (:mod:`.integrity.snapshots`).
        :meth:`check_snapshot` compares a snapshot with a full replay of the chained events, and any snapshot
        can be deleted (the aggregate is then replayed from its events).
        """
        chained = self.mapper if isinstance(self.mapper, ChainedMapper) else None
        inner = chained.inner if chained is not None else self.mapper
        recorder = self.factory.aggregate_recorder(purpose="snapshots")
        return SnapshotStore(mapper=SnapshotMapper(inner, chained), recorder=recorder)

    def _take_snapshots(self, processing_event: ProcessingEvent[UUID]) -> None:
        """The index aggregates as the library does; households from memory, at the version just saved.

        The library reloads an aggregate to snapshot it; a household just saved is already in memory, in the
        state its events give (its mutators only assign). A snapshot is a cache: one that cannot be written
        (a disposed household has no key to seal it with; another writer took it first) is left out and the
        command stands.
        """
        if self.snapshots is None:
            return
        due: dict[UUID, Household] = {}
        for event in processing_event.events:
            aggregate = processing_event.aggregates.get(event.originator_id)
            interval = self.snapshotting_intervals.get(type(aggregate))
            if interval is None or event.originator_version % interval:
                continue
            if isinstance(aggregate, Household):
                due[aggregate.id] = aggregate
            else:
                self.take_snapshot(event.originator_id, version=event.originator_version)
        if not due:
            return
        snapshots = []
        for household in due.values():
            with suppress(Exception):  # a snapshot that cannot be taken is a cache miss, never a failed command
                snapshots.append(HouseholdSnapshot.take(household))
        try:
            self.snapshots.put(snapshots)
        except Exception:  # one conflicting snapshot: put the others one by one
            for snapshot in snapshots:
                with suppress(Exception):
                    self.snapshots.put([snapshot])

    def take_snapshot(
        self, aggregate_id: UUID, version: int | None = None, projector_func: Any = project_aggregate
    ) -> None:
        """The library's, with a household's state packed (:class:`HouseholdSnapshot`)."""
        if self.snapshots is None:
            super().take_snapshot(aggregate_id, version, projector_func)
            return
        aggregate: Any = self.repository.get(aggregate_id, version=version, projector_func=projector_func)
        kind = HouseholdSnapshot if isinstance(aggregate, Household) else type(aggregate).Snapshot
        self.snapshots.put([kind.take(aggregate)])

    def check_snapshot(self, aggregate_id: UUID) -> bool:
        """Whether the latest snapshot of an aggregate (if any) equals a full replay of its events."""
        if self.snapshots is None:
            return True
        records = self.snapshots.recorder.select_events(aggregate_id, desc=True, limit=1)
        if not records:
            return True
        try:  # a snapshot that is not used (edited, unsigned, older than the code) differs from the events
            snapshot: Any = self.snapshots.mapper.to_domain_event(records[0])
        except (UnusableSnapshot, TypeError, ValueError, KeyError):
            return False
        from_snapshot = snapshot.mutate(None)
        if isinstance(from_snapshot, Household):  # its large attributes are read back when first used
            from_snapshot.resolve_deferred()
        replayed = replay(None, self.events.get(aggregate_id, lte=snapshot.originator_version))
        return bool(replayed is not None and vars(replayed) == vars(from_snapshot))

    def drop_snapshots(self) -> None:
        """Delete every snapshot; aggregates are then replayed from their events and snapshotted again.

        Snapshots of the index aggregates hold entries of many households at once, so a gallring that
        shreds a household's key must drop them too: rebuilt from the events, they no longer hold what the
        shredded key sealed (docs/adr/0026-household-index-and-snapshots.md).
        """
        if self.snapshots is None:
            return
        recorder: Any = self.snapshots.recorder
        if isinstance(recorder, POPOAggregateRecorder):
            recorder._stored_events.clear()
            recorder._stored_events_index.clear()
            return
        # The recorder's own table name (bistand_snapshots, perhaps schema-qualified), quoted as an identifier.
        table = ".".join('"' + part.replace('"', '""') + '"' for part in recorder.events_table_name.split("."))
        with recorder.datastore.transaction(commit=True) as cursor:
            cursor.execute("DELETE FROM " + table)

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
            household: object = self.repository.get(household_id, projector_func=replay)
        except AggregateNotFoundError:
            raise NotFound(f"unknown household {household_id}") from None
        except (TypeError, AttributeError, KeyError, ValueError):  # values of a disposed household read [gallrad]
            disposal = self.disposal_of(household_id)
            if disposal is not None:
                raise HouseholdDisposedOf(household_id, disposal.disposed_on) from None
            raise
        if not isinstance(household, Household):
            raise NotFound(f"unknown household {household_id}")
        if household.disposed_on is not None:  # gallrad: refused here, before any command or view reads it
            raise HouseholdDisposedOf(household_id, household.disposed_on)
        return household

    def disposal_of(self, household_id: UUID) -> Any:
        """The household's ``HouseholdDisposed`` event (its last, stored in clear), or None when not disposed of."""
        last = self.recorder.select_events(household_id, desc=True, limit=1)
        if not last or last[0].topic != Household.HouseholdDisposed.TOPIC:
            return None
        return self.decode_unchecked(last[0])

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

    def _index_shard(self, key: str) -> HouseholdIndexShard | None:
        try:
            shard: object = self.repository.get(shard_id(key))
        except AggregateNotFoundError:
            return None
        if not isinstance(shard, HouseholdIndexShard):  # pragma: no cover - ids are namespaced
            raise NotFound("household index is damaged")
        return shard

    def _index_for_write(self, household_id: UUID) -> HouseholdIndexShard:
        """The index shard a household's registration or closing is saved with (started if new)."""
        self.ensure_household_index()
        key = shard_key(household_id)
        return self._index_shard(key) or HouseholdIndexShard.start(key)

    def ensure_household_index(self) -> None:
        """Build the household index once for a store written before it existed (idempotent, cheap after).

        A store whose households were registered before the index lists them here, from their registration
        and closing events, in one save; the index is complete from then on because every registration and
        closing saves its shard with the household.
        """
        if getattr(self, "_household_index_ready", False):
            return
        if self._index_shard(_INDEX_MARKER_KEY) is not None or not self._has_unindexed_households():
            self._household_index_ready = True
            return
        shards: dict[str, HouseholdIndexShard] = {}
        marker = HouseholdIndexShard.start(_INDEX_MARKER_KEY)
        for row in self._scan_households():
            key = shard_key(row["household_id"])
            shard = shards.get(key) or self._index_shard(key) or HouseholdIndexShard.start(key)
            shards[key] = shard
            hid = UUID(row["household_id"])
            shard.add(
                hid,
                municipality=row["municipality"],
                applicant=row["applicant"],
                registered_on=date.fromisoformat(row["registered_on"]),
            )
            if row["closed_on"] is not None:
                shard.close(hid, date.fromisoformat(row["closed_on"]))
        with suppress(IntegrityError, RecordConflictError):  # another process built it at the same moment
            self.save(marker, *shards.values())
        self._household_index_ready = True

    def _has_unindexed_households(self) -> bool:
        """Whether any household is registered while no shard exists (a store older than the index)."""
        registered = self.recorder.select_notifications(start=None, limit=1, topics=(Household.Registered.TOPIC,))
        return bool(registered) and self._index_shard(shard_key(registered[0].originator_id)) is None

    def _scan_households(self) -> list[dict[str, Any]]:
        """All households from their registration and closing events (the slow way: builds the index once)."""
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

    def households_with_prefix(self, prefix: str) -> list[dict[str, Any]]:
        """The households whose id starts with ``prefix`` (lower-case hex; two or more digits read one shard)."""
        self.ensure_household_index()
        prefix = prefix.lower()
        keys = [shard_key(prefix)] if len(prefix) >= 2 else [k for k in all_shard_keys() if k.startswith(prefix)]
        rows: list[dict[str, Any]] = []
        for key in keys:
            shard = self._index_shard(key)
            if shard is not None:
                rows.extend(shard.matching(prefix))
        return rows

    def list_households(self) -> list[dict[str, Any]]:
        """All households (id, municipality, applicant, registered on, closed on), in id order, from the index;
        not those disposed of (gallrade)."""
        return [row for row in self.households_with_prefix("") if row.get("disposed_on") is None]

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
