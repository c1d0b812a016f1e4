"""Events → rows, pure: a page of stored notifications becomes column lists per fact table.

The stored JSON state is parsed directly (orjson when installed, else the standard library) instead of building
domain event objects: the rows need plain values, and the stored text is also the audit payload. Typed values in
the stored state are ``{"_type_": …, "_data_": …}`` (dates, months, Decimal); :func:`plain` unwraps them to their
text, which DuckDB casts to DATE / DECIMAL(14,2) on insert (exact; no float ever). Old event versions are upcast
with the event class's own ``upcast_vX_vY`` methods, as the library's mapper does.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any, Final, Protocol

from bistand_es.projections.schema import TABLES

try:  # orjson is ~2x faster on this JSON; it is optional.
    import orjson

    def _loads(data: bytes) -> Any:
        return orjson.loads(data)

except ImportError:  # pragma: no cover - depends on the environment

    def _loads(data: bytes) -> Any:
        return json.loads(data)


_TOPIC_PREFIX: Final = "bistand_es.household:"


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


def plain(value: Any) -> Any:
    """A stored value as plain text/number: typed wrappers give their ``_data_``."""
    if isinstance(value, dict) and "_type_" in value:
        return value.get("_data_")
    return value


def _text(value: Any) -> str | None:
    value = plain(value)
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(_unwrap_all(value), ensure_ascii=False, sort_keys=True)


def _money(value: Any) -> str | None:
    value = plain(value)
    if value is None or value == "":
        return None
    return str(value)


def _unwrap_all(value: Any) -> Any:
    if isinstance(value, dict):
        if "_type_" in value:
            return value.get("_data_")
        return {key: _unwrap_all(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_unwrap_all(item) for item in value]
    return value


def _json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(_unwrap_all(value), ensure_ascii=False, sort_keys=True)


class PageRows:
    """Rows per table for one page of events, ready to become Arrow tables (one column list per column)."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple[Any, ...]]] = {}
        self.dirty_persons: set[str] = set()
        self.amended_decisions: list[str] = []
        self.last_position = 0
        self.count = 0

    def add(self, table: str, row: tuple[Any, ...]) -> None:
        rows = self.rows.get(table)
        if rows is None:
            self.rows[table] = [row]
        else:
            rows.append(row)

    def tables(self) -> Iterator[tuple[str, dict[str, list[Any]]]]:
        """Each table's rows transposed into columns (checked against the schema's column count)."""
        for table, rows in self.rows.items():
            names = [name for name, _ in TABLES[table]]
            columns = list(zip(*rows, strict=True))
            if len(columns) != len(names):
                raise ValueError(f"{table}: rows have {len(columns)} values, the table has {len(names)} columns")
            yield table, {name: list(values) for name, values in zip(names, columns, strict=True)}

    @property
    def columns(self) -> dict[str, dict[str, list[Any]]]:
        return dict(self.tables())


Handler = Callable[[PageRows, dict[str, Any], int, str, str | None, str], None]


