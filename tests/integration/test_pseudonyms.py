"""Pseudonyms in the read model (docs/adr/0024-personal-data-and-gallring.md): no identity number, name or free text
in ``reports.duckdb``; an HMAC with the key store's secret instead of a plain hash; resolution through the key
store, sealed with the household's key, gone with gallring."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import date
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import duckdb
import pytest

from bistand_es.application.app import BistandApplication
from bistand_es.application.config import Settings
from bistand_es.application.integrity.keystore import MemoryKeyStore, SQLiteKeyStore
from bistand_es.application.integrity.pseudonyms import (
    forget_household,
    is_pseudonym,
    key_store_of,
    pseudonym,
    pseudonym_of,
    resolve,
)
from bistand_es.domain.errors import NotFound
from bistand_es.domain.household.migration import AgencyReferenceKind
from bistand_es.domain.month import Month
from bistand_es.domain.records import Actor
from bistand_es.domain.vocabulary import ActorRole, Outcome
from bistand_es.projections.projector import catch_up, rebuild
from tests.conftest import postgres_url_or_skip
from tests.scenario import ANNA, APPLICANT, CHILD, PARTNER, tell_story

INCOME_REASON = "lönespecifikation"  # the scenario's income correction
REMOVAL_REASON = "flyttade till mormor i Sunne"
DECISION_REASON = "ändrad hyra enligt nytt kontrakt"
ADJUSTMENT_REASON = "särskilda kostnader för glasögon"
OBSTACLE_LABEL = "Arbetslös – otillräcklig ersättning"  # a code list's label: not personal, stays readable
DOSSIER = "98765432"
CECILIA = Actor("cecilia", "enhetschef")
WARNING = f"{APPLICANT} is entered as a child but is 56"  # an engine warning quotes the identity number


def _forms(pnr: str) -> list[str]:
    """Every written form of a personnummer: 12 and 10 digits, with and without the dash (or plus)."""
    twelve = pnr.replace("-", "")
    ten = twelve[2:]
    return [pnr, twelve, f"{ten[:6]}-{ten[6:]}", f"{ten[:6]}+{ten[6:]}", ten]


SECRETS = [
    *(form for pnr in (APPLICANT, PARTNER, CHILD) for form in _forms(pnr)),
    INCOME_REASON,
    REMOVAL_REASON,
    DECISION_REASON,
    ADJUSTMENT_REASON,
    DOSSIER,
]


def rich_story(app: BistandApplication) -> UUID:
    """The shared scenario plus a decision whose reason, norm adjustment and warning hold free text and an identity
    number, a member removed with a reason, a support obstacle and Migrationsverket's dossiernummer."""
    hid, _ = tell_story(app)
    month = Month.parse("2021-03")
    calculation = {
        "month": "2021-03",
        "aid": "9000.00",
        "norm_total": "9000.00",
        "costs_total": "0.00",
        "need": "9000.00",
        "income_counted": "0.00",
        "income_disregarded": "0.00",
        "surplus": "0.00",
        "warnings": [WARNING],
        "lines": [
            {"kind": "norm.personal", "member": APPLICANT, "amount": "4000.00", "rule": "r", "reference": "SoL"},
            {"kind": "norm.personal", "member": PARTNER, "amount": "3000.00", "rule": "r", "reference": "SoL"},
            {"kind": "norm.personal", "member": CHILD, "amount": "2000.00", "rule": "r", "reference": "SoL"},
        ],
    }
    app.change_household(
        hid,
        lambda h: h.make_decision(
            actor=CECILIA,  # a raised norm needs an enhetschef
            month=month,
            outcome=Outcome.GRANTED,
            situation={"household": {"members": [{"id": APPLICANT}, {"id": PARTNER}, {"id": CHILD}]}},
            calculation=calculation,
            rule_set_hash="rs",
            parameters=[],
            approved_costs={},
            norm_adjustment={"kind": "raised", "amount": Decimal("500.00"), "reason": ADJUSTMENT_REASON},
            conditions=[],
            delegat=ActorRole.UNIT_MANAGER,
            reason=DECISION_REASON,
            decided_on=month.first_day,
        ),
    )
    app.record_support_obstacle(hid, actor=ANNA, person=APPLICANT, month=month, code="7", label=OBSTACLE_LABEL)
    app.record_agency_reference(hid, actor=ANNA, person=PARTNER, kind=AgencyReferenceKind.DOSSIER, reference=DOSSIER)
    app.remove_member(hid, actor=ANNA, person=CHILD, effective_on=date(2021, 4, 1), reason=REMOVAL_REASON)
    return hid


