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

No identity number, name or free text reaches a row (docs/adr/0024-personal-data-and-gallring.md): every identity
number becomes the person's pseudonym (:mod:`bistand_es.application.integrity.pseudonyms`; ``rows.member`` for a
person of the event's household, which also queues the row through which an authorised role resolves it), and
free-text reasons, notes and evidence are left out (their columns stay empty). The stored state in the ``events``
audit log stays as it was stored, with those fields sealed (an older event that stored them in clear has them
withheld there: :data:`WITHHELD`).

This is the projector's hot loop (docs/adr/0008-duckdb-read-side.md): handlers append one tuple per row to the
table's list (no per-row dicts, no method calls but the pseudonyms' cached lookup), and JSON columns are written
as UTF-8 bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any, Final, Protocol

from bistand_es.application.integrity.classification import PERSONAL, is_exempt, is_personal
from bistand_es.application.integrity.keystore import KeyStore, MemoryKeyStore
from bistand_es.application.integrity.personal import personal_mapper
from bistand_es.application.integrity.pseudonyms import Pseudonymiser, pseudonymiser
from bistand_es.domain.household.policy import subsistence_aid
from bistand_es.domain.identifiers import mask_person_ids
from bistand_es.domain.vocabulary import Payee
from bistand_es.projections.decoding import EMPTY_LIST as _EMPTY_LIST
from bistand_es.projections.decoding import SealedFields, UnfitAmount, plain
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


_SEALED: Final = b'"_enc_"'


class Opener:
    """The key store as the projector uses it: opens the sealed personal fields of a stored state
    (``opener(topic, originator id, state) -> state``) and gives the pseudonyms of identity numbers."""

    def __init__(self, keys: KeyStore, open_state: Callable[[str, Any, bytes], bytes] | None = None) -> None:
        self.open_state = open_state
        self.pseudonyms = pseudonymiser(keys)
        self.fields = SealedFields(keys) if open_state is not None else None  # one per batch: keys cached

    def __call__(self, topic: str, originator_id: Any, state: bytes) -> bytes:
        return state if self.open_state is None else self.open_state(topic, originator_id, state)

    def parse(self, topic: str, originator_id: Any, state: bytes) -> dict[str, Any]:
        """The stored state parsed, with the sealed fields the rows read opened (one parse; projections/decoding)."""
        parsed: dict[str, Any] = (
            _loads(state) if self.fields is None else self.fields.parse(topic, originator_id, state)
        )
        return parsed


_LOOSE: list[Pseudonymiser] = []


def _loose_pseudonymiser() -> Pseudonymiser:
    """Pseudonyms for rows decoded without an application (unit tests): a secret of this process only, so that
    even there no identity number reaches a row."""
    if not _LOOSE:
        _LOOSE.append(Pseudonymiser(MemoryKeyStore()))
    return _LOOSE[0]


def opener_of(app: Any) -> Opener | None:
    """The application's key store as the projector uses it (None: its events are not encrypted)."""
    mapper = personal_mapper(getattr(app, "mapper", None))
    return Opener(mapper.keys, mapper.open_state) if mapper is not None else None


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

    def __init__(self, pseudonyms: Pseudonymiser | None = None) -> None:
        self.pseudonyms = pseudonyms if pseudonyms is not None else _loose_pseudonymiser()
        #: (household id, identity number) -> the person's pseudonym (queues its resolution row)
        self.member: Callable[[str, Any], Any] = self.pseudonyms.member
        #: identity or agency reference -> its pseudonym (no resolution row)
        self.alias: Callable[[Any], Any] = self.pseudonyms.of
        self.rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in FACT_TABLES}
        self.dirty_persons: set[str] = set()
        self.dirty_claims: set[str] = set()  # claims whose balances are recomputed at the end of the run
        # (person, payment id): whose återsökning opportunities are recomputed at the end of the run
        self.dirty_reimbursement: set[tuple[str | None, str | None]] = set()
        self.amended_decisions: list[str] = []
        #: a decision line's stored values (with its household) -> its columns: the same lines recur month after
        #: month (norms, rent), and the pseudonym is this batch's (its resolution row is queued on first use)
        self.line_tails: dict[tuple[Any, ...], tuple[Any, ...]] = {}
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
    applicant = rows.member(hid, s["applicant"])
    rows.rows["f_households_registered"].append(
        (pos, hid, s["municipality"], applicant, birth, registered_on, user, at)
    )
    rows.rows["f_member_changes"].append(
        (pos, hid, applicant, "added", "applicant", birth, None, registered_on, None, at)
    )


