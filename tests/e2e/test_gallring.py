"""Issue 10, must show 3 (second half): `bistand gallring plan|run` on SQLite and PostgreSQL.

The rule (12 kap. 1–2 §§ SoL, rules.md §8): a personakt is disposed of five years after the last entry, by the end of
the following calendar year. The old households below are written while the library's clock says 2021-11-20, so
their last entry is in 2021: five years end in 2026, and the gallring of 2027 disposes of them (2021 + 5 + 1).
The household written at the real time of the test (2026 or later) is not due in 2027 (2026 + 6 = 2032 > 2027).

Households (all old ones but G written in 2021):
- A: due. Its personnummer, its child's and its free-text reasons must be gone after the run.
- B: applicant born on the 15th: research selection, never disposed of.
- C: an återkrav of 1 000 kr with nothing repaid: open, held.
- D: an LMA reimbursement claim filed with Migrationsverket, no outcome yet: held.
- E: a placed child (HVB): never disposed of.
- F: case closed in 2021, but its applicant is the applicant of G (written now, kept): held.
- G: last entry now: not due, not listed.

Statistics of past months are byte for byte the same before the run, after it, and after a rebuild of the read
model (`projections rebuild`, or a deleted reports.duckdb): A's ``HouseholdDisposed`` carries its statistical
residue (its fact rows, person columns blanked), which the projector puts back when A's events open as
``[gallrad]``.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import eventsourcing.domain
import pytest

from bistand_es.domain.identifiers import Personnummer
from tests.e2e.cli import Bistand, on_backend

OLD_CLOCK = datetime(2021, 11, 20, 10, 0, tzinfo=UTC)
YEAR = "2027"


def pnr(born: date, serial: int) -> Personnummer:
    return Personnummer.from_parts(born, serial)


A_APPLICANT = pnr(date(1985, 4, 2), 123)
A_CHILD = pnr(date(2012, 6, 11), 457)
B_APPLICANT = pnr(date(1990, 7, 15), 221)  # born on the 15th
C_APPLICANT = pnr(date(1978, 11, 3), 334)
D_APPLICANT = pnr(date(1992, 2, 12), 118)
E_CHILD = pnr(date(2007, 5, 1), 123)
F_APPLICANT = pnr(date(1975, 1, 20), 551)
A_REASONS = ("Flyttade till pappan i Umeå efter en konflikt", "Avslag: Lena Sandberg har sparkapital på 40 000 kr")


def forms(person: Personnummer) -> list[str]:
    """Every way the number can be written: 12 digits with and without the dash, 10 digits with -, + or nothing."""
    twelve = person.digits
    ten = twelve[2:]
    return [twelve, f"{twelve[:8]}-{twelve[8:]}", ten, f"{ten[:6]}-{ten[6:]}", f"{ten[:6]}+{ten[6:]}"]


@pytest.fixture(params=["sqlite", "postgres"])
def cli(request: pytest.FixtureRequest, tmp_path: Path) -> Bistand:
    return on_backend(request.param, tmp_path / "data")


def register(cli: Bistand, applicant: Personnummer, on: str, municipality: str = "1765") -> str:
    return str(cli.json("household", "register", "--municipality", municipality, "--applicant",
                        applicant.canonical, "--on", on)["household_id"])  # fmt: skip


def paid_month(cli: Bistand, hid: str, month: str, paid_on: str) -> str:
    cli.ok("apply", hid, "--month", month, "--cost", "rent=5000")
    cli.ok("decide", hid, "--month", month, "--yes")
    return str(cli.json("pay", hid, "--month", month, "--on", paid_on)["id"])


def build_old_households(cli: Bistand, tmp_path: Path) -> dict[str, str]:
    ids: dict[str, str] = {}
    ids["A"] = a = register(cli, A_APPLICANT, "2021-02-01")
    cli.ok("household", "add-member", a, "--person", A_CHILD.canonical, "--role", "child", "--from", "2021-02-01")
    paid_month(cli, a, "2021-03", "2021-03-25")
    cli.ok("household", "remove-member", a, "--person", A_CHILD.canonical, "--from", "2021-04-01",
           "--reason", A_REASONS[0])  # fmt: skip
    cli.ok("apply", a, "--month", "2021-04", "--cost", "rent=5000")
    cli.ok("decide", a, "--month", "2021-04", "--refuse", "--reason", A_REASONS[1], "--yes")

    ids["B"] = b = register(cli, B_APPLICANT, "2021-02-01")
    paid_month(cli, b, "2021-03", "2021-03-25")

    ids["C"] = c = register(cli, C_APPLICANT, "2021-02-01")
    payment = paid_month(cli, c, "2021-03", "2021-03-25")
    cli.ok("recovery", "claim", c, "--ground", "wrongful_payment", "--payment", payment, "--amount", "1000",
           "--on", "2021-06-01", "--reason", "Lön som inte uppgavs")  # fmt: skip

    ids["D"] = d = register(cli, D_APPLICANT, "2021-06-01")
    cli.ok("person", "status", d, "--person", D_APPLICANT.canonical, "--status", "asylum_seeker", "--from",
           "2021-05-01")  # fmt: skip
    cli.ok("person", "reference", d, "--person", D_APPLICANT.canonical, "--dossier", "1234567")
    paid_month(cli, d, "2021-07", "2021-07-23")
    claims = tmp_path / "claims"
    claims.mkdir()
    cli.ok("reimburse", "file", "--type", "asylum.lma_aid", "--period", "2021-Q3", "--on", "2021-10-15",
           "--output", str(claims / "lma.csv"))  # fmt: skip

    ids["E"] = e = register(cli, E_CHILD, "2021-01-05", municipality="1480")
    cli.ok("placement", "start", e, "--person", E_CHILD.canonical, "--kind", "hvb", "--from", "2021-01-10",
           "--unit", "SDF Centrum, barn och unga", "--home", "HVB Solrosen", "--payee", "god_man",
           "--payee-name", "Anna Berg", "--pocket-money", "400")  # fmt: skip

    ids["F"] = f = register(cli, F_APPLICANT, "2021-02-01")
    paid_month(cli, f, "2021-03", "2021-03-25")
    cli.ok("case", "close", f, "--on", "2021-05-31", "--reason", "03", "--label", "Egen försörjning")
    return ids


def raw_files(cli: Bistand) -> list[Path]:
    home = cli.home
    return [p for p in home.iterdir() if p.name.startswith(("events.sqlite", "keys.sqlite", "reports.duckdb"))]


def raw_bytes(cli: Bistand) -> bytes:
    """The raw bytes of the SQLite event store and key store, the PostgreSQL tables, and the read model."""
    import duckdb

    con = duckdb.connect(str(cli.home / "reports.duckdb"))
    con.execute("CHECKPOINT")
    con.close()
    data = b"".join(p.read_bytes() for p in raw_files(cli))
    url = cli.env["BISTAND_DATABASE_URL"]
    if url:
        import psycopg

        with psycopg.connect(url) as conn:
            for table in ("bistand_events", "bistand_snapshots", "bistand_keys"):
                for row in conn.execute(f"SELECT * FROM {table}"):
                    data += repr(row).encode() + b"".join(bytes(v) for v in row if isinstance(v, (bytes, memoryview)))
    return data


def key_bytes(cli: Bistand, hid: str) -> bytes:
    url = cli.env["BISTAND_DATABASE_URL"]
    if url:
        import psycopg

        with psycopg.connect(url) as conn:
            row = conn.execute("SELECT key FROM bistand_keys WHERE owner = %s", (hid,)).fetchone()
    else:
        with sqlite3.connect(cli.home / "keys.sqlite") as db:
            row = db.execute("SELECT key FROM bistand_keys WHERE owner = ?", (hid,)).fetchone()
    assert row is not None
    return bytes(row[0]) if row[0] is not None else b""


def read_model(cli: Bistand, sql: str, *params: str) -> list[tuple[object, ...]]:
    import duckdb

    con = duckdb.connect(str(cli.home / "reports.duckdb"), read_only=True)
    try:
        return [tuple(row) for row in con.execute(sql, list(params)).fetchall()]
    finally:
        con.close()


def statistics(cli: Bistand, month: str) -> str:
    return str(cli.ok("report", "statistics", "--month", month, "--format", "csv").stdout)


def test_gallring_disposes_of_exactly_the_files_due(
    cli: Bistand, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The library stamps events with ``datetime_now_with_tzinfo()``: 2021 while the old files are written.
    monkeypatch.setattr(eventsourcing.domain, "datetime_now_with_tzinfo", lambda: OLD_CLOCK)
    ids = build_old_households(cli, tmp_path)
    monkeypatch.undo()
    ids["G"] = register(cli, F_APPLICANT, "2026-01-15")  # the same person as F: a newer personakt, kept

    plan = cli.json("gallring", "plan", "--year", YEAR, user="rut")  # a revisor may read the plan
    by_id = {row["household_id"]: row for row in plan}
    assert set(by_id) == {ids[k] for k in "ABCDEF"}  # G is not due (last entry now)
    assert by_id[ids["A"]]["status"] == "due" and by_id[ids["A"]]["reasons"] == ""
    # Last entry 2021-11-20 (Swedish time 11:00): five years end 2026-11-20 → disposed of in the gallring of 2027.
    assert (by_id[ids["A"]]["last_entry"], by_id[ids["A"]]["disposal_year"]) == ("2021-11-20", 2027)
    expected = {
        "B": "research selection",
        "C": "återkrav",
        "D": "reimbursement claim",
        "E": "placed child",
        "F": f"another personakt on the same person is kept (household {ids['G']})",
    }
    for name, reason in expected.items():
        row = by_id[ids[name]]
        assert row["status"] == "held" and reason in row["reasons"], (name, row)
    # The plan says the same a year earlier: nothing is due in 2026 (2021 + 6 = 2027).
    assert cli.json("gallring", "plan", "--year", "2026", user="cecilia") == []

    # Without --yes: the plan, exit 2, nothing recorded.
    before_digest = cli.digest()
    refused = cli.run("gallring", "run", "--year", YEAR, user="admin")
    assert refused.exit_code == 2 and "add --yes" in refused.stderr and ids["A"] in refused.stdout
    assert cli.digest() == before_digest
    # Only an administrator runs it.
    assert cli.run("gallring", "run", "--year", YEAR, "--yes", user="cecilia").exit_code == 5

    months = ("2021-03", "2021-04", "2021-07")
    stats_before = {m: statistics(cli, m) for m in months}
    held_before = {k: cli.json("household", "show", ids[k]) for k in "BCDEFG"}
    assert A_APPLICANT.canonical in cli.ok("history", ids["A"], "--format", "json").stdout
    a_key = key_bytes(cli, ids["A"])
    assert len(a_key) == 32
    a_decisions = [d["decision_id"] for d in cli.json("household", "show", ids["A"])["decisions"]]
    a_pseudonym = cli.json("person", "pseudonym", A_APPLICANT.canonical, user="admin")[0]["pseudonym"]
    assert A_APPLICANT.canonical in cli.ok("person", "resolve", a_pseudonym, user="admin").stdout
    aid_before = read_model(cli, "SELECT month, aid FROM f_decisions WHERE household_id = ? ORDER BY 1", ids["A"])
    lines_of_a = "SELECT month, line_no, kind, member, amount FROM f_decision_lines WHERE household_id = ? ORDER BY ALL"
    lines_before = read_model(cli, lines_of_a, ids["A"])
    # In 2021-03 A is the applicant and the child (removed from 2021-04-01): two persons, two statistics rows.
    assert len([line for line in stats_before["2021-03"].splitlines() if ids["A"] in line]) == 2

    done = cli.json("gallring", "run", "--year", YEAR, "--yes", user="admin")
    assert (done["disposed"], done["keys_deleted"], done["held"], done["households"]) == (1, 1, 5, [ids["A"]])

    # The disposed household's identity numbers, reasons and key are nowhere in the raw stores.
    raw = raw_bytes(cli)
    for secret in [*forms(A_APPLICANT), *forms(A_CHILD), *A_REASONS, "Lena Sandberg"]:
        assert secret.encode() not in raw, secret
    assert a_key not in raw
    # Statistics of past months: byte for byte the same.
    assert {m: statistics(cli, m) for m in months} == stats_before
    # The held households are untouched.
    assert {k: cli.json("household", "show", ids[k]) for k in "BCDEFG"} == held_before
    # The chains still verify, the disposed household's included.
    verified = cli.run("verify", "--all", "--format", "json", user="rut")
    assert verified.exit_code == 0, verified.output
    assert any(r["household_id"] == ids["A"] and r["status"] == "gallrad" for r in json.loads(verified.stdout))

    # History, show, letters and commands say "gallrad" instead of failing.
    history = json.loads(cli.ok("history", ids["A"], "--format", "json").stdout)
    assert history[-1]["type"] == "HouseholdDisposed"
    assert A_APPLICANT.canonical not in json.dumps(history) and "[gallrad]" in json.dumps(history)
    shown = cli.ok("household", "show", ids["A"]).stdout
    assert "gallrad" in shown
    cli.refused("hushållet är gallrat", "apply", ids["A"], "--month", "2021-05", "--cost", "rent=5000")
    assert ids["A"] not in cli.ok("household", "list").stdout

    for decision_id in a_decisions:
        cli.refused("hushållet är gallrat", "decision", "letter", decision_id)
        assert "gallra" in cli.run("decision", "show", decision_id).output

    # The pseudonym no longer resolves.
    unresolved = cli.run("person", "resolve", a_pseudonym, user="admin")
    assert unresolved.exit_code != 0 and "uppgiften är gallrad" in unresolved.stderr
    assert A_APPLICANT.canonical not in unresolved.output

    # The read model keeps the figures of A, not its person columns; B keeps its own.
    assert read_model(cli, "SELECT month, aid FROM f_decisions WHERE household_id = ? ORDER BY 1", ids["A"]) == (
        aid_before
    )
    assert read_model(cli, "SELECT household_id FROM f_disposals WHERE household_id = ?", ids["A"]) == [(ids["A"],)]
    blanked = "SELECT count(birth_date), count(reason) FROM f_member_changes WHERE household_id = ?"
    assert read_model(cli, blanked, ids["A"]) == [(0, 0)]
    assert read_model(cli, blanked, ids["B"]) == [(1, 0)]  # the applicant's birth date

    # A rebuild from the events (an upgrade, a new projection version): A's persons are gone with its key, but its
    # HouseholdDisposed carries the statistical residue (its fact rows, person columns blanked), so every past
    # month is byte for byte the same: A keeps one row per person, with its pseudonyms and amounts.
    cli.ok("projections", "rebuild", user="admin")
    assert {m: statistics(cli, m) for m in months} == stats_before
    assert read_model(cli, "SELECT month, aid FROM f_decisions WHERE household_id = ? ORDER BY 1", ids["A"]) == (
        aid_before
    )
    assert read_model(cli, blanked, ids["A"]) == [(0, 0)]
    assert read_model(cli, blanked, ids["B"]) == [(1, 0)]
    assert read_model(cli, lines_of_a, ids["A"]) == lines_before
    assert read_model(cli, "SELECT count(*) FROM f_member_changes WHERE person = '[gallrad]'") == [(0,)]
    # The same when the read model is deleted and the next report builds it again.
    for path in cli.home.iterdir():
        if path.name.startswith("reports.duckdb"):
            path.unlink()
    assert {m: statistics(cli, m) for m in months} == stats_before
    assert read_model(cli, lines_of_a, ids["A"]) == lines_before
    # Still no personnummer, name or reason of A anywhere, and the residue holds none of A's birth dates.
    raw = raw_bytes(cli)
    for secret in [*forms(A_APPLICANT), *forms(A_CHILD), *A_REASONS, "Lena Sandberg"]:
        assert secret.encode() not in raw, secret
    (payload,) = read_model(
        cli, "SELECT payload FROM events WHERE household_id = ? AND event_type = 'HouseholdDisposed'", ids["A"]
    )[0]
    residue = json.loads(str(payload))["residue"]
    text = json.dumps(residue)
    for secret in [*forms(A_APPLICANT), *forms(A_CHILD), "1985-04-02", "2012-06-11", *A_REASONS]:
        assert secret not in text, secret
    assert a_pseudonym in text
    assert set(residue["f_decisions"]) == {"columns", "rows"} and len(residue["f_decisions"]["rows"]) == 2

    # Again: nothing more to do.
    again = cli.json("gallring", "run", "--year", YEAR, "--yes", user="admin")
    assert (again["disposed"], again["keys_deleted"]) == (0, 0)


# ---------------------------------------------------------------------- the residue on a read model of its own

H = "11111111-1111-1111-1111-111111111111"  # the household disposed of
K = "22222222-2222-2222-2222-222222222222"  # another household, untouched


def _read_model(path: Path) -> Any:
    import duckdb

    from bistand_es.projections.schema import MIGRATIONS

    con = duckdb.connect(str(path))
    for _, _, statements in MIGRATIONS:
        for statement in statements:
            con.execute(statement)
    con.execute("INSERT INTO projector_state VALUES (1, 0, 6, 0, NULL)")
    for hid, amount in ((H, "5000.00"), (K, "3200.50")):
        con.execute(
            "INSERT INTO f_payments_issued VALUES (1, ?, 'pay-' || ?, 'dec', '2021-03', ?, 'P-00aa', 'account', "
            "'2021-03-25', 'cecilia', '2021-03-20 10:00:00')",
            [hid, hid, amount],
        )
        con.execute(
            "INSERT INTO f_member_changes VALUES (2, ?, 'P-11bb', 'added', 'child', '2012-06-11', true, "
            "'2021-02-01', NULL, '2021-03-20 10:00:00')",
            [hid],
        )
        con.execute(
            "INSERT INTO events VALUES (3, '2021-03-20 10:00:00', ?, 2, 'PaymentIssued', 'cecilia', 'ekonom', '{}')",
            [hid],
        )
    return con


def _dispose(con: Any, hid: str, position: int, residue: dict[str, Any] | None) -> None:
    """A HouseholdDisposed in the events log (version 1: no residue field at all) and the projector's position."""
    payload: dict[str, Any] = {"disposed_on": "2027-01-10", "year": 2027}
    if residue is not None:
        payload["residue"] = residue
    con.execute(
        "INSERT INTO events VALUES (?, '2027-01-10 09:00:00', ?, 3, 'HouseholdDisposed', 'admin', 'administrator', ?)",
        [position, hid, json.dumps(payload)],
    )
    con.execute("UPDATE projector_state SET position = ?", [position])


