"""The strict parameter-file loader: one YAML file per parameter.

Every error is a :class:`ParameterFileError` naming the file, the key and the value. The format is
described in docs/adr/0007-parameter-format.md::

    id: riksnorm.personal.sambor
    type: money
    description: Personliga kostnader för sambor/makar (paret)
    unit: kr/månad
    values:
      "2021-01-01":
        value: 5700
        source: {title: Socialtjänstförordningen 2 kap. 1 §, reference: SFS 2020:1013}
        confidence: HIGH
      "2018-01-01": null        # a gap: NOT FOUND, nothing in force until the next date
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final

import yaml

from bistand_es.domain.errors import BistandError
from bistand_es.domain.money import Money
from bistand_es.domain.rules.errors import ParameterFileError
from bistand_es.domain.rules.model import Confidence, Entry, ProfileSetting, Source, Value, ValueType

_DATE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ID: Final = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")
_TOP_KEYS: Final = frozenset({"id", "type", "description", "unit", "values"})
_TOP_REQUIRED: Final = ("id", "type", "description", "values")
_ENTRY_KEYS: Final = frozenset({"value", "source", "confidence", "published", "note"})
_SOURCE_KEYS: Final = frozenset({"title", "reference", "address"})


class StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A SafeLoader (libyaml's C parser where installed: ~10x faster) that rejects duplicate keys and keeps
    dates as strings (validated later)."""


def _construct_mapping(loader: StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, f"unhashable key {key!r}", key_node.start_mark
            ) from None
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (line {key_node.start_mark.line + 1})", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=deep)
    return result


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# Dates stay text: drop the implicit timestamp resolver (a copy, so yaml.SafeLoader is untouched).
StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


MAX_DOCUMENT_BYTES: Final = 1_000_000
"""A parameter file or a situation is at most 1 MB (the largest shipped file is under 10 kB)."""
MAX_NODES: Final = 100_000
"""At most 100 000 values (scalars, lists and mappings) in one document."""
MAX_DEPTH: Final = 64
"""At most 64 levels of nesting."""

