"""The projector opens sealed values exactly as the mapper's ``open_value`` does, on its fast paths too.

``SealedFields`` takes a sealed plain string's text straight from its plaintext (``"…"`` without a backslash) and
leaves the fields no row reads (``UNREAD_SEALED``: a reason, a note, evidence, a situation) sealed, at the top
level and inside clear structures. Every other value must come out as ``crypto.open_value`` gives it.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from bistand_es.application.integrity import crypto
from bistand_es.application.integrity.keystore import MemoryKeyStore
from bistand_es.projections.decoding import UNREAD_SEALED, SealedFields, dumps

TOPIC = "bistand_es.household:MemberAdded"

VALUES: list[Any] = [
    "19640823-3234",
    "Åsa Öberg",  # not ASCII: stored as UTF-8, no escape
    'a "quoted" name',  # escaped quotes: the JSON parser's work
    "back\\slash",
    "tab\there",
    "",
    ["19640823-3234", "19700101-0002"],
    {"_type_": "decimal_str", "_data_": "12.50"},
    None,
    12,
]


@pytest.mark.parametrize("value", VALUES, ids=[repr(v)[:20] for v in VALUES])
def test_a_sealed_value_opens_as_the_mapper_opens_it(value: Any) -> None:
    keys = MemoryKeyStore()
    owner = str(uuid.uuid4())
    key = keys.key(owner, create=True)
    assert key is not None
    sealed = crypto.seal_value(key, owner, value)
    state = {"person": sealed, "lines": [{"member": sealed, "kind": "norm.personal"}]}
    opened = SealedFields(keys).parse(TOPIC, owner, dumps(state))
    expected = crypto.open_value(key, owner, sealed[crypto.SEALED])
    assert opened["person"] == expected
    assert opened["lines"][0]["member"] == expected
    assert type(opened["person"]) is type(expected)


def test_fields_no_row_reads_stay_sealed_at_any_depth() -> None:
    keys = MemoryKeyStore()
    owner = str(uuid.uuid4())
    key = keys.key(owner, create=True)
    assert key is not None
    assert {"reason", "note", "evidence", "situation"} <= UNREAD_SEALED

    def seal(value: Any) -> dict[str, str]:
        return crypto.seal_value(key, owner, value)

    state = {
        "reason": seal("free text"),
        "person": seal("19640823-3234"),
        "cost_lines": [{"kind": "rent", "amount": "7500.00", "note": seal("hyra mars")}],
        "norm_adjustment": {"kind": "reduced", "reason": seal("why"), "member": seal("19700101-0002")},
    }
    opened = SealedFields(keys).parse(TOPIC, owner, dumps(state))
    assert opened["person"] == "19640823-3234"
    assert opened["norm_adjustment"]["member"] == "19700101-0002"  # a read field beside an unread one: opened
    assert opened["reason"] == state["reason"]  # still sealed
    assert opened["cost_lines"][0]["note"] == state["cost_lines"][0]["note"]
    assert opened["norm_adjustment"]["reason"] == state["norm_adjustment"]["reason"]


def _decision(household: uuid.UUID, position: int, amount: str) -> Any:
    from tests.unit.projections.test_rows import TS, Stored

    state = (
        "{" + TS + f',"decision_id":"d{position}","month":{{"_type_":"month","_data_":"2021-03"}},'
        '"outcome":"granted","aid":"100.00","members":["19640823-3234"],'
        '"calculation":{"aid":"100.00","lines":['
        '{"kind":"norm.personal","member":"19640823-3234","amount":"100.00","rule":"r"},'
        f'{{"kind":"cost.other","member":null,"amount":{amount},"rule":"r"}}]}}}}'
    )
    return Stored(position, household, position, "bistand_es.household:DecisionMade", state.encode())


def test_recurring_decision_lines_queue_each_households_resolution_and_keep_each_amounts_text() -> None:
    from bistand_es.application.integrity.pseudonyms import pseudonym_of
    from bistand_es.projections.rows import Opener, page_rows

    keys = MemoryKeyStore()
    first, second = uuid.uuid4(), uuid.uuid4()
    # The same line in two households and twice in one; an amount as the text "1", the number 1 and the number
    # 1.0 (equal as keys, different as columns: "1", "1", "1.0").
    notifications = [_decision(first, 1, '"1"'), _decision(first, 2, "1"), _decision(second, 3, "1.0")]
    lines = page_rows(notifications, Opener(keys)).columns["f_decision_lines"]
    alias = pseudonym_of(keys, "19640823-3234")
    assert lines["member"] == [alias, None, alias, None, alias, None]
    assert lines["amount"] == ["100.00", "1", "100.00", "1", "100.00", "1.0"]
    # the person can be resolved through either household (a resolution row each, sealed with its own key)
    assert {row[1] for row in keys.resolutions([alias])} == {str(first), str(second)}