def test_residue_replaces_rows_by_column_name(tmp_path: Path) -> None:
    from decimal import Decimal

    from bistand_es.projections import disposal
    from bistand_es.projections.errors import ReadModelError

    con = _read_model(tmp_path / "reports.duckdb")
    residue = disposal.residue_of(con, H, version=2)
    # Every fact table is named (an empty one too), the payee and the birth date are already blank (NULL),
    # amounts are text, dates ISO.
    assert set(residue) == set(disposal.fact_tables()) and residue["f_decisions"]["rows"] == []
    payments = residue["f_payments_issued"]
    row = dict(zip(payments["columns"], payments["rows"][0], strict=True))
    assert (row["amount"], row["payee"], row["paid_on"], row["household_id"]) == ("5000.00", None, "2021-03-25", H)
    members = residue["f_member_changes"]
    assert dict(zip(members["columns"], members["rows"][0], strict=True))["birth_date"] is None
    # The read model must hold the household at the version the disposal follows.
    with pytest.raises(ReadModelError, match="up to version 2, not 3"):
        disposal.residue_of(con, H, version=3)

    # The schema changed since: the residue's "method" column is gone from it (its value is dropped), and the
    # residue does not know "recorded_at" (NULL). The member table is not in the residue: its row stays, blanked.
    payments["columns"] = [("retired" if c == "method" else c) for c in payments["columns"] if c != "recorded_at"]
    payments["rows"] = [[v for c, v in zip(row, payments["rows"][0], strict=True) if c != "recorded_at"]]
    del residue["f_member_changes"]
    con.execute("UPDATE f_payments_issued SET amount = 1 WHERE household_id = ?", [H])  # as a rebuild might read it
    _dispose(con, H, 10, residue)
    assert disposal.refresh(con) == 1
    paid = "SELECT household_id, amount, payee, method, recorded_at FROM f_payments_issued ORDER BY household_id"
    assert con.execute(paid).fetchall() == [
        (H, Decimal("5000.00"), None, None, None),
        (K, Decimal("3200.50"), "P-00aa", "account", datetime(2021, 3, 20, 10, 0)),
    ]
    born = "SELECT household_id, person, birth_date FROM f_member_changes ORDER BY household_id"
    assert con.execute(born).fetchall() == [(H, "P-11bb", None), (K, "P-11bb", date(2012, 6, 11))]

    # An older HouseholdDisposed (no residue): the rows stay where they are, their person columns blanked.
    _dispose(con, K, 11, None)
    assert disposal.refresh(con) == 1
    assert con.execute(paid).fetchall()[1] == (K, Decimal("3200.50"), None, "account", datetime(2021, 3, 20, 10, 0))
    assert con.execute(born).fetchall()[1] == (K, "P-11bb", None)
    assert con.execute("SELECT household_id FROM f_disposals ORDER BY 1").fetchall() == [(H,), (K,)]
    con.close()


