"""Errors of the rules engine (extending :mod:`bistand_es.domain.errors`)."""

from __future__ import annotations

from bistand_es.domain.errors import InvalidInput, ParameterFileError, ParameterNotInForce

__all__ = [
    "InvalidSituation",
    "ParameterFileError",
    "ParameterGap",
    "ParameterNotInForce",
    "ParameterTypeError",
    "UnknownParameter",
    "UnknownProfile",
]


class InvalidSituation(InvalidInput):
    """A situation (the input of ``bistand calc``) that cannot be calculated: names the field."""


class UnknownParameter(InvalidInput):
    """A parameter id that no parameter file defines."""


class UnknownProfile(InvalidInput):
    """A municipal profile name that no profile file defines."""


class ParameterGap(ParameterNotInForce):
    """No value of a parameter is in force on a day (before its first date, or inside a null gap)."""

    def __init__(self, param_id: str, day: str, detail: str) -> None:
        super().__init__(f"no {param_id} in force for {day}: {detail}")
        self.param_id = param_id
        self.day = day
        self.detail = detail


class ParameterTypeError(ParameterFileError):
    """A parameter's value does not have the shape the engine needs (e.g. a table key is missing)."""
