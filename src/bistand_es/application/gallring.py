"""Gallring (12 kap. SoL): the yearly plan of which households are disposed of, and the run that disposes of them.

The rule (due, held and why) is the domain's (:mod:`bistand_es.domain.household.disposal`); this module gathers
each household's facts through the household index (one load per household, no store scan per household) and
carries out the disposal:

1. record ``HouseholdDisposed`` (in clear) **first**, with the household index marking it and the person index
   letting its current members go, in one atomic save: a crash after it leaves a re-runnable state. The event
   carries the household's statistical residue: its read-model fact rows with the person columns blanked, given
   by the caller's ``residue_of`` (the read side takes them; this layer does not know the read model), so that a
   rebuild of the read model after the key is gone keeps the statistics of past months;
2. drop the snapshots (index snapshots hold entries of many households; rebuilt from events they no longer hold
   what the key sealed);
3. delete the household's key (crypto-shredding): its personal fields, and its entries in the person and household
   indexes, read ``[gallrad]`` in the event store and in every backup of it;
4. blank the household's pseudonym resolutions (``bistand person resolve`` then says the data is disposed of).

A household disposed of already but whose key is still there (a run stopped between 1 and 3) is finished by the
next run; running again is otherwise a no-op.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, RecordConflictError

from bistand_es.application.integrity.keystore import KeyStore
from bistand_es.application.integrity.personal import personal_mapper
from bistand_es.application.integrity.pseudonyms import forget_household
from bistand_es.domain.errors import ConcurrentChange, ConfigurationError
from bistand_es.domain.household import disposal as dp
from bistand_es.domain.records import Actor

if TYPE_CHECKING:
    from bistand_es.application.app import BistandApplication

Progress = Callable[[int, int], None]
#: (household id, the household's version) -> its statistical residue, ``{table: {"columns": [...], "rows": [...]}}``
ResidueOf = Callable[[str, int], dict[str, Any]]


@dataclass(frozen=True)
class PlanRow:
    """One household in the plan: due or held (with the reasons)."""

    household_id: str
    municipality: str
    last_entry: date
    disposal_year: int
    status: str
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "household_id": self.household_id,
            "municipality": self.municipality,
            "last_entry": self.last_entry.isoformat(),
            "disposal_year": self.disposal_year,
            "status": self.status,
            "reasons": "; ".join(self.reasons),
        }


@dataclass
class GallringPlan:
    """The gallring of ``year``: households due, held (with reasons), not due yet, and disposed of already."""

    year: int
    rows: list[PlanRow]
    not_due: int
    disposed: list[str]

    @property
    def due(self) -> list[PlanRow]:
        return [row for row in self.rows if row.status == dp.DUE]

    @property
    def held(self) -> list[PlanRow]:
        return [row for row in self.rows if row.status == dp.HELD]


@dataclass
class GallringRun:
    """What a run did."""

    year: int
    disposed: list[str] = field(default_factory=list)  # recorded by this run
    finished: list[str] = field(default_factory=list)  # keys shredded by this run (this run's and earlier ones)
    held: int = 0
    not_due: int = 0

    def summary(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "disposed": len(self.disposed),
            "keys_deleted": len(self.finished),
            "held": self.held,
            "not_due": self.not_due,
            "households": self.disposed,
        }


def plan(app: BistandApplication, year: int, progress: Progress | None = None) -> GallringPlan:
    """Which households the gallring of ``year`` disposes of, and which it holds and why (nothing is recorded)."""
    rows = app.households_with_prefix("")
    files: list[dp.FileFacts] = []
    municipality: dict[str, str] = {}
    disposed: list[str] = []
    for done, row in enumerate(rows, start=1):
        hid = str(row["household_id"])
        if row.get("disposed_on") is not None:
            disposed.append(hid)
        else:
            files.append(dp.facts_of(app.get_household(UUID(hid))))
            municipality[hid] = str(row.get("municipality") or "")
        if progress is not None:
            progress(done, len(rows))
    verdicts = dp.plan_verdicts(files, year)
    listed = [
        PlanRow(v.household_id, municipality[v.household_id], v.last_entry, v.disposal_year, v.status, v.reasons)
        for v in verdicts
        if v.status != dp.NOT_DUE
    ]
    not_due = sum(1 for v in verdicts if v.status == dp.NOT_DUE)
    return GallringPlan(year, listed, not_due, disposed)


def run(
    app: BistandApplication,
    year: int,
    *,
    actor: Actor,
    disposed_on: date,
    progress: Progress | None = None,
    residue_of: ResidueOf | None = None,
) -> GallringRun:
    """Dispose of every household the plan finds due, and finish any disposed of earlier (idempotent).

    ``residue_of`` gives each household's statistical residue, recorded in its ``HouseholdDisposed`` (none: the
    event carries none, and a rebuild of the read model loses the per-person split of its statistics)."""
    chosen = plan(app, year)
    result = GallringRun(year, held=len(chosen.held), not_due=chosen.not_due)
    due = chosen.due
    total = len(due) + len(chosen.disposed)
    for done, row in enumerate(due, start=1):
        record_disposal(
            app, UUID(row.household_id), year=year, actor=actor, disposed_on=disposed_on, residue_of=residue_of
        )
        result.disposed.append(row.household_id)
        if progress is not None:
            progress(done, total)
    keys = key_store_of(app)
    pending = [*chosen.disposed, *result.disposed]
    if pending:
        app.drop_snapshots()
    for done, hid in enumerate(pending, start=len(due) + 1):
        if _shred(keys, hid):
            result.finished.append(hid)
        _forget(keys, hid)
        if progress is not None:
            progress(done, total)
    return result


def record_disposal(
    app: BistandApplication,
    household_id: UUID,
    *,
    year: int,
    actor: Actor,
    disposed_on: date,
    residue_of: ResidueOf | None = None,
) -> None:
    """Record ``HouseholdDisposed`` with the index changes, in one atomic save (the aggregate refuses unless due).

    The residue is read at the household's current version, before anything is recorded."""
    household = app.get_household(household_id)
    leaving = [m.person for m in household.current_members()] if household.closed_on is None else []
    residue = residue_of(str(household_id), household.version) if residue_of is not None else {}
    household.dispose(actor=actor, year=year, disposed_on=disposed_on, kept_elsewhere=[], residue=residue)
    shard = app._index_for_write(household_id)
    shard.dispose(household_id, disposed_on)
    buckets: dict[UUID, Any] = {}
    for person in leaving:
        bucket = app._bucket(person)
        bucket = buckets.setdefault(bucket.id, bucket)
        bucket.leave(person, household_id)
    try:
        app.save(household, shard, *buckets.values())
    except (IntegrityError, RecordConflictError):
        raise ConcurrentChange(household_id) from None


def key_store_of(app: BistandApplication) -> KeyStore:
    mapper = personal_mapper(app.mapper)
    if mapper is None:  # pragma: no cover - every application seals personal data
        raise ConfigurationError("this event store has no key store: nothing can be shredded")
    return mapper.keys


def _shred(keys: KeyStore, household_id: str) -> bool:
    return keys.shred(household_id)


def _forget(keys: KeyStore, household_id: str) -> None:
    """Blank the household's pseudonym resolutions: its pseudonyms no longer resolve to an identity number."""
    forget_household(keys, household_id)
