"""The auditor's verification (revision): every recorded decision checked against itself and the rules.

For each ``DecisionMade`` / ``DecisionAmended`` of a household:

1. **consistent**: the stored lines add up to the stored totals, need = norm + costs, aid and surplus
   follow from need and counted income, and the event's aid is the calculation's (0 for a refusal);
2. **reproduced**: the stored situation, calculated again with the rules in force now (plus any recorded
   norm adjustment), gives the same totals and lines. If the rule set's hash differs from the one the
   decision recorded, a difference is expected and reported as *rules changed*, not as an error;
3. **paid within the grant**: payments for the month never exceed the aid granted.

:func:`verify_store` adds the hash chains (:mod:`bistand_es.application.integrity.auditor`): every altered,
removed, inserted or moved event is named by household and version, and a decision taken after such an event is
marked FAILED, since an input it relied on may no longer be what was recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.persistence import MapperDeserialisationError

from bistand_es.application.base import HouseholdStore
from bistand_es.application.integrity.auditor import (
    FAILED,
    UNCHAINED,
    Anchor,
    ChainAuditor,
    ChainReport,
    ChainSummary,
    Finding,
)
from bistand_es.application.integrity.chain import aggregate_kind
from bistand_es.application.integrity.crypto import DISPOSED
from bistand_es.domain.errors import BrokenChain
from bistand_es.domain.household import Household
from bistand_es.domain.money import Money, money_sum
from bistand_es.domain.rules.calculation import calculate
from bistand_es.domain.rules.lines import Calculation
from bistand_es.domain.rules.placement import calculate_placement_allowance
from bistand_es.domain.rules.placement_situation import is_placement_situation, parse_placement_situation
from bistand_es.domain.rules.rule_set import RuleSet
from bistand_es.domain.rules.situation import parse_situation
from bistand_es.domain.vocabulary import NormAdjustment, Outcome

_TOTALS = ("norm_total", "costs_total", "need", "income_counted", "income_disregarded", "aid", "surplus")
_PREFIX = {
    "norm_total": "norm.",
    "costs_total": "cost.",
    "income_counted": "income.counted",
    "income_disregarded": "income.disregarded.",
}


@dataclass
class DecisionCheck:
    month: str
    decision_id: str
    event: str
    version: int
    outcome: str
    aid: str
    rule_set: str
    status: str = "reproduced"  # reproduced | rules changed | FAILED
    problems: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.status == "FAILED"

    def fail(self, problem: str) -> None:
        self.status = "FAILED"
        self.problems.append(problem)

    def as_dict(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "decision_id": self.decision_id,
            "event": self.event,
            "version": self.version,
            "outcome": self.outcome,
            "aid": self.aid,
            "rule_set": self.rule_set,
            "status": self.status,
            "problems": "; ".join(self.problems),
        }


def check_consistency(calculation: dict[str, Any]) -> list[str]:
    """Arithmetic a recorded calculation must satisfy on its own."""
    problems = []
    lines = calculation.get("lines", [])
    for total, prefix in _PREFIX.items():
        summed = money_sum(Money.of(line["amount"]) for line in lines if str(line["kind"]).startswith(prefix))
        if summed != Money.of(calculation[total]):
            problems.append(f"{total} {calculation[total]} but its lines add up to {summed}")
    need = Money.of(calculation["norm_total"]) + Money.of(calculation["costs_total"])
    counted = Money.of(calculation["income_counted"])
    expected = {"need": need, "aid": (need - counted).max_zero(), "surplus": (counted - need).max_zero()}
    for key, value in expected.items():
        if Money.of(calculation[key]) != value:
            problems.append(f"{key} {calculation[key]} should be {value}")
    return problems


def recompute(recorded: Any, rule_set: RuleSet) -> dict[str, Any]:
    """The recorded situation calculated again, with the recorded norm adjustment applied the same way."""
    result: Calculation
    if is_placement_situation(recorded.situation):  # a placed child's month (docs/adr/0022-placed-children.md)
        result = calculate_placement_allowance(parse_placement_situation(recorded.situation), rule_set)
    else:
        result = calculate(parse_situation(recorded.situation), rule_set)
    adjustment = recorded.norm_adjustment
    if adjustment:
        result = result.with_norm_adjustment(
            NormAdjustment(adjustment["kind"]), Decimal(adjustment["amount"]), str(adjustment.get("reason", ""))
        )
    return result.to_dict()


def _lines_key(calculation: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return sorted(
        (str(line["kind"]), str(line.get("member")), str(line["amount"]), str(line.get("parameter")))
        for line in calculation.get("lines", [])
    )


def verify_history(events: list[Any], rule_set: RuleSet) -> list[DecisionCheck]:
    """Check every decision in a household's history (in order) and the payments made against it."""
    checks: list[DecisionCheck] = []
    paid: dict[str, Decimal] = {}
    granted: dict[str, tuple[Decimal, DecisionCheck]] = {}
    cancelled: dict[str, tuple[str, Decimal]] = {}
    for event in events:
        if isinstance(event, Household.DecisionMade):
            check = _check_decision(event, rule_set)
            checks.append(check)
            granted[str(event.month)] = (event.aid, check)
        elif isinstance(event, Household.PaymentIssued):
            month = str(event.month)
            paid[month] = paid.get(month, Decimal("0")) + event.amount
            cancelled[event.payment_id] = (month, event.amount)
            if month in granted and paid[month] > granted[month][0]:
                aid, check = granted[month]
                check.fail(f"paid {paid[month]:.2f} for {month}, more than the {aid:.2f} granted")
        elif isinstance(event, Household.PaymentCancelled) and event.payment_id in cancelled:
            month, amount = cancelled.pop(event.payment_id)
            paid[month] -= amount
    return checks


