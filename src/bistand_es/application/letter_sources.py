"""Where a decision letter's data comes from: the decision in the event log, the sender, the citations.

- The decision: found by id (or an unambiguous prefix of 8+ characters) across households by scanning the
  decision events' topics, as payments are found (``PaymentCommands.find_payment_household``).
- The sender (municipality, nämnd, contact): per field, the decision's municipal profile (``municipality_name``,
  ``board``, ``contact``), else ``BISTAND_HOME/municipality.yaml``, else "Socialnämnden" and the kommunkod.
  Nothing is invented: without a loaded contact the letter names none.
- The citations: the ``law.citations`` texts in force on the decision date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final
from uuid import UUID

import yaml

from bistand_es.application.base import HouseholdStore
from bistand_es.application.letters import CITATION_KEYS, Sender, StoredDecision
from bistand_es.domain.errors import InvalidInput, NotFound
from bistand_es.domain.household import Household
from bistand_es.domain.rules.rule_set import RuleSet

MIN_PREFIX: Final = 8
MUNICIPALITY_FILE: Final = "municipality.yaml"
DEFAULT_BOARD: Final = "Socialnämnden"
_MAX_FIELD: Final = 200
_MAX_CONTACT_LINES: Final = 6


@dataclass(frozen=True, slots=True)
class FoundDecision:
    household_id: UUID
    applicant: str
    municipality: str
    decision: StoredDecision


def find_decision(store: HouseholdStore, text: str) -> FoundDecision:
    """The recorded decision whose id is ``text`` or starts with it (8+ characters).

    Unknown → :class:`NotFound` (exit 3); a prefix shared by two decisions → :class:`InvalidInput` (exit 2).
    """
    wanted = text.strip().lower()
    if len(wanted) < MIN_PREFIX or any(c not in "0123456789abcdef-" for c in wanted):
        raise NotFound(f"unknown decision {text.strip()!r}: give the decision id (or its first 8+ characters)")
    found: dict[str, tuple[UUID, Any]] = {}
    for event in store.iter_events(topics=(Household.DecisionMade.TOPIC, Household.DecisionAmended.TOPIC)):
        if event.decision_id.startswith(wanted):
            found[event.decision_id] = (event.originator_id, event)
    if not found:
        raise NotFound(f"unknown decision {wanted}")
    if len(found) > 1:
        raise InvalidInput(f"decision id {wanted} is ambiguous ({len(found)} decisions); give more characters")
    household_id, event = next(iter(found.values()))
    household = store._load(household_id)  # a household disposed of (gallrad) is refused here, in one line
    current = household.decisions.get(event.month)
    superseded = current.decision_id if current is not None and current.decision_id != event.decision_id else None
    return FoundDecision(
        household_id=household_id,
        applicant=household.applicant,
        municipality=household.municipality,
        decision=StoredDecision.from_event(event, superseded_by=superseded),
    )


def citations_on(rule_set: RuleSet, decision: StoredDecision) -> dict[str, str]:
    """The legal citations in force on the decision's citation date (its decision date)."""
    raw = decision.calculation.get("citation_date")
    day = decision.decided_on if not raw else _day(str(raw), decision)
    table = rule_set.lookup("law.citations", day).value
    if not isinstance(table, Mapping):
        return {}
    return {key: str(table[key]) for key in CITATION_KEYS if isinstance(table.get(key), str)}


def _day(text: str, decision: StoredDecision) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return decision.decided_on


def sender_for(rule_set: RuleSet, decision: StoredDecision, municipality: str, home: Path) -> Sender:
    """The sender of the letter: profile first, then ``BISTAND_HOME/municipality.yaml``, then the defaults."""
    profile = _profile_fields(rule_set, decision)
    local = _local_fields(home, municipality)
    name = profile.get("municipality_name") or local.get("name") or f"Kommun {municipality}"
    board = profile.get("board") or local.get("board") or DEFAULT_BOARD
    contact = profile.get("contact") or local.get("contact") or ()
    return Sender(str(name), str(board), tuple(str(c) for c in contact))


def _profile_fields(rule_set: RuleSet, decision: StoredDecision) -> dict[str, Any]:
    name = str(decision.calculation.get("profile") or "national")
    value = rule_set.lookup_optional(f"profile.{name}", decision.month.first_day)
    settings = value.value if value is not None and isinstance(value.value, Mapping) else {}
    return _clean(settings, f"profile {name}")


def _local_fields(home: Path, municipality: str) -> dict[str, Any]:
    path = home / MUNICIPALITY_FILE
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise InvalidInput(f"{path}: cannot be read as YAML ({type(error).__name__})") from None
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise InvalidInput(f"{path}: write name:, board: and contact: (a list of lines)")
    code = data.get("kommunkod")
    if code is not None and str(code) != municipality:
        return {}
    return _clean(data, str(path))


def _clean(data: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Only the sender's fields, as short single-line texts; contact as a tuple of lines."""
    out: dict[str, Any] = {}
    for key in ("municipality_name", "name", "board"):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            out[key] = _line(value, f"{where}: {key}")
    contact = data.get("contact")
    if isinstance(contact, str) and contact.strip():
        contact = [contact]
    if isinstance(contact, list) and contact:
        if len(contact) > _MAX_CONTACT_LINES or not all(isinstance(c, str) for c in contact):
            raise InvalidInput(f"{where}: contact is at most {_MAX_CONTACT_LINES} lines of text")
        out["contact"] = tuple(_line(c, f"{where}: contact") for c in contact if c.strip())
    return out


def _line(value: str, where: str) -> str:
    text = " ".join(value.split())
    if len(text) > _MAX_FIELD:
        raise InvalidInput(f"{where}: at most {_MAX_FIELD} characters")
    return text
