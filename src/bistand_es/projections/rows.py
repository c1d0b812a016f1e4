"""Events → rows, pure: a batch of stored notifications becomes rows per fact table.

The stored JSON state is parsed directly (orjson when installed, else the standard library) instead of building
domain event objects: the rows need plain values, and the stored bytes are also the audit payload (kept as they
are, never re-serialised). Typed values in the stored state are ``{"_type_": …, "_data_": …}`` (dates, months,
Decimal); :mod:`bistand_es.projections.decoding` unwraps them to their text, which DuckDB casts to DATE /
DECIMAL(18,2) on insert (exact; no float ever). The återkrav events' rows are in
:mod:`bistand_es.projections.recovery_rows`, the återsökning events' in
:mod:`bistand_es.projections.reimbursement_rows`. An amount that is not a finite number or does not fit the money
columns stops the batch at that event (:class:`~bistand_es.projections.errors.UnprojectableEvent`, naming its
position).
Old event versions are upcast with the event class's own ``upcast_vX_vY`` methods, as the library's mapper does.

This is the projector's hot loop (docs/adr/0008-duckdb-read-side.md): handlers append one tuple per row to the
table's list (no per-row dicts, no method calls), and JSON columns are written as UTF-8 bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any, Final, Protocol

from bistand_es.application.integrity.personal import personal_mapper
from bistand_es.domain.household.policy import subsistence_aid
from bistand_es.projections.decoding import EMPTY_LIST as _EMPTY_LIST
from bistand_es.projections.decoding import UnfitAmount, plain
from bistand_es.projections.decoding import dumps as _dumps
from bistand_es.projections.decoding import json_bytes as _json
from bistand_es.projections.decoding import loads as _loads
from bistand_es.projections.decoding import money as _money
from bistand_es.projections.decoding import text as _text
from bistand_es.projections.errors import UnprojectableEvent
from bistand_es.projections.recovery_rows import RECOVERY_HANDLERS
from bistand_es.projections.reimbursement_rows import REIMBURSEMENT_HANDLERS
from bistand_es.projections.schema import TABLES

_TOPIC_PREFIX: Final = "bistand_es.household:"

#: Tables whose rows :func:`page_rows` produces (the others are written by the projector itself).
FACT_TABLES: Final = tuple(name for name in TABLES if not name.startswith("f_dirty_"))


#: Opens the sealed personal fields of a stored state: (topic, originator id, state) -> state.
Opener = Callable[[str, Any, bytes], bytes]
_SEALED: Final = b'"_enc_"'


def opener_of(app: Any) -> Opener | None:
    """The application's way to open sealed personal fields (None: its events are not encrypted)."""
    mapper = personal_mapper(getattr(app, "mapper", None))
    return mapper.open_state if mapper is not None else None


class StoredNotification(Protocol):
    """What the projector needs of an eventsourcing ``Notification``."""

    @property
    def id(self) -> int: ...

    @property
    def originator_id(self) -> Any: ...

    @property
    def originator_version(self) -> int: ...

    @property
    def topic(self) -> str: ...

    @property
    def state(self) -> bytes: ...


