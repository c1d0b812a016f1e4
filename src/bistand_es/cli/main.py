"""The ``bistand`` click group.

Command modules are imported only when their command runs (``LazyGroup``), so ``bistand --help``
and simple commands do not pay for duckdb, psycopg or pyarrow (docs/adr/0006-fast-start.md).
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from bistand_es.domain.errors import BistandError

# name -> ("module", "attribute", "one-line help shown by `bistand --help`")
COMMANDS: dict[str, tuple[str, str, str]] = {
    "init": ("bistand_es.cli.init_cmd", "init", "Create the data directory and stores (optional)."),
    "household": ("bistand_es.cli.household", "household", "Hushåll: register, members, show, list."),
    "apply": ("bistand_es.cli.apply", "apply", "Ansökan: record a monthly application."),
    "income": ("bistand_es.cli.income", "income", "Inkomster: report and correct incomes."),
    "history": ("bistand_es.cli.history", "history", "Händelser: a household's full event history."),
    "calc": ("bistand_es.cli.calc", "calc", "Beräkning: calculate a situation file (no recording)."),
    "rules": ("bistand_es.cli.rules", "rules", "Regler: list and show dated rule parameters."),
    "decide": ("bistand_es.cli.decide", "decide", "Beslut: calculate and record a month's decision."),
    "pay": ("bistand_es.cli.pay", "pay", "Utbetalning: pay a household's granted aid for a month."),
    "payments": ("bistand_es.cli.pay", "payments", "Utbetalningar: monthly payment run and list."),
    "projections": ("bistand_es.cli.projections", "projections", "Läsmodell: update/rebuild DuckDB."),
    "sql": ("bistand_es.cli.sql", "sql", "SQL: read-only queries on the DuckDB read model."),
    "report": ("bistand_es.cli.report", "report", "Rapporter: monthly, jobbstimulans, payments, statistics."),
    "verify": ("bistand_es.cli.verify", "verify", "Revision: verify every recorded decision of a household."),
    "case": ("bistand_es.cli.case", "case", "Ärende: försörjningshinder and closing a case (avslut)."),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name, (module, _, _) in COMMANDS.items() if _module_exists(module))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None or not _module_exists(entry[0]):
            return None
        module = importlib.import_module(entry[0])
        command = getattr(module, entry[1])
        if not isinstance(command, click.Command):
            raise TypeError(f"{entry[0]}.{entry[1]} is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Use the static one-liners so that `bistand --help` imports no command module.
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _module_exists(module: str) -> bool:
    from importlib.util import find_spec

    return find_spec(module) is not None


class BistandGroup(LazyGroup):
    """Turns the project's own errors into one readable line and an exit code; bugs keep tracebacks."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BistandError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(error.exit_code)


@click.group(cls=BistandGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="bistand-es")
def cli() -> None:
    """bistand — ekonomiskt bistånd, event-sourced.

    Every change to a household (hushåll) is recorded as an event; nothing is edited
    or deleted. Data lives in BISTAND_HOME (default ./bistand-data); set
    BISTAND_DATABASE_URL=postgresql://… to use a PostgreSQL event store.

    \b
    Example:
      bistand household register --municipality 1765 --applicant 19640823-3234 \\
          --birth-date 1964-08-23 --actor anna --actor-role handlaggare
    """


def main() -> None:
    cli(prog_name="bistand")