def _registered(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    birth = plain(s["birth_date"])
    registered_on = plain(s["registered_on"])
    rows.add(
        "f_households_registered",
        (pos, hid, s["municipality"], s["applicant"], birth, registered_on, user, at),
    )
    rows.add(
        "f_member_changes",
        (pos, hid, s["applicant"], "added", "applicant", birth, None, registered_on, None, at),
    )


def _member_added(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    rows.add(
        "f_member_changes",
        (
            pos, hid, s["person"], "added", s["role"], plain(s["birth_date"]), s.get("in_school"),
            plain(s["effective_on"]), None, at,
        ),
    )  # fmt: skip


def _member_removed(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    rows.add(
        "f_member_changes",
        (pos, hid, s["person"], "removed", None, None, None, plain(s["effective_on"]), s.get("reason"), at),
    )


def _cohabitation(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    rows.add("f_cohabitation", (pos, hid, bool(s["cohabiting"]), plain(s["effective_on"]), at))


def _application(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    lines = [
        {"kind": line.get("kind"), "amount": _money(line.get("amount")), "note": line.get("note", "")}
        for line in s.get("cost_lines") or []
    ]
    total = sum((Decimal(line["amount"]) for line in lines if line["amount"] is not None), Decimal("0.00"))
    rows.add(
        "applications",
        (
            pos, hid, plain(s["month"]), plain(s["received_on"]), plain(s.get("complete_on")),
            s.get("first_time"), str(total), json.dumps(lines, ensure_ascii=False), user, at,
        ),
    )  # fmt: skip


def _income_reported(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    rows.add(
        "f_income_changes",
        (
            pos, hid, s["income_id"], "reported", s["member"], s["kind"], plain(s["month"]),
            _money(s["amount"]), s.get("source"), None, user, at,
        ),
    )  # fmt: skip


def _income_corrected(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    rows.add(
        "f_income_changes",
        (
            pos, hid, s["income_id"], "corrected", None, s["kind"], plain(s["month"]),
            _money(s["amount"]), None, s.get("reason"), user, at,
        ),
    )  # fmt: skip


def _external(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    person = s["person"]
    for month in s.get("months") or []:
        rows.add("f_external_support", (pos, hid, person, plain(month), s.get("source"), user, at))
    rows.dirty_persons.add(person)


def _decision(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    calc: dict[str, Any] = s.get("calculation") or {}
    month = plain(s["month"])
    members = [str(m) for m in s.get("members") or []]
    actor = s.get("actor") or {}
    rows.add(
        "f_decisions",
        (
            pos, hid, s["decision_id"], s.get("amends"), month, s["outcome"],
            _money(calc.get("norm_total")), _money(calc.get("costs_total")), _money(calc.get("need")),
            _money(calc.get("income_counted")), _money(calc.get("income_disregarded")),
            _money(s["aid"]), _money(calc.get("surplus")), members, s.get("rule_set_hash"),
            [str(p) for p in s.get("parameters") or []], [str(c) for c in s.get("conditions") or []],
            s.get("delegat"), s.get("reason"), plain(s.get("decided_on")), user, actor.get("role"),
            _json(calc.get("warnings") or []), _json(s.get("norm_adjustment")), at,
        ),
    )  # fmt: skip
    for number, line in enumerate(calc.get("lines") or [], start=1):
        rows.add(
            "f_decision_lines",
            (
                pos, s["decision_id"], hid, month, number, _text(line.get("kind")), _text(line.get("member")),
                _money(line.get("amount")), _text(line.get("rule")), _text(line.get("reference")),
                _text(line.get("parameter")), _text(line.get("confidence")),
            ),
        )  # fmt: skip
    rows.dirty_persons.update(members)
    if s.get("amends"):
        rows.amended_decisions.append(str(s["amends"]))


def _payment(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    rows.add(
        "f_payments_issued",
        (
            pos, hid, s["payment_id"], s.get("decision_id"), plain(s["month"]), _money(s["amount"]),
            s.get("payee"), s.get("method"), plain(s["paid_on"]), user, at,
        ),
    )  # fmt: skip


def _cancel(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    rows.add("f_payment_cancellations", (pos, hid, s["payment_id"], s.get("reason"), user, at))


def _obstacle(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    rows.add(
        "f_support_obstacles",
        (pos, hid, s["person"], plain(s["month"]), s["code"], s.get("label"), user, at),
    )


def _closed(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    actor = s.get("actor") or {}
    rows.add(
        "case_closures",
        (pos, hid, plain(s["closed_on"]), s["reason_code"], s.get("reason_label"), user, actor.get("role"), at),
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
}

_CLASS_VERSIONS: dict[str, tuple[int, Any]] = {}


def _upcast(topic: str, state: dict[str, Any]) -> None:
    """Bring an old event version up to date with the class's own upcasters (as the library's mapper does)."""
    entry = _CLASS_VERSIONS.get(topic)
    if entry is None:
        try:
            from eventsourcing.utils import resolve_topic

            cls = resolve_topic(topic)
        except Exception:  # an unknown topic: no upcasters
            entry = (1, None)
        else:
            entry = (int(getattr(cls, "class_version", 1)), cls)
        _CLASS_VERSIONS[topic] = entry
    version, cls = entry
    from_version = int(state.pop("class_version", 1))
    while cls is not None and from_version < version:
        getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(state)
        from_version += 1


def event_type(topic: str) -> str:
    return topic.split(":", 1)[-1]


def page_rows(notifications: Sequence[StoredNotification]) -> PageRows:
    """Decode a page of notifications into rows for every fact table (including the ``events`` audit log)."""
    rows = PageRows()
    add_event = rows.add
    for notification in notifications:
        raw = notification.state
        state: dict[str, Any] = _loads(raw)
        topic = notification.topic
        position = notification.id
        household = str(notification.originator_id)
        recorded_at = plain(state.get("timestamp"))
        actor = state.get("actor") or {}
        user = actor.get("user")
        add_event(
            "events",
            (
                position, recorded_at, household, notification.originator_version, event_type(topic), user,
                actor.get("role"), raw.decode("utf-8") if isinstance(raw, bytes) else str(raw),
            ),
        )  # fmt: skip
        handler = HANDLERS.get(topic)
        if handler is not None:
            _upcast(topic, state)
            handler(rows, state, position, household, user, recorded_at)
        rows.last_position = position
        rows.count += 1
    return rows
