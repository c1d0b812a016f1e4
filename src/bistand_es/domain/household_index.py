"""Which households exist: a small index aggregate, sharded by the first two hex digits of the household id.

Listing households, resolving a short household id and choosing the households of a payment run or a full
verification must not read every stored event. Each shard lists the households whose id starts with its two
hex digits (id, municipality, applicant, registered on, closed on); registering or closing a household saves
the shard in the same atomic save as the household, so the index is never behind the write side. A short id
of two or more hex digits is looked up in one shard; a full listing reads the :data:`SHARDS` shards
(docs/adr/0026-household-index-and-snapshots.md). Household ids are random, so the shards fill evenly.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

SHARDS = 256
PREFIX_DIGITS = 2
_TOPIC_PREFIX = "bistand_es.household_index:"


def shard_key(household_id: UUID | str) -> str:
    """The two hex digits that choose a household's shard."""
    return str(household_id).lower()[:PREFIX_DIGITS]


def shard_id(key: str) -> UUID:
    """The aggregate id of the shard for ``key`` (two hex digits)."""
    return uuid5(NAMESPACE_URL, f"urn:bistand-es:household-index:{key}")


def all_shard_keys() -> list[str]:
    return [f"{n:02x}" for n in range(SHARDS)]


class HouseholdIndexShard(Aggregate):
    """The households whose id starts with this shard's two hex digits."""

    TOPIC = _TOPIC_PREFIX + "HouseholdIndexShard"

    class Event(Aggregate.Event):
        def apply(self, aggregate: Any) -> None:
            shard: HouseholdIndexShard = aggregate
            shard.on_event(self)

    class Started(Aggregate.Created, Event):
        TOPIC = _TOPIC_PREFIX + "Started"
        key: str

    Created = Started

    class Listed(Event):
        TOPIC = _TOPIC_PREFIX + "Listed"
        household_id: str
        municipality: str
        applicant: str
        registered_on: str

    class Closed(Event):
        TOPIC = _TOPIC_PREFIX + "Closed"
        household_id: str
        closed_on: str

    class Disposed(Event):
        """Gallring: the household is disposed of; it stays listed (its id resolves) but is no longer listed
        among the households that commands go through."""

        TOPIC = _TOPIC_PREFIX + "Disposed"
        household_id: str
        disposed_on: str

    key: str
    #: household id -> its row (plain strings only, so the shard's snapshot is small plain JSON)
    rows: dict[str, dict[str, str | None]]

    @classmethod
    def start(cls, key: str) -> HouseholdIndexShard:
        return cls._create(cls.Started, id=shard_id(key), key=key)

    def __init__(self, key: str) -> None:
        self.key = key
        self.rows = {}

    def add(self, household_id: UUID, *, municipality: str, applicant: str, registered_on: date) -> None:
        if str(household_id) not in self.rows:
            self.trigger_event(
                self.Listed,
                household_id=str(household_id),
                municipality=municipality,
                applicant=applicant,
                registered_on=registered_on.isoformat(),
            )

    def close(self, household_id: UUID, closed_on: date) -> None:
        row = self.rows.get(str(household_id))
        if row is not None and row["closed_on"] is None:
            self.trigger_event(self.Closed, household_id=str(household_id), closed_on=closed_on.isoformat())

    def dispose(self, household_id: UUID, disposed_on: date) -> None:
        row = self.rows.get(str(household_id))
        if row is not None and row.get("disposed_on") is None:
            self.trigger_event(self.Disposed, household_id=str(household_id), disposed_on=disposed_on.isoformat())

    def matching(self, prefix: str) -> list[dict[str, str | None]]:
        """The rows whose household id starts with ``prefix`` (lower-case), in id order."""
        return [dict(self.rows[hid]) for hid in sorted(self.rows) if hid.startswith(prefix)]

    def on_event(self, event: Any) -> None:
        if isinstance(event, self.Listed):
            self.rows[event.household_id] = {
                "household_id": event.household_id,
                "municipality": event.municipality,
                "applicant": event.applicant,
                "registered_on": event.registered_on,
                "closed_on": None,
            }
        elif isinstance(event, self.Closed):
            self.rows[event.household_id]["closed_on"] = event.closed_on
        elif isinstance(event, self.Disposed):
            self.rows[event.household_id]["disposed_on"] = event.disposed_on
