"""Errors of the read side. Each is a :class:`BistandError`, so the CLI prints one line, no traceback."""

from __future__ import annotations

from bistand_es.domain.errors import BistandError, InvalidInput

PROJECTOR_BUSY_MESSAGE = "the projector is running (reports.duckdb is locked by another process) — try again"
READ_ONLY_MESSAGE = "read-only: bistand sql cannot change the read model"


class ReadModelError(BistandError):
    """A DuckDB error while reading or writing the read model (one line, no traceback)."""

    exit_code = 6


class ProjectorBusy(ReadModelError):
    """Another process holds the read model's writer lock (or the file lock DuckDB keeps)."""

    exit_code = 7

    def __init__(self, message: str = PROJECTOR_BUSY_MESSAGE) -> None:
        super().__init__(message)


class ReadOnlyViolation(ReadModelError):
    """A statement given to ``bistand sql`` tried to change the read model."""

    def __init__(self) -> None:
        super().__init__(READ_ONLY_MESSAGE)


class UnprojectableEvent(ReadModelError):
    """A stored event the read model cannot hold (e.g. an amount wider than its money columns).

    The projector commits every event before it and stops there; ``position`` is the event's notification id.
    """

    def __init__(self, position: int, event_type: str, reason: str, index: int = 0) -> None:
        super().__init__(
            f"cannot project the event at position {position} ({event_type}): {reason}; the read model stops before it"
        )
        self.position = position
        self.event_type = event_type
        self.reason = reason
        self.index = index  # the event's place in the batch it came in


class ReadModelMissing(ReadModelError):
    """There is no reports.duckdb yet."""


class UnknownCode(InvalidInput):
    """A försörjningshinder or avslutsorsak code that is not in the loaded list."""
