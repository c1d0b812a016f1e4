"""Pseudonyms: how an identity number appears in the read model, and how an authorised role resolves one.

The read model (``reports.duckdb``) never holds an identity number. Wherever one becomes a column value, the
projector writes the person's **pseudonym** instead: ``P-`` and the first 16 hex digits of
HMAC-SHA-256(secret, the identity number's canonical form). The secret is kept in the key store (a row of its keys
table), never in the event store or the read model. A plain hash would not do: there are only some hundred million
possible personnummer, so anyone could hash them all and look the pseudonyms up; without the secret that is not
possible. The same person has the same pseudonym in every household, every table and every rebuild (the secret
stays), so analysts can count and join people.

16 hex digits are 64 bits: among n persons the odds that two share a pseudonym are about n² / 2^65 — for a
municipality's million persons about 3 in 100 million, for all of Sweden's 10.5 million about 3 in a million.
A collision would make two persons count as one in the read model; resolving lists both.

Resolution goes through the key store's table ``bistand_pseudonyms``: one row per (pseudonym, household) with the
identity number sealed with *that household's* key (AES-256-GCM, as the event store's personal fields). The
projector writes a row when it first sees a person in a household. When gallring shreds the household's key, its
rows no longer open ("uppgiften är gallrad"); :func:`forget_household` blanks them as well.

This module owns the pseudonym rule; the projector and the CLI only call it.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import weakref
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from bistand_es.application.integrity import crypto
from bistand_es.application.integrity.keystore import KeyStore, Resolution
from bistand_es.application.integrity.personal import personal_mapper
from bistand_es.domain.errors import ConfigurationError, InvalidPersonId, NotFound
from bistand_es.domain.identifiers import parse_person_id

PREFIX: Final = "P-"
#: Hex digits of the HMAC shown (64 bits; the collision odds are in the module's docstring).
HEX_DIGITS: Final = 16
LENGTH: Final = len(PREFIX) + HEX_DIGITS
UNKNOWN: Final = "pseudonymen är okänd"
DISPOSED: Final = "uppgiften är gallrad"


def normalise(identity: str) -> str:
    """The form a pseudonym is computed from: the identity's canonical form (``19640823-3234``), so that the 10-
    and 12-digit forms, with or without the dash, give the same pseudonym; other text as it is, trimmed."""
    written = identity.strip()
    try:  # a 10-digit form's century is fixed by today (its separator says whether the person is 100 or more)
        return parse_person_id(written, today=date.today()).canonical
    except InvalidPersonId:
        return written


def pseudonym(secret: bytes, identity: str) -> str:
    """The pseudonym of ``identity`` under ``secret``: ``P-`` + 16 hex digits of HMAC-SHA-256."""
    digest = hmac.new(secret, normalise(identity).encode("utf-8"), hashlib.sha256).hexdigest()
    return PREFIX + digest[:HEX_DIGITS]


def is_pseudonym(text: str) -> bool:
    """Whether ``text`` has the form of a pseudonym."""
    body = text[len(PREFIX) :]
    return len(text) == LENGTH and text.startswith(PREFIX) and all(c in "0123456789abcdef" for c in body.lower())


class Pseudonymiser:
    """The projector's side: pseudonyms of one key store, cached, and the resolution rows still to write.

    :meth:`member` gives the pseudonym of a person seen in a household and queues a resolution row the first time;
    :meth:`flush` writes the queued rows in one transaction (the projector calls it once per page of events).
    """

    def __init__(self, keys: KeyStore) -> None:
        self.keys = keys
        self._secret: bytes | None = None
        self._cache: dict[str, str] = {}
        self._known: set[tuple[str, str]] = set()
        self._pending: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    def of(self, identity: Any) -> Any:
        """The pseudonym of an identity number (None stays None; a value read as ``[gallrad]`` stays so)."""
        if identity is None or identity == crypto.DISPOSED:
            return identity
        text = identity if type(identity) is str else str(identity)
        found = self._cache.get(text)
        if found is None:
            if self._secret is None:
                self._secret = self.keys.pseudonym_secret()
            found = self._cache[text] = pseudonym(self._secret, text)
        return found

    def member(self, household_id: str, identity: Any) -> Any:
        """The pseudonym of a person of ``household_id``; the first time, a resolution row is queued."""
        alias = self.of(identity)
        if alias is None or alias == crypto.DISPOSED:
            return alias
        pair = (alias, household_id)
        if pair not in self._known and pair not in self._pending:
            self._pending[pair] = identity if type(identity) is str else str(identity)
        return alias

    def flush(self) -> None:
        """Write the queued resolution rows, sealed with each household's key (a disposed household: none)."""
        with self._lock:
            pending, self._pending = self._pending, {}
        rows: list[Resolution] = []
        for (alias, household), identity in pending.items():
            try:
                key = self.keys.key(household, create=True)
            except ConfigurationError:  # disposed of: nothing is kept that could resolve its persons
                continue
            if key is not None:
                rows.append((alias, household, crypto.seal_value(key, household, normalise(identity))[crypto.SEALED]))
        self.keys.remember(rows)
        with self._lock:
            self._known.update(pending)


