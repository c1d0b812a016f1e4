"""Återsökning: what the municipality may still claim from Migrationsverket, by when (docs/reimbursement.md).

A pure engine: no I/O and no clock (the day asked about, ``as_of``, is part of the input). The compensation
types are dated parameters (``reimbursement.*`` in the rule set), so a municipality can load a missing
figure in ``BISTAND_HOME/parameters`` like any other parameter.
"""

from __future__ import annotations

from bistand_es.domain.reimbursement.case import ReimbursementCase, parse_case
from bistand_es.domain.reimbursement.engine import CheckResult, check
from bistand_es.domain.reimbursement.periods import Period, PeriodKind

__all__ = ["CheckResult", "Period", "PeriodKind", "ReimbursementCase", "check", "parse_case"]
