"""``bistand sql``: read-only SQL on the DuckDB read model (docs/reporting.md lists the tables and views).

The connection is read-only and has file access switched off, so no statement can change the read model (or
write files); a write gives one line: "read-only: bistand sql cannot change the read model".
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from typing import TYPE_CHECKING, TextIO

import click

from bistand_es.cli.output import chosen_format, format_option, render_rows
from bistand_es.domain.errors import BistandError, InvalidInput

if TYPE_CHECKING:
    import duckdb

    from bistand_es.application.config import Settings


def refresh(no_update: bool) -> Settings:
    """Catch the read model up before reading, unless told not to; never fails because of the projector."""
    from bistand_es.application.config import Settings

    settings = Settings.from_env()
    if no_update:
        return settings
    try:
        from bistand_es.application.bootstrap import bootstrap
        from bistand_es.projections.projector import catch_up

        catch_up(bootstrap(settings), settings)
    except BistandError as error:
        click.echo(f"note: read model not refreshed ({error})", err=True)
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
@click.option("--shell", is_flag=True, help="Open an interactive read-only session on reports.duckdb.")
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
    wait: float | None,  # float-ok: seconds
) -> None:
    """SQL: run a read-only query on the read model.

    \b
    Examples:
      bistand sql "SELECT month, sum(aid) FROM decisions GROUP BY month ORDER BY month"
      bistand sql "SELECT * FROM payments WHERE month_concerned = \\$m" -p m 2021-03 --format csv
      bistand sql --shell
    """
    settings = refresh(no_update)
    if shell:
        _shell(settings, wait)
        return
    if not query or not query.strip():
        raise InvalidInput('give a query, e.g. bistand sql "SELECT * FROM households" (or --shell)')
    from bistand_es.projections.reports import run_query

    con = open_read_only(settings, wait)
    try:
        result = run_query(con, query, dict(params))
    finally:
        con.close()
    if result.columns:
        click.echo(render_rows(result.rows, chosen_format(fmt, as_json, as_csv), result.columns))


def _shell(settings: Settings, wait: float | None) -> None:  # float-ok: seconds
    binary = shutil.which("duckdb")
    if binary is not None:
        if not settings.reports_path.exists():
            open_read_only(settings, wait).close()  # raises the clear "no read model yet" error
        subprocess.call([binary, "-readonly", str(settings.reports_path)])  # noqa: S603 - fixed argv, no shell
        return
    con = open_read_only(settings, wait)
    try:
        repl(con, sys.stdin, interactive=sys.stdin.isatty())
    finally:
        con.close()


def repl(con: duckdb.DuckDBPyConnection, stream: TextIO, *, interactive: bool) -> None:
    """A minimal read-only SQL session: statements end with ';', `.quit` or end of input stops."""
    from bistand_es.projections.reports import run_query

    if interactive:
        click.echo("bistand sql (read-only). End statements with ';'. .quit to leave.", err=True)
    buffer: list[str] = []
    while True:
        if interactive:
            click.echo("... " if buffer else "sql> ", nl=False, err=True)
        line = stream.readline()
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
            result = run_query(con, text)
        except BistandError as error:
            click.echo(f"error: {error}", err=True)
            continue
        if result.columns:
            click.echo(render_rows(result.rows, "table", result.columns))
