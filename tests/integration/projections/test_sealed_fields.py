"""The projector's one-parse opening of sealed personal fields gives the rows of opening every field.

``projections.decoding.SealedFields`` opens the sealed values of a parsed state in place (each household's
AES-GCM context made once per batch) and leaves the fields no row reads sealed (``UNREAD_SEALED``). The reference
here is the personal-data mapper's own ``open_state`` (every sealed value opened, the state serialised again) and
then a parse: both must give the same rows, table by table, and the same marks for the derived tables, including
for a household whose key was shredded (its fields read ``[gallrad]``) and for sealed values deep inside clear
structures (an application's cost-line notes).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bistand_es.application.app import BistandApplication
from bistand_es.application.integrity.personal import personal_mapper
from bistand_es.domain.errors import BrokenChain
from bistand_es.projections.decoding import SealedFields, dumps, loads
from bistand_es.projections.rows import Opener, PageRows, opener_of, page_rows
from tests.integration.projections.recovery_scenario import recovery_sample
from tests.integration.projections.reimbursement_scenario import reimbursement_sample
from tests.integration.projections.scenario import register, sample, sqlite_app


class _OpenEverything(Opener):
    """The reference: the mapper opens every sealed field and serialises the state; then it is parsed."""

    def parse(self, topic: str, originator_id: Any, state: bytes) -> dict[str, Any]:
        opened: dict[str, Any] = loads(self(topic, originator_id, state))
        return opened


def _everything(rows: PageRows) -> tuple[Any, ...]:
    return (
        rows.rows, rows.dirty_persons, rows.dirty_claims, rows.dirty_reimbursement, rows.amended_decisions,
        rows.last_position, rows.count,
    )  # fmt: skip


def _notifications(app: BistandApplication) -> list[Any]:
    return list(app.recorder.select_notifications(start=0, limit=100_000, inclusive_of_start=False))


SCENARIOS: dict[str, Callable[[BistandApplication], Any]] = {
    "households": sample,
    "recovery": recovery_sample,
    "reimbursement": reimbursement_sample,
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_opening_only_what_rows_read_gives_the_rows_of_opening_everything(tmp_path: Path, scenario: str) -> None:
    app, _ = sqlite_app(tmp_path / "home")
    SCENARIOS[scenario](app)
    notifications = _notifications(app)
    states = [n.state for n in notifications]
    assert any(b'"_enc_"' in s for s in states)  # the events are sealed
    mapper = personal_mapper(app.mapper)
    assert mapper is not None
    fast = opener_of(app)
    assert fast is not None
    reference = _OpenEverything(mapper.keys, mapper.open_state)
    assert _everything(page_rows(notifications, fast)) == _everything(page_rows(notifications, reference))


def test_shredded_and_nested_values_open_as_the_mapper_opens_them(tmp_path: Path) -> None:
    app, _ = sqlite_app(tmp_path / "home")
    sample(app)
    shredded = str(register(app, "19700101-0002"))  # a household with no decision yet, disposed of
    notifications = _notifications(app)
    # an application's cost lines carry a sealed note inside a clear list; a decision's situation stays sealed
    assert any(b'"cost_lines":[{' in n.state and b'"note":{"_enc_"' in n.state for n in notifications)
    assert any(b'"situation":{"_enc_"' in n.state for n in notifications)
    mapper = personal_mapper(app.mapper)
    assert mapper is not None
    assert mapper.keys.shred(shredded)
    fast = opener_of(app)
    assert fast is not None
    reference = _OpenEverything(mapper.keys, mapper.open_state)
    fast_rows, reference_rows = page_rows(notifications, fast), page_rows(notifications, reference)
    assert _everything(fast_rows) == _everything(reference_rows)
    registered = [row for row in fast_rows.rows["f_households_registered"] if row[1] == shredded]
    assert registered and registered[0][3] == "[gallrad]"  # the applicant's identity no longer opens


def test_an_altered_sealed_value_is_a_broken_chain(tmp_path: Path) -> None:
    app, _ = sqlite_app(tmp_path / "home")
    sample(app)
    decision = next(n for n in _notifications(app) if n.topic.endswith(":DecisionMade"))
    state = loads(decision.state)
    sealed = state["calculation"]["_enc_"]
    state["calculation"]["_enc_"] = sealed[:20] + ("A" if sealed[20] != "A" else "B") + sealed[21:]
    mapper = personal_mapper(app.mapper)
    assert mapper is not None
    with pytest.raises(BrokenChain, match="does not open with its key"):
        SealedFields(mapper.keys).parse(decision.topic, decision.originator_id, dumps(state))
