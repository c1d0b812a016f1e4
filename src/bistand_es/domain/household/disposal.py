"""Gallring (12 kap. 1–2 §§ SoL, HIGH): which personakter a year's gallring disposes of, which it holds, and why.

The one place of the rule; ``bistand gallring plan`` and ``run`` and the household's own ``dispose`` command all
ask :func:`judge` / :func:`plan_verdicts`.

- A personakt is disposed of **five years after the last entry** in it, and the disposal is done **by the end of
  the following calendar year**. A yearly gallring in year ``Y`` therefore disposes of every file whose five
  years ended in ``Y − 1`` or earlier: last entry on 2020-03-14 → five years end on 2025-03-14 → disposed of by
  the gallring of 2026 (at the latest 2026-12-31); in the gallring of 2025 it is not due yet. The last entry is
  the date (Swedish time) of the household's last recorded event.
- **Held** while another personakt on the same person is kept (any applicant or member of the household is in
  another household that is not itself disposed of in the same gallring).
- **Held** while an återkrav is open (an outstanding balance, in court or not) or a reimbursement claim to
  Migrationsverket is filed without an outcome (the proposed business rule of rules.md §8).
- **Never** the research selection: a household with a person born on day 5, 15 or 25 of a month
  (socialtjänstförordningen 7 kap. 2 §), nor documents on a placed child (a household with a placement).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Final

from bistand_es.domain.identifiers import Personnummer, Samordningsnummer, parse_person_id
from bistand_es.domain.moments import SWEDISH_TIME

if TYPE_CHECKING:  # pragma: no cover
    from bistand_es.domain.household.aggregate import Household

YEARS_KEPT: Final = 5
#: The rule as recorded in the clear ``HouseholdDisposed`` event.
RULE: Final = "12 kap. 1-2 §§ SoL: fem år efter sista anteckningen, senast vid utgången av följande kalenderår"

DUE: Final = "due"
HELD: Final = "held"
NOT_DUE: Final = "not due"


@dataclass(frozen=True)
class FileFacts:
    """What the rule needs to know about one household's file (personakt), taken from its own state."""

    household_id: str
    last_entry: date
    persons: frozenset[str]
    never: tuple[str, ...] = ()  # reasons it is never disposed of (research selection, placed child)
    open_matters: tuple[str, ...] = ()  # reasons it is held for now (open återkrav, court, reimbursement claim)


@dataclass(frozen=True)
class Verdict:
    """Due, held (with the reasons) or not due yet, for the gallring of ``year``."""

    household_id: str
    year: int
    last_entry: date
    disposal_year: int
    status: str
    reasons: tuple[str, ...]


def disposal_year(last_entry: date) -> int:
    """The year whose gallring disposes of a file last written on ``last_entry``.

    Five years after the last entry end in ``last_entry.year + 5``; the disposal is done by the end of the
    following calendar year: 2020-03-14 → 2026; 2020-12-31 → 2026; 2021-01-01 → 2027.
    """
    return last_entry.year + YEARS_KEPT + 1


def last_entry_of(household: Household) -> date:
    """The date in Swedish time of the household's last recorded event."""
    return household.modified_on.astimezone(SWEDISH_TIME).date()


def research_selection(persons: Iterable[str]) -> tuple[str, ...]:
    """The persons born on day 5, 15 or 25 (from the personnummer or samordningsnummer; other ids never are)."""
    found = []
    for person in sorted(persons):
        try:
            pid = parse_person_id(person)
        except ValueError:
            continue
        # Only civic numbers carry a birth date; a dossier or reserve number is never in the selection.
        if isinstance(pid, Personnummer | Samordningsnummer) and pid.born_on_day_5_15_25:
            found.append(person)
    return tuple(found)


def facts_of(household: Household) -> FileFacts:
    """The file's facts from the household's own state (each rule asked of the module that owns it)."""
    persons = frozenset(m.person for m in household.memberships)
    never: list[str] = []
    if research_selection(persons):
        never.append("research selection: a person born on day 5, 15 or 25 (SoF 7 kap. 2 §) is never disposed of")
    if household.placements:
        never.append("documents on a placed child (placering) are never disposed of")
    open_matters: list[str] = []
    for claim in household.claims.values():
        if claim.status == "open":
            where = f", in court since {claim.court.filed_on}" if claim.court is not None else ""
            owed = f"{claim.outstanding:.2f} kr outstanding{where}"
            open_matters.append(f"återkrav {claim.claim_id[:8]} is open ({owed})")
    for filed in household.reimbursements.values():
        if filed.outcome is None:
            open_matters.append(
                f"reimbursement claim {filed.claim_id[:8]} filed {filed.filed_on} has no outcome from Migrationsverket"
            )
    return FileFacts(
        household_id=str(household.id),
        last_entry=last_entry_of(household),
        persons=persons,
        never=tuple(never),
        open_matters=tuple(open_matters),
    )


def judge(facts: FileFacts, year: int, kept_elsewhere: Sequence[str] = ()) -> Verdict:
    """The verdict on one file for the gallring of ``year``, given the other households (sharing a person with
    it) that are kept."""
    due_in = disposal_year(facts.last_entry)
    if due_in > year:
        reasons: tuple[str, ...] = (f"last entry {facts.last_entry}: disposed of in the gallring of {due_in}",)
        return Verdict(facts.household_id, year, facts.last_entry, due_in, NOT_DUE, reasons)
    held = [*facts.never, *facts.open_matters]
    held += [f"another personakt on the same person is kept (household {other})" for other in sorted(kept_elsewhere)]
    return Verdict(facts.household_id, year, facts.last_entry, due_in, HELD if held else DUE, tuple(held))


def plan_verdicts(files: Sequence[FileFacts], year: int) -> list[Verdict]:
    """The verdict on every file not disposed of yet, in the order given.

    A file that would be due is held when one of its persons is in a kept file (not due, or held); holding it
    can in turn hold another file, so this repeats until nothing changes.
    """
    by_person: dict[str, set[str]] = {}
    for f in files:
        for person in f.persons:
            by_person.setdefault(person, set()).add(f.household_id)
    kept = {f.household_id for f in files if judge(f, year).status != DUE}
    changed = True
    while changed:
        changed = False
        for f in files:
            if f.household_id not in kept and _others(f, by_person) & kept:
                kept.add(f.household_id)
                changed = True
    return [judge(f, year, sorted(_others(f, by_person) & kept)) for f in files]


def _others(facts: FileFacts, by_person: dict[str, set[str]]) -> set[str]:
    return {hid for person in facts.persons for hid in by_person.get(person, ())} - {facts.household_id}
