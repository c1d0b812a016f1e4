"""Named errors of the domain. Every message is one readable line for a caseworker.

The CLI turns any :class:`BistandError` into one line on standard error and a non-zero exit code;
nothing else is caught there, so a bug still shows its traceback.
"""

from __future__ import annotations


class BistandError(Exception):
    """Base of every error the project raises on purpose."""

    exit_code = 1


class InvalidInput(BistandError, ValueError):
    """Input that can never be valid (a malformed month, a float amount, a bad personnummer)."""

    exit_code = 2


class InvalidMoney(InvalidInput):
    """An amount that is not a valid krona amount."""


class InvalidMonth(InvalidInput):
    """A month that is not a valid ``YYYY-MM``."""


class InvalidPersonId(InvalidInput):
    """A personnummer, samordningsnummer, dossiernummer or reservnummer that is not valid."""


class ParameterNotInForce(InvalidInput):
    """No value of a rule parameter is in force for the date asked for."""


class ParameterFileError(BistandError):
    """A parameter file is malformed: names the file, the key and the value."""


class DomainRuleViolation(BistandError):
    """A command that breaks a business rule of the household (a member removed twice…)."""


class UnknownMember(DomainRuleViolation):
    """The person is not a member of the household."""


class DuplicateMember(DomainRuleViolation):
    """The person is already a member of the household."""


class UnknownIncome(DomainRuleViolation):
    """No income with that id was reported for the household."""


class DecisionConflict(DomainRuleViolation):
    """A decision for that month exists already, or is missing where one is needed."""


class PaymentRefused(DomainRuleViolation):
    """A payment that would pay more than was granted, or that refers to no decision."""


class NotFound(BistandError):
    """A household (or another thing asked for by id) does not exist."""

    exit_code = 3


class HouseholdDisposedOf(DomainRuleViolation):
    """The household is disposed of (gallrat, 12 kap. SoL): nothing can be recorded for it, its personal data
    is destroyed."""

    def __init__(self, household_id: object, disposed_on: object) -> None:
        super().__init__(
            f"hushållet är gallrat: household {household_id} was disposed of on {disposed_on} (12 kap. SoL); "
            "its personal data is destroyed and nothing more can be recorded for it"
        )
        self.household_id = household_id


class ConcurrentChange(BistandError):
    """Another process recorded events on the household after this one read it."""

    exit_code = 4

    def __init__(self, household_id: object, message: str | None = None) -> None:
        super().__init__(message or f"household {household_id} changed since you read it — retry")
        self.household_id = household_id


class NotAuthorised(BistandError):
    """The actor's role may not do this (for example a förhöjd norm decided by a handläggare)."""

    exit_code = 5


class ConfigurationError(BistandError):
    """The environment (BISTAND_HOME, BISTAND_DATABASE_URL) is not usable."""


class StoreUnavailable(BistandError):
    """The event store or the read model cannot be used: damaged, unreadable, read-only or unreachable."""

    exit_code = 8


class BrokenChain(StoreUnavailable):
    """A stored history whose hash chain is broken: an event altered, removed, inserted or reordered."""


class StoreBusy(BistandError):
    """Another process holds a lock on the event store longer than the lock timeout; trying again may work."""

    exit_code = 7


class Interrupted(BistandError):
    """The user stopped the command (Ctrl-C) or a statement ran past its time limit."""

    exit_code = 130
