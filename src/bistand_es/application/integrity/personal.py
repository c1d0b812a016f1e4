"""Personal data encrypted per household in the persistence mapping (docs/adr/0024-personal-data-and-gallring.md).

:class:`PersonalDataMapper` wraps the library's mapper *inside* the chaining mapper: the library transcodes the
event, this mapper seals its personal fields (:mod:`.classification`) with the household's key, and the chain is
then computed over the stored, sealed bytes — so ``bistand audit verify`` checks every chain without any
household key, and a household whose key was shredded still verifies. Events stored before encryption existed
hold clear text and load as they are: only sealed values are opened.

The key that seals a field is the household's: a household event's own aggregate id, or, for an index aggregate
(person index, household index), the ``household_id`` the entry is about.
"""

from __future__ import annotations

import json
from typing import Any

from eventsourcing.persistence import Mapper, StoredEvent

from bistand_es.application.integrity import crypto
from bistand_es.application.integrity.classification import is_exempt
from bistand_es.application.integrity.keystore import KeyStore
from bistand_es.domain.errors import ConfigurationError

_HOUSEHOLD_TOPIC = "bistand_es.household:"


def owner_of(topic: str, originator_id: Any, state: Any) -> str:
    """The household whose key seals the personal fields of this event."""
    if not topic.startswith(_HOUSEHOLD_TOPIC) and type(state) is dict:
        household = state.get("household_id")
        if type(household) is str and household:
            return household
    return str(originator_id)


class PersonalDataMapper(Mapper[Any]):
    """Seals personal fields on write, opens them on read (clear-text events pass through)."""

    def __init__(self, inner: Mapper[Any], keys: KeyStore) -> None:
        super().__init__(transcoder=inner.transcoder, compressor=inner.compressor, cipher=inner.cipher)
        self.inner = inner
        self.keys = keys

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        stored = self.inner.to_stored_event(domain_event)
        if is_exempt(stored.topic):
            return stored
        state = json.loads(stored.state)
        owner = owner_of(stored.topic, stored.originator_id, state)
        key: list[bytes] = []

        def seal(value: Any) -> dict[str, str]:
            if not key:
                found = self.keys.key(owner, create=True)
                if found is None:  # pragma: no cover - create=True always gives a key
                    raise ConfigurationError(f"the key store gave no key for household {owner}")
                key.append(found)
            return crypto.seal_value(key[0], owner, value)

        sealed, changed = crypto.seal_fields(state, seal)
        if not changed:
            return stored
        return StoredEvent(stored.originator_id, stored.originator_version, stored.topic, crypto.dumps(sealed))

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        return self.inner.to_domain_event(self.opened(stored_event))

    def opened(self, stored: StoredEvent) -> StoredEvent:
        """The stored event with its personal fields opened (unchanged when none is sealed)."""
        state = self.open_state(stored.topic, stored.originator_id, stored.state)
        if state is stored.state:
            return stored
        return StoredEvent(stored.originator_id, stored.originator_version, stored.topic, state)

    def open_state(self, topic: str, originator_id: Any, state: bytes) -> bytes:
        if crypto.MARKER not in state:
            return state
        parsed = json.loads(state)
        owner = owner_of(topic, originator_id, parsed)
        key = self.keys.key(owner, create=False)
        return crypto.dumps(crypto.open_fields(parsed, lambda sealed: crypto.open_value(key, owner, sealed)))


def personal_mapper(mapper: Any) -> PersonalDataMapper | None:
    """The personal-data mapper inside ``mapper`` (an application's, possibly wrapped by the chain), if any."""
    while mapper is not None:
        if isinstance(mapper, PersonalDataMapper):
            return mapper
        mapper = getattr(mapper, "inner", None)
    return None
