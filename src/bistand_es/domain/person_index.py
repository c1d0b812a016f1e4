"""Who is a current member of which household: one person, one open household at a time.

The rule spans households, so no single household can enforce it. It is kept by a small index aggregate,
sharded into :data:`BUCKETS` buckets; a person's bucket comes from a hash of the identifier reduced to 8 bits,
so a bucket's id reveals nothing usable about anyone (never derive an id from a personnummer itself). Every
command that changes membership saves the household *and* the person's bucket in one atomic save, so two
concurrent registrations of one person conflict on the bucket's version and one of them is refused
(docs/adr/0013-one-person-one-household.md).
"""

from __future__ import annotations

import hashlib
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from bistand_es.domain.errors import DomainRuleViolation

BUCKETS = 256
_TOPIC_PREFIX = "bistand_es.person_index:"


def bucket_id(person: str) -> UUID:
    """The id of the index bucket that holds ``person``."""
    bucket = hashlib.sha256(person.encode()).digest()[0] % BUCKETS
    return uuid5(NAMESPACE_URL, f"urn:bistand-es:person-index:{bucket}")


class PersonIndexBucket(Aggregate):
    """Current household memberships of the persons whose identifiers fall in this bucket."""

    TOPIC = _TOPIC_PREFIX + "PersonIndexBucket"

    class Event(Aggregate.Event):
        def apply(self, aggregate: Any) -> None:
            bucket: PersonIndexBucket = aggregate
            bucket.on_event(self)

    class Started(Aggregate.Created, Event):
        TOPIC = _TOPIC_PREFIX + "Started"

    Created = Started

    class Joined(Event):
        TOPIC = _TOPIC_PREFIX + "Joined"
        person: str
        household_id: str

    class Left(Event):
        TOPIC = _TOPIC_PREFIX + "Left"
        person: str
        household_id: str

    current: dict[str, str]

    @classmethod
    def start(cls, person: str) -> PersonIndexBucket:
        return cls._create(cls.Started, id=bucket_id(person))

    def __init__(self) -> None:
        self.current = {}

    def household_of(self, person: str) -> str | None:
        return self.current.get(person)

    def join(self, person: str, household_id: UUID) -> None:
        """Record that ``person`` is now a member of ``household_id``; refused if they are in another one."""
        other = self.current.get(person)
        if other is not None and other != str(household_id):
            raise DomainRuleViolation(
                f"the person is a current member of household {other}; end that membership (household "
                "remove-member, or close that case) before adding them here"
            )
        if other is None:
            self.trigger_event(self.Joined, person=person, household_id=str(household_id))

    def leave(self, person: str, household_id: UUID) -> None:
        if self.current.get(person) == str(household_id):
            self.trigger_event(self.Left, person=person, household_id=str(household_id))

    def on_event(self, event: Aggregate.Event) -> None:
        if isinstance(event, PersonIndexBucket.Joined):
            self.current[event.person] = event.household_id
        elif isinstance(event, PersonIndexBucket.Left):
            self.current.pop(event.person, None)