def test_a_disposal_recorded_before_the_residue_reads_with_an_empty_one() -> None:
    """A version 1 ``HouseholdDisposed`` (no ``residue``, no ``class_version``) is upcast with an empty residue."""
    from eventsourcing.persistence import Mapper, StoredEvent

    from bistand_es.application.app import BistandApplication
    from bistand_es.domain.household import Household

    oid = "33333333-3333-3333-3333-333333333333"
    state = {
        "timestamp": {"_type_": "datetime_iso", "_data_": "2027-01-10T09:00:00+00:00"},
        "actor": {"user": "admin", "role": "administrator"},
        "disposed_on": {"_type_": "date_iso", "_data_": "2027-01-10"},
        "year": 2027,
        "last_entry_on": {"_type_": "date_iso", "_data_": "2021-11-20"},
        "rule": "12 kap. 1-2 §§ SoL",
    }
    transcoder = BistandApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper.transcoder
    stored = StoredEvent(oid, 9, Household.HouseholdDisposed.TOPIC, json.dumps(state).encode())
    event = Mapper[Any](transcoder=transcoder).to_domain_event(stored)
    assert isinstance(event, Household.HouseholdDisposed)
    assert (event.residue, event.disposed_on, event.year) == ({}, date(2027, 1, 10), 2027)
