"""The household index (listing, short ids, closing) and the snapshots of the index aggregates, on every backend.

docs/adr/0026-household-index-and-snapshots.md: registering or closing a household saves its index shard in the
same atomic save; a short id reads one shard; snapshots are outside the hash chain and equal a full replay.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bistand_es.application.app import BistandApplication
from bistand_es.application.audit import verify_store
from bistand_es.application.config import Settings
from bistand_es.cli.common import resolve_household
from bistand_es.domain.household import Household
from bistand_es.domain.household_index import HouseholdIndexShard, shard_id
from bistand_es.domain.records import Actor
from bistand_es.domain.rules.rule_set import load_rule_set

ANNA = Actor("anna", "handlaggare")
PERSONS = ["19850402-1232", "19701063-2391", "19900101-0017"]


def register(app: BistandApplication, person: str, on: date = date(2024, 1, 1)) -> UUID:
    return app.register_household(
        actor=ANNA, municipality="1765", applicant=person, birth_date=date(1985, 4, 2), registered_on=on
    ).household_id


def test_households_are_listed_found_by_short_id_and_closed_in_the_index(app: BistandApplication) -> None:
    ids = [register(app, p) for p in PERSONS]
    rows = {row["household_id"]: row for row in app.list_households()}
    assert set(rows) == {str(h) for h in ids}
    assert rows[str(ids[0])] == {
        "household_id": str(ids[0]),
        "municipality": "1765",
        "applicant": PERSONS[0],
        "registered_on": "2024-01-01",
        "closed_on": None,
    }
    assert [r["household_id"] for r in app.list_households()] == sorted(str(h) for h in ids)  # id order

    app.close_case(ids[1], actor=ANNA, closed_on=date(2024, 3, 31), reason_code="10", reason_label="Egen försörjning")
    closed = {row["household_id"]: row["closed_on"] for row in app.list_households()}
    assert closed == {str(ids[0]): None, str(ids[1]): "2024-03-31", str(ids[2]): None}

    for hid in ids:
        assert resolve_household(app, str(hid)[:8]) == hid
        assert app.households_with_prefix(str(hid)[:2])  # one shard
    assert app.households_with_prefix("") == app.list_households()


def test_a_store_written_before_the_index_is_indexed_once(tmp_path: object) -> None:
    env = Settings(home=tmp_path / "home").event_store_env()  # type: ignore[operator]
    old = BistandApplication(env=env)
    household = Household.register(
        actor=ANNA,
        municipality="0180",
        applicant=PERSONS[0],
        birth_date=date(1985, 4, 2),
        registered_on=date(2023, 5, 2),
    )
    old.save(household)  # as the code before the index saved it: no shard

    app = BistandApplication(env=env)
    newer = register(app, PERSONS[1])  # builds the index first, then adds this one
    rows = {row["household_id"]: row["registered_on"] for row in app.list_households()}
    assert rows == {str(household.id): "2023-05-02", str(newer): "2024-01-01"}
    assert BistandApplication(env=env).list_households() == app.list_households()


def test_index_shards_are_snapshotted_outside_the_chain_and_equal_a_full_replay(app: BistandApplication) -> None:
    shard = HouseholdIndexShard.start("ab")
    for n in range(120):  # 121 versions: snapshots every 10, the last at 120
        shard.add(UUID(f"ab{n:030x}"), municipality="1765", applicant=f"p{n}", registered_on=date(2024, 1, 1 + n % 28))
        if n % 7 == 0:
            app.save(shard)
    app.save(shard)
    assert app.snapshots is not None
    latest = list(app.snapshots.get(shard_id("ab"), desc=True, limit=1))
    assert latest[0].originator_version == 120
    assert app.check_snapshot(shard_id("ab"))

    in_memory = app.env.get("PERSISTENCE_MODULE") == "eventsourcing.popo"
    fresh = app if in_memory else BistandApplication(env=app.env)  # an empty link cache: reads the chain
    loaded = fresh.repository.get(shard_id("ab"))
    assert isinstance(loaded, HouseholdIndexShard) and len(loaded.rows) == 120
    loaded.close(UUID(f"ab{3:030x}"), date(2024, 6, 30))
    fresh.save(loaded)
    result = verify_store(fresh, load_rule_set(None), None, None)
    assert result.chains.findings == []  # the snapshots took no place in the chain

    fresh.drop_snapshots()  # what a gallring does after shredding a key: they are rebuilt from the events
    assert fresh.snapshots is not None and list(fresh.snapshots.get(shard_id("ab"))) == []
    again = fresh.repository.get(shard_id("ab"))
    assert isinstance(again, HouseholdIndexShard) and again.rows[str(UUID(f"ab{3:030x}"))]["closed_on"] == "2024-06-30"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 40), st.booleans()), min_size=1, max_size=160))
def test_replay_from_a_snapshot_equals_full_replay(steps: list[tuple[int, bool]]) -> None:
    app = BistandApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    shard = HouseholdIndexShard.start("cd")
    for n, close in steps:
        hid = UUID(f"cd{n:030x}")
        if close:
            shard.close(hid, date(2024, 2, 1 + n % 28))
        else:
            shard.add(hid, municipality="1765", applicant=f"p{n}", registered_on=date(2024, 1, 1 + n % 28))
        app.save(shard)  # a save per step: the interval of 10 is crossed wherever the history is long enough
    replayed = None
    for event in app.events.get(shard.id):
        replayed = event.mutate(replayed)  # type: ignore[attr-defined]
    assert replayed is not None
    assert vars(app.repository.get(shard.id)) == vars(replayed)
    assert app.check_snapshot(shard.id)
