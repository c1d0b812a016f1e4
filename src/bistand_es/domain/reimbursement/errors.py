"""Errors of the återsökning engine (extending :mod:`bistand_es.domain.errors`)."""

from __future__ import annotations

from bistand_es.domain.errors import InvalidInput


class InvalidCase(InvalidInput):
    """A case (the input of ``bistand reimburse check``) that cannot be checked: names the field."""
