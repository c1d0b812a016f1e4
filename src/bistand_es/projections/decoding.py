"""Stored event values → plain row values: the decoding helpers the row handlers share.

The stored JSON state is parsed directly (orjson when installed, else the standard library). Typed values in the
stored state are ``{"_type_": …, "_data_": …}`` (dates, months, Decimal); :func:`plain` unwraps them to their text,
which DuckDB casts to DATE / DECIMAL(18,2) on insert (exact; no float ever). An amount that is not a finite number
or does not fit the money columns raises :class:`UnfitAmount`.

Sealed personal fields (``{"_enc_": …}``, AES-GCM with the household's key) are opened by :class:`SealedFields`
in the parsed state itself: one parse per event, each household's AES-GCM context made once per batch, and the
fields no row reads (:data:`UNREAD_SEALED`) left sealed.
"""

from __future__ import annotations

import json
from binascii import Error as BinasciiError
from binascii import a2b_base64
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bistand_es.application.integrity.classification import PERSONAL
from bistand_es.application.integrity.crypto import DISPOSED, NONCE_BYTES, SEALED
from bistand_es.application.integrity.crypto import MARKER as _MARKER
from bistand_es.application.integrity.personal import owner_of
from bistand_es.domain.errors import BrokenChain
from bistand_es.projections.column_types import MONEY, MONEY_INTEGER_DIGITS

if TYPE_CHECKING:
    from bistand_es.application.integrity.keystore import KeyStore

try:  # orjson is several times faster on this JSON; it is optional.
    import orjson

    loads: Callable[[bytes], Any] = orjson.loads

    def dumps(value: Any) -> bytes:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)