class PageRows:
    """Rows per table for a batch of events: one tuple per row, in the schema's column order."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in FACT_TABLES}
        self.dirty_persons: set[str] = set()
        self.dirty_claims: set[str] = set()  # claims whose balances are recomputed at the end of the run
        # (person, payment id): whose återsökning opportunities are recomputed at the end of the run
        self.dirty_reimbursement: set[tuple[str | None, str | None]] = set()
        self.amended_decisions: list[str] = []
        self.last_position = 0
        self.count = 0

    def add(self, table: str, row: tuple[Any, ...]) -> None:
        self.rows[table].append(row)

    def tables(self) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
        """Each table that has rows, with its rows (checked against the schema's column count)."""
        for table, rows in self.rows.items():
            if not rows:
                continue
            width = len(TABLES[table])
            if len(rows[0]) != width or len(rows[-1]) != width:
                raise ValueError(f"{table}: rows have {len(rows[0])} values, the table has {width} columns")
            yield table, rows

    @property
    def columns(self) -> dict[str, dict[str, list[Any]]]:
        """Each table's rows transposed into columns (for tests and debugging)."""
        result: dict[str, dict[str, list[Any]]] = {}
        for table, rows in self.tables():
            names = [name for name, _ in TABLES[table]]
            result[table] = {name: list(values) for name, values in zip(names, zip(*rows, strict=True), strict=True)}
        return result


Handler = Callable[[PageRows, dict[str, Any], int, str, str | None, str], None]


def _registered(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    birth = plain(s["birth_date"])
    registered_on = plain(s["registered_on"])
    rows.rows["f_households_registered"].append(
        (pos, hid, s["municipality"], s["applicant"], birth, registered_on, user, at)
    )
    rows.rows["f_member_changes"].append(
        (pos, hid, s["applicant"], "added", "applicant", birth, None, registered_on, None, at)
    )


def _member_added(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    rows.rows["f_member_changes"].append(
        (
            pos, hid, s["person"], "added", s["role"], plain(s["birth_date"]), s.get("in_school"),
            plain(s["effective_on"]), None, at,
        ),
    )  # fmt: skip


def _member_removed(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    rows.rows["f_member_changes"].append(
        (pos, hid, s["person"], "removed", None, None, None, plain(s["effective_on"]), s.get("reason"), at)
    )


def _cohabitation(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    rows.rows["f_cohabitation"].append((pos, hid, bool(s["cohabiting"]), plain(s["effective_on"]), at))


def _application(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    lines = [
        {"kind": line.get("kind"), "amount": _money(line.get("amount")), "note": line.get("note", "")}
        for line in s.get("cost_lines") or ()
    ]
    total = sum((Decimal(line["amount"]) for line in lines if line["amount"] is not None), Decimal("0.00"))
    rows.rows["applications"].append(
        (
            pos, hid, plain(s["month"]), plain(s["received_on"]), plain(s.get("complete_on")),
            s.get("first_time"), str(total), _dumps(lines) if lines else _EMPTY_LIST, user, at,
        ),
    )  # fmt: skip


def _income_reported(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    rows.rows["f_income_changes"].append(
        (
            pos, hid, s["income_id"], "reported", s["member"], s["kind"], plain(s["month"]),
            _money(s["amount"]), s.get("source"), None, user, at,
        ),
    )  # fmt: skip


def _income_corrected(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    rows.rows["f_income_changes"].append(
        (
            pos, hid, s["income_id"], "corrected", None, s["kind"], plain(s["month"]),
            _money(s["amount"]), None, s.get("reason"), user, at,
        ),
    )  # fmt: skip


def _external(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    person = s["person"]
    source = s.get("source")
    append = rows.rows["f_external_support"].append
    for month in s.get("months") or ():
        append((pos, hid, person, plain(month), source, user, at))
    rows.dirty_persons.add(person)


def _decision(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    calc: dict[str, Any] = s.get("calculation") or {}
    month = plain(s["month"])
    decision_id = s["decision_id"]
    members = [m if type(m) is str else str(m) for m in s.get("members") or ()]
    actor = s.get("actor") or {}
    amends = s.get("amends")
    aid = _money(s["aid"])
    # The försörjningsstöd part as the household counts it for support months (the domain's policy).
    parts = {"subsistence_aid": plain(calc.get("subsistence_aid"))}
    subsistence = None if aid is None else str(subsistence_aid(parts, Decimal(aid)))
    rows.rows["f_decisions"].append(
        (
            pos, hid, decision_id, amends, month, s["outcome"],
            _money(calc.get("norm_total")), _money(calc.get("costs_total")), _money(calc.get("need")),
            _money(calc.get("income_counted")), _money(calc.get("income_disregarded")),
            aid, _money(calc.get("surplus")), members, s.get("rule_set_hash"),
            [str(p) for p in s.get("parameters") or ()], [str(c) for c in s.get("conditions") or ()],
            s.get("delegat"), s.get("reason"), plain(s.get("decided_on")), user, actor.get("role"),
            _json(calc.get("warnings") or []), _json(s.get("norm_adjustment")), at,
            _text(calc.get("income_month")), subsistence and _money(subsistence), _money(calc.get("other_aid")),
        ),
    )  # fmt: skip
    append = rows.rows["f_decision_lines"].append
    text = _text
    for number, line in enumerate(calc.get("lines") or (), start=1):
        get = line.get
        append(
            (
                pos, decision_id, hid, month, number, text(get("kind")), text(get("member")),
                _money(get("amount")), text(get("rule")), text(get("reference")), text(get("parameter")),
                text(get("confidence")), text(get("income_kind")),
            ),
        )  # fmt: skip
    rows.dirty_persons.update(members)
    if amends:
        rows.amended_decisions.append(str(amends))


def _payment(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    rows.rows["f_payments_issued"].append(
        (
            pos, hid, s["payment_id"], s.get("decision_id"), plain(s["month"]), _money(s["amount"]),
            s.get("payee"), s.get("method"), plain(s["paid_on"]), user, at,
        ),
    )  # fmt: skip


def _cancel(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    rows.rows["f_payment_cancellations"].append((pos, hid, s["payment_id"], s.get("reason"), user, at))
    rows.dirty_reimbursement.add((None, s["payment_id"]))  # a cancelled payment is no cost to claim


def _obstacle(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    rows.rows["f_support_obstacles"].append(
        (pos, hid, s["person"], plain(s["month"]), s["code"], s.get("label"), user, at)
    )


def _closed(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    actor = s.get("actor") or {}
    rows.rows["case_closures"].append(
        (pos, hid, plain(s["closed_on"]), s["reason_code"], s.get("reason_label"), user, actor.get("role"), at)
    )


HANDLERS: Final[dict[str, Handler]] = {
    _TOPIC_PREFIX + "HouseholdRegistered": _registered,
    _TOPIC_PREFIX + "MemberAdded": _member_added,
    _TOPIC_PREFIX + "MemberRemoved": _member_removed,
    _TOPIC_PREFIX + "CohabitationChanged": _cohabitation,
    _TOPIC_PREFIX + "ApplicationSubmitted": _application,
    _TOPIC_PREFIX + "IncomeReported": _income_reported,
    _TOPIC_PREFIX + "IncomeCorrected": _income_corrected,
    _TOPIC_PREFIX + "ExternalSupportRecorded": _external,
    _TOPIC_PREFIX + "DecisionMade": _decision,
    _TOPIC_PREFIX + "DecisionAmended": _decision,
    _TOPIC_PREFIX + "PaymentIssued": _payment,
    _TOPIC_PREFIX + "PaymentCancelled": _cancel,
    _TOPIC_PREFIX + "SupportObstacleRecorded": _obstacle,
    _TOPIC_PREFIX + "CaseClosed": _closed,
    **RECOVERY_HANDLERS,
    **REIMBURSEMENT_HANDLERS,
}


class _Topic:
    """What one topic needs, resolved once per process: its event type, handler and upcasters."""

    __slots__ = ("cls", "event_type", "handler", "version")

    def __init__(self, topic: str) -> None:
        self.event_type = event_type(topic)
        self.handler = HANDLERS.get(topic)
        self.version = 1
        self.cls: Any = None
        if self.handler is None:
            return
        try:
            from eventsourcing.utils import resolve_topic

            cls = resolve_topic(topic)
        except Exception:  # an unknown topic: no upcasters
            return
        self.version = int(getattr(cls, "class_version", 1))
        self.cls = cls

    def upcast(self, state: dict[str, Any]) -> None:
        """Bring an old event version up to date with the class's own upcasters (as the library's mapper does)."""
        from_version = int(state.pop("class_version", 1))
        while self.cls is not None and from_version < self.version:
            getattr(self.cls, f"upcast_v{from_version}_v{from_version + 1}")(state)
            from_version += 1


_TOPICS: dict[str, _Topic] = {}


def event_type(topic: str) -> str:
    return topic.split(":", 1)[-1]


def page_rows(notifications: Sequence[StoredNotification], opener: Opener | None = None) -> PageRows:
    """Decode a batch of notifications into rows for every fact table (including the ``events`` audit log).

    ``opener`` opens the personal fields sealed in a stored state (the application's key store); the ``events``
    audit log keeps the stored state as it is, sealed.
    """
    rows = PageRows()
    events = rows.rows["events"].append
    topics = _TOPICS
    loads = _loads
    position = 0
    for index, notification in enumerate(notifications):
        topic = notification.topic
        info = topics.get(topic)
        if info is None:
            info = topics[topic] = _Topic(topic)
        position = notification.id
        try:
            raw = notification.state
            state: dict[str, Any] = loads(
                opener(topic, notification.originator_id, raw) if opener is not None and _SEALED in raw else raw
            )
            household = str(notification.originator_id)
            recorded_at: Any = state.get("timestamp")
            if type(recorded_at) is dict:
                recorded_at = recorded_at.get("_data_")
            actor = state.get("actor") or {}
            user = actor.get("user")
            handler = info.handler
            if handler is not None:
                if "class_version" in state or info.version != 1:
                    info.upcast(state)
                handler(rows, state, position, household, user, recorded_at)
        except (ValueError, ArithmeticError, KeyError, TypeError, AttributeError) as error:
            reason = str(error) if isinstance(error, UnfitAmount) else f"{type(error).__name__}: {error}"
            raise UnprojectableEvent(position, info.event_type, reason, index) from None
        events(
            (
                position, recorded_at, household, notification.originator_version, info.event_type, user,
                actor.get("role"), raw,
            ),
        )  # fmt: skip
    rows.last_position = position
    rows.count = len(notifications)
    return rows
