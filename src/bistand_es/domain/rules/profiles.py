"""Municipal profiles: dated, sourced settings and local parameters on top of the national rules.

A profile is a folder ``parameters/profiles/<name>/``: ``profile.<name>`` (type ``profile``) holds its settings
(the municipality it belongs to, which local rules apply) and every ``profile.<name>.<key>`` is one of its
local parameters (e.g. ``profile.forshaga.pocket_money_per_day``), dated and sourced like a national parameter
and overridable the same way in ``BISTAND_HOME/parameters``. ``profile.municipalities`` maps a kommunkod to the
profile it uses by default (docs/adr/0021-municipal-profiles.md).

A decision pins the profile it was calculated with: :meth:`Profile.pinned` is stored in the situation
(``profile_data``) and :func:`profile_from_pin` rebuilds exactly that profile, so a later change of the
profile's files never changes what a recorded decision recomputes to.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from bistand_es.domain.month import Month
from bistand_es.domain.rules.errors import (
    InvalidSituation,
    ParameterFileError,
    ParameterGap,
    ParameterNotInForce,
    ParameterTypeError,
    UnknownProfile,
)
from bistand_es.domain.rules.loader import parse_parameter
from bistand_es.domain.rules.model import Confidence, ParameterValue, Source, ValueType
from bistand_es.domain.rules.rule_set import RuleSet, canonical_entry, canonical_value

PREFIX: Final = "profile."
DEFAULT: Final = "national"
MUNICIPALITIES: Final = "profile.municipalities"

#: The settings a profile may hold, with the type each must have. A local rule set to true needs the local
#: parameters listed in :data:`RULE_PARAMETERS`.
SETTINGS: Final[Mapping[str, type]] = {
    "municipality": str,  # kommunkod, four digits
    "municipality_name": str,
    "income_month_offset": int,  # 1 = the calendar month before the month calculated; 0 = the month itself
    "application_timing": bool,  # norm from the completion / first-contact day; next-month and retroactive rules
    "new_visit_lookback": bool,  # a nybesök calculates months back and shows any normöverskott
    "special_diet_cap": bool,  # kosttillägg capped at a share of the prisbasbelopp a year, granted monthly
    "pocket_money": bool,  # fickpeng per day for a member staying at an HVB or institution
    "delegation": bool,  # the lowest delegat per matter comes from the profile
    "placed_children": bool,  # allowances for children placed by social services (domain/rules/placement.py)
}
RULE_PARAMETERS: Final[Mapping[str, tuple[str, ...]]] = {
    "application_timing": ("complete_by_day", "next_month_from_day"),
    "new_visit_lookback": ("new_visit_months_back",),
    "special_diet_cap": ("special_diet_cap_pbb",),
    "pocket_money": ("pocket_money_per_day",),
    "delegation": ("delegation",),
}
_MAX_OFFSET: Final = 2


@dataclass(frozen=True, slots=True)
class Profile:
    """A profile as in force for one month: its settings, its local parameters and its version."""

    name: str
    value: ParameterValue  # the settings entry (profile.<name>@date)
    month: Month
    version: str  # sha256 over every dated value of the profile's parameters (settings and local)
    local: Mapping[str, ParameterValue] = field(default_factory=dict)  # key → value in force

    @property
    def income_month_offset(self) -> int:
        offset = self.value.settings().get("income_month_offset", 1)
        return offset if isinstance(offset, int) and not isinstance(offset, bool) else 1

    @property
    def municipality_name(self) -> str:
        name = self.value.settings().get("municipality_name")
        return name if isinstance(name, str) else self.name.capitalize()

    def applies(self, rule: str) -> bool:
        """Whether the local rule ``rule`` (a boolean setting) is on in this profile."""
        return self.value.settings().get(rule) is True

    def parameter(self, key: str) -> ParameterValue:
        """The local parameter ``profile.<name>.<key>`` in force; a clear error if the profile lacks it."""
        found = self.local.get(key)
        if found is None:
            raise ParameterNotInForce(
                f"profile: {self.name} has no profile.{self.name}.{key} in force for {self.month}; "
                "load it in BISTAND_HOME/parameters"
            )
        return found

    @property
    def guideline(self) -> str:
        """The title of the profile's source document (cited on every line a local rule produces)."""
        return self.value.source.title

    def pinned(self) -> dict[str, Any]:
        """The profile as stored with a decision: enough to rebuild it exactly (:func:`profile_from_pin`)."""
        return {
            "name": self.name,
            "version": self.version,
            "settings": _pin_value(self.value),
            "parameters": {key: _pin_value(value) for key, value in sorted(self.local.items())},
        }


def profile_names(rule_set: RuleSet) -> list[str]:
    return sorted(
        pid.removeprefix(PREFIX)
        for pid in rule_set.ids_with_prefix(PREFIX)
        if rule_set.parameter(pid).value_type is ValueType.PROFILE
    )