except ImportError:  # pragma: no cover - depends on the environment
    loads = json.loads

    def dumps(value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


EMPTY_LIST: Final = b"[]"
#: Household events are sealed with their own aggregate's key (index aggregates: see ``owner_of``).
_HOUSEHOLD_TOPIC: Final = "bistand_es.household:"


def plain(value: Any) -> Any:
    """A stored value as plain text/number: typed wrappers give their ``_data_``."""
    if type(value) is dict and "_type_" in value:
        return value.get("_data_")
    return value


def text(value: Any) -> str | None:
    """A stored value as text (structured values as JSON text)."""
    if value is None or type(value) is str:
        return value
    value = plain(value)
    if value is None or type(value) is str:
        return value
    return json.dumps(unwrap_all(value), ensure_ascii=False, sort_keys=True)


_MONEY_LIMIT: Final = Decimal(10) ** MONEY_INTEGER_DIGITS
#: Text of at most this many characters made of digits, one point and a sign always fits the money columns.
_SHORT: Final = MONEY_INTEGER_DIGITS - 1


#: Amount texts already found to fit (bounded: emptied when full).
_FITTING: Final[set[str]] = set()
_FITTING_MAX: Final = 100_000


class UnfitAmount(ValueError):
    """An amount the read model's money columns cannot hold."""


def money(value: Any) -> str | None:
    """A stored amount as the text DuckDB casts to the money type; :class:`UnfitAmount` when it cannot."""
    if type(value) is dict and "_type_" in value:
        value = value.get("_data_")
    if value is None or value == "":
        return None
    text = value if type(value) is str else str(value)
    if text in _FITTING:
        return text  # the hottest path: an amount seen before (norms, rents, the same aid month after month)
    if len(text) <= _SHORT and text.lstrip("-").replace(".", "", 1).isdigit():
        if len(_FITTING) >= _FITTING_MAX:
            _FITTING.clear()
        _FITTING.add(text)
        return text  # the hot path: a plain amount such as 1234.56
    return _checked_money(text)


def _checked_money(text: str) -> str:
    """A long or unusual amount (``1E+27``, ``NaN``): its plain form if it fits, else :class:`UnfitAmount`."""
    try:
        amount = Decimal(text.strip())
    except InvalidOperation:
        raise UnfitAmount(f"amount {text[:40]!r} is not a number") from None
    if not amount.is_finite():
        raise UnfitAmount(f"amount {text[:40]!r} is not a finite number")
    if abs(amount) >= _MONEY_LIMIT:
        raise UnfitAmount(
            f"amount {text[:40]} is too large for the read model's money columns "
            f"({MONEY}: below 10^{MONEY_INTEGER_DIGITS})"
        )
    return format(amount, "f")


def unwrap_all(value: Any) -> Any:
    """A stored structure with every typed wrapper unwrapped."""
    if isinstance(value, dict):
        if "_type_" in value:
            return value.get("_data_")
        return {key: unwrap_all(item) for key, item in value.items()}
    if isinstance(value, list):
        return [unwrap_all(item) for item in value]
    return value


def json_bytes(value: Any) -> bytes | None:
    """A stored structure as JSON bytes for a JSON column (typed wrappers unwrapped)."""
    if value is None:
        return None
    if not value and type(value) is list:
        return EMPTY_LIST
    return dumps(unwrap_all(value))


#: Sealed fields that no row handler reads, at the top level or inside a clear structure: left sealed (a
#: decision's ``situation``, the caseworker's inputs, is as large as its calculation; free-text reasons, notes and
#: evidence never reach a row). tests/integration/projections/test_sealed_fields.py checks that the rows equal
#: those of opening every field.
UNREAD_SEALED: Final = frozenset({"situation", "reason", "note", "evidence"})


#: How a sealed unread field looks in the stored JSON (compact, as the mappers write it; another spelling is
#: only not counted, so the structures are walked as before).
_UNREAD_MARKERS: Final = tuple(f'"{name}":{{"_enc_"'.encode() for name in sorted(UNREAD_SEALED))


def _top_unread(state: dict[str, Any]) -> int:
    """How many of the state's top-level fields are sealed unread ones (counted in :data:`_UNREAD_MARKERS` too)."""
    count = 0
    for name in UNREAD_SEALED:
        value = state.get(name)
        if type(value) is dict and SEALED in value:
            count += 1
    return count


#: Sealed top-level structures of a household disposed of (its key shredded): read as empty, not as text.
DISPOSED_AS: Final[dict[str, Any]] = {"calculation": {}, "members": [], "persons": []}


class SealedFields:
    """Parses stored states and opens their sealed personal fields, for one batch of events.

    Equal to opening every sealed value with the personal-data mapper and parsing the result (the stored
    plaintext of a value is its own JSON), except that :data:`UNREAD_SEALED` fields stay sealed. A value whose
    household key was shredded opens as ``[gallrad]``; one that does not open with its key raises
    :class:`~bistand_es.domain.errors.BrokenChain`, as the mapper does.
    """

    def __init__(self, keys: KeyStore) -> None:
        self._keys = keys
        #: household -> its AES-GCM context (None: its key was shredded) and the associated data it seals with
        self._ciphers: dict[str, tuple[AESGCM | None, bytes]] = {}

    def parse(self, topic: str, originator_id: Any, raw: bytes) -> dict[str, Any]:
        """The stored state ``raw`` parsed, with the sealed fields the rows read opened."""
        state: dict[str, Any] = loads(raw)
        owner = str(originator_id) if topic.startswith(_HOUSEHOLD_TOPIC) else owner_of(topic, originator_id, state)
        left = raw.count(_MARKER)  # sealed values in the state (the marker cannot occur inside a JSON string)
        for name in PERSONAL.intersection(state):  # only a personal field is sealed: look at those alone
            value = state[name]
            if type(value) is dict and len(value) == 1 and SEALED in value:
                left -= 1
                if name not in UNREAD_SEALED:
                    opened = self._open(owner, value[SEALED])
                    # gallrad: a structure whose key is shredded reads as empty, so its rows still come out
                    state[name] = DISPOSED_AS.get(name, opened) if opened == DISPOSED else opened
        if left > 0:  # deeper down, inside clear structures: worth a walk only if some are not left sealed anyway
            left -= sum(raw.count(pattern) for pattern in _UNREAD_MARKERS) - _top_unread(state)
        if left > 0:  # some the rows read are deeper down, inside clear structures
            for name, value in state.items():
                if name not in PERSONAL and (type(value) is dict or type(value) is list):
                    self._open_within(owner, value)
        return state

    def _open_within(self, owner: str, value: Any) -> None:
        """Open, in place, every sealed value inside a clear structure, at any depth (but :data:`UNREAD_SEALED`)."""
        if type(value) is dict:
            for name, item in value.items():
                if type(item) is dict or type(item) is list:
                    if type(item) is dict and SEALED in item and len(item) == 1:
                        if name not in UNREAD_SEALED:  # a cost line's note stays sealed
                            value[name] = self._open(owner, item[SEALED])
                    else:
                        self._open_within(owner, item)
        elif type(value) is list:
            for index, item in enumerate(value):
                if type(item) is dict or type(item) is list:
                    if type(item) is dict and SEALED in item and len(item) == 1:
                        value[index] = self._open(owner, item[SEALED])
                    else:
                        self._open_within(owner, item)

    def _open(self, owner: str, sealed: Any) -> Any:
        found = self._ciphers.get(owner)
        if found is None:
            key = self._keys.key(owner, create=False)
            found = self._ciphers[owner] = (None if key is None else AESGCM(key), owner.encode())
        cipher, associated = found
        if cipher is None:
            return DISPOSED
        try:
            data = a2b_base64(sealed, strict_mode=True)  # not strict base64: altered, as a failing tag is
            opened = cipher.decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], associated)
        except (InvalidTag, BinasciiError):
            raise BrokenChain(f"a personal field of household {owner} does not open with its key (altered?)") from None
        if opened[:1] == b'"' and b"\\" not in opened:  # a plain string's JSON: no escape, so its text as it is
            return opened[1:-1].decode()
        return loads(opened)
