"""Money: kronor with öre, always :class:`~decimal.Decimal`, never float."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import total_ordering
from typing import Final

from bistand_es.domain.errors import InvalidMoney

_CENT: Final = Decimal("0.01")
_ZERO: Final = Decimal("0.00")


@total_ordering
class Money:
    """An amount in kronor with at most two decimals (öre).

    >>> Money.of("7500") + Money.of("0.50")
    Money('7500.50')

    ``Money.of`` accepts ``str``, ``int`` and ``Decimal`` only. A ``float`` is refused because binary
    floating point cannot hold öre exactly; so are NaN, infinities and more than two decimals.
    Amounts may be negative (a correction, a difference); commands that need a positive amount say so
    with :meth:`require_non_negative`.
    """

    __slots__ = ("_amount",)
    _amount: Decimal

    def __init__(self, amount: Decimal) -> None:
        # Internal constructor: callers use Money.of (validates) or arithmetic (already exact).
        object.__setattr__(self, "_amount", amount.quantize(_CENT))

    @classmethod
    def of(cls, value: object, *, field: str = "amount") -> Money:
        if isinstance(value, Money):
            return value
        if isinstance(value, (bool, float)):
            raise InvalidMoney(
                f'{field}: {value!r} is a {type(value).__name__}; give the amount as text, e.g. "1250.50"'
            )
        if isinstance(value, int):
            return cls(Decimal(value))
        if isinstance(value, str):
            text = value.strip().replace(" ", "").replace("\u00a0", "")
            if text.count(",") == 1 and "." not in text:
                text = text.replace(",", ".")  # Swedish decimal comma
            try:
                dec = Decimal(text)
            except InvalidOperation:
                raise InvalidMoney(f"{field}: {value!r} is not an amount in kronor") from None
        elif isinstance(value, Decimal):
            dec = value
        else:
            raise InvalidMoney(f"{field}: {value!r} is not an amount in kronor")
        if not dec.is_finite():
            raise InvalidMoney(f"{field}: {value!r} is not a finite amount")
        exponent = dec.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -2 and dec != dec.quantize(_CENT):
            raise InvalidMoney(f"{field}: {value!r} has more than two decimals (öre)")
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
