"""JSON transcodings for the value types stored in events, and the codec of a household's snapshot state.

Events hold plain values (dates, months, amounts): the library's transcoder writes them with the transcodings
registered here (it knows UUID, Decimal and datetime itself).

A household's *snapshot* holds its whole state: frozen records (``Membership``, ``RecordedDecision`` …, from the
domain's state modules), tuples, sets, enums and dicts keyed by months or by tuples, which JSON cannot write as
they are. :func:`encode_state` writes every such value as plain JSON (lists, strings, numbers), so reading a
snapshot back is one run of the C JSON parser and then :func:`decode_state`, with no per-object hook:

- a value that is not a string, number, boolean or null is a list whose first item says what it is:
  ``["m", "2025-07"]`` a month, ``["d", "23240.00"]`` an amount (``["k", …]`` a ``Money``), ``["t", "2021-01-04"]``
  a date, ``["z", …]`` a timestamp, ``["u", …]`` a UUID, ``["J", …]`` a list or dict of plain JSON as it is,
  ``["P", […]]`` a tuple of plain values, ``["L", …]`` a list, ``["U", …]`` a tuple, ``["S", …]`` a set
  (``["Q", […]]`` of plain values), ``["D", key, value, …]`` a dict with string keys (``["A", {…}, [keys]]``
  when its values are plain or amounts, the keys of the amounts listed), ``["K", keys, values]``
  one with other keys (months, tuples), column by column, ``["E", class, value]`` an enum member,
  ``["R", class, {field: value}]`` a record;
- records of one class (a dict's values, a list's items: incomes, applications, payments …) are a table,
  ``["T", shape, class, field names, keys, columns]``, written column by column: a column of strings, months,
  amounts or dates as plain strings, and one with few distinct values (members, kinds, months) as its distinct
  values and an index per record (one character each, in one string, when there are at most 64) — a ten-year
  household's state is then a fraction of its records one by one, and is read back with one constructor call
  per record.

Only classes of the domain package are read back (:data:`_DOMAIN`). A snapshot whose record classes or aggregate
attributes changed since it was taken does not decode (:func:`fits`, a field list that differs): it is then not
used, and the household is replayed from its events (docs/adr/0026-household-index-and-snapshots.md).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, Final, cast
from uuid import UUID

from eventsourcing.domain import Snapshot
from eventsourcing.persistence import JSONTranscoder, Transcoding
from eventsourcing.utils import get_topic, resolve_topic

from bistand_es.domain.money import Money
from bistand_es.domain.month import Month

#: Records and enums are read back only from classes of this package.
_DOMAIN: Final = "bistand_es.domain."
#: The index of a value among a column's distinct values, one character per record (up to 64 distinct values).
_CODES: Final = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+/"
_NATIVE: Final = frozenset({str, int, bool, float, type(None)})  # float-ok: JSON's own number type


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class MonthAsStr(Transcoding):
    type = Month
    name = "month"

    def encode(self, obj: Month) -> str:
        return str(obj)

    def decode(self, data: str) -> Month:
        return Month.parse(data)


def register_state_transcodings(transcoder: JSONTranscoder) -> None:
    """Every transcoding a household's events need (snapshots are plain JSON: :func:`encode_state`)."""
    transcoder.register(DateAsISO())
    transcoder.register(MonthAsStr())


# ---------------------------------------------------------------------- writing a state


def _short(topic: str) -> str:
    if not topic.startswith(_DOMAIN):
        raise TypeError(f"a snapshot can hold classes of the domain only, not {topic}")
    return topic[len(_DOMAIN) :]


def _is_record(value: Any) -> bool:
    return dataclasses.is_dataclass(value) and not isinstance(value, type)


def _plain(value: Any) -> bool:
    """Whether ``value`` is JSON as it is: strings, numbers, flags, nulls, lists and string-keyed dicts of them
    (no tuple at any depth: it would be read back as a list)."""
    kind = type(value)
    if kind in _NATIVE:
        return True
    if kind is list:  # a tuple is not: it would come back a list
        return all(_plain(item) for item in value)
    if kind is dict:
        return all(type(key) is str and _plain(item) for key, item in value.items())
    return False


