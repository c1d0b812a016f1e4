"""Readable views of a household and its events, shared by `household show` and `history`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from bistand_es.domain.household import Household, event_type_name
from bistand_es.domain.moments import shown
from bistand_es.domain.month import Month


def disposal_view(disposed: Any) -> dict[str, Any]:
    """A household disposed of (gallrad): what its clear ``HouseholdDisposed`` event says, nothing personal."""
    return {
        "household_id": str(disposed.originator_id),
        "status": "gallrad",
        "disposed_on": disposed.disposed_on.isoformat(),
        "gallring_year": disposed.year,
        "last_entry_on": disposed.last_entry_on.isoformat(),
        "rule": disposed.rule,
        "disposed_by": disposed.actor.get("user"),
    }


def household_view(household: Household) -> dict[str, Any]:
    """The household's state as plain data (for --json and the table view)."""
    return {
        "household_id": str(household.id),
        "version": household.version,
        "municipality": household.municipality,
        "applicant": household.applicant,
        "cohabiting": household.cohabiting,
        "status": "closed" if household.closed_on else "open",
        "members": [
            {
                "person": m.person,
                "role": m.role,
                "birth_date": m.birth_date.isoformat(),
                "in_school": m.in_school,
                "from": m.valid_from.isoformat(),
                "to": m.valid_to.isoformat() if m.valid_to else None,
            }
            for m in household.memberships
        ],
        "applications": [
            {
                "month": str(a.month),
                "received_on": a.received_on.isoformat(),
                "complete_on": a.complete_on.isoformat() if a.complete_on else None,
                "first_time": a.first_time,
                "costs": {k: f"{v:.2f}" for k, v in a.costs.items()},
            }
            for a in sorted(household.applications.values(), key=lambda a: a.month)
        ],
        "incomes": [
            {
                "income_id": i.income_id,
                "member": i.member,
                "kind": i.kind,
                "month": str(i.month),
                "amount": f"{i.amount:.2f}",
                "source": i.source,
                "corrections": i.corrections,
            }
            for i in sorted(household.incomes.values(), key=lambda i: (i.month, i.member, i.kind))
        ],
        "decisions": [
            {
                "decision_id": d.decision_id,
                "month": str(d.month),
                "outcome": d.outcome,
                "aid": f"{d.aid:.2f}",
                "paid": f"{household.paid_amount(d.month):.2f}",
                "rule_set": d.rule_set_hash[:12],
                "amendments": d.amendments,
            }
            for d in sorted(household.decisions.values(), key=lambda d: d.month)
        ],
    }


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, (date, Month)):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


_SKIP = {"originator_id", "originator_version", "timestamp", "actor", "originator_topic"}


def event_view(domain_event: Any) -> dict[str, Any]:
    """One event as plain data: time, actor, type, version and its own fields."""
    details = {k: _plain(v) for k, v in vars(domain_event).items() if k not in _SKIP}
    return {
        "version": domain_event.originator_version,
        "time": shown(domain_event.timestamp),
        "actor": domain_event.actor.get("user"),
        "role": domain_event.actor.get("role"),
        "type": event_type_name(domain_event),
        "details": details,
    }


_QUIET = {"situation", "parameters", "members", "applied_costs", "approved_costs", "decision_id", "payment_id"}


def summarise(details: dict[str, Any], width: int = 48) -> str:
    """A one-line reading of an event's details for the history table (--json has everything)."""
    parts = []
    for key, raw in details.items():
        value = raw
        if key in _QUIET or value in (None, "", [], {}):
            continue
        if key == "calculation" and isinstance(value, dict):
            value = f"need {value.get('need')} − income {value.get('income_counted')} = aid {value.get('aid')}"
        elif key == "rule_set_hash":
            value = str(value)[:12]
        elif key == "cost_lines" and isinstance(value, list):
            value = ", ".join(f"{line['kind']} {line['amount']}" for line in value)
        elif isinstance(value, (list, dict)):
            value = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
        text = str(value)
        parts.append(f"{key}={text if len(text) <= width else text[: width - 1] + '…'}")
    return " ".join(parts)
