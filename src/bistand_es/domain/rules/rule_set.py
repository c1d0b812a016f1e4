"""A rule set: every parameter of the package, merged with an optional local override directory.

The override directory (the CLI passes ``BISTAND_HOME/parameters``) holds files in the same format. An entry
there replaces the package entry with the same date and adds new dates; a new id adds a parameter (e.g. a
municipal profile). Every value remembers the file it came from, and the set has a content hash that
identifies exactly which parameters were in force (docs/adr/0007-parameter-format.md).
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Final

from bistand_es.domain.money import Money
from bistand_es.domain.rules.errors import (
    ParameterFileError,
    ParameterGap,
    ParameterNotInForce,
    UnknownParameter,
)
from bistand_es.domain.rules.loader import (
    ParameterFile,
    entry_keys,
    load_parameter_file,
    parse_parameter,
    parse_yaml,
    read_document,
)
from bistand_es.domain.rules.model import Entry, Parameter, ParameterValue, Value

PACKAGE_DIR: Final = Path(__file__).resolve().parent / "parameters"


class RuleSet:
    """Dated parameters, indexed for fast lookup by (id, day). Immutable once built."""

    def __init__(self, parameters: Mapping[str, Parameter]) -> None:
        self._parameters: dict[str, Parameter] = dict(sorted(parameters.items()))
        self._cache: dict[tuple[str, date], ParameterValue] = {}

    @property
    def parameters(self) -> Mapping[str, Parameter]:
        return self._parameters

    def ids(self) -> list[str]:
        return list(self._parameters)

    def parameter(self, param_id: str) -> Parameter:
        found = self._parameters.get(param_id)
        if found is None:
            raise UnknownParameter(f"unknown parameter {param_id!r} (see `bistand rules list`)")
        return found

    def lookup(self, param_id: str, day: date) -> ParameterValue:
        """The value in force on ``day``; raises :class:`ParameterNotInForce` naming id, day and file."""
        key = (param_id, day)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        parameter = self.parameter(param_id)
        index = bisect_right(parameter.days, day) - 1
        if index < 0:
            first = parameter.entries[0]
            raise ParameterGap(
                param_id, day.isoformat(), f"the first value is from {first.effective} ({', '.join(parameter.files)})"
            )
        entry = parameter.entries[index]
        if entry.value is None or entry.source is None or entry.confidence is None:
            raise ParameterGap(
                param_id,
                day.isoformat(),
                f"the value ends on {entry.effective} (null: not found or repealed) in {entry.file}; "
                "load the official figure in an override directory (BISTAND_HOME/parameters)",
            )
        value = ParameterValue(
            param_id=param_id,
            effective=entry.effective,
            value=entry.value,
            value_type=entry.value_type,
            source=entry.source,
            confidence=entry.confidence,
            published=entry.published,
            note=entry.note,
            file=entry.file,
        )
        self._cache[key] = value
        return value

    def lookup_optional(self, param_id: str, day: date) -> ParameterValue | None:
        """Like :meth:`lookup`, but ``None`` when the rule is not in force (before it began, or ended)."""
        try:
            return self.lookup(param_id, day)
        except ParameterNotInForce:
            return None

    def ids_with_prefix(self, prefix: str) -> list[str]:
        return [pid for pid in self._parameters if pid.startswith(prefix)]

    @cached_property
    def hash(self) -> str:
        """sha256 over the canonical content of every parameter (ids, types, dated values, sources)."""
        digest = hashlib.sha256()
        for param_id, parameter in self._parameters.items():
            record = {
                "id": param_id,
                "type": parameter.value_type.value,
                "values": [canonical_entry(entry) for entry in parameter.entries],
            }
            digest.update(json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode())
            digest.update(b"\n")
        return digest.hexdigest()


def canonical_value(value: Value) -> object:
    if isinstance(value, Money):
        return str(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, Mapping):
        return {str(k): canonical_value(v) for k, v in sorted(value.items())}
    return value


def canonical_entry(entry: Entry) -> object:
    if entry.value is None:
        return {"date": entry.effective, "value": None}
    return {
        "date": entry.effective,
        "value": canonical_value(entry.value),
        "source": [
            entry.source.title if entry.source else None,
            entry.source.reference if entry.source else None,
            entry.source.address if entry.source else None,
        ],
        "confidence": entry.confidence.value if entry.confidence else None,
        "published": entry.published,
    }


def read_directory(
    directory: Path, *, inherit_from: Mapping[str, ParameterFile] | None = None
) -> dict[str, ParameterFile]:
    """Every ``*.yaml`` below ``directory`` (subfolders too), keyed by parameter id.

    With ``inherit_from`` (the package parameters, when reading a municipality's override directory) a file
    may leave out ``type``, ``description`` and ``unit`` of a parameter that exists there: they are inherited.
    """
    if not directory.is_dir():
        raise ParameterFileError(f"{directory}: not a directory of parameter files")
    found: dict[str, ParameterFile] = {}
    for path in sorted(directory.rglob("*.yaml")):
        parsed = load_parameter_file(path) if inherit_from is None else _load_override(path, inherit_from)
        other = found.get(parsed.param_id)
        if other is not None:
            raise ParameterFileError(f"{path}: id {parsed.param_id!r} is defined twice (also in {other.file})")
        found[parsed.param_id] = parsed
    return found


def _load_override(path: Path, base: Mapping[str, ParameterFile]) -> ParameterFile:
    file = str(path)
    data = parse_yaml(read_document(path, file), file)
    if isinstance(data, dict) and isinstance(data.get("id"), str) and data["id"] in base:
        original = base[data["id"]]
        data.setdefault("type", original.value_type.value)
        data.setdefault("description", original.description)
        if original.unit is not None:
            data.setdefault("unit", original.unit)
    return parse_parameter(data, file, stem=path.stem)


def _merge(base: ParameterFile, override: ParameterFile | None) -> Parameter:
    if override is None:
        return _build(base.param_id, base, base.entries, (base.file,))
    if override.value_type is not base.value_type:
        raise ParameterFileError(
            f"{override.file}: type: {override.value_type.value!r} differs from {base.value_type.value!r} "
            f"in {base.file}; an override must keep the type"
        )
    by_date: dict[date, Entry] = {entry.day: entry for entry in base.entries}
    for entry in override.entries:
        by_date[entry.day] = entry
    entries = tuple(by_date[day] for day in sorted(by_date))
    return _build(base.param_id, override, entries, (base.file, override.file))


def _build(param_id: str, meta: ParameterFile, entries: tuple[Entry, ...], files: tuple[str, ...]) -> Parameter:
    keys: frozenset[str] | None = None
    for entry in entries:
        if entry.value is None:
            continue
        these = entry_keys(entry.value)
        if keys is None:
            keys = these
        elif these != keys:
            raise ParameterFileError(
                f"{entry.file}: values.{entry.effective}.value: keys {sorted(these or [])} differ from the "
                f"other dates of {param_id} ({sorted(keys)})"
            )
    return Parameter(param_id, meta.value_type, meta.description, meta.unit, entries, files)


def build_rule_set(base: Mapping[str, ParameterFile], overrides: Iterable[ParameterFile] = ()) -> RuleSet:
    by_id = dict(base)
    merged: dict[str, Parameter] = {pid: _merge(pf, None) for pid, pf in by_id.items()}
    for override in overrides:
        original = by_id.get(override.param_id)
        if original is None:
            merged[override.param_id] = _merge(override, None)
        else:
            merged[override.param_id] = _merge(original, override)
    return RuleSet(merged)


@lru_cache(maxsize=4)
def _package_files(directory: Path) -> dict[str, ParameterFile]:
    return read_directory(directory)


def load_rule_set(override_dir: Path | None = None, *, package_dir: Path | None = None) -> RuleSet:
    """The package parameters, merged with ``override_dir`` when given (it must exist).

    Package files are parsed once per process; the override directory is read on every call.
    """
    base = _package_files((package_dir or PACKAGE_DIR).resolve())
    overrides = list(read_directory(override_dir, inherit_from=base).values()) if override_dir is not None else []
    return build_rule_set(base, overrides)