def encode_value(value: Any) -> Any:
    """``value`` as plain JSON (see the module's description)."""
    kind = type(value)
    if kind in _NATIVE:
        return value
    if kind is PackedTable:  # read back from a snapshot: written as the dict it stands for
        value = value.copy()
        kind = dict
    if kind is Month:
        return ["m", str(value)]
    if kind is Decimal:
        return ["d", str(value)]
    if kind is Money:
        return ["k", str(value.amount)]
    if kind is date:
        return ["t", value.isoformat()]
    if kind is datetime:
        return ["z", value.isoformat()]
    if kind is UUID:
        return ["u", value.hex]
    if kind is list or kind is tuple or kind is dict:
        if kind is tuple and all(type(item) in _NATIVE for item in value):  # rebuilt from its list
            return ["P", list(value)]
        if kind is not tuple and _plain(value):  # JSON as it is: read back by the parser alone
            return ["J", value]
        items = list(value.values()) if kind is dict else list(value)
        if items and _is_record(items[0]):
            table = _table(items, list(value) if kind is dict else None, kind.__name__)
            if table is not None:
                return table
        if kind is dict:
            return _map(value)
        return ["L" if kind is list else "U", *(encode_value(item) for item in value)]
    if kind is set or kind is frozenset:
        if all(type(item) in _NATIVE for item in value):
            return ["Q", list(value)]
        return ["S", *(encode_value(item) for item in value)]
    if isinstance(value, Enum):
        return ["E", _short(get_topic(kind)), encode_value(value.value)]
    if _is_record(value):
        fields = {f.name: encode_value(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return ["R", _short(get_topic(kind)), fields]
    raise TypeError(f"a snapshot cannot hold a {kind.__name__}")


def _map(value: dict[Any, Any]) -> list[Any]:
    """A dict that is not plain JSON, column by column: ``["K", keys, values]``; tuple keys (a person and a
    month) as one column per position."""
    keys = list(value)
    amounts = [k for k, v in value.items() if type(v) is Decimal]
    if all(type(k) is str for k in keys) and all(
        type(v) in _NATIVE for k, v in value.items() if type(v) is not Decimal
    ):
        # an application's costs, a cost line: plain JSON, with the keys whose values are amounts
        return ["A", {k: str(v) if type(v) is Decimal else v for k, v in value.items()}, amounts]
    if all(type(k) is str for k in keys):  # key, value, …
        out: list[Any] = ["D"]
        for key, item in value.items():
            out.append(key)
            out.append(encode_value(item))
        return out
    width = len(keys[0]) if keys and type(keys[0]) is tuple else 0
    if width and all(type(k) is tuple and len(k) == width for k in keys):
        key_spec: list[Any] = ["tuple", [_column([k[n] for k in keys]) for n in range(width)]]
    else:
        key_spec = ["one", _column(keys)]
    return ["K", key_spec, _column(list(value.values()))]


def _column(values: list[Any]) -> list[Any]:
    """One field's values as ``[codec, values]`` or ``[codec, distinct values, indexes]``.

    Codecs: ``s`` strings, numbers and flags as they are; ``m`` months, ``d`` and ``k`` amounts (``Decimal``,
    ``Money``), ``t`` dates as strings
    (null stays null); ``j`` plain JSON lists or dicts, ``p`` tuples of plain JSON; ``v`` any other value, each
    encoded by :func:`encode_value`.
    """
    kinds = {type(v) for v in values} - {type(None)}
    if kinds <= {str, int, bool}:
        codec, texts = "s", values
    elif kinds in ({Month}, {Decimal}):
        codec, texts = ("m" if kinds == {Month} else "d"), [None if v is None else str(v) for v in values]
    elif kinds == {Money}:
        codec, texts = "k", [None if v is None else str(v.amount) for v in values]
    elif kinds == {date}:
        codec, texts = "t", [None if v is None else v.isoformat() for v in values]
    else:
        encoded = [encode_value(v) for v in values]
        tags = {e[0] if type(e) is list else None for e in encoded}
        if tags in ({"J"}, {"P"}):  # plain JSON values (a calculation's figures, members): without their tags
            return ["j" if tags == {"J"} else "p", [e[1] for e in encoded]]
        return ["v", encoded]
    if not (kinds <= {str, Month, Decimal, Money, date} or kinds == {int}):  # True == 1: flags are written as they are
        return [codec, texts]
    distinct = list(dict.fromkeys(texts))
    if len(values) >= 4 and 2 * len(distinct) <= len(values):
        if len(distinct) <= len(_CODES):  # one character per record: one JSON string, not a number per record
            code = dict(zip(distinct, _CODES, strict=False))
            return [codec, distinct, "".join(code[text] for text in texts)]
        index = {text: n for n, text in enumerate(distinct)}
        return [codec, distinct, [index[text] for text in texts]]
    return [codec, texts]


def _table(records: list[Any], keys: list[Any] | None, shape: str) -> list[Any] | None:
    kind = type(records[0])
    fields = dataclasses.fields(kind)
    if any(type(r) is not kind for r in records) or not all(f.init for f in fields):
        return None
    names = [f.name for f in fields]
    raw = [[getattr(r, name) for r in records] for name in names]
    key_spec: list[Any] = []
    if keys is not None:  # a dict keyed by one of the fields (an id, a month) names that field instead
        same = next((name for name, values in zip(names, raw, strict=True) if values == keys), None)
        key_spec = ["field", same] if same is not None else ["keys", _column(keys)]
    return ["T", shape, _short(get_topic(kind)), names, key_spec, [_column(values) for values in raw]]


def encode_state(state: dict[str, Any]) -> dict[str, Any]:
    """An aggregate's state (attribute → value) as plain JSON."""
    return {name: encode_value(value) for name, value in state.items()}


# ---------------------------------------------------------------------- reading a state


@cache
def _domain_class(short: str) -> Any:
    return resolve_topic(_DOMAIN + short)


_MONTHS: dict[str, Month] = {}


def _month(text: str) -> Month:
    found = _MONTHS.get(text)
    if found is None:
        if len(_MONTHS) > 10_000:
            _MONTHS.clear()
        found = _MONTHS[text] = Month.parse(text)
    return found


def _uuid(text: str) -> UUID:
    return UUID(text)


def _money(text: str) -> Money:
    return Money(Decimal(text))


_SCALARS: Final[dict[str, Any]] = {
    "m": _month,
    "d": Decimal,
    "k": _money,
    "t": date.fromisoformat,
    "z": datetime.fromisoformat,
    "u": _uuid,
}


def decode_value(data: Any) -> Any:
    if type(data) is not list:
        return data
    tag = data[0]
    scalar = _SCALARS.get(tag)
    if scalar is not None:
        return scalar(data[1])
    if tag == "J":
        return data[1]
    if tag == "P":
        return tuple(data[1])
    if tag == "T":
        return _decoded_table(data)
    if tag == "L":
        return [decode_value(item) for item in data[1:]]
    if tag == "U":
        return tuple(decode_value(item) for item in data[1:])
    if tag == "D":
        items = iter(data[1:])
        return {decode_value(key): decode_value(item) for key, item in zip(items, items, strict=True)}
    if tag == "A":
        plain = data[1]
        for key in data[2]:
            plain[key] = Decimal(plain[key])
        return plain
    if tag == "K":
        key_spec = data[1]
        if key_spec[0] == "tuple":
            keys: list[Any] = list(zip(*(_decoded_column(c) for c in key_spec[1]), strict=True))
        else:
            keys = _decoded_column(key_spec[1])
        return dict(zip(keys, _decoded_column(data[2]), strict=True))
    if tag == "Q":
        return set(data[1])
    if tag == "S":
        return {decode_value(item) for item in data[1:]}
    if tag == "E":
        return _domain_class(data[1])(decode_value(data[2]))
    if tag == "R":
        return _domain_class(data[1])(**{name: decode_value(item) for name, item in data[2].items()})
    raise ValueError(f"a snapshot value tagged {tag!r} is not known")


def _decoded_values(codec: str, values: list[Any]) -> list[Any]:
    if codec == "s":
        return values
    if codec == "v":
        return [decode_value(v) for v in values]
    if codec == "j":
        return values
    if codec == "p":
        return list(map(tuple, values))
    convert: Any = _SCALARS[codec]
    if None in values:
        return [None if v is None else convert(v) for v in values]
    return list(map(convert, values))


def _decoded_column(column: list[Any]) -> list[Any]:
    if len(column) == 3:  # distinct values, then an index per record (a character of _CODES, or a number)
        distinct = _decoded_values(column[0], column[1])
        if type(column[2]) is str:
            return list(map(dict(zip(_CODES, distinct, strict=False)).__getitem__, column[2]))
        return list(map(distinct.__getitem__, column[2]))
    return _decoded_values(column[0], column[1])


def _decoded_table(data: list[Any]) -> Any:
    _, shape, short, names, key_spec, columns = data
    kind = _domain_class(short)
    if [f.name for f in dataclasses.fields(kind)] != names:
        raise ValueError(f"{short} changed shape since the snapshot was taken")
    values = [_decoded_column(c) for c in columns]
    records = list(map(kind, *values))
    if shape == "list":
        return records
    if shape == "tuple":
        return tuple(records)
    keys = values[names.index(key_spec[1])] if key_spec[0] == "field" else _decoded_column(key_spec[1])
    return dict(zip(keys, records, strict=True))


def decode_state(data: dict[str, Any]) -> dict[str, Any]:
    """The state :func:`encode_state` wrote; ``ValueError``/``TypeError`` when it no longer fits the code."""
    return {name: decode_value(value) for name, value in data.items()}


# ---------------------------------------------------------------------- the stored form of a state: packed

#: An attribute whose encoded JSON is at least this long is read back only when the aggregate first uses it.
_DEFERRED_FROM: Final = 256


def _used_classes(data: Any, shapes: dict[str, list[str]], enums: set[str]) -> None:
    """The record classes (with their field names) and enum classes an encoded value names, at any depth."""
    if type(data) is dict:
        for item in data.values():
            _used_classes(item, shapes, enums)
        return
    if type(data) is not list or not data:
        return
    tag = data[0]
    if type(tag) is not str:  # a column's encoded values
        for item in data:
            _used_classes(item, shapes, enums)
        return
    if tag == "J" or tag in _SCALARS:
        return
    if tag == "T":
        shapes[data[2]] = data[3]
        for column in data[5]:
            if column[0] == "v":
                _used_classes(column[-1], shapes, enums)
        if data[4] and data[4][0] == "keys" and data[4][1][0] == "v":
            _used_classes(data[4][1][-1], shapes, enums)
        return
    if tag == "R":
        shapes[data[1]] = list(data[2])
    elif tag == "E":
        enums.add(data[1])
    for item in data[1:]:
        _used_classes(item, shapes, enums)


_ENCODER: Final = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, check_circular=False)


def _json(value: Any) -> bytes:
    return _ENCODER.encode(value).encode("utf-8")


def pack_state(state: dict[str, Any]) -> bytes:
    """An aggregate's state as the bytes a snapshot seals: a JSON header line, then each large attribute's
    encoded JSON, one after the other.

    The header holds the small attributes themselves (``eager``), where each large one lies in the bytes after it
    (``deferred``: start and end), and the field names of every record class and the enum classes the state
    names (``shapes``, ``enums``), so that a snapshot that no longer fits the code is refused when it is read,
    not when a deferred attribute is first used.
    """
    eager: dict[str, Any] = {}
    deferred: dict[str, list[int]] = {}
    tables: dict[str, list[Any]] = {}
    shapes: dict[str, list[str]] = {}
    enums: set[str] = set()
    parts: list[bytes] = []
    at = 0

    def add(text: bytes) -> list[int]:
        nonlocal at
        parts.append(text)
        at += len(text)
        return [at - len(text), at]

    for name, value in state.items():
        encoded = encode_value(value)
        _used_classes(encoded, shapes, enums)
        text = _json(encoded)
        if len(text) < _DEFERRED_FROM:
            eager[name] = encoded
        elif encoded[0] == "T" and encoded[1] == "dict":  # a dict of records: its keys, then its columns
            _, _, short, names, key_spec, columns = encoded
            texts = [_json(column) for column in columns]
            if key_spec[0] == "field":  # the keys are one of the columns: where it lies in the columns' array
                field = names.index(key_spec[1])
                start = at + 1 + sum(len(t) + 1 for t in texts[:field])
                keys = [start, start + len(texts[field])]
                columns_at = add(b"[" + b",".join(texts) + b"]")
            else:
                keys = add(_json(key_spec[1]))
                columns_at = add(b"[" + b",".join(texts) + b"]")
            tables[name] = ["T", short, keys, columns_at]
        elif encoded[0] == "K" and not any(type(v) in (int, bool) for v in value.values()):
            # a dict keyed by months or tuples: its keys, then its values as one column (an int value would read
            # as a row of the PackedTable: such a dict is deferred whole)
            keys = add(_json(encoded[1]))
            tables[name] = ["K", None, keys, add(_json([encoded[2]]))]
        else:
            deferred[name] = add(text)
    header = {"eager": eager, "deferred": deferred, "tables": tables, "shapes": shapes, "enums": sorted(enums)}
    return _json(header) + b"\n" + b"".join(parts)


class Deferred:
    """A state attribute not yet read back: its encoded JSON, decoded when the aggregate first uses it."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __call__(self) -> Any:
        return decode_value(json.loads(self.data))


#: A write to a :class:`PackedTable` whose keys are not read yet: kept, and applied in order once they are.
_Write = tuple[Any, Any]


class PackedTable(MutableMapping[Any, Any]):
    """A dict read back from a snapshot in two steps: its keys when it is first read (a lookup, a ``len``, an
    iteration), all its values, column by column, when a value is first read. A write before any read is kept
    and applied, in order, once the keys are read: a mutator that adds a record (an income, a payment) reads
    nothing at all, and one that looks a month up reads only the keys. It equals a dict with the same items; a
    snapshot of it writes every item.
    """

    __slots__ = ("_data", "_load_keys", "_load_values", "_writes")

    def __init__(self, load_keys: Callable[[], list[Any]], load_values: Callable[[], list[Any]]) -> None:
        self._load_keys = load_keys
        self._load_values = load_values
        # key → its value, or until the values are read its row among them (no value of a packed table is an int)
        self._data: dict[Any, Any] | None = None
        self._writes: list[_Write] = []

    def _table(self) -> dict[Any, Any]:
        data = self._data
        if data is None:
            keys = self._load_keys()
            data = dict(zip(keys, range(len(keys)), strict=True))
            for key, value in self._writes:
                data[key] = value
            self._writes = []
            self._data = data
        return data

    def _values(self) -> dict[Any, Any]:
        data = self._table()
        if self._load_values is not _READ:
            values = self._load_values()
            self._load_values = _READ
            for key, row in data.items():
                if type(row) is int:
                    data[key] = values[row]
        return data

    def __getitem__(self, key: Any) -> Any:
        return self._values()[key] if key in self._table() else self._table()[key]

    def get(self, key: Any, default: Any = None) -> Any:
        return self._values()[key] if key in self._table() else default

    def __setitem__(self, key: Any, value: Any) -> None:
        if self._data is None:
            self._writes.append((key, value))
        else:
            self._data[key] = value

    def __delitem__(self, key: Any) -> None:
        del self._table()[key]

    def __contains__(self, key: object) -> bool:
        return key in self._table()

    def __iter__(self) -> Iterator[Any]:
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())

    def values(self) -> Any:
        return self._values().values()

    def items(self) -> Any:
        return self._values().items()

    def __repr__(self) -> str:
        return repr(self._values())

    def copy(self) -> dict[Any, Any]:
        return dict(self._values())


def _read() -> list[Any]:  # pragma: no cover - the marker of values already read, never called
    return []


_READ: Final = _read


def _packed_table(form: str, short: str | None, keys: bytes, columns: bytes) -> PackedTable:
    """A dict of :func:`pack_state`: records (``T``: its key column's JSON, and all its columns' JSON as one
    array) or other values (``K``: its keys as :func:`_map` writes them, and its values' column in an array)."""

    def load_keys() -> list[Any]:
        data = json.loads(keys)
        if form == "T":
            return _decoded_column(data)
        if data[0] == "tuple":
            return list(zip(*(_decoded_column(c) for c in data[1]), strict=True))
        return _decoded_column(data[1])

    def load_values() -> list[Any]:
        decoded = [_decoded_column(c) for c in json.loads(columns)]
        if form == "K":
            return decoded[0]
        return list(map(_domain_class(cast(str, short)), *decoded))

    return PackedTable(load_keys, load_values)


def unpack_state(packed: bytes, aggregate_class: type[Any]) -> dict[str, Any]:
    """The state :func:`pack_state` wrote: small attributes decoded, large ones :class:`Deferred`, dicts of
    records :class:`PackedTable`.

    ``ValueError`` (or ``TypeError``/``KeyError``) when it no longer fits the code: an attribute the aggregate
    now starts with is missing, a record class has other fields, or a class is gone.
    """
    newline = packed.index(b"\n")
    header = json.loads(packed[:newline])
    body = packed[newline + 1 :]
    deferred: dict[str, list[int]] = header["deferred"]
    tables: dict[str, list[Any]] = header["tables"]
    eager: dict[str, Any] = header["eager"]
    if not fits(aggregate_class, [*eager, *deferred, *tables]):
        raise ValueError("the snapshot was taken by an older version of the code")
    for short, names in header["shapes"].items():
        kind = _domain_class(short)
        if not dataclasses.is_dataclass(kind) or [f.name for f in dataclasses.fields(kind)] != names:
            raise ValueError(f"{short} changed shape since the snapshot was taken")
    for short in header["enums"]:
        if not (isinstance(kind := _domain_class(short), type) and issubclass(kind, Enum)):
            raise ValueError(f"{short} is no longer an enum")
    state = {name: decode_value(value) for name, value in eager.items()}
    for name, (start, end) in deferred.items():
        state[name] = Deferred(body[start:end])
    for name, (form, short, (key_start, key_end), (start, end)) in tables.items():
        state[name] = _packed_table(form, short, body[key_start:key_end], body[start:end])
    return state


# ---------------------------------------------------------------------- the household's snapshot


class HouseholdSnapshot(Snapshot):
    """A snapshot whose state is stored packed (:func:`pack_state`) and read back lazily.

    Taken, its ``state`` is the packed bytes; read back (by the snapshot mapper), it is the state of
    :func:`unpack_state`, whose large attributes are decoded only when the aggregate first uses them
    (``domain/household/deferred.py``).
    """

    @classmethod
    def take(cls, aggregate: Any) -> HouseholdSnapshot:
        aggregate.resolve_deferred()  # a household read from a snapshot and not wholly used since
        snapshot = super().take(aggregate)
        object.__setattr__(snapshot, "state", pack_state(snapshot.state))
        return snapshot

    def mutate(self, _: None) -> Any:
        state: Any = self.state
        if type(state) is bytes:
            state = unpack_state(state, resolve_topic(self.topic))
        present = {name: value for name, value in state.items() if type(value) is not Deferred}
        deferred = {name: value for name, value in state.items() if type(value) is Deferred}
        if deferred:
            present["_deferred"] = deferred
        aggregate = object.__new__(resolve_topic(self.topic))
        present["_id"] = self.originator_id
        present["_version"] = self.originator_version
        present["_pending_events"] = []
        object.__setattr__(aggregate, "__dict__", present)
        return aggregate


_FRESH: dict[str, frozenset[str]] = {}


def _fresh_attributes(aggregate_class: type[Any]) -> frozenset[str]:
    name = get_topic(aggregate_class)
    found = _FRESH.get(name)
    if found is None:
        probe = object.__new__(aggregate_class)
        aggregate_class.__init__(probe)
        found = _FRESH[name] = frozenset(vars(probe))
    return found


def fits(aggregate_class: type[Any], state: Iterable[str]) -> bool:
    """Whether a snapshot's state has every attribute the aggregate class now starts with (else it is older
    than the code, and the aggregate is replayed from its events instead)."""
    try:
        expected = _fresh_attributes(aggregate_class)
    except TypeError:  # pragma: no cover - an aggregate whose __init__ needs arguments: nothing to compare
        return True
    return expected <= set(state)