_EventLoader: Final[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def decode_document(data: bytes, name: str, *, error: type[BistandError] = ParameterFileError) -> str:
    """UTF-8 text of a document read as bytes, refusing one over :data:`MAX_DOCUMENT_BYTES`."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise error(f"{name}: larger than {MAX_DOCUMENT_BYTES // 1_000_000} MB; refused without reading it")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as problem:
        raise error(f"{name}: not UTF-8 text (byte {problem.start + 1}); save it as UTF-8") from None


def read_document(path: Path, name: str | None = None, *, error: type[BistandError] = ParameterFileError) -> str:
    """Read a YAML or JSON document from a file: at most :data:`MAX_DOCUMENT_BYTES`, checked before reading."""
    shown = name or str(path)
    try:
        with path.open("rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            if size > MAX_DOCUMENT_BYTES:
                raise error(f"{shown}: {size} bytes is larger than {MAX_DOCUMENT_BYTES // 1_000_000} MB; refused")
            data = stream.read(MAX_DOCUMENT_BYTES + 1)
    except FileNotFoundError:
        raise error(f"{shown}: no such file") from None
    except IsADirectoryError:
        raise error(f"{shown}: is a directory, not a file") from None
    except OSError as problem:
        raise error(f"{shown}: cannot read: {problem.strerror or problem}") from None
    return decode_document(data, shown, error=error)


def _check_shape(text: str, name: str, error: type[BistandError]) -> None:
    """Stream the parser's events once (bounded memory) and refuse aliases, too many nodes or deep nesting.

    Aliases are what makes a "billion laughs" document expand exponentially; no parameter file or situation
    needs them, so they are refused outright.
    """
    nodes = 0
    depth = 0
    for event in yaml.parse(text, Loader=_EventLoader):
        if isinstance(event, yaml.AliasEvent):
            mark = event.start_mark
            line = f" (line {mark.line + 1})" if mark is not None else ""
            raise error(f"{name}: YAML aliases (*{event.anchor}) are not allowed{line}; write the values out")
        if isinstance(event, yaml.ScalarEvent | yaml.CollectionStartEvent):
            nodes += 1
            if nodes > MAX_NODES:
                raise error(f"{name}: more than {MAX_NODES} values; refused")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise error(f"{name}: nested more than {MAX_DEPTH} levels deep; refused")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def safe_load(text: str, name: str, *, error: type[BistandError] = ParameterFileError) -> object:
    """The one way YAML is read (parameter files, overrides, ``calc`` situations): strict, safe and bounded.

    Refuses text over :data:`MAX_DOCUMENT_BYTES`, aliases, more than :data:`MAX_NODES` values and nesting
    deeper than :data:`MAX_DEPTH` before building anything; then parses with :class:`StrictLoader`
    (no duplicate keys, dates kept as text). Every problem is one ``error`` naming ``name`` and the line.
    """
    if len(text) > MAX_DOCUMENT_BYTES:
        raise error(f"{name}: larger than {MAX_DOCUMENT_BYTES // 1_000_000} MB; refused")
    try:
        _check_shape(text, name, error)
        return yaml.load(text, Loader=StrictLoader)  # noqa: S506 - StrictLoader is a SafeLoader
    except yaml.YAMLError as problem:
        detail = getattr(problem, "problem", None) or str(problem)
        mark = getattr(problem, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise error(f"{name}: not valid YAML{where}: {detail}") from None
    except RecursionError:
        raise error(f"{name}: nested too deeply; refused") from None


def parse_yaml(text: str, file: str) -> object:
    """Parse a parameter file's YAML text strictly (:func:`safe_load`); errors name the file and the line."""
    return safe_load(text, file, error=ParameterFileError)


@dataclass(frozen=True, slots=True)
class ParameterFile:
    """One parsed, validated parameter file."""

    param_id: str
    value_type: ValueType
    description: str
    unit: str | None
    entries: tuple[Entry, ...]
    file: str


def load_parameter_file(path: Path) -> ParameterFile:
    """Read and validate one parameter file."""
    file = str(path)
    return parse_parameter(parse_yaml(read_document(path, file), file), file, stem=path.stem)


def parse_parameter(data: object, file: str, *, stem: str | None = None) -> ParameterFile:
    """Validate the parsed content of a parameter file."""
    if not isinstance(data, dict):
        raise ParameterFileError(f"{file}: a parameter file must be a mapping with {', '.join(_TOP_REQUIRED)}")
    for key in data:
        if key not in _TOP_KEYS:
            raise ParameterFileError(f"{file}: unknown field {key!r} (allowed: {', '.join(sorted(_TOP_KEYS))})")
    for key in _TOP_REQUIRED:
        if key not in data:
            raise ParameterFileError(f"{file}: missing field {key!r}")
    param_id = data["id"]
    if not isinstance(param_id, str) or not _ID.match(param_id):
        raise ParameterFileError(f"{file}: id: {param_id!r} is not a parameter id like riksnorm.personal.sambor")
    if stem is not None and param_id != stem and not param_id.endswith("." + stem):
        raise ParameterFileError(f"{file}: id: {param_id!r} does not match the file name {stem!r}")
    raw_type = data["type"]
    try:
        value_type = ValueType(raw_type)
    except ValueError:
        allowed = ", ".join(t.value for t in ValueType)
        raise ParameterFileError(f"{file}: type: {raw_type!r} is not one of {allowed}") from None
    description = data["description"]
    if not isinstance(description, str) or not description.strip():
        raise ParameterFileError(f"{file}: description: {description!r} must be a non-empty text")
    unit = data.get("unit")
    if unit is not None and not isinstance(unit, str):
        raise ParameterFileError(f"{file}: unit: {unit!r} must be a text")
    values = data["values"]
    if not isinstance(values, dict) or not values:
        raise ParameterFileError(f"{file}: values: must be a non-empty mapping of dates to entries")
    entries: list[Entry] = []
    previous: Entry | None = None
    for effective, raw in values.items():
        entry = _parse_entry(effective, raw, value_type, file)
        if previous is not None and entry.day <= previous.day:
            raise ParameterFileError(
                f"{file}: values: {effective!r} comes after {previous.effective!r}; dates must be unique "
                "and in ascending order"
            )
        entries.append(entry)
        previous = entry
    return ParameterFile(param_id, value_type, description.strip(), unit, tuple(entries), file)


def parse_day(text: object, file: str, key: str) -> date:
    if not isinstance(text, str) or not _DATE.match(text):
        raise ParameterFileError(f'{file}: {key}: {text!r} is not a date written as "YYYY-MM-DD"')
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ParameterFileError(f"{file}: {key}: {text!r} is not a calendar date") from None


def _parse_entry(effective: object, raw: object, value_type: ValueType, file: str) -> Entry:
    where = f"values.{effective}"
    day = parse_day(effective, file, f"values: date {effective!r}")
    effective_text = str(effective)
    if raw is None:
        return Entry(effective_text, day, None, value_type, None, None, None, None, file)
    if not isinstance(raw, dict):
        raise ParameterFileError(
            f"{file}: {where}: {raw!r} must be a mapping with value, source, confidence (or null for a gap)"
        )
    for key in raw:
        if key not in _ENTRY_KEYS:
            raise ParameterFileError(
                f"{file}: {where}: unknown field {key!r} (allowed: {', '.join(sorted(_ENTRY_KEYS))})"
            )
    for key in ("value", "source", "confidence"):
        if key not in raw:
            raise ParameterFileError(f"{file}: {where}: missing field {key!r}")
    value = _parse_value(raw["value"], value_type, file, f"{where}.value")
    source = _parse_source(raw["source"], file, f"{where}.source")
    confidence_raw = raw["confidence"]
    try:
        confidence = Confidence(confidence_raw)
    except ValueError:
        allowed = ", ".join(c.value for c in Confidence)
        raise ParameterFileError(f"{file}: {where}.confidence: {confidence_raw!r} is not one of {allowed}") from None
    published = raw.get("published")
    if published is not None:
        parse_day(published, file, f"{where}.published")
    note = raw.get("note")
    if note is not None and not isinstance(note, str):
        raise ParameterFileError(f"{file}: {where}.note: {note!r} must be a text")
    return Entry(effective_text, day, value, value_type, source, confidence, published, note, file)


def _parse_source(raw: object, file: str, where: str) -> Source:
    if not isinstance(raw, dict):
        raise ParameterFileError(f"{file}: {where}: {raw!r} must be a mapping with title and reference")
    for key in raw:
        if key not in _SOURCE_KEYS:
            raise ParameterFileError(
                f"{file}: {where}: unknown field {key!r} (allowed: {', '.join(sorted(_SOURCE_KEYS))})"
            )
    texts: dict[str, str] = {}
    for key in ("title", "reference", "address"):
        item = raw.get(key)
        if item is None:
            if key != "address":
                raise ParameterFileError(f"{file}: {where}: missing field {key!r}")
            continue
        if not isinstance(item, str) or not item.strip():
            raise ParameterFileError(f"{file}: {where}.{key}: {item!r} must be a non-empty text")
        texts[key] = item.strip()
    return Source(texts["title"], texts["reference"], texts.get("address"))


def _number(raw: object, file: str, where: str) -> Decimal:
    if isinstance(raw, bool) or raw is None:
        raise ParameterFileError(f"{file}: {where}: {raw!r} is not a number")
    if isinstance(raw, float):
        raise ParameterFileError(
            f"{file}: {where}: {raw!r} is a YAML float; write whole numbers as integers and others as "
            f'quoted text ("{raw}") so that they are read exactly'
        )
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, str):
        try:
            number = Decimal(raw.strip())
        except InvalidOperation:
            raise ParameterFileError(f"{file}: {where}: {raw!r} is not a decimal number") from None
        if not number.is_finite():
            raise ParameterFileError(f"{file}: {where}: {raw!r} is not a finite number")
        return number
    raise ParameterFileError(f"{file}: {where}: {raw!r} is not a number")