def _check_decision(event: Any, rule_set: RuleSet) -> DecisionCheck:
    calculation = event.calculation
    check = DecisionCheck(
        month=str(event.month),
        decision_id=event.decision_id,
        event=type(event).__name__,
        version=event.originator_version,
        outcome=event.outcome,
        aid=f"{event.aid:.2f}",
        rule_set=event.rule_set_hash[:12],
    )
    for problem in check_consistency(calculation):
        check.fail(problem)
    expected_aid = Decimal("0.00") if event.outcome == Outcome.REFUSED.value else Decimal(calculation["aid"])
    if event.aid != expected_aid:
        check.fail(f"the event grants {event.aid:.2f} but its calculation gives {expected_aid:.2f}")
    if not event.situation:
        check.fail("no situation recorded: the decision cannot be recomputed")
        return check
    again = recompute(event, rule_set)
    same = all(again[k] == calculation[k] for k in _TOTALS) and _lines_key(again) == _lines_key(calculation)
    if same:
        return check
    differences = ", ".join(f"{k} {calculation[k]} → {again[k]}" for k in _TOTALS if again[k] != calculation[k])
    if rule_set.hash != event.rule_set_hash:
        if check.status != "FAILED":
            check.status = "rules changed"
        check.problems.append(f"today's rules give {differences or 'other lines'} (decision stands as recorded)")
    else:
        check.fail(f"same rules, different result: {differences or 'lines differ'}")
    return check


def membership_overlaps(events: Iterable[Any]) -> list[dict[str, str]]:
    """Persons who were current members of two open households at once (one person, one household).

    ``events`` are the registration, member and closing events of the whole store in notification order.
    """
    current: dict[str, str] = {}  # person -> household id
    members: dict[str, set[str]] = {}  # household id -> persons
    found: list[dict[str, str]] = []
    for e in events:
        hid = str(e.originator_id)
        joined = None
        if isinstance(e, Household.Registered):
            joined = e.applicant
        elif isinstance(e, Household.MemberAdded):
            joined = e.person
        elif isinstance(e, Household.MemberRemoved):
            if current.get(e.person) == hid:
                del current[e.person]
            members.get(hid, set()).discard(e.person)
        elif isinstance(e, Household.CaseClosed):
            for person in members.pop(hid, set()):
                if current.get(person) == hid:
                    del current[person]
        if joined is not None and joined != DISPOSED:  # a disposed household's members read [gallrad]
            other = current.get(joined)
            if other is not None and other != hid:
                found.append({"household_id": hid, "other_household_id": other, "version": str(e.originator_version)})
            current[joined] = hid
            members.setdefault(hid, set()).add(joined)
    return found


