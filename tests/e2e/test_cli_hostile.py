"""Hostile input beyond the argument table of test_cli_bad_input.py (docs/adr/0014-input-limits.md).

Broken stores, output files, YAML bombs and huge files, ``bistand sql`` limits, and configuration read once.
Each refused command gives one ``error:`` line, no traceback, and leaves every stored event as it was.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result

from bistand_es.application.app import BistandApplication
from bistand_es.application.config import Settings
from tests.conftest import store_digest
from tests.e2e.cli import Bistand

PNR = "640823-3234"


def digest(home: Path) -> tuple[int, str]:
    return store_digest(BistandApplication(env=Settings(home=home).event_store_env()))


def one_error_line(result: Result | subprocess.CompletedProcess[str], code: int, message: str) -> None:
    stderr = result.stderr
    exit_code = result.exit_code if isinstance(result, Result) else result.returncode
    lines = stderr.strip().splitlines()
    assert exit_code == code, stderr
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: "), stderr
    assert message in lines[0], stderr
    assert "Traceback" not in stderr


@pytest.fixture
def granted(tmp_path: Path) -> tuple[Bistand, str]:
    """A household with a granted, unpaid decision for 2021-03."""
    cli = Bistand(tmp_path / "data")
    hid = cli.json("household", "register", "--municipality", "1765", "--applicant", PNR, "--on", "2021-01-04")[
        "household_id"
    ]
    cli.ok("apply", hid, "--month", "2021-03", "--cost", "rent=7500", "--received", "2021-03-01")
    cli.ok("decide", hid, "--month", "2021-03", "--on", "2021-03-05", "--yes")
    return cli, hid


# --------------------------------------------------------------------------- outputs before recording


def test_payment_run_to_a_missing_folder_pays_nothing(granted: tuple[Bistand, str]) -> None:
    cli, _ = granted
    before = digest(cli.home)
    result = cli.run("payments", "run", "--month", "2021-03", "--output", "/nonexistent-folder/x.csv")
    one_error_line(result, 2, "does not exist; nothing was paid")
    assert digest(cli.home) == before


def test_payment_run_output_that_is_a_folder_pays_nothing(granted: tuple[Bistand, str], tmp_path: Path) -> None:
    cli, _ = granted
    before = digest(cli.home)
    result = cli.run("payments", "run", "--month", "2021-03", "--output", str(tmp_path))
    one_error_line(result, 2, "is a directory")
    assert digest(cli.home) == before


def test_payment_run_writes_the_file_only_after_recording(granted: tuple[Bistand, str], tmp_path: Path) -> None:
    cli, _ = granted
    target = tmp_path / "out" / "betalningar.csv"
    target.parent.mkdir()
    result = cli.ok("payments", "run", "--month", "2021-03", "--csv", "--output", str(target))
    # Aid 11 680.00 for 2021-03 (the decision above, see test_cli_decisions for the working): one payment.
    assert target.read_text(encoding="utf-8") == result.stdout
    assert result.stdout.splitlines()[-1] == "TOTAL,,,,2021-03,11680.00,,,,"
    assert sorted(p.name for p in target.parent.iterdir()) == ["betalningar.csv"]  # no temporary file left


def test_payment_run_that_fails_leaves_no_file(granted: tuple[Bistand, str], tmp_path: Path) -> None:
    cli, _ = granted
    target = tmp_path / "out.csv"
    lock = sqlite3.connect(cli.home / "events.sqlite", isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    try:
        slow = Bistand(cli.home, BISTAND_LOCK_TIMEOUT="1")
        result = slow.run("payments", "run", "--month", "2021-03", "--output", str(target))
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    one_error_line(result, 7, "locked by another process")
    assert list(tmp_path.glob("*.csv*")) == [] and list(tmp_path.glob(".out.csv*")) == []


# --------------------------------------------------------------------------- broken stores


def test_corrupt_event_store_is_one_line(granted: tuple[Bistand, str]) -> None:
    cli, hid = granted
    (cli.home / "events.sqlite").write_bytes(b"this is not a database\n" * 100)
    for args in (("household", "list"), ("apply", hid, "--month", "2021-04")):
        one_error_line(cli.run(*args), 8, "damaged or is not a database")
    assert (cli.home / "events.sqlite").read_bytes() == b"this is not a database\n" * 100


def test_locked_event_store_is_one_line_and_stores_nothing(granted: tuple[Bistand, str]) -> None:
    cli, hid = granted
    before = digest(cli.home)
    lock = sqlite3.connect(cli.home / "events.sqlite", isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    try:
        result = Bistand(cli.home, BISTAND_LOCK_TIMEOUT="1").run("apply", hid, "--month", "2021-04")
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    one_error_line(result, 7, "locked by another process; try again")
    assert digest(cli.home) == before


def test_bad_lock_timeout_setting_is_one_line(granted: tuple[Bistand, str]) -> None:
    cli, _ = granted
    one_error_line(Bistand(cli.home, BISTAND_LOCK_TIMEOUT="soon").run("household", "list"), 1, "BISTAND_LOCK_TIMEOUT")


@pytest.fixture
def shared_home(granted: tuple[Bistand, str]) -> Iterator[tuple[Path, str]]:
    """The data directory copied where an unprivileged user can reach it (permissions do not bind root)."""
    cli, hid = granted
    base = Path(tempfile.mkdtemp(prefix="bistand-perm-"))
    try:
        base.chmod(0o755)
        home = base / "data"
        shutil.copytree(cli.home, home)
        home.chmod(0o777)
        (home / "events.sqlite").chmod(0o666)
        yield home, hid
    finally:
        shutil.rmtree(base, ignore_errors=True)


def run_unprivileged(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed CLI as a user that file permissions apply to (``nobody`` when the tests run as root)."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "BISTAND_HOME": str(home),
        "BISTAND_USER": "anna",
        "BISTAND_ROLE": "handlaggare",
        "BISTAND_NO_PROJECTION": "1",
        "BISTAND_LOCK_TIMEOUT": "1",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    command = [sys.executable, "-m", "bistand_es.cli", *args]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: file permissions cannot be tested")
        command = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=False)


def test_read_only_event_store_records_nothing(shared_home: tuple[Path, str]) -> None:
    home, hid = shared_home
    before = digest(home)
    (home / "events.sqlite").chmod(0o444)
    home.chmod(0o555)
    try:
        result = run_unprivileged(home, "apply", hid, "--month", "2021-04")
    finally:
        home.chmod(0o777)
        (home / "events.sqlite").chmod(0o666)
    one_error_line(result, 8, "cannot use the event store")
    assert digest(home) == before


def test_unreadable_event_store_is_one_line(shared_home: tuple[Path, str]) -> None:
    home, _ = shared_home
    (home / "events.sqlite").chmod(0o000)
    try:
        result = run_unprivileged(home, "household", "list")
    finally:
        (home / "events.sqlite").chmod(0o666)
    one_error_line(result, 8, "cannot use the event store")


def test_corrupt_read_model_does_not_fail_a_write(granted: tuple[Bistand, str]) -> None:
    cli, hid = granted
    (cli.home / "reports.duckdb").write_bytes(b"garbage" * 1000)
    projecting = Bistand(cli.home, BISTAND_NO_PROJECTION="0")
    result = projecting.run("pay", hid, "--month", "2021-03", "--on", "2021-03-06")
    assert result.exit_code == 0, result.output
    assert "payment" in result.stdout
    assert "Traceback" not in result.output
    sql = projecting.run("sql", "--no-update", "SELECT 1")
    one_error_line(sql, 6, "DuckDB")


# --------------------------------------------------------------------------- YAML and files


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b]\n"


def test_yaml_alias_bomb_to_calc_is_refused(tmp_path: Path) -> None:
    situation = tmp_path / "bomb.yaml"
    situation.write_text(BOMB, encoding="utf-8")
    one_error_line(Bistand(tmp_path / "data").run("calc", str(situation)), 2, "aliases")


def test_yaml_alias_bomb_as_parameter_override_is_refused(tmp_path: Path) -> None:
    overrides = tmp_path / "parameters"
    overrides.mkdir()
    (overrides / "prisbasbelopp.yaml").write_text(BOMB, encoding="utf-8")
    one_error_line(Bistand(tmp_path / "data").run("rules", "hash", "--parameters", str(overrides)), 1, "aliases")


def test_huge_situation_is_refused_before_reading(tmp_path: Path) -> None:
    situation = tmp_path / "huge.yaml"
    with situation.open("wb") as stream:
        stream.truncate(50_000_000)  # a sparse 50 MB file: refused by its size, never read
    one_error_line(Bistand(tmp_path / "data").run("calc", str(situation)), 2, "larger than 1 MB")


def test_huge_standard_input_is_refused(tmp_path: Path) -> None:
    result = Bistand(tmp_path / "data").run("calc", "-", input="x: 1\n" * 300_000)
    one_error_line(result, 2, "larger than 1 MB")


def test_deeply_nested_json_is_refused(tmp_path: Path) -> None:
    situation = tmp_path / "deep.json"
    situation.write_text('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    one_error_line(Bistand(tmp_path / "data").run("calc", str(situation)), 2, "nested too deeply")


def test_non_utf8_yaml_files_are_refused(tmp_path: Path) -> None:
    situation = tmp_path / "latin1.yaml"
    situation.write_bytes("month: 2021-03\nnote: Åsa\n".encode("latin-1"))
    one_error_line(Bistand(tmp_path / "data").run("calc", str(situation)), 2, "not UTF-8")
    overrides = tmp_path / "parameters"
    overrides.mkdir()
    (overrides / "prisbasbelopp.yaml").write_bytes("description: Förhöjt\n".encode("latin-1"))
    one_error_line(Bistand(tmp_path / "data").run("rules", "hash", "--parameters", str(overrides)), 1, "not UTF-8")


def test_non_utf8_path_is_refused(tmp_path: Path) -> None:
    one_error_line(Bistand(tmp_path / "data").run("calc", str(tmp_path / "bad\udcff.yaml")), 2, "not UTF-8")


def test_non_utf8_environment_is_refused(tmp_path: Path) -> None:
    result = Bistand(tmp_path / "data", user="anna\udcff").run(
        "household", "register", "--municipality", "1765", "--applicant", PNR
    )
    one_error_line(result, 2, "BISTAND_USER")


# --------------------------------------------------------------------------- bistand sql

SLOW_QUERY = "SELECT sum(hash(a.range + b.range)) FROM range(1000000) a, range(100000) b"  # minutes of work


def test_sql_statement_timeout_stops_the_query(granted: tuple[Bistand, str]) -> None:
    cli, _ = granted
    cli.ok("projections", "update")
    result = cli.run("sql", "--timeout", "0.5", SLOW_QUERY)
    one_error_line(result, 6, "longer than 0.5 s")


def test_sql_has_no_file_access(granted: tuple[Bistand, str], tmp_path: Path) -> None:
    cli, _ = granted
    cli.ok("projections", "update")
    target = tmp_path / "leak.csv"
    result = cli.run("sql", f"COPY (SELECT 1) TO '{target}'")
    assert result.exit_code == 6 and not target.exists(), result.output
    assert "Traceback" not in result.output


def test_sql_shell_is_the_built_in_session_without_file_access(granted: tuple[Bistand, str], tmp_path: Path) -> None:
    cli, _ = granted
    cli.ok("projections", "update")
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n", encoding="utf-8")
    session = f"SELECT * FROM read_csv('{secret}');\nSET enable_external_access = true;\nSELECT 41 + 1 AS answer;\n"
    result = cli.run("sql", "--shell", input=session)
    assert result.exit_code == 0, result.output
    assert "answer" in result.stdout and "42" in result.stdout
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 2 and all(line.startswith("error: ") for line in errors), result.stderr


def test_ctrl_c_stops_a_running_query(granted: tuple[Bistand, str]) -> None:
    import signal
    import time

    cli, _ = granted
    cli.ok("projections", "update")
    env = {**os.environ, **cli.env}
    # As at a terminal: a job started in the background (nohup, `&`) has SIGINT ignored, and a child started with
    # it ignored never sees the Ctrl-C this test sends. A handler of this process is not inherited across exec:
    # while it is set, the command starts with SIGINT at its default, as in a shell.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "bistand_es.cli", "sql", "--no-update", "--timeout", "600", SLOW_QUERY],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
    finally:
        signal.signal(signal.SIGINT, previous)
    time.sleep(3)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines()[-1].startswith("error: interrupted"), stderr
    assert "Traceback" not in stderr


# --------------------------------------------------------------------------- payments cancel


def test_cancelled_payment_is_listed_and_can_be_paid_again(granted: tuple[Bistand, str]) -> None:
    cli, hid = granted
    payment = cli.json("pay", hid, "--month", "2021-03", "--on", "2021-03-06")["id"]
    cancelled = cli.json("payments", "cancel", payment, "--reason", "återkommen: kontot avslutat")
    assert cancelled["events"] == ["PaymentCancelled"]
    listed = cli.json("payments", "list", "--month", "2021-03")
    assert [(row["payment_id"], row["cancelled"]) for row in listed] == [(payment, True)]
    # The whole aid (11 680.00) counts as unpaid again: paying "the rest" pays it in full.
    again = cli.json("pay", hid, "--month", "2021-03", "--on", "2021-03-10")["id"]
    rows = {row["payment_id"]: row for row in cli.json("payments", "list", "--household", hid)}
    assert rows[again]["amount"] == "11680.00" and rows[again]["cancelled"] is False
    one_error_line(cli.run("payments", "cancel", payment, "--reason", "again"), 1, "already cancelled")


# --------------------------------------------------------------------------- configuration read once


def test_settings_are_read_once_per_command(granted: tuple[Bistand, str], monkeypatch: pytest.MonkeyPatch) -> None:
    cli, hid = granted
    calls: list[int] = []
    original = Settings.from_env.__func__  # type: ignore[attr-defined]

    def counting(cls: type[Settings], environ: object = None) -> Settings:
        calls.append(1)
        return original(cls, environ)  # type: ignore[no-any-return]

    monkeypatch.setattr(Settings, "from_env", classmethod(counting))
    cli.ok("pay", hid, "--month", "2021-03", "--on", "2021-03-06")
    assert len(calls) == 1
    calls.clear()
    cli.ok("payments", "list")
    assert len(calls) == 1
