"""The read model's column types shared by every table definition."""

from __future__ import annotations

from typing import Final

#: Money columns: 16 digits before the decimal point, far above anything the write side stores (it refuses
#: amounts above 1 000 000 000 kr); sums are DECIMAL(38,2). A stored amount that does not fit stops the
#: projector with an error naming the event (:class:`~bistand_es.projections.errors.UnprojectableEvent`).
MONEY: Final = "DECIMAL(18,2)"
MONEY_INTEGER_DIGITS: Final = 16