# ---------------------------------------------------------------------- the whole verification (chains + decisions)


@dataclass
class Verification:
    """What ``bistand verify`` / ``bistand audit verify`` found: one row per finding, and the chain report."""

    rows: list[dict[str, Any]]
    chains: ChainReport
    decision_checks: int
    decisions_failed: int

    @property
    def failed(self) -> bool:
        return self.decisions_failed > 0 or self.chains.failed or any(r["status"] == "FAILED" for r in self.rows)


def verify_store(
    app: HouseholdStore, rule_set: RuleSet, household_ids: list[UUID] | None = None, anchor: Anchor | None = None
) -> Verification:
    """Check the hash chains (every aggregate, or the households named) and every decision of those households.

    Reads the raw stored records through the recorder, so an altered, removed, inserted or moved event is named
    (aggregate and version) instead of stopping the check. A decision taken after an event that fails its chain
    is marked FAILED too: it may rest on an input that is not what was recorded then.
    """
    if household_ids is not None and anchor is not None:
        wanted = {str(h) for h in household_ids}
        anchor = Anchor({k: v for k, v in anchor.heads.items() if k in wanted})
    auditor = ChainAuditor(app.audit_keys, anchor)
    if household_ids is None:
        auditor.feed_all(app.iter_stored())
    else:
        for hid in household_ids:
            for record in app.stored_events(hid):
                auditor.feed(record)
    report = auditor.finish()
    if household_ids is None:
        households = [UUID(s.aggregate_id) for s in report.summaries if s.kind == "household"]
    else:
        households = list(household_ids)
    rows: list[dict[str, Any]] = []
    checks = failed = 0
    by_aggregate: dict[str, list[Finding]] = {}
    for finding in report.findings:
        by_aggregate.setdefault(finding.aggregate_id, []).append(finding)
    summaries = {s.aggregate_id: s for s in report.summaries}
    listed: set[str] = set()
    for hid in households:
        key = str(hid)
        listed.add(key)
        rows.extend(_chain_rows(key, by_aggregate.get(key, []), summaries.get(key)))
        unreadable: dict[int, str] = {}
        history = _readable_history(app, hid, unreadable)
        rows.extend(_unreadable_rows(key, unreadable))
        if history and isinstance(history[-1], Household.HouseholdDisposed):  # gallrad: nothing left to recompute
            rows.append(_disposed_row(key, history[-1]))
            continue
        affected = sorted({*report.affected_versions(key), *unreadable})
        for check in verify_history(history, rule_set):
            earlier = [v for v in affected if v < check.version]
            if earlier:
                versions = ", ".join(str(v) for v in earlier)
                check.fail(f"decided on a history whose version(s) {versions} fail their chain: an input may differ")
            checks += 1
            failed += check.failed
            rows.append({"household_id": key, **check.as_dict()})
    for key, findings in by_aggregate.items():  # other aggregates (the person index …), and anchored ones now gone
        if key not in listed:
            rows.extend(_chain_rows(key, findings, summaries.get(key)))
    for summary in report.summaries:
        if summary.aggregate_id not in listed and summary.aggregate_id not in by_aggregate:
            rows.extend(_chain_rows(summary.aggregate_id, [], summary))
    if household_ids is None:
        rows.extend(_snapshot_rows(app, report))
    return Verification(rows=rows, chains=report, decision_checks=checks, decisions_failed=failed)


def _disposed_row(household_id: str, disposed: Any) -> dict[str, Any]:
    """The row of a household disposed of (gallrad): its chain is checked, its decisions can no longer be."""
    return {
        "household_id": household_id, "month": "", "decision_id": "", "event": "HouseholdDisposed",
        "version": disposed.originator_version, "outcome": "", "aid": "", "rule_set": "", "status": "gallrad",
        "problems": f"disposed of on {disposed.disposed_on} (gallring {disposed.year}): its personal data is "
        "destroyed, so its decisions are not recomputed; its chain is checked",
    }  # fmt: skip


