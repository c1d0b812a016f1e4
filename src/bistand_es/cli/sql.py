"""``bistand sql``: read-only SQL on the DuckDB read model (docs/reporting.md lists the tables and views).

The connection is read-only and has file access switched off (for ``--shell`` too: it is the built-in
session, never the external duckdb program), so no statement can change the read model, read or write files;
a write gives one line: "read-only: bistand sql cannot change the read model".

Every statement runs under a time limit (``--timeout``, default 60 s) and Ctrl-C stops it: the statement runs
in a worker thread while this thread waits, and either ends it with ``interrupt()`` on the connection
(DuckDB has no statement timeout of its own).
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, TextIO

import click

from bistand_es.cli.output import chosen_format, format_option, render_rows
from bistand_es.domain.errors import BistandError, Interrupted, InvalidInput

if TYPE_CHECKING:
    import duckdb

    from bistand_es.application.config import Settings
    from bistand_es.projections.reports import Result

DEFAULT_TIMEOUT: Final = 60.0  # float-ok: seconds
_POLL: Final = 0.05  # float-ok: seconds between checks for Ctrl-C and the time limit


def refresh(no_update: bool) -> Settings:
    """Catch the read model up before reading, unless told not to; never fails because of the projector."""
    from bistand_es.cli.common import current_settings

    settings = current_settings()
    from bistand_es.projections.freshness import refresh_for_reading

    for warning in refresh_for_reading(settings, update=not no_update):  # stale data is never silent
        click.echo(warning, err=True)
    return settings


def open_read_only(settings: Settings, wait: float | None) -> duckdb.DuckDBPyConnection:  # float-ok: seconds
    from bistand_es.projections.store import ReadModelStore

    con = ReadModelStore(settings.reports_path).connect_reader(wait=wait)
    con.execute("SET enable_external_access = false")
    return con


@click.command()
@click.argument("query", required=False)
@click.option(
    "-p",
    "--param",
    "params",
    nargs=2,
    multiple=True,
    metavar="NAME VALUE",
    help="Bind $NAME in the query to VALUE (repeatable). Values are text; cast in SQL if needed.",
)
@format_option
@click.option("--no-update", is_flag=True, help="Read the read model as it is (no catch-up first).")
@click.option("--shell", is_flag=True, help="Open an interactive read-only session (no file access) on reports.duckdb.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Stop a statement that runs longer than this many seconds.",
)
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=None,
    help="Seconds to wait while the projector writes (default BISTAND_READ_WAIT or 10).",
)
def sql(
    query: str | None,
    params: tuple[tuple[str, str], ...],
    fmt: str,
    as_json: bool,
    as_csv: bool,
    no_update: bool,
    shell: bool,
    timeout: float,  # float-ok: seconds
    wait: float | None,  # float-ok: seconds
) -> None:
    """SQL: run a read-only query on the read model.

    \b
    Examples:
      bistand sql "SELECT month, sum(aid) FROM decisions GROUP BY month ORDER BY month"
      bistand sql "SELECT * FROM payments WHERE month_concerned = \\$m" -p m 2021-03 --format csv
      bistand sql --shell
      bistand sql --timeout 300 "SELECT count(*) FROM events"
    """
    settings = refresh(no_update)
    if shell:
        _shell(settings, wait, timeout)
        return
    if not query or not query.strip():
        raise InvalidInput('give a query, e.g. bistand sql "SELECT * FROM households" (or --shell)')
    con = open_read_only(settings, wait)
    try:
        result = run_bounded(con, query, dict(params), timeout)
    finally:
        con.close()
    if result.columns:
        click.echo(render_rows(result.rows, chosen_format(fmt, as_json, as_csv), result.columns))


def run_bounded(
    con: duckdb.DuckDBPyConnection,
    query: str,
    parameters: Mapping[str, Any] | None,
    timeout: float,  # float-ok: seconds
) -> Result:
    """Run one statement, stopping it after ``timeout`` seconds or on Ctrl-C (one line, no traceback)."""
    from bistand_es.projections.errors import ReadModelError
    from bistand_es.projections.reports import run_query

    outcome: dict[str, Any] = {}
    done = threading.Event()

    def work() -> None:
        try:
            outcome["result"] = run_query(con, query, parameters)
        except BaseException as error:  # handed to the waiting thread below
            outcome["error"] = error
        finally:
            done.set()

    def stop() -> None:
        con.interrupt()
        while not done.wait(_POLL):  # an Event, not Thread.join: a join cut short by Ctrl-C returns too early
            # Asked again: a statement that had not yet reached DuckDB when first interrupted (the worker thread
            # starts it) would otherwise run on to its end.
            con.interrupt()

    worker = threading.Thread(target=work, name="bistand-sql", daemon=True)
    deadline = time.monotonic() + timeout
    worker.start()
    try:
        while not done.wait(_POLL):
            if time.monotonic() > deadline:
                stop()
                raise ReadModelError(
                    f"the statement ran longer than {timeout:g} s and was stopped; give --timeout SECONDS to allow more"
                )
    except KeyboardInterrupt:
        stop()
        raise Interrupted("interrupted (Ctrl-C): the statement was stopped") from None
    if "error" in outcome:
        raise outcome["error"]
    result: Result = outcome["result"]
    return result


def _shell(settings: Settings, wait: float | None, timeout: float) -> None:  # float-ok: seconds
    con = open_read_only(settings, wait)
    try:
        repl(con, sys.stdin, interactive=sys.stdin.isatty(), timeout=timeout)
    finally:
        con.close()


def repl(
    con: duckdb.DuckDBPyConnection,
    stream: TextIO,
    *,
    interactive: bool,
    timeout: float = DEFAULT_TIMEOUT,  # float-ok: seconds
) -> None:
    """A minimal read-only SQL session: statements end with ';', `.quit`, end of input or Ctrl-C stops.

    Ctrl-C while a statement runs stops that statement only; the session goes on.
    """
    from bistand_es.cli.guard import error_line

    if interactive:
        click.echo("bistand sql (read-only, no file access). End statements with ';'. .quit to leave.", err=True)
    buffer: list[str] = []
    while True:
        if interactive:
            click.echo("... " if buffer else "sql> ", nl=False, err=True)
        try:
            line = stream.readline()
        except KeyboardInterrupt:
            click.echo("", err=True)
            break
        if not line:
            break
        if not buffer and line.strip() in (".quit", ".exit", "\\q"):
            break
        buffer.append(line)
        text = "".join(buffer).strip()
        if not text.endswith(";"):
            continue
        buffer.clear()
        try:
            result = run_bounded(con, text, None, timeout)
        except BistandError as error:
            click.echo(error_line(str(error)), err=True)
            continue
        if result.columns:
            click.echo(render_rows(result.rows, "table", result.columns))
