"""The hash chain in the write and read path: a mapper around the library's, and an event store that checks order.

:class:`ChainedMapper` wraps whatever mapper the library built (its transcoder, and any cipher or compressor), so
every event type of every aggregate — households, the person index, any later one — is chained without code in
the events. Writing event N needs the chain hash of event N-1: a small cache filled whenever events are decoded or
written answers it (a command always loads the aggregate first); otherwise the previous stored event is read from
the recorder. Two writers racing for the same version conflict anyway (optimistic concurrency).

Reading checks what can be checked without the audit key — the content hash, the link to the previous version
and (with :class:`ChainedEventStore`) that versions follow each other — plus the signature when the key is at
hand, and refuses a broken history with :class:`~bistand_es.domain.errors.BrokenChain` (one line, exit 8).
The auditor's full check, which reports instead of refusing, is :mod:`.auditor`.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Sequence
from typing import Any, Final

from eventsourcing.persistence import AggregateRecorder, EventStore, Mapper, StoredEvent

from bistand_es.application.integrity import chain
from bistand_es.application.integrity.keys import KEY_ENV, KEY_FILE_ENV, AuditKeys
from bistand_es.domain.errors import BrokenChain, ConfigurationError

UNCHAINED: Final = "unchained"
CACHE_SIZE: Final = 4096

_HINT: Final = "nothing was done; an auditor can see every finding with 'bistand audit verify'"


def broken(stored: StoredEvent, why: str) -> BrokenChain:
    kind = chain.aggregate_kind(stored.topic)
    return BrokenChain(
        f"the stored history of {kind} {stored.originator_id} is broken at version "
        f"{stored.originator_version} ({why}); {_HINT}"
    )


class ChainedMapper(Mapper[Any]):
    """Adds the chain fields to every stored event and checks them when events are read."""

    def __init__(self, inner: Mapper[Any], keys: AuditKeys, *, cache_size: int = CACHE_SIZE) -> None:
        super().__init__(transcoder=inner.transcoder, compressor=inner.compressor, cipher=inner.cipher)
        self.inner = inner
        self.keys = keys
        self.recorder: AggregateRecorder | None = None
        # aggregate id -> (version, its chain hash, "signed" | "plain" | "unchained")
        self._links: OrderedDict[Any, tuple[int, str, str]] = OrderedDict()
        self._cache_size = cache_size

    def attach(self, recorder: AggregateRecorder) -> None:
        """The recorder to read a previous event from when the cache does not know it."""
        self.recorder = recorder

    # ------------------------------------------------------------------ writing

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        stored = self.inner.to_stored_event(domain_event)
        oid, version = stored.originator_id, stored.originator_version
        prev, state = self._previous(oid, version)
        if state == "signed" and self.keys.current is None:
            raise ConfigurationError(
                f"the history of {oid} is signed with an audit key; set {KEY_ENV} or {KEY_FILE_ENV} to write to it"
            )
        key = self.keys.current
        sealed, fields = chain.seal(oid, version, stored.topic, stored.state, prev, key, self.keys.current_id)
        self._remember(oid, version, fields.hash, "signed" if fields.signed else "plain")
        return StoredEvent(originator_id=oid, originator_version=version, topic=stored.topic, state=sealed)

    def forget(self, originator_ids: Sequence[Any]) -> None:
        """Drop cached links (after a save that failed: its events were never stored)."""
        for oid in originator_ids:
            self._links.pop(oid, None)

    def head(self, oid: Any, version: int) -> tuple[str, str]:
        """The chain hash of event ``version`` of ``oid`` and its kind of link (for a snapshot taken there)."""
        cached = self._links.get(oid)
        if cached is not None and cached[0] == version:
            return cached[1], cached[2]
        return self._read_previous(oid, version + 1)

    def seed(self, oid: Any, version: int, link: str, state: str) -> None:
        """Remember the link of event ``version`` from a sound snapshot: the next event read must link to it."""
        self._remember(oid, version, link, state)

    def _previous(self, oid: Any, version: int) -> tuple[str, str]:
        if version <= 1:
            return chain.genesis(oid), UNCHAINED
        cached = self._links.get(oid)
        if cached is not None and cached[0] == version - 1:
            return cached[1], cached[2]
        return self._read_previous(oid, version)

    def _read_previous(self, oid: Any, version: int) -> tuple[str, str]:
        if self.recorder is None:  # pragma: no cover - the application attaches its recorder
            raise ConfigurationError("the chained mapper has no recorder to read the previous event from")
        last = self.recorder.select_events(oid, lte=version - 1, desc=True, limit=1)
        if not last or last[0].originator_version != version - 1:
            raise broken(StoredEvent(oid, version, "", b""), f"version {version - 1} is missing")
        fields = chain.split(last[0].state).fields
        if fields is not None:
            return fields.hash, "signed" if fields.signed else "plain"
        link = chain.genesis(oid)  # an unchained history: its virtual chain, from the start
        for record in self.recorder.select_events(oid, lte=version - 1):
            body = chain.split(record.state).body
            link = chain.link_hash(link, chain.content_hash(oid, record.originator_version, record.topic, body))
        return link, UNCHAINED

    def _remember(self, oid: Any, version: int, link: str, state: str) -> None:
        self._links[oid] = (version, link, state)
        self._links.move_to_end(oid)
        if len(self._links) > self._cache_size:
            self._links.popitem(last=False)

    # ------------------------------------------------------------------ reading

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        return self.inner.to_domain_event(self.checked(stored_event))

    def decode_unchecked(self, stored_event: StoredEvent) -> Any:
        """The domain event without any check (the auditor's reading, listings): chain fields removed."""
        return self.inner.to_domain_event(strip(stored_event))

    def checked(self, stored: StoredEvent) -> StoredEvent:
        """The stored event without its chain fields, after checking them; :class:`BrokenChain` if they fail."""
        oid, version = stored.originator_id, stored.originator_version
        parts = chain.split(stored.state)
        content = chain.content_hash(oid, version, stored.topic, parts.body)
        cached = self._links.get(oid)
        prev: str | None = None
        prev_state = UNCHAINED
        if version == 1:
            prev = chain.genesis(oid)
        elif cached is not None and cached[0] == version - 1:
            prev, prev_state = cached[1], cached[2]
        fields = parts.fields
        if fields is None:
            if parts.malformed:
                raise broken(stored, "its chain fields were edited")
            if prev_state != UNCHAINED:
                raise broken(stored, f"it carries no chain although version {version - 1} does")
            if prev is not None:
                self._remember(oid, version, chain.link_hash(prev, content), UNCHAINED)
            return _without_fields(stored, parts.body)
        if not chain.hashes_equal(fields.content, content):
            raise broken(stored, "its content was altered after it was written")
        if prev is not None and not chain.hashes_equal(fields.prev, prev):
            why = "an event was removed, inserted or moved"
            if prev_state == UNCHAINED:
                why += ", or an unchained version before it was altered"
            raise broken(stored, f"it does not follow version {version - 1}: {why}")
        if prev_state == "signed" and not fields.signed:
            raise broken(stored, "it is not signed although the versions before it are")
        key = self.keys.get(fields.kid) if fields.signed else None
        if (key is not None or not fields.signed) and not chain.hashes_equal(
            fields.hash, chain.link_hash(fields.prev, content, key)
        ):
            raise broken(stored, "its chain hash does not match (re-chained without the audit key?)")
        self._remember(oid, version, fields.hash, "signed" if fields.signed else "plain")
        return _without_fields(stored, parts.body)


def strip(stored: StoredEvent) -> StoredEvent:
    return _without_fields(stored, chain.split(stored.state).body)


def _without_fields(stored: StoredEvent, body: bytes) -> StoredEvent:
    if body is stored.state:
        return stored
    return StoredEvent(
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        topic=stored.topic,
        state=body,
    )


class ChainedEventStore(EventStore[Any]):
    """The library's event store, refusing an aggregate whose versions do not follow each other (1, 2, 3 …)."""

    def get(
        self,
        originator_id: Any,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Iterator[Any]:
        records = self.recorder.select_events(originator_id=originator_id, gt=gt, lte=lte, desc=desc, limit=limit)
        if desc:
            return map(self.mapper.to_domain_event, records)
        return self._in_order(records, (gt or 0) + 1)

    def _in_order(self, records: Sequence[StoredEvent], first: int) -> Iterator[Any]:
        expected = first
        for record in records:
            if record.originator_version != expected:
                if record.originator_version > expected:
                    missing = (
                        f"version {expected}"
                        if record.originator_version == expected + 1
                        else f"versions {expected}–{record.originator_version - 1}"
                    )
                    raise broken(record, f"{missing} missing before it: removed")
                raise broken(record, "its version is out of order")  # pragma: no cover - recorders sort by version
            yield self.mapper.to_domain_event(record)
            expected += 1