def profile_version(rule_set: RuleSet, name: str) -> str:
    """sha256 over every dated value of ``profile.<name>`` and ``profile.<name>.*`` (the profile's content)."""
    digest = hashlib.sha256()
    own = PREFIX + name
    for param_id in [own, *rule_set.ids_with_prefix(own + ".")]:
        parameter = rule_set.parameter(param_id)
        record = {
            "id": param_id,
            "type": parameter.value_type.value,
            "values": [canonical_entry(entry) for entry in parameter.entries],
        }
        digest.update(json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def load_profile(rule_set: RuleSet, name: str | None, month: Month) -> Profile:
    """The profile ``name`` (default: national) in force for ``month``, with its local parameters."""
    chosen = name or DEFAULT
    known = profile_names(rule_set)
    if chosen not in known:
        raise UnknownProfile(f"profile: unknown profile {chosen!r} (known: {', '.join(known)})")
    try:
        value = rule_set.lookup(PREFIX + chosen, month.first_day)
    except ParameterGap as gap:
        raise ParameterNotInForce(f"profile: no profile {chosen!r} in force for {month} ({gap.detail})") from None
    local: dict[str, ParameterValue] = {}
    for param_id in rule_set.ids_with_prefix(PREFIX + chosen + "."):
        found = rule_set.lookup_optional(param_id, month.first_day)
        if found is not None:
            local[param_id.removeprefix(PREFIX + chosen + ".")] = found
    profile = Profile(chosen, value, month, profile_version(rule_set, chosen), local)
    check_settings(profile)
    return profile


def check_settings(profile: Profile) -> None:
    """Every setting is known and of its type; every local rule that is on has its local parameters."""
    value = profile.value
    for key, item in value.settings().items():
        wanted = SETTINGS.get(key)
        if wanted is None:
            raise ParameterTypeError(
                f"{value.file}: {value.ref}: unknown profile setting {key!r} (known: {', '.join(SETTINGS)})"
            )
        if isinstance(item, bool) != (wanted is bool) or not isinstance(item, wanted):
            raise ParameterTypeError(f"{value.file}: {value.ref}: {key} {item!r} must be a {wanted.__name__}")
    offset = value.settings().get("income_month_offset", 1)
    if not isinstance(offset, int) or not 0 <= offset <= _MAX_OFFSET:
        raise ParameterTypeError(f"{value.file}: {value.ref}: income_month_offset {offset!r} must be 0, 1 or 2")
    for rule, keys in RULE_PARAMETERS.items():
        if profile.applies(rule):
            for key in keys:
                profile.parameter(key)


def profile_for_municipality(rule_set: RuleSet, municipality: str, day: date) -> str:
    """The profile a kommunkod uses by default (``profile.municipalities``); national when it is not listed."""
    if MUNICIPALITIES not in rule_set.parameters:
        return DEFAULT
    mapping = rule_set.lookup_optional(MUNICIPALITIES, day)
    if mapping is None or not isinstance(mapping.value, Mapping):
        return DEFAULT
    found = mapping.value.get(municipality)
    return found if isinstance(found, str) else DEFAULT


# ---------------------------------------------------------------------------------------------- pinning


def _pin_value(value: ParameterValue) -> dict[str, Any]:
    pin: dict[str, Any] = {
        "id": value.param_id,
        "effective": value.effective,
        "type": value.value_type.value,
        "value": canonical_value(value.value),
        "confidence": value.confidence.value,
        "source": {"title": value.source.title, "reference": value.source.reference},
        "file": value.file,
    }
    if value.source.address:
        pin["source"]["address"] = value.source.address
    return pin


def _unpin_value(pin: object, where: str) -> ParameterValue:
    if not isinstance(pin, Mapping):
        raise InvalidSituation(f"{where}: must be a mapping (id, effective, type, value, confidence, source)")
    try:
        entry = {"value": pin["value"], "source": pin["source"], "confidence": pin["confidence"]}
        parsed = parse_parameter(
            {"id": pin["id"], "type": pin["type"], "description": "pinned", "values": {pin["effective"]: entry}},
            where,
        )
    except KeyError as missing:
        raise InvalidSituation(f"{where}: missing {missing.args[0]!r}") from None
    except ParameterFileError as error:
        raise InvalidSituation(str(error)) from None
    first = parsed.entries[0]
    if first.value is None or first.source is None or first.confidence is None:  # pragma: no cover - parsed
        raise InvalidSituation(f"{where}: no value")
    return ParameterValue(
        param_id=parsed.param_id,
        effective=first.effective,
        value=first.value,
        value_type=parsed.value_type,
        source=Source(first.source.title, first.source.reference, first.source.address),
        confidence=Confidence(first.confidence),
        published=None,
        note=None,
        file=str(pin.get("file") or "profile_data"),
    )


def profile_from_pin(pin: Mapping[str, Any], month: Month) -> Profile:
    """The profile a decision recorded (``profile_data`` in its situation), rebuilt without the rule set."""
    name = pin.get("name")
    version = pin.get("version")
    if not isinstance(name, str) or not isinstance(version, str):
        raise InvalidSituation("profile_data: needs name and version (as recorded with a decision)")
    settings = _unpin_value(pin.get("settings"), "profile_data.settings")
    if settings.param_id != PREFIX + name or settings.value_type is not ValueType.PROFILE:
        raise InvalidSituation(f"profile_data.settings: is not the settings of profile {name!r}")
    local: dict[str, ParameterValue] = {}
    raw = pin.get("parameters") or {}
    if not isinstance(raw, Mapping):
        raise InvalidSituation("profile_data.parameters: must be a mapping")
    for key, item in raw.items():
        value = _unpin_value(item, f"profile_data.parameters.{key}")
        if value.param_id != f"{PREFIX}{name}.{key}":
            raise InvalidSituation(f"profile_data.parameters.{key}: id {value.param_id!r} does not match")
        local[str(key)] = value
    profile = Profile(name, settings, month, version, local)
    check_settings(profile)
    return profile