def _readable_history(app: HouseholdStore, household_id: UUID, unreadable: dict[int, str] | None = None) -> list[Any]:
    """The household's events as stored, skipping any that can no longer be read (their chain finding says why).

    A personal field that does not open with the household's key (its ciphertext altered, or a sealed value
    moved from another household, even under a recomputed chain) is added to ``unreadable`` (version -> why).
    """
    events = []
    for record in app.stored_events(household_id):
        try:
            events.append(app.decode_unchecked(record))
        except BrokenChain as error:
            if unreadable is not None:
                unreadable[record.originator_version] = str(error)
        except (MapperDeserialisationError, KeyError, TypeError, ValueError):
            continue
    return events


def _unreadable_rows(aggregate_id: str, unreadable: dict[int, str]) -> list[dict[str, Any]]:
    blank = {"month": "", "outcome": "", "aid": "", "rule_set": ""}
    return [
        {
            "household_id": aggregate_id,
            **blank,
            "decision_id": "",
            "event": "personal data",
            "version": version,
            "status": FAILED,
            "problems": f"personal data: {why}",
        }
        for version, why in sorted(unreadable.items())
    ]


def _snapshot_rows(app: HouseholdStore, report: ChainReport) -> list[dict[str, Any]]:
    """A FAILED row for every snapshot (a cache outside the chain, ADR 0026) that differs from its events."""
    snapshotted = {aggregate_kind(str(getattr(k, "TOPIC", ""))) for k in app.snapshotting_intervals or {}}
    broken = set(report.missing) | {f.aggregate_id for f in report.findings}
    rows: list[dict[str, Any]] = []
    for summary in report.summaries:
        if summary.kind not in snapshotted or summary.aggregate_id in broken:
            continue  # a broken chain is named already; its snapshot cannot be compared with it
        try:
            same = app.check_snapshot(UUID(summary.aggregate_id))
        except (BrokenChain, MapperDeserialisationError, KeyError, TypeError, ValueError, AttributeError):
            same = False
        if not same:
            rows.append(
                {
                    "household_id": summary.aggregate_id,
                    "month": "",
                    "outcome": "",
                    "aid": "",
                    "rule_set": "",
                    "decision_id": "",
                    "event": "snapshot",
                    "version": _latest_snapshot_version(app, summary.aggregate_id),
                    "status": FAILED,
                    "problems": f"snapshot: {summary.kind}: the snapshot differs from a replay of its events "
                    "(altered?); delete the snapshots (they are rebuilt from the events)",
                }
            )
    return rows


def _latest_snapshot_version(app: HouseholdStore, aggregate_id: str) -> int | None:
    if app.snapshots is None:
        return None
    latest = app.snapshots.recorder.select_events(UUID(aggregate_id), desc=True, limit=1)
    return latest[0].originator_version if latest else None


def _chain_rows(aggregate_id: str, findings: list[Finding], summary: ChainSummary | None) -> list[dict[str, Any]]:
    """A row per chain finding; an aggregate without findings gets a row only if it is (partly) unchained."""
    blank = {"month": "", "outcome": "", "aid": "", "rule_set": ""}
    rows = []
    for f in findings:
        what = "" if f.kind == "household" else f"{f.kind}: "
        rows.append(
            {
                "household_id": aggregate_id,
                **blank,
                "decision_id": "",
                "event": f.event or "chain",
                "version": f.version,
                "status": FAILED,
                "problems": f"chain: {what}{f.problem}",
            }
        )
    if not findings and summary is not None and (summary.status == UNCHAINED or "before chains" in summary.note):
        what = "" if summary.kind == "household" else f"{summary.kind}: "
        rows.append(
            {
                "household_id": aggregate_id,
                **blank,
                "decision_id": "",
                "event": "chain",
                "version": summary.last_version,
                "status": UNCHAINED,
                "problems": f"chain: {what}{summary.note}",
            }
        )
    return rows
