"""The CLI of the read side: projections, sql, report and case, on a real SQLite store and DuckDB file."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from bistand_es.cli.main import cli
from bistand_es.domain.month import Month
from bistand_es.projections.schema import PROJECTION_VERSION
from tests.e2e.cli import register_users

from .scenario import alias, apply, decide, register, sample, sqlite_app


@pytest.fixture
def home(tmp_path: Path) -> Path:
    app, _ = sqlite_app(tmp_path)
    ids = sample(app)
    register_users(tmp_path)  # anna and the other test users (docs/security.md)
    (tmp_path / "ids.json").write_text(json.dumps({k: str(v) for k, v in ids.items()}))
    return tmp_path


def run(home: Path, *args: str, command: click.Command = cli) -> Result:
    register_users(home)
    return CliRunner().invoke(
        command, list(args), env={"BISTAND_HOME": str(home), "BISTAND_USER": "anna", "BISTAND_ROLE": "handlaggare"}
    )


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_update_and_status(home: Path) -> None:
    stored = sqlite_app(home)[0].max_position()  # the sample's 32 household events and the person index's
    result = run(home, "projections", "update", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["position"], data["lag"], data["applied"], data["projection_version"], data["failure"]) == (
        stored,
        0,
        stored,
        PROJECTION_VERSION,
        None,
    )
    status = json.loads(run(home, "projections", "status", "--json").stdout)
    assert (status["position"], status["store_position"], status["lag"], status["events_projected"]) == (
        stored,
        stored,
        0,
        stored,
    )
    text = run(home, "projections", "status").stdout
    assert f"position     {stored} of {stored} (lag 0 events)" in text and "FAILING" not in text


def test_sql_binds_parameters_and_renders_formats(home: Path) -> None:
    query = "SELECT month, aid FROM decisions WHERE municipality = $m AND month >= $from ORDER BY month"
    result = run(home, "sql", query, "-p", "m", "1765", "-p", "from", "2021-06", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "month,aid\n2021-06,10000.00\n2021-07,10000.00"
    as_json = json.loads(run(home, "sql", "SELECT applicant, status FROM households ORDER BY 1", "--json").stdout)
    app = sqlite_app(home)[0]  # the read model shows applicants as their pseudonyms
    expected = [{"applicant": alias(app, "A1"), "status": "open"}, {"applicant": alias(app, "B1"), "status": "closed"}]
    assert as_json == sorted(expected, key=lambda row: row["applicant"])
    markdown = run(home, "sql", "SELECT 1 AS a", "--format", "markdown").stdout.strip()
    assert markdown == "| a |\n|---|\n| 1 |"


@pytest.mark.parametrize(
    "statement",
    ["DELETE FROM events", "CREATE TABLE x (a INT)", "UPDATE projector_state SET position = 0", "DROP VIEW decisions"],
)
def test_a_write_statement_is_refused_in_one_line(home: Path, statement: str) -> None:
    result = run(home, "sql", statement)
    assert result.exit_code == 6
    assert result.output.strip().splitlines()[-1] == "error: read-only: bistand sql cannot change the read model"


def test_sql_errors_are_one_line_and_the_shell_reads_statements(home: Path) -> None:
    bad = run(home, "sql", "SELECT nope FROM households")
    assert bad.exit_code == 6 and bad.output.strip().splitlines()[-1].startswith("error: DuckDB: Binder Error")
    from bistand_es.cli.sql import repl
    from bistand_es.projections.store import ReadModelStore

    run(home, "projections", "update")
    con = ReadModelStore(home / "reports.duckdb").connect_reader()
    out = io.StringIO()
    import contextlib

    with contextlib.redirect_stdout(out):
        repl(
            con, io.StringIO("SELECT count(*) AS n\nFROM households;\nDELETE FROM events;\n.quit\n"), interactive=False
        )
    con.close()
    assert out.getvalue().split() == ["n", "-", "2"]


def test_report_monthly_and_payments(home: Path) -> None:
    monthly = rows(run(home, "report", "monthly", "--month", "2021-03", "--csv").stdout)
    assert [(r["municipality"], r["aid_granted"], r["paid_for_month"]) for r in monthly] == [
        ("1765", "11000.00", "11000.00")
    ]
    payments = rows(run(home, "report", "payments", "--csv").stdout)
    assert [(r["municipality"], r["month"], r["paid_for_month"], r["paid_in_month"]) for r in payments] == [
        ("1765", "2021-02", "0.00", "11000.00"),  # paid in February for March
        ("1765", "2021-03", "11000.00", "0.00"),
        ("1780", "2021-02", "4000.00", "0.00"),  # the cancelled 5 000 does not count
        ("1780", "2021-03", "0.00", "4000.00"),
    ]


def test_report_jobbstimulans(home: Path) -> None:
    june = rows(run(home, "report", "jobbstimulans", "--month", "2021-06", "--csv", "--resolve").stdout)
    assert sorted((r["status"], r["person"], r["window_start"]) for r in june) == [
        ("qualifies next month", "A1", "2021-07"),
        ("qualifies next month", "A2", "2021-07"),
        ("qualifies next month", "A3", "2021-07"),
    ]
    later = rows(run(home, "report", "jobbstimulans", "--month", "2022-01", "--csv", "--resolve").stdout)
    later.sort(key=lambda r: r["person"])
    assert [(r["person"], r["months_used"], r["months_left"], r["window_end"]) for r in later] == [
        ("A1", "7", "17", "2023-06"), ("A2", "7", "17", "2023-06"), ("A3", "7", "17", "2023-06"),
    ]  # fmt: skip
    assert [r["employment_income_disregarded"] for r in later] == ["500.00", "0.00", "0.00"]
    # Without --resolve the report shows the pseudonyms (the analyst's view).
    app = sqlite_app(home)[0]
    plain = rows(run(home, "report", "jobbstimulans", "--month", "2022-01", "--csv").stdout)
    assert sorted(r["person"] for r in plain) == sorted(alias(app, p) for p in ("A1", "A2", "A3"))
    assert run(home, "report", "jobbstimulans").exit_code == 2


def test_report_statistics_is_csv_per_person_and_reproducible(home: Path) -> None:
    first = run(home, "report", "statistics", "--month", "2021-02", "--resolve")
    assert first.exit_code == 0, first.output
    table = sorted(rows(first.stdout), key=lambda r: r["person_id"])
    assert [
        (r["person_id"], r["municipality"], r["role"], r["aid_granted"], r["forsorjningsstod"], r["aid_paid"],
         r["forsorjningshinder_code"], r["case_ended_on"], r["avslutsorsak_code"])
        for r in table
    ] == [
        ("A1", "1765", "applicant", "10000.00", "10000.00", "0.00", "", "", ""),
        ("A2", "1765", "co_applicant", "10000.00", "10000.00", "0.00", "", "", ""),
        ("A3", "1765", "child", "10000.00", "10000.00", "0.00", "", "", ""),
        ("B1", "1780", "applicant", "5000.00", "5000.00", "4000.00", "6", "2021-02-28", "01"),
    ]  # fmt: skip
    # Later events about other months do not change a past month's export.
    app, _ = sqlite_app(home)
    other = register(app, "C1", "1765")
    apply(app, other, Month(2021, 8))
    decide(app, other, Month(2021, 8), "3000.00", ["C1"])
    assert run(home, "report", "statistics", "--month", "2021-02", "--resolve").stdout == first.stdout


def test_case_obstacle_and_close(home: Path) -> None:
    ids = json.loads((home / "ids.json").read_text())
    a = ids["A"]
    app, _ = sqlite_app(home)
    d = str(register(app, "19640823-3234", "1765"))  # a household whose applicant has a real personnummer
    unknown = run(home, "case", "obstacle", d, "--person", "640823-3234", "--month", "2021-03", "--code", "99")
    assert unknown.exit_code == 2 and "'99' is not in the list" in unknown.output
    bad_person = run(home, "case", "obstacle", d, "--person", "640823-3235", "--month", "2021-03", "--code", "7")
    assert bad_person.exit_code == 2 and "check digit should be 4" in bad_person.output
    ok = run(home, "case", "obstacle", d, "--person", "640823-3234", "--month", "2021-03", "--code", "7")
    assert ok.exit_code == 0, ok.output  # the 10-digit form is stored as the household's canonical form
    (home / "avslutsorsaker.yaml").write_text('codes:\n  "01": "Arbetsinkomst"\n', encoding="utf-8")
    refused = run(home, "case", "close", a, "--on", "2021-08-31", "--reason", "09")
    assert refused.exit_code == 2 and "avslutsorsak: '09'" in refused.output
    closed = run(home, "case", "close", a, "--on", "2021-08-31", "--reason", "01")
    assert closed.exit_code == 0, closed.output
    out = run(home, "sql", "SELECT person, code, label FROM support_obstacles WHERE month = '2021-03'", "--csv")
    shown = alias(app, "19640823-3234")  # the read model shows the person's pseudonym
    assert out.stdout.strip().splitlines()[-1] == f"{shown},7,Arbetslös – otillräcklig ersättning"
    query = "SELECT reason_code, reason_label FROM case_closures WHERE closed_on = '2021-08-31'"
    assert run(home, "sql", query, "--csv").stdout.strip().splitlines()[-1] == "01,Arbetsinkomst"


def test_help_does_not_import_duckdb_or_pyarrow() -> None:
    code = (
        "import sys\nfrom click.testing import CliRunner\nfrom bistand_es.cli.main import cli\n"
        "for args in (['--help'], ['sql', '--help'], ['report', '--help'], ['projections', '--help']):\n"
        "    assert CliRunner().invoke(cli, args).exit_code == 0\n"
        "from bistand_es.cli import case\n"
        "print('duckdb' in sys.modules, 'pyarrow' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"
