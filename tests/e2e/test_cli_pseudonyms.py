"""``bistand person pseudonym|resolve`` and ``report --resolve``: the read model's pseudonyms, for the roles allowed
(handläggare, enhetschef, revisor, administrator); everyone else is refused with exit 5, and the refusal logged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.cli import Bistand

APPLICANT = "19640823-3234"


@pytest.fixture
def cli(tmp_path: Path) -> Bistand:
    runner = Bistand(tmp_path)
    runner.json("household", "register", "--municipality", "1765", "--applicant", "640823-3234", "--on", "2021-01-04")
    runner.ok("projections", "update")  # the projector writes the resolution rows as it meets the persons
    return runner


def test_a_pseudonym_resolves_back_to_the_person_and_household(cli: Bistand) -> None:
    shown = cli.ok("person", "pseudonym", "640823-3234").stdout
    alias = json.loads(cli.ok("person", "pseudonym", "19640823-3234", "--format", "json").stdout)[0]["pseudonym"]
    assert alias.startswith("P-") and len(alias) == 18 and alias in shown  # both written forms: one person
    sql = cli.ok("sql", "SELECT applicant, household_id FROM households", "--json").stdout
    [row] = json.loads(sql)
    assert row["applicant"] == alias  # what an analyst sees with bistand sql
    resolved = json.loads(cli.ok("person", "resolve", alias, "--format", "json").stdout)
    assert resolved == [{"pseudonym": alias, "household_id": row["household_id"], "person": APPLICANT}]
    table = cli.ok("person", "resolve", alias).stdout
    assert APPLICANT in table and row["household_id"] in table
    for user in ("cecilia", "rut", "admin"):  # enhetschef, revisor (read-only), administrator
        assert APPLICANT in cli.ok("person", "resolve", alias, user=user).stdout


def test_an_unknown_pseudonym_is_one_line_and_exit_3(cli: Bistand) -> None:
    result = cli.run("person", "resolve", "P-0000000000000000")
    assert result.exit_code == 3
    assert result.stderr.strip() == "error: P-0000000000000000: pseudonymen är okänd"
    assert "Traceback" not in result.output


@pytest.mark.parametrize("user", ["erik", "ulf", "batch"])  # ekonom, utskott, system
def test_roles_without_the_right_are_refused_and_logged(cli: Bistand, user: str) -> None:
    alias = json.loads(cli.ok("person", "pseudonym", APPLICANT, "--format", "json").stdout)[0]["pseudonym"]
    for args in (("person", "resolve", alias), ("person", "pseudonym", APPLICANT)):
        result = cli.run(*args, user=user)
        assert result.exit_code == 5, result.output
        assert result.stderr.startswith("error: ") and APPLICANT not in result.output
    report = cli.run("report", "statistics", "--month", "2021-01", "--resolve", user=user)
    assert report.exit_code == 5 and "may not resolve pseudonyms" in report.stderr
    assert cli.run("report", "statistics", "--month", "2021-01", user=user).exit_code == 0  # the analyst's view
    logged = json.loads(cli.ok("users", "log", "--format", "json", user="rut").stdout)
    commands = [(entry["user"], entry["command"]) for entry in logged]
    assert (user, "person resolve") in commands and (user, "report --resolve") in commands