_PSEUDONYMISERS: weakref.WeakKeyDictionary[Any, Pseudonymiser] = weakref.WeakKeyDictionary()
_PSEUDONYMISERS_LOCK = threading.Lock()


def pseudonymiser(keys: KeyStore) -> Pseudonymiser:
    """The process's pseudonymiser of ``keys`` (one per key store, so its caches last across pages)."""
    with _PSEUDONYMISERS_LOCK:
        found = _PSEUDONYMISERS.get(keys)
        if found is None:
            found = _PSEUDONYMISERS[keys] = Pseudonymiser(keys)
        return found


def key_store_of(app: Any) -> KeyStore:
    """The key store of an application (the one its personal-data mapper seals with)."""
    mapper = personal_mapper(getattr(app, "mapper", None))
    if mapper is None:
        raise ConfigurationError("this event store has no key store (its events are not encrypted)")
    return mapper.keys


def pseudonym_of(keys: KeyStore, identity: str) -> str:
    """The pseudonym the read model shows for ``identity`` (for a caseworker looking a person up in a report)."""
    return pseudonym(keys.pseudonym_secret(), identity)


@dataclass(frozen=True, slots=True)
class Resolved:
    """A pseudonym resolved in one household: the identity number, or None when the household is disposed of."""

    pseudonym: str
    household_id: str
    identity: str | None


def resolve_all(keys: KeyStore, pseudonyms: Iterable[str]) -> dict[str, list[Resolved]]:
    """Every pseudonym's resolutions, in one lookup of the key store (an unknown pseudonym: no entry)."""
    found: dict[str, list[Resolved]] = {}
    for alias, household, sealed in keys.resolutions(list(pseudonyms)):
        identity: str | None = None
        if sealed is not None:
            key = keys.key(household, create=False)  # None: shredded; a missing key is the key store's error
            opened = crypto.open_value(key, household, sealed)
            identity = None if opened == crypto.DISPOSED else str(opened)
        found.setdefault(alias, []).append(Resolved(alias, household, identity))
    return found


def resolve(keys: KeyStore, alias: str) -> list[Resolved]:
    """The identity number(s) behind one pseudonym and their household(s).

    :class:`NotFound` "pseudonymen är okänd" when no household has it; "uppgiften är gallrad" when every
    household that had it is disposed of.
    """
    text = alias.strip()
    if is_pseudonym(text):
        text = PREFIX + text[len(PREFIX) :].lower()  # as written in the read model
    found = resolve_all(keys, [text]).get(text, []) if is_pseudonym(text) else []
    if not found:
        raise NotFound(f"{text[:40]}: {UNKNOWN}")
    if all(entry.identity is None for entry in found):
        raise NotFound(f"{text}: {DISPOSED}")
    return found


def forget_household(keys: KeyStore, household_id: str) -> int:
    """Gallring: the household's resolution rows no longer resolve (their sealed identities are blanked; the rows
    stay as the mark, so resolving says "uppgiften är gallrad"). The number of rows blanked."""
    return keys.forget(household_id)


def resolved_rows(keys: KeyStore, rows: Sequence[Mapping[str, Any]], columns: Collection[str]) -> list[dict[str, Any]]:
    """``rows`` with the pseudonyms in ``columns`` replaced by the identity numbers, looked up in one go.

    A pseudonym whose households are all disposed of reads ``[gallrad]``; one the key store does not know stays
    as it is; a pseudonym two persons share (see the collision odds above) lists both, comma-separated.
    """
    wanted = {
        str(row[column])
        for row in rows
        for column in columns
        if row.get(column) is not None and is_pseudonym(str(row[column]))
    }
    found = resolve_all(keys, wanted)
    shown: dict[str, str] = {}
    for alias, entries in found.items():
        identities = sorted({entry.identity for entry in entries if entry.identity is not None})
        shown[alias] = ", ".join(identities) if identities else crypto.DISPOSED
    return [
        {name: shown.get(str(value), value) if name in columns and value is not None else value
         for name, value in row.items()}
        for row in rows
    ]  # fmt: skip
