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

import base64
import json
import os
from collections.abc import Callable
from typing import Any, cast

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import JSONTranscoder, Mapper, StoredEvent, Transcoder
from eventsourcing.utils import get_topic

from bistand_es.application.integrity import crypto
from bistand_es.application.integrity.classification import is_exempt, is_personal
from bistand_es.application.integrity.keystore import KeyStore
from bistand_es.domain.errors import BrokenChain, ConfigurationError

_HOUSEHOLD_TOPIC = "bistand_es.household:"


def owner_of(topic: str, originator_id: Any, state: Any) -> str:
    """The household whose key seals the personal fields of this event."""
    if not topic.startswith(_HOUSEHOLD_TOPIC) and type(state) is dict:
        household = state.get("household_id")
        if type(household) is str and household:
            return household
    return str(originator_id)


class _AlreadyDecoded(Transcoder):
    """Hands the library's mapper a state this module has already decoded (one JSON parse per event, not two)."""

    def encode(self, obj: Any) -> bytes:  # pragma: no cover - used for reading only
        raise NotImplementedError

    def decode(self, data: bytes) -> Any:
        return data


class PersonalDataMapper(Mapper[Any]):
    """Seals personal fields on write, opens them on read (clear-text events pass through)."""

    def __init__(self, inner: Mapper[Any], keys: KeyStore) -> None:
        super().__init__(transcoder=inner.transcoder, compressor=inner.compressor, cipher=inner.cipher)
        self.inner = inner
        self.keys = keys
        transcoder = inner.transcoder
        # The one-pass read: the library's JSON transcoder, no cipher or compressor of the library's own.
        self._object_hook = (
            transcoder._decode_obj  # the library's own hook, reused as it is
            if isinstance(transcoder, JSONTranscoder) and inner.cipher is None and inner.compressor is None
            else None
        )
        self._decoded = Mapper[Any](transcoder=_AlreadyDecoded())
        self._ciphers: dict[bytes, AESGCM] = {}

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        topic = get_topic(type(domain_event))
        if self._object_hook is not None and topic.startswith(_HOUSEHOLD_TOPIC):
            return self._household_stored_event(domain_event, topic)
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

    def _household_stored_event(self, domain_event: Any, topic: str) -> StoredEvent:
        """A household event sealed before it is encoded: one JSON encoding, no parse of it again.

        The stored bytes are those the library's mapper and :func:`crypto.seal_fields` would give (a sealed
        value's plaintext is the value's own stored JSON, as the library's transcoder writes it).
        """
        state = dict(vars(domain_event))
        originator_id = state.pop("originator_id")
        version = state.pop("originator_version")
        class_version = getattr(type(domain_event), "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        owner = str(originator_id)
        associated = owner.encode()
        encode = self.transcoder.encode
        found: list[AESGCM] = []

        def seal(value: Any) -> dict[str, str]:
            if not found:
                key = self.keys.key(owner, create=True)
                if key is None:  # pragma: no cover - create=True always gives a key
                    raise ConfigurationError(f"the key store gave no key for household {owner}")
                found.append(AESGCM(key))
            nonce = os.urandom(crypto.NONCE_BYTES)
            sealed = found[0].encrypt(nonce, encode(value), associated)
            return {crypto.SEALED: base64.b64encode(nonce + sealed).decode("ascii")}

        return StoredEvent(originator_id, version, topic, encode(_sealed_objects(state, seal)))

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        if (
            self._object_hook is None
            or crypto.MARKER not in stored_event.state
            or not stored_event.topic.startswith(_HOUSEHOLD_TOPIC)
        ):
            return self.inner.to_domain_event(self.opened(stored_event))
        return self.from_decoded(
            stored_event, self.decode_household_state(str(stored_event.originator_id), stored_event.state)
        )

    @property
    def one_pass(self) -> bool:
        """Whether events can be decoded and opened in one pass (the library's JSON transcoder, no cipher)."""
        return self._object_hook is not None

    def from_decoded(self, stored: StoredEvent, state: dict[str, Any]) -> Any:
        """The domain event of ``stored`` built from its already decoded (and opened) ``state``."""
        return self._decoded.to_domain_event(
            StoredEvent(stored.originator_id, stored.originator_version, stored.topic, cast(bytes, state))
        )

    def decode_household_state(self, owner: str, state: bytes) -> Any:
        """A household's stored state decoded and opened in one JSON parse (the library's transcodings applied).

        Every sealed value ``{"_enc_": …}`` is opened where the parser meets it, with the household's key (looked
        up once per event, its AES-GCM context kept), and its plaintext — the value's own stored JSON — decoded
        by the same parser; the result equals opening the fields and then decoding, as :meth:`opened` does.
        """
        hook = self._object_hook
        if hook is None:  # pragma: no cover - callers check
            raise ConfigurationError("the one-pass read needs the library's JSON transcoder")
        found: list[AESGCM | None] = []
        associated = owner.encode()

        def open_sealed(sealed: str) -> Any:
            if not found:
                key = self.keys.key(owner, create=False)
                found.append(None if key is None else self._cipher(key))
            cipher = found[0]
            if cipher is None:
                return crypto.DISPOSED
            raw = crypto.sealed_bytes(owner, sealed)
            try:
                plain = cipher.decrypt(raw[: crypto.NONCE_BYTES], raw[crypto.NONCE_BYTES :], associated)
            except InvalidTag:
                raise BrokenChain(
                    f"a personal field of household {owner} does not open with its key (altered?)"
                ) from None
            text = plain.decode("utf-8")
            if '"_type_"' not in text:  # nothing for the transcoder (a calculation's texts): the plain C parser
                return json.loads(text)
            return decoder.decode(text)

        def object_hook(d: dict[str, Any]) -> Any:
            if len(d) == 1:
                sealed = d.get(crypto.SEALED)
                if type(sealed) is str:
                    return open_sealed(sealed)
            return hook(d)

        decoder = json.JSONDecoder(object_hook=object_hook)
        return decoder.decode(state.decode("utf-8"))

    def _cipher(self, key: bytes) -> AESGCM:
        cipher = self._ciphers.get(key)
        if cipher is None:
            if len(self._ciphers) > 4096:
                self._ciphers.clear()
            cipher = self._ciphers[key] = AESGCM(key)
        return cipher

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


def _sealed_objects(value: Any, seal: Callable[[Any], dict[str, str]]) -> Any:
    """:func:`crypto.seal_fields` on an event's Python state (before encoding): every personal member sealed."""
    kind = type(value)
    if kind is dict:
        return {
            name: seal(item)
            if item is not None and is_personal(name) and not crypto.is_sealed(item)
            else _sealed_objects(item, seal)
            for name, item in value.items()
        }
    if kind is list or kind is tuple:
        return [_sealed_objects(item, seal) for item in value]
    return value


def personal_mapper(mapper: Any) -> PersonalDataMapper | None:
    """The personal-data mapper inside ``mapper`` (an application's, possibly wrapped by the chain), if any."""
    while mapper is not None:
        if isinstance(mapper, PersonalDataMapper):
            return mapper
        mapper = getattr(mapper, "inner", None)
    return None
