"""Must show 2: a scripted household story through the CLI, read back via `history --json`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import postgres_url_or_skip, reset_postgres
from tests.e2e.cli import Bistand


@pytest.fixture(params=["sqlite", "postgres"])
def story(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Bistand, str, str]:
    """The same CLI story on the embedded default and on PostgreSQL (BISTAND_DATABASE_URL)."""
    if request.param == "postgres":
        url = postgres_url_or_skip()
        reset_postgres(url)
        cli = Bistand(tmp_path / "data", BISTAND_DATABASE_URL=url)
    else:
        cli = Bistand(tmp_path / "data")
    hid = cli.json(
        "household", "register", "--municipality", "1765", "--applicant", "640823-3234", "--on", "2021-01-04"
    )["household_id"]
    cli.ok("household", "add-member", hid, "--person", "701063-2391", "--role", "co_applicant", "--from", "2021-01-04")
    cli.ok("household", "add-member", hid[:8], "--person", "20160601-0005", "--role", "child", "--from", "2021-01-04")
    cli.ok("household", "set-cohabiting", hid, "yes", "--from", "2021-01-04")
    for month, user in (("2021-01", "anna"), ("2021-02", "anna"), ("2021-03", "berit")):
        cli.ok("apply", hid, "--month", month, "--cost", "rent=7500", "--received", f"{month}-01", user=user)
    cli.ok(
        "income",
        "report",
        hid,
        "--member",
        "640823-3234",
        "--kind",
        "child_allowance",
        "--month",
        "2021-01",
        "--amount",
        "1250",
        "--source",
        "external",
    )
    income = cli.json(
        "income",
        "report",
        hid,
        "--member",
        "640823-3234",
        "--kind",
        "employment",
        "--month",
        "2021-02",
        "--amount",
        "8000",
        user="berit",
    )["id"]
    cli.ok("income", "correct", hid, income[:8], "--amount", "8100", "--reason", "lönespec", user="berit")
    return cli, hid, income


def test_history_gives_back_exactly_the_events_in_order(story: tuple[Bistand, str, str]) -> None:
    cli, hid, income = story
    events = cli.json("history", hid)
    assert [(e["type"], e["actor"], e["role"]) for e in events] == [
        ("HouseholdRegistered", "anna", "handlaggare"),
        ("MemberAdded", "anna", "handlaggare"),
        ("MemberAdded", "anna", "handlaggare"),
        ("CohabitationChanged", "anna", "handlaggare"),
        ("ApplicationSubmitted", "anna", "handlaggare"),
        ("ApplicationSubmitted", "anna", "handlaggare"),
        ("ApplicationSubmitted", "berit", "handlaggare"),
        ("IncomeReported", "anna", "handlaggare"),
        ("IncomeReported", "berit", "handlaggare"),
        ("IncomeCorrected", "berit", "handlaggare"),
    ]
    assert [e["version"] for e in events] == list(range(1, 11))
    assert events[0]["details"]["applicant"] == "19640823-3234"
    assert events[1]["details"] == {
        "person": "19701063-2391",
        "role": "co_applicant",
        "birth_date": "1970-10-03",
        "in_school": None,
        "effective_on": "2021-01-04",
    }
    assert events[6]["details"]["cost_lines"] == [{"kind": "rent", "amount": "7500.00", "note": ""}]
    assert events[9]["details"] == {
        "income_id": income,
        "kind": "employment",
        "month": "2021-02",
        "amount": "8100.00",
        "reason": "lönespec",
    }


def test_show_as_of_between_two_events_shows_the_earlier_state(story: tuple[Bistand, str, str]) -> None:
    cli, hid, _ = story
    events = cli.json("history", hid)
    reported = datetime.fromisoformat(events[8]["time"])
    corrected = datetime.fromisoformat(events[9]["time"])
    between = reported + (corrected - reported) / 2
    then = cli.json("household", "show", hid, "--as-of", between.isoformat())
    now = cli.json("household", "show", hid)
    assert then["version"] == 9 and now["version"] == 10
    assert [i["amount"] for i in then["incomes"] if i["kind"] == "employment"] == ["8000.00"]
    assert [i["amount"] for i in now["incomes"] if i["kind"] == "employment"] == ["8100.00"]
    early = cli.json("household", "show", hid, "--as-of", events[1]["time"])
    assert [m["role"] for m in early["members"]] == ["applicant", "co_applicant"]
    assert early["cohabiting"] is False


def test_write_commands_print_position_and_version(tmp_path: Path) -> None:
    cli = Bistand(tmp_path / "data")
    out = cli.ok("household", "register", "--municipality", "1765", "--applicant", "640823-3234").stdout
    assert "recorded HouseholdRegistered at position 1" in out
    assert "version 1" in out


def test_table_and_csv_outputs(story: tuple[Bistand, str, str]) -> None:
    cli, hid, _ = story
    table = cli.ok("history", hid).stdout
    assert "IncomeCorrected" in table and "berit (handlaggare)" in table
    csv = cli.ok("household", "list", "--csv").stdout.splitlines()
    assert csv[0] == "household_id,municipality,applicant,registered_on,closed_on"
    assert csv[1].startswith(hid)


def test_every_command_has_help_with_an_example(tmp_path: Path) -> None:
    cli = Bistand(tmp_path / "data")
    for args in (
        ["household", "register"],
        ["household", "add-member"],
        ["household", "remove-member"],
        ["household", "set-cohabiting"],
        ["household", "show"],
        ["household", "list"],
        ["apply"],
        ["income", "report"],
        ["income", "correct"],
        ["history"],
    ):
        text = cli.ok(*args, "--help").stdout
        assert "Example" in text, args
