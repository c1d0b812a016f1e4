"""Issue 10, must show 2: every refusal about *who may act* is recorded, whichever rule refused it.

Three rules refuse a user: the role matrix (which role may run which command), the delegation order (which
delegat may decide what: a förhöjd norm needs an enhetschef) and four-eyes (nobody pays a month they decided;
above a configured amount a second person's approval is needed). Each refusal exits 5 with one line, leaves the
households exactly as they were (every stored byte of every other event), and adds one ``CommandRefused`` that
``bistand users log`` lists with the user, role and command. Bad input is not a refusal: it is not logged.

Figures: a single adult in 2021 has riksnorm 3 160 + common costs for one 1 020 = 4 180 (figures.md); with rent
5 000 the month's aid is 4 180 + 5 000 = 9 180, above the approval amount 5 000 used below.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.cli import Bistand
from tests.e2e.test_role_matrix import household, one_error

REFUSED = "bistand_es.users:CommandRefused"


def events(cli: Bistand) -> list[tuple[str, int, str, bytes]]:
    """Every stored event (id, version, topic, raw state), SQLite or PostgreSQL, in the order stored."""
    url = cli.env.get("BISTAND_DATABASE_URL", "")
    if not url:
        with sqlite3.connect(cli.home / "events.sqlite") as db:
            rows = db.execute(
                "SELECT originator_id, originator_version, topic, state FROM stored_events ORDER BY rowid"
            ).fetchall()
        return [(str(o), int(v), str(t), bytes(s)) for o, v, t, s in rows]
    import psycopg

    with psycopg.connect(url) as conn:
        found = conn.execute(
            "SELECT originator_id, originator_version, topic, state FROM bistand_events ORDER BY notification_id"
        ).fetchall()
    return [(str(o).replace("-", ""), int(v), str(t), bytes(s)) for o, v, t, s in found]


def digest(rows: list[tuple[str, int, str, bytes]]) -> str:
    """A digest of every event but the refusal log: the households, indexes and user register, byte for byte."""
    sha = hashlib.sha256()
    for oid, version, topic, state in rows:
        if topic != REFUSED:
            sha.update(f"{oid}\x00{version}\x00{topic}\x00".encode() + state + b"\x00")
    return sha.hexdigest()


def refused(cli: Bistand, args: list[str], user: str, text: str) -> None:
    """Run ``args`` as ``user``: exit 5, one line naming ``text``, one more CommandRefused and nothing else."""
    before = events(cli)
    one_error(cli.run(*args, user=user), 5, text)
    after = events(cli)
    assert digest(after) == digest(before), f"{args} changed the store"
    assert len(after) == len(before) + 1 and after[-1][2] == REFUSED


def log(cli: Bistand) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = cli.json("users", "log", "--format", "json", user="rut")
    return rows


@pytest.fixture
def cli(tmp_path: Path) -> Bistand:
    runner = Bistand(tmp_path / "data", BISTAND_PAYMENT_APPROVAL_ABOVE="5000")
    runner.ok("users", "add", "kim", "--role", "handlaggare", user="admin")
    runner.ok("users", "grant", "kim", "ekonom", user="admin")
    return runner


def each_kind_of_refusal(cli: Bistand) -> list[tuple[str, str, str]]:
    """One refusal of each kind; returns (user, role, command) as ``users log`` should list them."""
    hid = household(cli)
    cli.ok("apply", hid, "--month", "2021-03", "--cost", "rent=5000")
    # 1. The role matrix: an ekonom does not record applications.
    refused(cli, ["apply", hid, "--month", "2021-04", "--cost", "rent=5000"], "erik", "may not run bistand apply")
    # 2. The delegation order: a förhöjd norm needs delegat enhetschef; anna is a handläggare.
    raise_norm = ["decide", hid, "--month", "2021-03", "--raise-norm", "500", "--reason", "Särskilda behov", "--yes"]
    refused(cli, raise_norm, "anna", "needs delegat enhetschef")
    refused(cli, [*raise_norm, "--delegat", "enhetschef"], "anna", "cannot record a decision as delegat enhetschef")
    # 3. Four-eyes, rule 1: kim decided the month (as handläggare) and may not pay it (as ekonom).
    kims = ["--actor-role", "handlaggare"]
    own = cli.json(
        "household", "register", "--municipality", "1765", "--applicant", "640823-3234", "--on", "2021-02-01", *kims
    )["household_id"]
    cli.ok("apply", own, "--month", "2021-03", "--cost", "rent=1000", *kims, user="kim")
    cli.ok("decide", own, "--month", "2021-03", "--yes", *kims, user="kim")  # 4 180 + 1 000 = 5 180
    refused(cli, ["pay", own, "--month", "2021-03", "--actor-role", "ekonom"], "kim", "another person must pay")
    # 4. Four-eyes, rule 2: 9 180 is above 5 000, and nobody approved it.
    cli.ok("decide", hid, "--month", "2021-03", "--yes")  # anna grants 9 180
    refused(cli, ["pay", hid, "--month", "2021-03"], "erik", "needs a second person's approval")
    # 5. The user register: an unknown user.
    refused(cli, ["household", "list"], "mallory", "is not registered")
    return [
        ("erik", "", "apply"),
        ("anna", "handlaggare", "decide"),
        ("anna", "handlaggare", "decide"),
        ("kim", "ekonom", "pay"),
        ("erik", "ekonom", "pay"),
        ("mallory", "", "household list"),
    ]


def test_every_kind_of_refusal_is_logged_with_user_role_and_command(cli: Bistand) -> None:
    expected = each_kind_of_refusal(cli)
    rows = log(cli)
    assert [(r["user"], r["role"], r["command"]) for r in rows] == expected
    assert all(r["at"] and r["reason"] for r in rows)
    assert "needs delegat enhetschef" in rows[1]["reason"]
    assert "second person's approval" in rows[4]["reason"]
    # The table form names the same users and commands.
    table = cli.ok("users", "log", user="admin").stdout
    assert "mallory" in table and "household list" in table and "kim" in table


def test_bad_input_is_not_a_refusal_and_is_not_logged(cli: Bistand) -> None:
    hid = household(cli)
    before = events(cli)
    result = cli.run("apply", hid, "--month", "2021-13", "--cost", "rent=5000")
    assert result.exit_code == 2 and result.stderr.startswith("error: ")
    one_error(cli.run("pay", hid, "--month", "2021-03", user="erik"), 1, "")  # nothing decided: a rule, not who
    assert events(cli) == before
    assert log(cli) == []


def test_a_refusal_is_recorded_once_even_when_two_rules_would_refuse(cli: Bistand) -> None:
    # rut (revisor) asks for a role she lacks: the register refuses before the matrix would.
    hid = household(cli)
    refused(cli, ["apply", hid, "--month", "2021-03", "--actor-role", "handlaggare"], "rut", "has no role")
    assert [(r["user"], r["role"], r["command"]) for r in log(cli)] == [("rut", "handlaggare", "apply")]


def test_every_kind_of_refusal_is_logged_on_postgresql(tmp_path: Path) -> None:
    from tests.conftest import postgres_url_or_skip, reset_postgres

    url = postgres_url_or_skip()
    reset_postgres(url)
    cli = Bistand(tmp_path / "data", BISTAND_DATABASE_URL=url, BISTAND_PAYMENT_APPROVAL_ABOVE="5000")
    cli.ok("users", "add", "kim", "--role", "handlaggare", user="admin")
    cli.ok("users", "grant", "kim", "ekonom", user="admin")
    expected = each_kind_of_refusal(cli)
    assert [(r["user"], r["role"], r["command"]) for r in log(cli)] == expected
