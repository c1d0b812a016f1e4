"""Municipal profiles: dated settings on top of the national rules (``parameters/profiles/*.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Final

from bistand_es.domain.month import Month
from bistand_es.domain.rules.errors import ParameterGap, ParameterNotInForce, ParameterTypeError, UnknownProfile
from bistand_es.domain.rules.model import ParameterValue, ValueType
from bistand_es.domain.rules.rule_set import RuleSet

PREFIX: Final = "profile."
DEFAULT: Final = "national"
#: income_month_offset: 1 = the month before the month calculated, 0 = the month itself.
#: special_diet_cap_pbb: kosttillägg capped at this share of the prisbasbelopp a year, granted monthly ("0.15").
_SETTINGS: Final = frozenset({"income_month_offset", "special_diet_cap_pbb"})
_MAX_OFFSET: Final = 2


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    income_month_offset: int  # 1 = the calendar month before the month calculated; 0 = the month itself
    value: ParameterValue
    month: Month
    special_diet_cap_pbb: Decimal | None = None  # yearly cap on kosttillägg as a share of the prisbasbelopp


def profile_names(rule_set: RuleSet) -> list[str]:
    return sorted(
        pid.removeprefix(PREFIX)
        for pid in rule_set.ids_with_prefix(PREFIX)
        if rule_set.parameter(pid).value_type is ValueType.PROFILE
    )


def load_profile(rule_set: RuleSet, name: str | None, month: Month) -> Profile:
    """The profile ``name`` (default: national) in force for ``month``."""
    chosen = name or DEFAULT
    known = profile_names(rule_set)
    if chosen not in known:
        raise UnknownProfile(f"profile: unknown profile {chosen!r} (known: {', '.join(known)})")
    try:
        value = rule_set.lookup(PREFIX + chosen, month.first_day)
    except ParameterGap as gap:
        raise ParameterNotInForce(f"profile: no profile {chosen!r} in force for {month} ({gap.detail})") from None
    settings = value.settings()
    for key in settings:
        if key not in _SETTINGS:
            raise ParameterTypeError(f"{value.file}: {value.ref}: unknown profile setting {key!r}")
    offset = settings.get("income_month_offset", 1)
    if isinstance(offset, bool) or not isinstance(offset, int) or not 0 <= offset <= _MAX_OFFSET:
        raise ParameterTypeError(f"{value.file}: {value.ref}: income_month_offset {offset!r} must be 0, 1 or 2")
    return Profile(chosen, offset, value, month, _share(value, settings.get("special_diet_cap_pbb")))


def _share(value: ParameterValue, setting: object) -> Decimal | None:
    if setting is None:
        return None
    try:
        share = Decimal(setting) if isinstance(setting, str) else None
    except InvalidOperation:
        share = None
    if share is None or not share.is_finite() or not 0 < share <= 1:
        raise ParameterTypeError(
            f'{value.file}: {value.ref}: special_diet_cap_pbb {setting!r} must be a share such as "0.15"'
        )
    return share
