"""The återsökning engine's case built from what the households recorded (pure; no I/O).

Both the write side (``bistand reimburse scan`` / ``file``, :mod:`bistand_es.application.reimbursement`) and the
read model (:mod:`bistand_es.projections.reimbursement_due`) build the engine's
:class:`~bistand_es.domain.reimbursement.ReimbursementCase` with :func:`build_ledger`, from each household's part
(:class:`HouseholdPart`: its person facts, members' birth dates, tagged costs and filed claims), so a scan and the
read model see the same case. A person's facts recorded by several households are merged (:func:`merge_facts`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from bistand_es.domain.household.migration import (
    FiledReimbursement,
    PersonFacts,
    StatusRecord,
    TaggedCost,
    engine_person,
)
from bistand_es.domain.money import Money
from bistand_es.domain.reimbursement.case import Claim, Cost, ReimbursementCase
from bistand_es.domain.reimbursement.engine import Opportunity
from bistand_es.domain.reimbursement.periods import Period


@dataclass(frozen=True, slots=True)
class HouseholdPart:
    """What one household recorded for återsökning.

    ``births``: (person, birth date) of its members, in membership order; ``claims``: its parts of filed claims.
    """

    household_id: str
    person_facts: Mapping[str, PersonFacts]
    births: Sequence[tuple[str, date]]
    costs: Sequence[TaggedCost]
    claims: Sequence[FiledReimbursement]


@dataclass(frozen=True)
class CostSource:
    household_id: str
    cost: TaggedCost


@dataclass
class Ledger:
    """The engine's case built from the events, and where each of its costs came from (same order)."""

    case: ReimbursementCase
    sources: list[CostSource]
    filed: list[tuple[str, FiledReimbursement]]
    references: dict[str, dict[str, str]]

    def match(self, opportunity: Opportunity) -> list[CostSource]:
        """The costs behind an opportunity's lines, in the lines' order (same person, month and cost)."""
        used: set[int] = set()
        found: list[CostSource] = []
        for line in opportunity.lines:
            for index, source in enumerate(self.sources):
                cost = source.cost
                if (
                    index not in used
                    and cost.type == opportunity.type
                    and cost.person == line.person
                    and cost.month == line.month
                    and cost.amount == line.cost
                    and Period.of(cost.month, opportunity.period.kind) == opportunity.period
                ):
                    used.add(index)
                    found.append(source)
                    break
        return found


def merge_facts(known: Mapping[str, PersonFacts], facts: PersonFacts) -> PersonFacts:
    """One person's facts across households: statuses by date (a later household's wins), the first reception."""
    before = known.get(facts.person)
    if before is None:
        return facts
    statuses: dict[date, StatusRecord] = {s.valid_from: s for s in before.statuses}
    statuses.update({s.valid_from: s for s in facts.statuses})
    return PersonFacts(
        person=facts.person,
        statuses=tuple(statuses[d] for d in sorted(statuses)),
        received_on=before.received_on or facts.received_on,
        reception=before.reception or facts.reception,
        unaccompanied=(*before.unaccompanied, *facts.unaccompanied),
        references=tuple(sorted({**dict(before.references), **dict(facts.references)}.items())),
    )


def engine_cost(tagged: TaggedCost) -> Cost:
    return Cost(
        person=tagged.person,
        month=tagged.month,
        type=tagged.type,
        amount=tagged.amount,
        fees=tagged.fees,
        care_began_on=tagged.care_began_on,
        evidence=tagged.evidence or None,
    )


def build_ledger(
    parts: Iterable[HouseholdPart],
    *,
    as_of: date,
    types: Iterable[str] | None = None,
    persons: Collection[str] | None = None,
) -> Ledger:
    """The engine's case from the households' parts (in the order the households first recorded a cost, a tag or
    a claim): persons' facts, the costs of ``types`` (all when None) and the claims filed on or before ``as_of``.

    ``persons`` limits the case to those persons (their costs, facts, and the claims covering them, with only
    them as the claims' persons). The engine's answer for a person depends on that person's facts, costs and
    claims alone, so the read model recomputes the persons an event changed with it.
    """
    wanted = None if types is None else set(types)
    facts: dict[str, PersonFacts] = {}
    births: dict[str, date] = {}
    sources: list[CostSource] = []
    filed: list[tuple[str, FiledReimbursement]] = []
    for part in parts:
        for cost in part.costs:
            if (wanted is None or cost.type in wanted) and (persons is None or cost.person in persons):
                sources.append(CostSource(part.household_id, cost))
        for claim in part.claims:
            if claim.filed_on > as_of or (wanted is not None and claim.type not in wanted):
                continue
            covered = claim.persons if persons is None else tuple(p for p in claim.persons if p in persons)
            if covered or persons is None:
                filed.append((part.household_id, replace(claim, persons=covered)))
        for person, known in part.person_facts.items():
            if persons is None or person in persons:
                facts[person] = merge_facts(facts, known)
        for person, born in part.births:
            births.setdefault(person, born)
    sources.sort(key=lambda s: (s.cost.month, s.cost.person, s.cost.type, s.cost.source))
    who = sorted({s.cost.person for s in sources} | {p for _, c in filed for p in c.persons})
    claims: dict[str, Claim] = {}
    for _, claim in filed:
        before = claims.get(claim.claim_id)
        together = sorted(set(claim.persons) | set(before.persons if before else ()))
        claims[claim.claim_id] = Claim(
            type=claim.type,
            period=str(claim.period),
            persons=together,
            amount=Money(claim.claim_amount),
            filed_on=claim.filed_on,
            reference=claim.claim_id,
        )
    case = ReimbursementCase.model_construct(
        as_of=as_of,
        persons=[engine_person(facts.get(p, PersonFacts(p)), births.get(p)) for p in who],
        costs=[engine_cost(s.cost) for s in sources],
        claims=list(claims.values()),
    )
    references = {p: dict(facts[p].references) for p in who if p in facts}
    return Ledger(case, sources, filed, references)
