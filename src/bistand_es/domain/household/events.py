"""The household's events: the stored schema. Review this module on every schema change.

Every event has an explicit, stable ``TOPIC`` (the stored name), so modules can move without breaking stored
history (docs/adr/0002-event-schema.md). A changed event gets ``class_version`` + ``upcast_vX_vY``; never rename
a field or a topic. Every event carries ``actor`` (user + role).

How an event changes the household (docs/adr/0005-decide-then-record.md): each event's ``apply`` hands itself to
one mutator of the aggregate, ``Household.on_<event>``; mutators only assign. Commands decide everything first
and then ``trigger_event`` the event class.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import Aggregate

from bistand_es.domain.month import Month

if TYPE_CHECKING:  # pragma: no cover
    from bistand_es.domain.household.aggregate import Household

TOPIC_PREFIX = "bistand_es.household:"


class HouseholdEvent(Aggregate.Event):
    """Base of every household event: who recorded it."""

    actor: dict[str, str]

    def apply(self, aggregate: Any) -> None:
        household: Household = aggregate
        household.on_event(self)


class Registered(Aggregate.Created, HouseholdEvent):
    TOPIC = TOPIC_PREFIX + "HouseholdRegistered"
    municipality: str
    applicant: str
    birth_date: date
    registered_on: date


class MemberAdded(HouseholdEvent):
    TOPIC = TOPIC_PREFIX + "MemberAdded"
    person: str
    role: str
    birth_date: date
    in_school: bool | None
    effective_on: date


class MemberRemoved(HouseholdEvent):
    TOPIC = TOPIC_PREFIX + "MemberRemoved"
    person: str
    effective_on: date
    reason: str


class CohabitationChanged(HouseholdEvent):
    TOPIC = TOPIC_PREFIX + "CohabitationChanged"
    cohabiting: bool
    effective_on: date


class ApplicationSubmitted(HouseholdEvent):
    """Version 3 adds the day of first contact (nybesök) and the reason for a retroactive application.

    Version 2 keeps costs as lines (kind, amount, note): two bills of one kind are two lines.
    Version 1 (the first prototype) stored ``costs`` as a mapping kind → amount.
    """

    TOPIC = TOPIC_PREFIX + "ApplicationSubmitted"
    class_version = 3
    month: Month
    received_on: date
    complete_on: date | None
    cost_lines: list[dict[str, Any]]
    first_time: bool
    contact_on: date | None
    reason: str

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        costs = state.pop("costs", {}) or {}
        state["cost_lines"] = [{"kind": k, "amount": v, "note": ""} for k, v in costs.items()]

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        state["contact_on"] = None
        state["reason"] = ""


class ApplicationCorrected(HouseholdEvent):
    """The applied costs or dates of a month's application, corrected (the old ones stay in the history)."""

    TOPIC = TOPIC_PREFIX + "ApplicationCorrected"
    month: Month
    received_on: date
    complete_on: date | None
    cost_lines: list[dict[str, Any]]
    reason: str


class ApplicationWithdrawn(HouseholdEvent):
    """The applicant withdrew the application for a month before it was decided (återtagen ansökan)."""

    TOPIC = TOPIC_PREFIX + "ApplicationWithdrawn"
    month: Month
    reason: str


class IncomeReported(HouseholdEvent):
    TOPIC = TOPIC_PREFIX + "IncomeReported"
    income_id: str
    member: str
    kind: str
    month: Month
    amount: Decimal
    source: str


class IncomeCorrected(HouseholdEvent):
    TOPIC = TOPIC_PREFIX + "IncomeCorrected"
    income_id: str
    kind: str
    month: Month
    amount: Decimal
    reason: str


class ExternalSupportRecorded(HouseholdEvent):
    """Months of försörjningsstöd from another municipality (they count for jobbstimulans)."""

    TOPIC = TOPIC_PREFIX + "ExternalSupportRecorded"
    person: str
    months: list[str]
    source: str


class DecisionMade(HouseholdEvent):
    TOPIC = TOPIC_PREFIX + "DecisionMade"
    decision_id: str
    month: Month
    outcome: str
    aid: Decimal
    members: list[str]
    situation: dict[str, Any]
    calculation: dict[str, Any]
    rule_set_hash: str
    parameters: list[str]
    applied_costs: dict[str, Decimal]
    approved_costs: dict[str, Decimal]
    norm_adjustment: dict[str, Any] | None
    conditions: list[str]
    delegat: str
    reason: str
    decided_on: date


class DecisionAmended(DecisionMade):
    TOPIC = TOPIC_PREFIX + "DecisionAmended"
    amends: str


class PaymentIssued(HouseholdEvent):
    TOPIC = TOPIC_PREFIX + "PaymentIssued"
    payment_id: str
    decision_id: str
    month: Month
    amount: Decimal
    payee: str
    method: str
    paid_on: date


class PaymentCancelled(HouseholdEvent):
    TOPIC = TOPIC_PREFIX + "PaymentCancelled"
    payment_id: str
    reason: str


class SupportObstacleRecorded(HouseholdEvent):
    """Försörjningshinder for one adult and month (Socialstyrelsen's statistics)."""

    TOPIC = TOPIC_PREFIX + "SupportObstacleRecorded"
    person: str
    month: Month
    code: str
    label: str


class CaseClosed(HouseholdEvent):
    """The case ended (avslut) with an avslutsorsak from the municipality's loaded list."""

    TOPIC = TOPIC_PREFIX + "CaseClosed"
    closed_on: date
    reason_code: str
    reason_label: str


class HouseholdDisposed(HouseholdEvent):
    """Gallring (12 kap. SoL): the household's file is disposed of; its key is deleted next (crypto-shredding).

    Stored in clear and holding no personal data: the date, the gallring year, the last entry it was counted
    from and the rule (domain/household/disposal.py). Nothing can be recorded for the household after it.

    ``residue`` (version 2): the household's statistical residue, the read model's fact rows of the household
    with their person columns blanked, as ``{table: {"columns": [...], "rows": [[...], ...]}}`` (pseudonyms,
    amounts, codes and dates only, as JSON text and numbers), so that a rebuild of the read model gives the same
    statistics after the key is gone. Version 1 events have none (``{}``).
    """

    TOPIC = TOPIC_PREFIX + "HouseholdDisposed"
    class_version = 2
    disposed_on: date
    year: int
    last_entry_on: date
    rule: str
    residue: dict[str, Any]

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["residue"] = {}


def event_type_name(event_obj: object) -> str:
    """The readable event name stored in reports (the last part of its topic)."""
    topic = getattr(type(event_obj), "TOPIC", type(event_obj).__name__)
    return str(topic).split(":", 1)[-1]
