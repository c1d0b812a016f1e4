"""Household snapshots (docs/adr/0026-household-index-and-snapshots.md): a cache outside the hash chain, bound to it.

The story used here (versions worked out from the calls): the scenario's 10 events (register, two members,
cohabitation, applications for 2021-01/02/03, two incomes and a correction), then a decision and a payment for
each of 2021-01/02/03 (versions 11–16), then for each month from 2021-04 an application, an income, a decision
and a payment (4 versions a month: 2021-04 is 17–20, 2021-05 21–24, 2021-06 25–28). Households are snapshotted
every 20 versions, so the save of version 20 (2021-04's payment) takes the one snapshot of a 28-version story.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bistand_es.application.app import BistandApplication
from bistand_es.application.base import replay
from bistand_es.application.config import Settings
from bistand_es.application.integrity import chain
from bistand_es.application.integrity.crypto import DISPOSED
from bistand_es.application.integrity.personal import personal_mapper
from bistand_es.application.integrity.snapshots import attach, content_hash, seal_hash, split
from bistand_es.application.transcodings import PackedTable, fits
from bistand_es.domain.errors import BistandError, BrokenChain
from bistand_es.domain.household import Household
from bistand_es.domain.household.placements import PayeeRole
from bistand_es.domain.household.stays import StayKind
from bistand_es.domain.month import Month
from bistand_es.domain.rules.placement_situation import PlacementKind
from tests.scenario import ANNA, APPLICANT, CHILD, PARTNER, synthetic_decision, tell_story
from tests.unit.test_household_replay import ACTOR, commands, run

AUDIT_KEY = "snapshot-test-audit-key-0123456789"


def pay(app: BistandApplication, hid: UUID, month: str, amount: str) -> None:
    app.change_household(
        hid,
        lambda h: h.issue_payment(
            actor=ANNA,
            month=Month.parse(month),
            amount=Decimal(amount),
            payee="applicant",
            method="bank_transfer",
            paid_on=Month.parse(month).first_day,
        ),
    )


def long_story(app: BistandApplication, last: str = "2021-06") -> UUID:
    hid, _ = tell_story(app)
    for month in ("2021-01", "2021-02", "2021-03"):
        synthetic_decision(app, hid, month, "4000.00")
        pay(app, hid, month, "4000.00")
    month = Month.parse("2021-04")
    while month <= Month.parse(last):
        app.submit_application(
            hid,
            actor=ANNA,
            month=month,
            received_on=(month - 1).first_day,
            complete_on=None,
            cost_lines=[{"kind": "rent", "amount": Decimal("7500.00")}],
        )
        app.report_income(
            hid,
            actor=ANNA,
            member=PARTNER,
            kind="employment",
            month=month - 1,
            amount=Decimal("2000.00"),
            source="applicant",
        )
        synthetic_decision(app, hid, str(month), "3500.00")
        pay(app, hid, str(month), "3500.00")
        month += 1
    return hid


def snapshot_rows(app: BistandApplication, hid: UUID) -> list[Any]:
    assert app.snapshots is not None
    return list(app.snapshots.recorder.select_events(hid))


def full_replay(app: BistandApplication, hid: UUID) -> Household:
    replayed = replay(None, app.events.get(hid))
    assert isinstance(replayed, Household)
    return replayed


def test_a_household_loads_from_its_snapshot_as_from_its_whole_history(app: BistandApplication) -> None:
    hid = long_story(app)
    assert [r.originator_version for r in snapshot_rows(app, hid)] == [20]  # the one multiple of 20 up to 28
    fresh = BistandApplication(env=app.env) if app.env.get("PERSISTENCE_MODULE") != "eventsourcing.popo" else app
    loaded = fresh.get_household(hid)
    assert loaded.version == 28
    assert _canonical(loaded) == _canonical(full_replay(fresh, hid))
    assert fresh.check_snapshot(hid)
    # the state keeps a decision's figures, not its whole calculation: 3 500 granted for 2021-04
    assert loaded.decisions[Month.parse("2021-04")].calculation == {"aid": "3500.00"}


def test_no_personal_data_in_the_raw_snapshots(settings: Settings) -> None:
    if settings.database_url == "memory:":
        pytest.skip("no raw store to read")
    app = BistandApplication(env=settings.event_store_env())
    hid = long_story(app)
    recorder: Any = app.snapshots.recorder  # type: ignore[union-attr]
    raw = b"".join(bytes(r.state) for r in recorder.select_events(hid))
    assert raw, "the household has a snapshot"
    for pnr in (APPLICANT, PARTNER, CHILD):
        for form in (pnr, pnr.replace("-", ""), pnr[2:], pnr.replace("-", "")[2:]):
            assert form.encode() not in raw
    assert b"l\xc3\xb6nespecifikation" not in raw and b"lonespecifikation" not in raw  # the correction's reason
    assert b'"_enc_"' in raw  # the state is sealed whole with the household's key


def test_an_edited_snapshot_is_not_used_and_check_snapshot_names_it(tmp_path: Any) -> None:
    app = BistandApplication(env=Settings(home=tmp_path / "home").event_store_env())
    hid = long_story(app)
    (record,) = snapshot_rows(app, hid)
    body, seal = split(record.state)
    assert seal.head == chain.split(app.stored_events(hid)[19].state).fields.hash  # type: ignore[union-attr]
    start = body.index(b'"_enc_":"') + len(b'"_enc_":"')
    edited = (
        record.state[:start] + (b"A" if record.state[start : start + 1] != b"A" else b"B") + record.state[start + 1 :]
    )
    table = app.snapshots.recorder.events_table_name  # type: ignore[union-attr]
    with app.snapshots.recorder.datastore.transaction(commit=True) as cursor:  # type: ignore[union-attr]
        cursor.execute(f"UPDATE {table} SET state = ? WHERE originator_id = ?", (edited, hid.hex))
    fresh = BistandApplication(env=app.env)
    assert _canonical(fresh.get_household(hid)) == _canonical(
        full_replay(fresh, hid)
    )  # replayed from the events instead
    assert not fresh.check_snapshot(hid)
    fresh.drop_snapshots()  # a cache: dropping it is always safe
    assert fresh.check_snapshot(hid)


def test_a_snapshot_resealed_without_the_audit_key_is_not_used(tmp_path: Any) -> None:
    env = {**Settings(home=tmp_path / "home").event_store_env(), "BISTAND_AUDIT_KEY": AUDIT_KEY}
    app = BistandApplication(env=env)
    hid = long_story(app)
    (record,) = snapshot_rows(app, hid)
    body, seal = split(record.state)
    assert seal.alg == "hmac-sha256"
    # a forger with the database but not the key re-seals the snapshot with a plain hash
    content = content_hash(hid, record.originator_version, record.topic, body)
    forged_seal = seal._replace(
        alg="sha256", kid="", content=content, hash=seal_hash(seal.head, seal.link, content, None)
    )
    forged = attach(body, forged_seal)
    table = app.snapshots.recorder.events_table_name  # type: ignore[union-attr]
    with app.snapshots.recorder.datastore.transaction(commit=True) as cursor:  # type: ignore[union-attr]
        cursor.execute(f"UPDATE {table} SET state = ? WHERE originator_id = ?", (forged, hid.hex))
    fresh = BistandApplication(env=env)
    assert not fresh.check_snapshot(hid)
    assert _canonical(fresh.get_household(hid)) == _canonical(full_replay(fresh, hid))


def test_the_event_after_a_snapshot_must_link_to_the_event_it_was_taken_at(tmp_path: Any) -> None:
    """A forger without the key edits an income before the snapshot and recomputes the whole chain: the events
    are consistent again, but version 21 no longer links to the chain head the snapshot recorded."""
    app = BistandApplication(env=Settings(home=tmp_path / "home").event_store_env())
    hid = long_story(app)
    records = app.stored_events(hid)
    previous = chain.genesis(hid)
    table = app.recorder.events_table_name  # type: ignore[attr-defined]
    with app.recorder.datastore.transaction(commit=True) as cursor:  # type: ignore[attr-defined]
        for record in records:
            body = chain.split(record.state).body
            if record.originator_version == 18:  # 2021-04's income: 2 000 → 200
                assert b'"2000.00"' in body
                body = body.replace(b'"2000.00"', b'"200.00"')
            state, fields = chain.seal(hid, record.originator_version, record.topic, body, previous, None, "")
            previous = fields.hash
            cursor.execute(
                f"UPDATE {table} SET state = ? WHERE originator_id = ? AND originator_version = ?",
                (state, hid.hex, record.originator_version),
            )
    fresh = BistandApplication(env=app.env)
    with pytest.raises(BrokenChain, match="version 21"):
        fresh.get_household(hid)
    assert not fresh.check_snapshot(hid)  # and a full replay differs from the snapshot


def test_a_snapshot_older_than_the_code_is_not_used() -> None:
    probe = Household.register(
        actor=ANNA,
        municipality="1765",
        applicant=APPLICANT,
        birth_date=date(1964, 8, 23),
        registered_on=date(2021, 1, 4),
    )
    state = {k: v for k, v in vars(probe).items() if not k.startswith("_")}
    assert fits(Household, state)
    del state["stays"]  # as if the snapshot were taken before the household kept institution stays
    assert not fits(Household, state)


class SmallInterval(BistandApplication):
    """Snapshots every 3 versions, so that short random histories take several."""

    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {
        **BistandApplication.snapshotting_intervals,
        Household: 3,
    }


@pytest.mark.slow
@settings(
    max_examples=15 if os.environ.get("CI") == "true" else 60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(commands, max_size=40))
def test_state_from_a_snapshot_and_later_events_equals_full_replay(script: list[tuple[Any, ...]]) -> None:
    app = SmallInterval(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    household = Household.register(
        actor=ACTOR,
        municipality="1765",
        applicant="reserv:A",
        birth_date=date(1980, 1, 1),
        registered_on=date(2021, 1, 1),
    )
    app.save(household)
    opening: list[tuple[Any, ...]] = [("apply", Month(2021, m), Decimal("6000.00")) for m in (1, 2, 3)]
    opening.append(("add", "reserv:P1", "co_applicant", date(2021, 1, 1)))
    commands_run = [*opening, *script]
    half = len(commands_run) // 2
    for n, command in enumerate(commands_run):
        if n == half:  # the second half runs on the household as loaded (from a snapshot, read back lazily)
            household = app.get_household(household.id)
        try:
            run(household, command)
        except BistandError:
            continue
        app.save(household)
    loaded = app.get_household(household.id)
    replayed = full_replay(app, household.id)
    assert _canonical(loaded) == _canonical(replayed)
    assert _canonical(loaded) == _canonical(household)  # and equals the live aggregate the commands ran on
    assert app.check_snapshot(household.id)


def _canonical(household: Household) -> dict[str, Any]:
    """Every attribute of the state (the pending events aside), compared as Python values; attributes a
    snapshot deferred are read back first."""
    household.resolve_deferred()
    return {k: v for k, v in vars(household).items() if k != "_pending_events"}


def test_every_kind_of_state_round_trips_through_a_snapshot() -> None:
    """Claims with payments, instalments and a court filing, an advance and its refund (test_recovery's flows),
    and migration facts with a tagged payment split over two households (test_reimbursement_flow's): each
    household, snapshotted afterwards, loads from its snapshot exactly as from its events."""
    from tests.integration import test_recovery as recovery
    from tests.integration import test_reimbursement_flow as reimbursement

    rules = recovery.load_rule_set(None)
    kinds: set[str] = set()
    for flow in (
        recovery.test_court_plan_and_deadlines,
        recovery.test_advance_on_benefit_end_to_end,
        reimbursement.test_a_claim_spanning_two_households_is_recorded_on_both_at_once,
        placed_and_staying,
    ):
        app = BistandApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
        flow(app, rules)
        for hid in [UUID(row["household_id"]) for row in app.list_households()]:
            app.take_snapshot(hid)
            assert app.check_snapshot(hid), hid
            loaded = app.get_household(hid)
            assert _canonical(loaded) == _canonical(full_replay(app, hid))
            kinds |= {k for k, v in vars(loaded).items() if isinstance(v, Mapping) and v and not k.startswith("_")}
    assert {"claims", "advances", "person_facts", "payment_tags", "placements", "stays"} <= kinds  # every mixin


def placed_and_staying(app: BistandApplication, _rules: object) -> None:
    """The scenario's household with its child placed at an HVB and the partner staying at one."""
    hid, _ = tell_story(app)
    app.start_placement(
        hid,
        actor=ANNA,
        person=CHILD,
        kind=PlacementKind.HVB,
        valid_from=date(2021, 2, 1),
        valid_to=None,
        unit="Enhet Nord",
        home="HVB Solgläntan",
        payee_role=PayeeRole.CUSTODIAN,
        payee_name="Vårdnadshavare",
        pocket_money=Decimal("500.00"),
    )
    app.start_stay(hid, actor=ANNA, person=PARTNER, kind=StayKind.HVB, valid_from=date(2021, 3, 1))
    app.end_stay(hid, actor=ANNA, person=PARTNER, ended_on=date(2021, 3, 20), reason="utskriven")


def test_a_shredded_key_makes_the_snapshot_unusable_and_the_household_still_loads(tmp_path: Any) -> None:
    """Gallring by crypto-shredding (ADR 0024): the snapshot, sealed whole with the household's key, no longer
    opens; the household is replayed from its events, whose personal fields read as [gallrad]."""
    app = BistandApplication(env=Settings(home=tmp_path / "home").event_store_env())
    hid, _ = tell_story(app)  # versions 1–10; then an application and an income a month: 11–22
    for month in ("2021-04", "2021-05", "2021-06", "2021-07", "2021-08", "2021-09"):
        m = Month.parse(month)
        app.submit_application(
            hid,
            actor=ANNA,
            month=m,
            received_on=(m - 1).first_day,
            complete_on=None,
            cost_lines=[{"kind": "rent", "amount": Decimal("7500.00")}],
        )
        app.report_income(
            hid, actor=ANNA, member=PARTNER, kind="employment", month=m - 1, amount=Decimal("2000.00"), source="x"
        )
    assert [r.originator_version for r in snapshot_rows(app, hid)] == [20]
    keys = personal_mapper(app.mapper)
    assert keys is not None and keys.keys.shred(str(hid))
    fresh = BistandApplication(env=app.env)
    assert fresh.snapshots is not None and list(fresh.snapshots.get(hid)) == []  # not used
    loaded = fresh.get_household(hid)
    assert loaded.version == 22 and loaded.applicant == DISPOSED
    assert loaded.applications[Month.parse("2021-09")].costs == {"rent": Decimal("7500.00")}  # amounts readable


def test_a_snapshot_defers_its_large_attributes_until_first_used(tmp_path: Any) -> None:
    """The long story's snapshot is at version 20; loading the household at version 20 reads no event after it,
    so its dicts of records (applications, incomes, decisions, payments) stay packed until first read."""
    app = BistandApplication(env=Settings(home=tmp_path / "home").event_store_env())
    hid = long_story(app, last="2021-04")  # versions 1–20: the snapshot at 20 is the last state
    fresh = BistandApplication(env=app.env)
    loaded = fresh.get_household(hid)
    assert loaded.version == 20
    state = vars(loaded)
    packed = {name for name, value in state.items() if isinstance(value, PackedTable)}
    assert {"applications", "incomes", "decisions", "payments"} <= packed
    assert all(state[name]._data is None for name in packed)  # not one key or record read back yet
    # the first read gives the value: 2021-04 decided at 3 500 and paid 3 500 (long_story's figures)
    assert loaded.decisions[Month.parse("2021-04")].aid == Decimal("3500.00")
    assert loaded.paid_amount(Month.parse("2021-04")) == Decimal("3500.00")
    # 2021-01..04 decided: four decisions; incomes: the story's two plus one for 2021-04 (tell_story, long_story)
    assert len(loaded.decisions) == 4 and len(loaded.incomes) == 3
    assert _canonical(loaded) == _canonical(full_replay(fresh, hid))
    assert "_deferred" not in vars(loaded)


def test_a_household_used_after_loading_from_a_snapshot_is_snapshotted_whole(tmp_path: Any) -> None:
    """A household loaded from its snapshot (attributes deferred), changed and saved past the next multiple of
    20, is snapshotted with every attribute: 2021-05 and 2021-06 add 8 versions to 20 (21–28), and the
    snapshot of a household saved at 40 equals its full replay."""
    app = BistandApplication(env=Settings(home=tmp_path / "home").event_store_env())
    hid = long_story(app, last="2021-04")  # version 20, snapshot at 20
    fresh = BistandApplication(env=app.env)
    for n in range(20):  # versions 21–40, each save loading the household from the snapshot at 20 first
        fresh.report_income(
            hid,
            actor=ANNA,
            member=PARTNER,
            kind="employment",
            month=Month.parse("2021-04"),
            amount=Decimal("10.00") + n,
            source="applicant",
        )
    assert [r.originator_version for r in snapshot_rows(fresh, hid)] == [20, 40]
    assert fresh.check_snapshot(hid)
    again = BistandApplication(env=app.env)
    assert _canonical(again.get_household(hid)) == _canonical(full_replay(again, hid))


def test_a_snapshot_naming_a_record_class_of_another_shape_is_refused_when_read() -> None:
    """The packed header names each record class with its fields: a snapshot whose fields no longer match the
    code is refused at once (and the household replayed), not when a deferred attribute is first used."""
    from bistand_es.application.transcodings import pack_state, unpack_state

    probe = Household.register(
        actor=ANNA,
        municipality="1765",
        applicant=APPLICANT,
        birth_date=date(1964, 8, 23),
        registered_on=date(2021, 1, 4),
    )
    state = {k: v for k, v in vars(probe).items() if k not in ("_id", "_version", "_pending_events")}
    packed = pack_state(state)
    assert set(unpack_state(packed, Household)) == set(state)
    header, _, body = packed.partition(b"\n")
    assert b'"records:Membership":["person","role","birth_date","in_school","valid_from","valid_to"]' in header
    older = header.replace(b'"valid_from","valid_to"]', b'"valid_from"]') + b"\n" + body
    with pytest.raises(ValueError, match="changed shape"):
        unpack_state(older, Household)


def test_a_packed_table_behaves_as_the_dict_it_was_packed_from() -> None:
    """Writes before any read are applied in order once the keys are read: the same items in the same order as
    the dict given the same writes (an income replaced keeps its place, a new one comes last)."""
    from bistand_es.application.transcodings import pack_state, unpack_state
    from bistand_es.domain.records import ReportedIncome

    probe = Household.register(
        actor=ANNA,
        municipality="1765",
        applicant=APPLICANT,
        birth_date=date(1964, 8, 23),
        registered_on=date(2021, 1, 4),
    )
    state = {k: v for k, v in vars(probe).items() if k not in ("_id", "_version", "_pending_events")}
    month = Month.parse("2021-01")
    incomes = {
        f"i{n:03d}": ReportedIncome(f"i{n:03d}", PARTNER, "employment", month + n % 3, Decimal(n), "x")
        for n in range(40)
    }
    state["incomes"] = incomes
    table = unpack_state(pack_state(state), Household)["incomes"]
    assert isinstance(table, PackedTable)
    replaced = ReportedIncome("i005", PARTNER, "employment", month, Decimal("5.50"), "x", corrections=1)
    added = ReportedIncome("new", APPLICANT, "child_allowance", month, Decimal("1250.00"), "x")
    expected = dict(incomes)
    for t in (table, expected):
        t["i005"] = replaced
        t["new"] = added
    assert table._data is None  # writes only: not even the keys read back yet
    assert list(table.items()) == list(expected.items())
    assert table == expected and len(table) == 41 and table["i039"].amount == Decimal(39)
    del table["i000"]
    assert "i000" not in table and table.get("i000") is None and table.pop("i001").amount == Decimal(1)


def test_a_snapshot_of_the_previous_state_format_is_not_used(tmp_path: Any) -> None:
    """A snapshot stored with an older ``format`` (here re-sealed soundly, so that only the format differs) is
    passed over: the household is replayed from its events, and the next multiple of 20 takes a new one."""
    from bistand_es.application.integrity.snapshots import HOUSEHOLD_STATE_FORMAT

    app = BistandApplication(env=Settings(home=tmp_path / "home").event_store_env())
    hid = long_story(app)
    (record,) = snapshot_rows(app, hid)
    body, seal = split(record.state)
    current = f'"format":{HOUSEHOLD_STATE_FORMAT},'.encode()
    assert current in body
    older = body.replace(current, f'"format":{HOUSEHOLD_STATE_FORMAT - 1},'.encode())
    content = content_hash(hid, record.originator_version, record.topic, older)
    resealed = attach(older, seal._replace(content=content, hash=seal_hash(seal.head, seal.link, content, None)))
    table = app.snapshots.recorder.events_table_name  # type: ignore[union-attr]
    with app.snapshots.recorder.datastore.transaction(commit=True) as cursor:  # type: ignore[union-attr]
        cursor.execute(f"UPDATE {table} SET state = ? WHERE originator_id = ?", (resealed, hid.hex))
    fresh = BistandApplication(env=app.env)
    assert fresh.snapshots is not None and list(fresh.snapshots.get(hid)) == []  # not used
    assert _canonical(fresh.get_household(hid)) == _canonical(full_replay(fresh, hid))
    for n in range(12):  # versions 29–40: the save of 40 takes a new snapshot
        fresh.report_income(
            hid,
            actor=ANNA,
            member=PARTNER,
            kind="employment",
            month=Month.parse("2021-06"),
            amount=Decimal("1.00") + n,
            source="applicant",
        )
    assert [r.originator_version for r in snapshot_rows(fresh, hid)] == [20, 40]
    assert fresh.check_snapshot(hid)
