"""The auditor's check of every chain in the store, reading the raw stored records in the order they were stored.

Unlike the read path (:mod:`.mapper`), which refuses the first break it meets, the auditor reports every finding:
the aggregate and version of each altered, removed, inserted, moved or unsigned event. Rules that need the whole
store: once the first chained (signed) event was stored, every later event must be chained (signed) too — an
event without a chain after that point was inserted by hand or had its chain stripped. An *anchor* (the chain
heads printed by ``bistand audit anchor`` and kept outside the database) also catches the newest events of an
aggregate removed after it was taken, which no chain can show by itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from eventsourcing.persistence import StoredEvent

from bistand_es.application.integrity import chain
from bistand_es.application.integrity.keys import AuditKeys
from bistand_es.domain.errors import InvalidInput

ANCHOR_HEADER: Final = "bistand-audit-anchor 1"
INTACT: Final = "intact"
UNCHAINED: Final = "unchained (recorded before chains)"
FAILED: Final = "FAILED"


@dataclass
class Finding:
    """One event (or one missing stretch) that fails its chain."""

    aggregate_id: str
    kind: str
    version: int
    event: str
    problem: str


@dataclass
class _Chain:
    kind: str
    last_version: int = 0
    link: str = ""
    state: str = "none"  # none | unchained | plain | signed: the last event's
    events: int = 0
    unchained: int = 0
    first_chained: int | None = None
    anchored: str | None = None
    affected: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class ChainSummary:
    aggregate_id: str
    kind: str
    events: int
    last_version: int
    head: str
    status: str
    note: str

    def anchor_line(self) -> str:
        return f"{self.aggregate_id} {self.last_version} {self.head}"


@dataclass
class ChainReport:
    summaries: list[ChainSummary]
    findings: list[Finding]
    events: int
    signatures_unchecked: int

    missing: dict[str, set[int]] = field(default_factory=dict)  # aggregate id -> versions known to be removed

    @property
    def failed(self) -> bool:
        return bool(self.findings)

    def affected_versions(self, aggregate_id: str) -> list[int]:
        """Versions of an aggregate that were altered, removed, inserted or moved (for the decision checks)."""
        found = {f.version for f in self.findings if f.aggregate_id == aggregate_id}
        return sorted(found | self.missing.get(aggregate_id, set()))


@dataclass(frozen=True)
class Anchor:
    heads: Mapping[str, tuple[int, str]]  # aggregate id -> (version, chain hash at that version)


class ChainAuditor:
    """Feed it every stored event in storage order (``position`` given) or one aggregate's events by version."""

    def __init__(self, keys: AuditKeys, anchor: Anchor | None = None) -> None:
        self.keys = keys
        self.anchor = anchor
        self._chains: dict[str, _Chain] = {}
        self._findings: list[Finding] = []
        self._missing: dict[str, set[int]] = {}
        self._chain_start: int | None = None
        self._signed_start: int | None = None
        self._events = 0
        self._unchecked = 0

    def feed_all(self, records: Iterable[tuple[int | None, StoredEvent]]) -> None:
        for position, record in records:
            self.feed(record, position)

    def feed(self, record: StoredEvent, position: int | None = None) -> None:
        oid = str(record.originator_id)
        version = record.originator_version
        current = self._chains.get(oid)
        if current is None:
            current = self._chains[oid] = _Chain(kind=chain.aggregate_kind(record.topic))
        self._events += 1
        current.events += 1
        problems: list[str] = []
        expected = current.last_version + 1
        prev: str | None = current.link if current.last_version else chain.genesis(oid)
        if version > expected:
            gap = f"version {expected}" if version == expected + 1 else f"versions {expected}–{version - 1}"
            problems.append(f"{gap} missing before it (removed)")
            self._missing.setdefault(oid, set()).update(range(expected, version))
            prev = None
        elif version < expected:
            problems.append(f"stored after version {current.last_version}: inserted or moved out of order")
            prev = None
        parts = chain.split(record.state)
        content = chain.content_hash(record.originator_id, version, record.topic, parts.body)
        fields = parts.fields
        if fields is None:
            link = chain.link_hash(prev if prev is not None else (current.link or chain.genesis(oid)), content)
            problems.extend(self._unchained(current, parts.malformed, position))
            current.unchained += 1
            state = "unchained"
        else:
            problems.extend(self._chained(current, fields, content, prev, position))
            if current.first_chained is None:
                current.first_chained = version
            link = fields.hash
            state = "signed" if fields.signed else "plain"
        if problems:
            current.affected.add(version)
            name = chain.event_name(record.topic)
            self._findings.append(Finding(oid, current.kind, version, name, "; ".join(problems)))
        current.last_version = max(current.last_version, version)
        current.link = link
        current.state = state
        if self.anchor is not None and oid in self.anchor.heads and self.anchor.heads[oid][0] == version:
            current.anchored = link

    def _unchained(self, current: _Chain, malformed: bool, position: int | None) -> list[str]:
        if malformed:
            return ["its chain fields were edited (malformed)"]
        if current.state in ("plain", "signed"):
            return ["carries no chain although the versions before it do (inserted, or its chain stripped)"]
        if position is not None and self._chain_start is not None and position > self._chain_start:
            return ["carries no chain but was stored after chains began (inserted, or its chain stripped)"]
        return []

    def _chained(
        self, current: _Chain, fields: chain.ChainFields, content: str, prev: str | None, position: int | None
    ) -> list[str]:
        problems = []
        if position is not None:
            if self._chain_start is None:
                self._chain_start = position
            if fields.signed and self._signed_start is None:
                self._signed_start = position
        if not chain.hashes_equal(fields.content, content):
            problems.append("altered after it was written: its content no longer matches its hash")
        if prev is not None and not chain.hashes_equal(fields.prev, prev):
            after = f"version {current.last_version}" if current.last_version else "the aggregate id"
            why = "an event was removed, inserted or moved"
            if current.state == "unchained":
                why += ", or an unchained version before it was altered"
            problems.append(f"does not follow {after}: {why}")
        if fields.signed:
            key = self.keys.get(fields.kid)
            if key is None:
                self._unchecked += 1
            elif not chain.hashes_equal(fields.hash, chain.link_hash(fields.prev, content, key)):
                problems.append("its signature does not match: re-chained or edited without the audit key")
        else:
            if not chain.hashes_equal(fields.hash, chain.link_hash(fields.prev, content)):
                problems.append("its chain hash does not match")
            if current.state == "signed":
                problems.append("not signed although the versions before it are (re-chained without the audit key?)")
            elif position is not None and self._signed_start is not None and position > self._signed_start:
                problems.append("not signed although it was stored after signing began (re-chained without the key?)")
        return problems

    def finish(self) -> ChainReport:
        summaries = []
        for oid, current in self._chains.items():
            summaries.append(self._summary(oid, current))
        if self.anchor is not None:
            self._check_anchor()
        return ChainReport(
            summaries=summaries,
            findings=list(self._findings),
            events=self._events,
            signatures_unchecked=self._unchecked,
            missing=self._missing,
        )

    def _summary(self, oid: str, current: _Chain) -> ChainSummary:
        if current.affected:
            status = FAILED
            note = f"{len(current.affected)} event(s) fail their chain"
        elif current.first_chained is None:
            status = UNCHAINED
            note = f"versions 1–{current.last_version} have no chain"
        elif current.first_chained > 1:
            status = INTACT
            note = (
                f"chained from version {current.first_chained}; versions 1–{current.first_chained - 1} were recorded "
                "before chains (linked, not signed)"
            )
        else:
            status = INTACT
            note = f"versions 1–{current.last_version} chained" + (" and signed" if current.state == "signed" else "")
        return ChainSummary(oid, current.kind, current.events, current.last_version, current.link, status, note)

    def _check_anchor(self) -> None:
        if self.anchor is None:  # pragma: no cover - caller checks
            return
        for oid, (version, head) in self.anchor.heads.items():
            current = self._chains.get(oid)
            if current is None:
                problem = "in the anchor but not in the store: every event removed"
                self._findings.append(Finding(oid, "aggregate", version, "", problem))
                self._missing.setdefault(oid, set()).update(range(1, version + 1))
            elif current.last_version < version:
                first = current.last_version + 1
                gap = f"version {version}" if first == version else f"versions {first}–{version}"
                problem = f"{gap} in the anchor but missing: the newest events were removed"
                self._findings.append(Finding(oid, current.kind, first, "", problem))
                self._missing.setdefault(oid, set()).update(range(current.last_version + 1, version + 1))
            elif current.anchored is None or not chain.hashes_equal(current.anchored, head):
                problem = f"the history up to version {version} differs from the anchor"
                self._findings.append(Finding(oid, current.kind, version, "", problem))


