"""Money: kronor with öre, always :class:`~decimal.Decimal`, never float."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from functools import total_ordering
from typing import Final

from bistand_es.domain.errors import InvalidMoney

_CENT: Final = Decimal("0.01")
_ZERO: Final = Decimal("0.00")

MAX_AMOUNT: Final = Decimal("1000000000")
"""The largest amount accepted anywhere (either sign): 1 000 000 000 kr, far above any real case, and small
enough that every sum the read model keeps fits its DECIMAL(18,2) columns (docs/adr/0014-input-limits.md)."""
MAX_AMOUNT_TEXT: Final = "1 000 000 000 kr"
_OVER_MAXIMUM: Final = MAX_AMOUNT + 1
_AMOUNT_TEXT: Final = re.compile(r"(?P<sign>[+-]?)(?P<whole>[0-9]+)(?:[.,](?P<decimals>[0-9]+))?")
_SHOWN_LENGTH: Final = 40


def _shown(value: object) -> str:
    """The rejected input as the message shows it: quoted, and cut short if long."""
    text = repr(value)
    return text if len(text) <= _SHOWN_LENGTH else text[: _SHOWN_LENGTH - 1] + "…"


def _parse_text(value: str, field: str) -> Decimal:
    text = value.strip().replace(" ", "").replace("\u00a0", "")
    match = _AMOUNT_TEXT.fullmatch(text)
    if match is None:
        lowered = text.lower()
        if any(word in lowered for word in ("nan", "inf")):
            raise InvalidMoney(f"{field}: {_shown(value)} is not a finite amount")
        if "e" in lowered and any(char.isdigit() for char in lowered):
            raise InvalidMoney(
                f"{field}: {_shown(value)} is written with an exponent; write the amount out in digits, e.g. 1250.50"
            )
        raise InvalidMoney(f"{field}: {_shown(value)} is not an amount in kronor; write e.g. 1250.50 or 1 250,50")
    decimals = match.group("decimals") or ""
    if len(decimals) > 2:
        raise InvalidMoney(
            f"{field}: {_shown(value)} has more than two decimals (öre); a '.' or ',' is the decimal mark, "
            "never a thousands separator: write thousands with a space (7 900) or none (7900)"
        )
    whole = match.group("whole").lstrip("0") or "0"
    if len(whole) > len(str(MAX_AMOUNT)):
        return -_OVER_MAXIMUM if match.group("sign") == "-" else _OVER_MAXIMUM
    dec = Decimal(f"{match.group('sign')}{whole}.{decimals or '0'}")
    if match.group("sign") == "-" and dec == 0:
        raise InvalidMoney(f"{field}: {_shown(value)} is a negative zero; write 0")
    return dec


@total_ordering
class Money:
    """An amount in kronor with at most two decimals (öre).

    >>> Money.of("7500") + Money.of("0.50")
    Money('7500.50')

    ``Money.of`` accepts ``str``, ``int`` and ``Decimal`` only. A ``float`` is refused because binary
    floating point cannot hold öre exactly; so are NaN, infinities, more than two decimals and amounts
    beyond :data:`MAX_AMOUNT`.
    Amounts may be negative (a correction, a difference); commands that need a positive amount say so
    with :meth:`require_non_negative`.
    """

    __slots__ = ("_amount",)
    _amount: Decimal

    def __init__(self, amount: Decimal) -> None:
        # Internal constructor: callers use Money.of (validates) or arithmetic (already exact).
        # Adding zero turns a negative zero (-0.00) into 0.00.
        object.__setattr__(self, "_amount", amount.quantize(_CENT) + _ZERO)

    @classmethod
    def of(cls, value: object, *, field: str = "amount") -> Money:
        """Parse an amount: the one place where text, ``int`` or ``Decimal`` becomes money.

        Text is digits with at most two decimals after ``.`` or ``,`` (Swedish decimal comma), an optional
        sign, and spaces as thousands separators (``7 500,50``). Refused: floats, exponent forms (``1e3``),
        NaN and infinities, ``-0``, three or more decimals (``7.900`` could be 7 900 written with a thousands
        separator, so it is never read as 7.90) and any amount beyond :data:`MAX_AMOUNT` either way.
        """
        if isinstance(value, Money):
            return value
        if isinstance(value, (bool, float)):
            raise InvalidMoney(
                f'{field}: {value!r} is a {type(value).__name__}; give the amount as text, e.g. "1250.50"'
            )
        if isinstance(value, int):
            dec = Decimal(value) if abs(value) <= MAX_AMOUNT else (_OVER_MAXIMUM if value > 0 else -_OVER_MAXIMUM)
        elif isinstance(value, str):
            dec = _parse_text(value, field)
        elif isinstance(value, Decimal):
            dec = value
            if not dec.is_finite():
                raise InvalidMoney(f"{field}: {_shown(value)} is not a finite amount")
            exponent = dec.as_tuple().exponent
            if isinstance(exponent, int) and exponent < -2 and abs(dec) <= MAX_AMOUNT and dec != dec.quantize(_CENT):
                raise InvalidMoney(f"{field}: {_shown(value)} has more than two decimals (öre)")
        else:
            raise InvalidMoney(f"{field}: {_shown(value)} is not an amount in kronor")
        if abs(dec) > MAX_AMOUNT:
            bound = "more than the maximum" if dec > 0 else "less than the minimum"
            raise InvalidMoney(f"{field}: {_shown(value)} is {bound} amount, {'' if dec > 0 else '-'}{MAX_AMOUNT_TEXT}")
        return cls(dec)

    @classmethod
    def zero(cls) -> Money:
        return cls(_ZERO)

    @property
    def amount(self) -> Decimal:
        return self._amount

    def require_non_negative(self, field: str = "amount") -> Money:
        if self._amount < 0:
            raise InvalidMoney(f"{field}: {self} is negative; amounts must be 0 or more")
        return self

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Money is immutable")

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self._amount + other._amount)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self._amount - other._amount)

    def __neg__(self) -> Money:
        return Money(-self._amount)

    def times(self, factor: Decimal | int) -> Money:
        """Multiply by an exact factor and round to öre, half up (the usual rounding of kronor)."""
        if isinstance(factor, float):
            raise TypeError("Money.times takes Decimal or int, not float")
        return Money((self._amount * factor).quantize(_CENT, rounding=ROUND_HALF_UP))

    def divide(self, divisor: Decimal | int) -> Money:
        """Divide exactly and round to öre, half up."""
        if isinstance(divisor, float):
            raise TypeError("Money.divide takes Decimal or int, not float")
        return Money((self._amount / Decimal(divisor)).quantize(_CENT, rounding=ROUND_HALF_UP))

    def max_zero(self) -> Money:
        return self if self._amount > 0 else Money(_ZERO)

    def is_zero(self) -> bool:
        return self._amount == 0

    def __bool__(self) -> bool:
        return self._amount != 0

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Money):
            return self._amount == other._amount
        return NotImplemented

    def __lt__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self._amount < other._amount

    def __hash__(self) -> int:
        return hash(self._amount)

    def __str__(self) -> str:
        return f"{self._amount:.2f}"

    def __repr__(self) -> str:
        return f"Money('{self}')"

    def __reduce__(self) -> tuple[type[Money], tuple[Decimal]]:
        return (Money, (self._amount,))


def money_sum(values: Iterable[Money]) -> Money:
    """Sum amounts exactly (``sum()`` would need a start value)."""
    total = _ZERO
    for value in values:
        total += value.amount
    return Money(total)
