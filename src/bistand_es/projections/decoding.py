"""Stored event values → plain row values: the decoding helpers the row handlers share.

The stored JSON state is parsed directly (orjson when installed, else the standard library). Typed values in the
stored state are ``{"_type_": …, "_data_": …}`` (dates, months, Decimal); :func:`plain` unwraps them to their text,
which DuckDB casts to DATE / DECIMAL(18,2) on insert (exact; no float ever). An amount that is not a finite number
or does not fit the money columns raises :class:`UnfitAmount`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from bistand_es.projections.column_types import MONEY, MONEY_INTEGER_DIGITS

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


class UnfitAmount(ValueError):
    """An amount the read model's money columns cannot hold."""


def money(value: Any) -> str | None:
    """A stored amount as the text DuckDB casts to the money type; :class:`UnfitAmount` when it cannot."""
    if type(value) is dict and "_type_" in value:
        value = value.get("_data_")
    if value is None or value == "":
        return None
    text = value if type(value) is str else str(value)
    if len(text) <= _SHORT and text.lstrip("-").replace(".", "", 1).isdigit():
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