def _member_added(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    rows.rows["f_member_changes"].append(
        (
            pos, hid, rows.member(hid, s["person"]), "added", s["role"], plain(s["birth_date"]), s.get("in_school"),
            plain(s["effective_on"]), None, at,
        ),
    )  # fmt: skip


def _member_removed(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    rows.rows["f_member_changes"].append(
        (pos, hid, rows.member(hid, s["person"]), "removed", None, None, None, plain(s["effective_on"]), None, at)
    )


def _cohabitation(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    rows.rows["f_cohabitation"].append((pos, hid, bool(s["cohabiting"]), plain(s["effective_on"]), at))


def _application(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    lines = [
        {"kind": line.get("kind"), "amount": _money(line.get("amount")), "note": ""}
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
            pos, hid, s["income_id"], "reported", rows.member(hid, s["member"]), s["kind"], plain(s["month"]),
            _money(s["amount"]), s.get("source"), None, user, at,
        ),
    )  # fmt: skip


def _income_corrected(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    rows.rows["f_income_changes"].append(
        (
            pos, hid, s["income_id"], "corrected", None, s["kind"], plain(s["month"]),
            _money(s["amount"]), None, None, user, at,
        ),
    )  # fmt: skip


def _external(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    person = rows.member(hid, s["person"])
    source = s.get("source")
    append = rows.rows["f_external_support"].append
    for month in s.get("months") or ():
        append((pos, hid, person, plain(month), source, user, at))
    rows.dirty_persons.add(person)


def _decision(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    calc: dict[str, Any] = s.get("calculation") or {}
    month = plain(s["month"])
    decision_id = s["decision_id"]
    member = rows.member
    identities = [m if type(m) is str else str(m) for m in s.get("members") or ()]
    members = [member(hid, m) for m in identities]
    warnings = _json(_warnings(calc.get("warnings"), identities, members))
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
            s.get("delegat"), None, plain(s.get("decided_on")), user, actor.get("role"),
            warnings, _json(_adjustment(s.get("norm_adjustment"))), at,
            _text(calc.get("income_month")), subsistence and _money(subsistence), _money(calc.get("other_aid")),
        ),
    )  # fmt: skip
    append = rows.rows["f_decision_lines"].append
    tails = rows.line_tails
    for number, line in enumerate(calc.get("lines") or (), start=1):
        get = line.get
        stored = (
            hid, get("kind"), get("member"), get("amount"), get("rule"), get("reference"), get("parameter"),
            get("confidence"), get("income_kind"),
        )  # fmt: skip
        # only texts are keys: 1, 1.0 and True are equal keys but different columns; a structure is no key
        cacheable = _TEXTUAL.issuperset(map(type, stored))
        tail = tails.get(stored) if cacheable else None
        if tail is None:
            tail = _line_tail(member, stored)
            if cacheable:
                tails[stored] = tail
        append((pos, decision_id, hid, month, number, *tail))
    rows.dirty_persons.update(members)
    if amends:
        rows.amended_decisions.append(str(amends))


#: The types of a decision line's values that may be part of its key.
_TEXTUAL: Final = frozenset({str, type(None)})


def _line_tail(member: Callable[[str, Any], Any], stored: tuple[Any, ...]) -> tuple[Any, ...]:
    """A calculation line's columns after its number, from its household and its stored kind, member, amount,
    rule, reference, parameter, confidence and income kind: texts, the member's pseudonym, the money text."""
    hid, kind, person, amount, rule, reference, parameter, confidence, income_kind = stored
    text = _text
    return (
        text(kind), member(hid, text(person)), _money(amount), text(rule), text(reference), text(parameter),
        text(confidence), text(income_kind),
    )  # fmt: skip


def _warnings(warnings: Any, identities: list[str], aliases: list[Any]) -> list[Any]:
    """A calculation's warnings with each member's identity number replaced by the member's pseudonym (and any
    other personnummer-like number masked, as error lines do)."""
    found: list[Any] = []
    for warning in warnings or ():
        text = warning if type(warning) is str else str(warning)
        for identity, alias in zip(identities, aliases, strict=True):
            if identity in text:
                text = text.replace(identity, str(alias))
        found.append(mask_person_ids(text))
    return found


def _adjustment(adjustment: Any) -> Any:
    """A norm adjustment's kind and amounts, without its free-text reason."""
    if type(adjustment) is not dict:
        return adjustment
    return {name: value for name, value in adjustment.items() if name not in _FREE_TEXT}


_FREE_TEXT: Final = frozenset({"reason", "note", "evidence", "name", "text", "motivation"})


#: Who a payment went to, as a code (``pay --payee``): not personal; anything else is written as a pseudonym.
_PAYEE_CODES: Final = frozenset(payee.value for payee in Payee)


def _payee(rows: PageRows, payee: Any) -> Any:
    return payee if payee is None or payee in _PAYEE_CODES else rows.alias(payee)


def _payment(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    rows.rows["f_payments_issued"].append(
        (
            pos, hid, s["payment_id"], s.get("decision_id"), plain(s["month"]), _money(s["amount"]),
            _payee(rows, s.get("payee")), s.get("method"), plain(s["paid_on"]), user, at,
        ),
    )  # fmt: skip


def _cancel(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    rows.rows["f_payment_cancellations"].append((pos, hid, s["payment_id"], None, user, at))
    rows.dirty_reimbursement.add((None, s["payment_id"]))  # a cancelled payment is no cost to claim


def _obstacle(rows: PageRows, s: dict[str, Any], pos: int, hid: str, user: str | None, at: str) -> None:
    rows.rows["f_support_obstacles"].append(
        (pos, hid, rows.member(hid, s["person"]), plain(s["month"]), s["code"], s.get("label"), user, at)
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


#: A personal field's name as it appears in stored JSON (a quick test before any parsing).
_PERSONAL_NAMES: Final = tuple(f'"{name}":'.encode() for name in sorted(PERSONAL))
#: What the ``events`` audit log shows instead of a personal value that an older event stored in clear.
WITHHELD: Final = "[personuppgift]"


def _audit_payload(topic: str, raw: bytes) -> bytes:
    """The ``events.payload`` of an event with nothing sealed: as stored, except that an older event (stored before
    encryption) has its personal fields withheld, so that the read model holds no identity number or free text."""
    if is_exempt(topic) or not any(name in raw for name in _PERSONAL_NAMES):
        return raw
    state, withheld = _withhold(_loads(raw))
    return _dumps(state) if withheld else raw


def _withhold(value: Any) -> tuple[Any, bool]:
    if type(value) is dict:
        if "_type_" in value:
            return value, False
        out: dict[str, Any] = {}
        found = False
        for name, item in value.items():
            if item is not None and is_personal(name):
                out[name], found = WITHHELD, True
            else:
                out[name], inner = _withhold(item)
                found = found or inner
        return out, found
    if type(value) is list:
        pairs = [_withhold(item) for item in value]
        return [pair[0] for pair in pairs], any(pair[1] for pair in pairs)
    return value, False


def page_rows(notifications: Sequence[StoredNotification], opener: Opener | None = None) -> PageRows:
    """Decode a batch of notifications into rows for every fact table (including the ``events`` audit log).

    ``opener`` opens the personal fields sealed in a stored state (the application's key store); the ``events``
    audit log keeps the stored state as it is, sealed.
    """
    rows = PageRows(opener.pseudonyms if isinstance(opener, Opener) else None)
    events = rows.rows["events"].append
    topics = _TOPICS
    loads = _loads
    position = 0
    last_originator: Any = None
    household = ""
    for index, notification in enumerate(notifications):
        topic = notification.topic
        info = topics.get(topic)
        if info is None:
            info = topics[topic] = _Topic(topic)
        position = notification.id
        try:
            raw = notification.state
            originator = notification.originator_id
            if originator != last_originator:  # a household's events mostly come together: one str() for them
                last_originator, household = originator, str(originator)
            state: dict[str, Any] = (
                opener.parse(topic, household, raw) if opener is not None and _SEALED in raw else loads(raw)
            )
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
                actor.get("role"), raw if _SEALED in raw else _audit_payload(topic, raw),
            ),
        )  # fmt: skip
    rows.pseudonyms.flush()
    rows.last_position = position
    rows.count = len(notifications)
    return rows