# ---------------------------------------------------------------------- anchors


def anchor_text(summaries: Iterable[ChainSummary], *, taken: str, store: str) -> str:
    """The anchor file: one line per chain head and a digest over them all (keep it outside the database)."""
    heads = sorted(s.anchor_line() for s in summaries)
    return "\n".join([ANCHOR_HEADER, f"# taken {taken}", f"# store {store}", *heads, f"digest {_digest(heads)}", ""])


def parse_anchor(text: str, source: str) -> Anchor:
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    if not lines or lines[0] != ANCHOR_HEADER:
        raise InvalidInput(f"anchor {source}: not an anchor file (it must start with '{ANCHOR_HEADER}')")
    if len(lines) < 2 or not lines[-1].startswith("digest "):
        raise InvalidInput(f"anchor {source}: its last line must be 'digest <sha256>'")
    heads_lines = lines[1:-1]
    if not chain.hashes_equal(lines[-1].split(" ", 1)[1], _digest(sorted(heads_lines))):
        raise InvalidInput(f"anchor {source}: its digest does not match its lines (the anchor itself was edited)")
    heads: dict[str, tuple[int, str]] = {}
    for number, line in enumerate(heads_lines, start=2):
        parts = line.split()
        if len(parts) != 3 or not parts[1].isdigit():
            raise InvalidInput(f"anchor {source} line {number}: expected '<aggregate id> <version> <hash>'")
        heads[parts[0]] = (int(parts[1]), parts[2])
    return Anchor(heads)


def _digest(lines: list[str]) -> str:
    return hashlib.sha256("".join(f"{line}\n" for line in lines).encode()).hexdigest()
