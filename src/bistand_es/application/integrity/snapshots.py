"""Snapshots outside the hash chain, but bound to it (docs/adr/0026-household-index-and-snapshots.md).

A snapshot is derived state: it is not an event and takes no place in the chain (ADR 0020). It is still bound to
it, so that loading from a snapshot stays tamper-evident:

- every stored snapshot carries, at the end of its stored JSON, one member
  ``"_snapshot":{"alg","kid","head","link","content","hash"}``: ``head`` is the chain hash of the aggregate's
  event at the snapshot's version and ``link`` that event's kind of link (``signed``, ``plain``, ``unchained``;
  ``none`` without chains); ``content`` is SHA-256 over the originator id, the version, the topic and the stored
  bytes without the member; ``hash`` is HMAC-SHA-256 with the audit key (plain SHA-256 without one) over
  ``head``, ``link`` and ``content``;
- loading checks the member first: a snapshot whose member is missing, edited or wrongly signed, or signed with
  a key this process does not hold, is **not used** (the aggregate is replayed from its chained events, which
  are checked as always); a good one seeds the chain's link cache with ``head``, so the first event after the
  snapshot must link to the event the snapshot was taken at (else :class:`~bistand_es.domain.errors.BrokenChain`);
- a household's snapshot holds its whole state, personal data included: its state is sealed **whole** with the
  household's key (AES-256-GCM, the household id as associated data), so no personnummer, name or free text of
  it lies in clear in ``bistand_snapshots``, and shredding the household's key makes it unreadable too;
- ``bistand audit verify`` still checks every event's chain in full; :meth:`~..base.HouseholdStore.check_snapshot`
  compares a snapshot with a full replay.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import json
import os
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Final, NamedTuple, cast

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import EventStore, Mapper, StoredEvent
from eventsourcing.utils import get_topic, resolve_topic

from bistand_es.application.integrity import crypto
from bistand_es.application.integrity.chain import hashes_equal
from bistand_es.application.integrity.keys import AuditKeys
from bistand_es.application.integrity.mapper import ChainedMapper
from bistand_es.application.integrity.personal import PersonalDataMapper
from bistand_es.application.transcodings import HouseholdSnapshot, pack_state, unpack_state
from bistand_es.domain.errors import ConfigurationError

SIGNED: Final = "hmac-sha256"
PLAIN: Final = "sha256"
NO_CHAIN: Final = "none"
_MEMBER: Final = b'"_snapshot":'
_FIELDS: Final = re.compile(
    rb'"_snapshot":\{"alg":"(sha256|hmac-sha256)","kid":"([0-9a-f]{0,16})","head":"([0-9a-f-]{0,64})",'
    rb'"link":"(signed|plain|unchained|none)","content":"([0-9a-f]{64})","hash":"([0-9a-f]{64})"\}\}'
)
HOUSEHOLD_SNAPSHOT_TOPIC: Final = get_topic(HouseholdSnapshot)
#: Where a household snapshot's sealed state begins in its stored body (its last member).
_SEALED_STATE: Final = b',"state":{"' + crypto.SEALED.encode() + b'":"'
#: What a household snapshot's state means. Raise it when the household's mutators change what the state holds
#: for the same events (as keeping only a decision's figures did): older snapshots are then not used.
HOUSEHOLD_STATE_FORMAT: Final = 2


class UnusableSnapshot(Exception):
    """A stored snapshot that is not used (edited, unsigned, older than the code): replay from the events."""


class SnapshotSeal(NamedTuple):
    alg: str
    kid: str
    head: str
    link: str
    content: str
    hash: str


def content_hash(originator_id: Any, version: int, topic: str, body: bytes) -> str:
    head = f"bistand-snapshot-v1\x00{originator_id}\x00{version}\x00{topic}\x00".encode()
    return hashlib.sha256(head + body).hexdigest()


def seal_hash(head: str, link: str, content: str, key: bytes | None) -> str:
    message = f"bistand-snapshot-link-v1\x00{head}\x00{link}\x00{content}".encode()
    if key is None:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def attach(body: bytes, seal: SnapshotSeal) -> bytes:
    if not (body.startswith(b"{") and body.endswith(b"}")) or body == b"{}":
        raise ValueError("a snapshot's stored state must be a non-empty JSON object")
    member = (
        f'"_snapshot":{{"alg":"{seal.alg}","kid":"{seal.kid}","head":"{seal.head}","link":"{seal.link}",'
        f'"content":"{seal.content}","hash":"{seal.hash}"}}}}'
    ).encode()
    return body[:-1] + b"," + member


def split(state: bytes) -> tuple[bytes, SnapshotSeal]:
    """The stored bytes without the member, and the member; :class:`UnusableSnapshot` without a sound one."""
    at = state.rfind(_MEMBER)
    match = _FIELDS.fullmatch(state, at) if at > 1 else None
    if match is None or state[at - 1 : at] != b",":
        raise UnusableSnapshot("no snapshot seal")
    alg, kid, head, link, content, hash_ = (g.decode("ascii") for g in match.groups())
    return state[: at - 1] + b"}", SnapshotSeal(alg, kid, head, link, content, hash_)


class SnapshotMapper(Mapper[Any]):
    """Writes and reads snapshots: household state sealed whole, every snapshot bound to its chain head."""

    def __init__(self, inner: Mapper[Any], chained: ChainedMapper | None) -> None:
        super().__init__(transcoder=inner.transcoder, compressor=inner.compressor, cipher=inner.cipher)
        self.inner = inner
        self.chained = chained
        self.keys: AuditKeys = chained.keys if chained is not None else AuditKeys()
        personal = inner if isinstance(inner, PersonalDataMapper) else None
        self.personal = personal if personal is not None and personal.one_pass else None

    # ------------------------------------------------------------------ writing

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        if isinstance(domain_event, HouseholdSnapshot):
            if self.personal is None:  # a library cipher or compressor configured: households are not snapshotted
                raise UnusableSnapshot("household snapshots need the one-pass personal-data mapper")
            stored = self._household_body(domain_event)
        else:
            stored = self.inner.to_stored_event(domain_event)
        oid, version = stored.originator_id, stored.originator_version
        head, link = self.chained.head(oid, version) if self.chained is not None else ("", NO_CHAIN)
        key = self.keys.current
        content = content_hash(oid, version, stored.topic, stored.state)
        seal = SnapshotSeal(
            alg=SIGNED if key is not None else PLAIN,
            kid=self.keys.current_id if key is not None else "",
            head=head,
            link=link,
            content=content,
            hash=seal_hash(head, link, content, key),
        )
        return StoredEvent(oid, version, stored.topic, attach(stored.state, seal))

    def _household_body(self, snapshot: HouseholdSnapshot) -> StoredEvent:
        personal = self.personal
        if personal is None:  # pragma: no cover - callers check
            raise ConfigurationError("household snapshots need the personal-data mapper")
        owner = str(snapshot.originator_id)
        key = personal.keys.key(owner, create=True)
        if key is None:  # pragma: no cover - create=True raises for a disposed household
            raise ConfigurationError(f"the key store gave no key for household {owner}")
        nonce = os.urandom(crypto.NONCE_BYTES)
        state: Any = snapshot.state  # packed bytes, as HouseholdSnapshot.take leaves it
        packed = state if type(state) is bytes else pack_state(state)
        sealed = AESGCM(key).encrypt(nonce, packed, owner.encode())
        body = json.dumps(
            {
                "timestamp": snapshot.timestamp.isoformat(),
                "topic": snapshot.topic,
                "format": HOUSEHOLD_STATE_FORMAT,
                "state": {crypto.SEALED: (nonce + sealed).hex()},  # hex: read back ten times faster than base64
            },
            separators=(",", ":"),
        ).encode("utf-8")
        return StoredEvent(snapshot.originator_id, snapshot.originator_version, HOUSEHOLD_SNAPSHOT_TOPIC, body)

    # ------------------------------------------------------------------ reading

    def _household_snapshot(self, stored: StoredEvent) -> HouseholdSnapshot:
        """The household's snapshot, its state opened and unpacked (its large attributes deferred)."""
        personal = self.personal
        if personal is None:
            raise UnusableSnapshot("household snapshots need the one-pass personal-data mapper")
        # the sealed state is the body's last member (as _household_body writes it): the JSON parser reads the
        # members before it, and the hex after it is read on its own, not scanned as a JSON string
        head, _, sealed = stored.state.partition(_SEALED_STATE)
        if not sealed.endswith(b'"}}'):
            raise UnusableSnapshot("its state is not sealed")
        outer = json.loads(head + b"}")
        if outer.get("format") != HOUSEHOLD_STATE_FORMAT:
            raise UnusableSnapshot("its state has an older format")
        owner = str(stored.originator_id)
        key = personal.keys.key(owner, create=False)
        if key is None:
            raise UnusableSnapshot("its household's key is shredded")
        try:
            raw = binascii.unhexlify(sealed[:-3])
        except (ValueError, binascii.Error):
            raise UnusableSnapshot("its sealed state is not hex") from None
        try:
            packed = AESGCM(key).decrypt(raw[: crypto.NONCE_BYTES], raw[crypto.NONCE_BYTES :], owner.encode())
        except InvalidTag:
            raise UnusableSnapshot("its state does not open with the household's key") from None
        topic = outer["topic"]
        return HouseholdSnapshot(
            originator_id=cast(Any, stored.originator_id),
            originator_version=stored.originator_version,
            timestamp=datetime.fromisoformat(outer["timestamp"]),
            topic=topic,
            state=unpack_state(packed, resolve_topic(topic)),
        )

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        body, seal = split(stored_event.state)
        oid, version = stored_event.originator_id, stored_event.originator_version
        if not hashes_equal(seal.content, content_hash(oid, version, stored_event.topic, body)):
            raise UnusableSnapshot("its content was altered")
        key = self.keys.get(seal.kid) if seal.alg == SIGNED else None
        if seal.alg == SIGNED and key is None:
            raise UnusableSnapshot("signed with an audit key this process does not hold")
        if self.keys.current is not None and seal.alg != SIGNED:
            raise UnusableSnapshot("not signed although this store is")
        if not hashes_equal(seal.hash, seal_hash(seal.head, seal.link, seal.content, key)):
            raise UnusableSnapshot("its seal does not match")
        plain = StoredEvent(oid, version, stored_event.topic, body)
        if stored_event.topic == HOUSEHOLD_SNAPSHOT_TOPIC:
            if self.personal is None:
                raise UnusableSnapshot("household snapshots need the one-pass personal-data mapper")
            snapshot: Any = self._household_snapshot(plain)
        else:
            snapshot = self.inner.to_domain_event(plain)
        if self.chained is not None and seal.link != NO_CHAIN:
            self.chained.seed(oid, version, seal.head, seal.link)
        return snapshot


class SnapshotStore(EventStore[Any]):
    """The snapshot store: a snapshot that cannot be used is passed over, as if it had been deleted."""

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
        usable = []
        for record in records:
            try:
                usable.append(self.mapper.to_domain_event(record))
            except (UnusableSnapshot, TypeError, ValueError, KeyError):
                continue
        return iter(cast(list[Any], usable))