def raw_read_model(settings: Settings) -> bytes:
    """The bytes of ``reports.duckdb`` (and a WAL, if any) after a CHECKPOINT and close."""
    con = duckdb.connect(str(settings.reports_path))
    try:
        con.execute("CHECKPOINT")
    finally:
        con.close()
    home = settings.reports_path.parent
    return b"".join(p.read_bytes() for p in home.iterdir() if p.name.startswith(settings.reports_path.name))


def every_text_value(settings: Settings) -> list[str]:
    """Every value of every text, JSON and list column of every table of the read model, as text."""
    con = duckdb.connect(str(settings.reports_path), read_only=True)
    try:
        columns = con.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE (data_type LIKE '%VARCHAR%' OR data_type = 'JSON') "
            "AND table_name IN (SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE')"
        ).fetchall()
        found: list[str] = []
        for table, column in columns:
            rows = con.execute(f'SELECT CAST("{column}" AS VARCHAR) FROM "{table}" WHERE "{column}" IS NOT NULL')
            found.extend(str(row[0]) for row in rows.fetchall())
        return found
    finally:
        con.close()


def check_no_personal_data(app: BistandApplication, settings: Settings, hid: UUID) -> None:
    raw = raw_read_model(settings)
    leaked = [secret for secret in SECRETS if secret.encode() in raw]
    assert leaked == []
    # The same through SQL, so that a column compressed on disk cannot hide one: the payload of the events
    # table is the stored state as stored (sealed), every other text value has been through the projector.
    values = every_text_value(settings)
    assert values, "the read model holds the scenario"
    assert [secret for secret in SECRETS if any(secret in value for value in values)] == []
    keys = key_store_of(app)
    applicant = pseudonym_of(keys, APPLICANT)
    assert applicant in values  # the applicant is there, as a pseudonym
    con = duckdb.connect(str(settings.reports_path), read_only=True)
    try:
        query = "SELECT payload FROM events WHERE household_id = ?"
        payloads = [row[0] for row in con.execute(query, [str(hid)]).fetchall()]
        members = con.execute("SELECT person FROM members WHERE household_id = ?", [str(hid)]).fetchall()
        warnings = con.execute("SELECT warnings FROM f_decisions WHERE household_id = ?", [str(hid)]).fetchone()
        labels = con.execute("SELECT label FROM f_support_obstacles").fetchall()
    finally:
        con.close()
    assert payloads and any('"_enc_"' in payload for payload in payloads)  # still sealed
    assert sorted(row[0] for row in members) == sorted(pseudonym_of(keys, p) for p in (APPLICANT, PARTNER, CHILD))
    # the engine's warning stays readable, naming the member by pseudonym
    assert warnings is not None and f"{applicant} is entered as a child" in warnings[0]
    assert labels == [(OBSTACLE_LABEL,)]  # code labels are not personal


def test_a_pseudonym_is_an_hmac_with_the_key_stores_secret_not_a_plain_hash() -> None:
    first, second = MemoryKeyStore(), MemoryKeyStore()
    alias = pseudonym_of(first, APPLICANT)
    assert is_pseudonym(alias) and alias.startswith("P-") and len(alias) == 18
    assert pseudonym_of(second, APPLICANT) != alias  # same personnummer, another secret
    assert pseudonym_of(first, APPLICANT) == alias  # same secret: the same pseudonym
    plain = hashlib.sha256(APPLICANT.encode()).hexdigest()[:16]
    assert alias != "P-" + plain and alias != "P-" + hashlib.sha256(b"196408233234").hexdigest()[:16]
    # Worked by hand: HMAC-SHA-256 with key 32 zero bytes over the canonical form "19640823-3234" (RFC 2104)
    import hmac

    expected = hmac.new(bytes(32), b"19640823-3234", hashlib.sha256).hexdigest()[:16]
    assert pseudonym(bytes(32), APPLICANT) == "P-" + expected
    # every written form of the number is the same person (the 10-digit form with "+" is someone born in 1864)
    same = [form for form in _forms(APPLICANT) if "+" not in form]
    assert {pseudonym(bytes(32), form) for form in same} == {"P-" + expected}
    assert pseudonym(bytes(32), "640823+3234") == pseudonym(bytes(32), "18640823-3234") != "P-" + expected


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_read_model_holds_no_identity_number_name_or_free_text(backend: str, tmp_path: Path) -> None:
    if backend == "postgres":
        url = postgres_url_or_skip()
        from tests.conftest import reset_postgres

        reset_postgres(url)
        settings = Settings(home=tmp_path / "home", database_url=url)
    else:
        settings = Settings(home=tmp_path / "home")
    settings.home.mkdir(parents=True, exist_ok=True)
    app = BistandApplication(env=settings.event_store_env())
    hid = rich_story(app)
    catch_up(app, settings, skip_if_busy=False)
    check_no_personal_data(app, settings, hid)
    rebuild(app, settings)
    check_no_personal_data(app, settings, hid)
    # The resolution rows are in the key store, sealed: the identity comes back only through the household's key.
    keys = key_store_of(app)
    found = resolve(keys, pseudonym_of(keys, PARTNER))
    # (a PostgreSQL key store outlives the test's emptied event store: earlier runs' households may be listed too)
    assert (str(hid), PARTNER) in [(entry.household_id, entry.identity) for entry in found]