def _money(raw: object, file: str, where: str) -> Money:
    number = _number(raw, file, where)
    if number < 0:
        raise ParameterFileError(f"{file}: {where}: {raw!r} is negative")
    if number != number.quantize(Decimal("0.01")):
        raise ParameterFileError(f"{file}: {where}: {raw!r} has more than two decimals (öre)")
    return Money.of(number)


def _table(raw: object, file: str, where: str) -> dict[str, object]:
    if not isinstance(raw, dict) or not raw:
        raise ParameterFileError(f"{file}: {where}: {raw!r} must be a non-empty mapping")
    for key in raw:
        if not isinstance(key, str):
            raise ParameterFileError(f"{file}: {where}: key {key!r} must be text (quote it)")
    return {str(k): v for k, v in raw.items()}


def _parse_value(raw: object, value_type: ValueType, file: str, where: str) -> Value:
    if raw is None:
        raise ParameterFileError(f"{file}: {where}: missing value (write the entry itself as null for a gap)")
    if value_type is ValueType.MONEY:
        return _money(raw, file, where)
    if value_type is ValueType.DECIMAL:
        return _number(raw, file, where)
    if value_type is ValueType.INTEGER:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ParameterFileError(f"{file}: {where}: {raw!r} is not a whole number")
        return raw
    if value_type is ValueType.TEXT:
        if not isinstance(raw, str) or not raw.strip():
            raise ParameterFileError(f"{file}: {where}: {raw!r} must be a non-empty text")
        return raw
    table = _table(raw, file, where)
    if value_type is ValueType.MONEY_TABLE:
        return {key: _money(item, file, f"{where}.{key}") for key, item in table.items()}
    if value_type is ValueType.TEXT_TABLE:
        texts: dict[str, str] = {}
        for key, item in table.items():
            if not isinstance(item, str) or not item.strip():
                raise ParameterFileError(f"{file}: {where}.{key}: {item!r} must be a non-empty text")
            texts[key] = item
        return texts
    settings: dict[str, ProfileSetting] = {}
    for key, item in table.items():
        if isinstance(item, float) or not isinstance(item, int | str | bool):
            raise ParameterFileError(f"{file}: {where}.{key}: {item!r} must be a whole number, text or true/false")
        settings[key] = item
    return settings


def entry_keys(value: Value) -> frozenset[str] | None:
    """The keys of a table value (used to check that all entries of a table have the same keys)."""
    if isinstance(value, Mapping):
        return frozenset(str(k) for k in value)
    return None