def test_pseudonyms_are_stable_across_a_rebuild_and_resolve_round_trip(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    app = BistandApplication(env=settings.event_store_env())
    hid = rich_story(app)
    catch_up(app, settings, skip_if_busy=False)
    query = "SELECT applicant FROM households"
    con = duckdb.connect(str(settings.reports_path), read_only=True)
    before = con.execute(query).fetchall()
    con.close()
    rebuild(app, settings)
    # another process: the secret comes from keys.sqlite, not from memory
    other = BistandApplication(env=settings.event_store_env())
    rebuild(other, settings)
    con = duckdb.connect(str(settings.reports_path), read_only=True)
    after = con.execute(query).fetchall()
    con.close()
    keys = SQLiteKeyStore(settings.home / "keys.sqlite")
    assert before == after == [(pseudonym_of(keys, APPLICANT),)]
    [entry] = resolve(keys, after[0][0])
    assert (entry.household_id, entry.identity) == (str(hid), APPLICANT)
    # The secret and the resolution table live in keys.sqlite; the event store holds neither.
    with sqlite3.connect(settings.home / "keys.sqlite") as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        sealed = db.execute("SELECT sealed_identity FROM bistand_pseudonyms").fetchall()
    assert {"bistand_keys", "bistand_pseudonyms"} <= tables
    assert len(sealed) == 3 and all(APPLICANT not in str(row[0]) for row in sealed)
    with sqlite3.connect(settings.events_path) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "bistand_pseudonyms" not in tables and "bistand_keys" not in tables


def test_an_unknown_or_disposed_pseudonym_does_not_resolve(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    app = BistandApplication(env=settings.event_store_env())
    hid = rich_story(app)
    app.close_case(hid, actor=ANNA, closed_on=date(2021, 5, 31), reason_code="01", reason_label="Arbetsinkomst")
    other = app.register_household(  # the applicant again, in a household of her own
        actor=ANNA,
        municipality="1765",
        applicant=APPLICANT,
        birth_date=date(1964, 8, 23),
        registered_on=date(2021, 6, 1),
    ).household_id
    catch_up(app, settings, skip_if_busy=False)
    keys = key_store_of(app)
    alias = pseudonym_of(keys, APPLICANT)
    assert sorted(entry.household_id for entry in resolve(keys, alias)) == sorted([str(hid), str(other)])
    with pytest.raises(NotFound, match="pseudonymen är okänd"):
        resolve(keys, "P-0000000000000000")
    with pytest.raises(NotFound, match="pseudonymen är okänd"):
        resolve(keys, "19640823-3234")  # not a pseudonym at all
    # Gallring of the first household: its key is shredded and its rows are forgotten; the second still resolves.
    assert keys.shred(str(hid))
    assert [(e.household_id, e.identity) for e in resolve(keys, alias) if e.identity] == [(str(other), APPLICANT)]
    assert forget_household(keys, str(hid)) == 3  # the applicant, the partner and the child
    keys.shred(str(other))
    with pytest.raises(NotFound, match="uppgiften är gallrad"):
        resolve(keys, alias)
    # a rebuild after gallring writes no new resolution for the disposed households
    rebuild(app, settings)
    with pytest.raises(NotFound, match="uppgiften är gallrad"):
        resolve(keys, alias)
