"""The ``bistand`` click group.

Command modules are imported only when their command runs (``LazyGroup``), so ``bistand --help``
and simple commands do not pay for duckdb, psycopg or pyarrow (docs/adr/0006-fast-start.md).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any

import click

from bistand_es.cli.guard import check_arguments, check_environment, error_line
from bistand_es.domain.errors import (
    BistandError,
    Interrupted,
    InvalidInput,
    NotAuthorised,
    StoreBusy,
    StoreUnavailable,
)

# Exceptions of these libraries are failures of a store (a damaged, locked, read-only or unreachable file or
# server), not bugs: they become one line. Matched by module name so that nothing heavy is imported here.
_STORE_LIBRARIES = ("sqlite3", "_sqlite3", "duckdb", "_duckdb", "psycopg", "psycopg_pool", "eventsourcing.persistence")
_BUSY_SIGNS = ("database is locked", "lock timeout", "locknotavailable", "could not obtain lock", "canceling statement")

# name -> ("module", "attribute", "one-line help shown by `bistand --help`")
COMMANDS: dict[str, tuple[str, str, str]] = {
    "init": ("bistand_es.cli.init_cmd", "init", "Create the data directory and stores (optional)."),
    "household": ("bistand_es.cli.household", "household", "Hushåll: register, members, show, list."),
    "apply": ("bistand_es.cli.apply", "apply", "Ansökan: record a monthly application."),
    "application": ("bistand_es.cli.apply", "application", "Ansökan: correct or withdraw an application."),
    "income": ("bistand_es.cli.income", "income", "Inkomster: report and correct incomes."),
    "history": ("bistand_es.cli.history", "history", "Händelser: a household's full event history."),
    "calc": ("bistand_es.cli.calc", "calc", "Beräkning: calculate a situation file (no recording)."),
    "reimburse": ("bistand_es.cli.reimburse", "reimburse", "Återsökning: what Migrationsverket still owes, by when."),
    "rules": ("bistand_es.cli.rules", "rules", "Regler: list and show dated rule parameters."),
    "decide": ("bistand_es.cli.decide", "decide", "Beslut: calculate and record a month's decision."),
    "decision": ("bistand_es.cli.decision", "decision", "Beslut: show a decision, write the letter to the applicant."),
    "pay": ("bistand_es.cli.pay", "pay", "Utbetalning: pay a household's granted aid for a month."),
    "payments": ("bistand_es.cli.pay", "payments", "Utbetalningar: monthly payment run and list."),
    "run-month": ("bistand_es.cli.monthly_run", "run_month", "Månadskörning: automated grants and payments."),
    "demo": ("bistand_es.cli.demo", "demo", "Demo: a synthetic municipality, month by month."),
    "projections": ("bistand_es.cli.projections", "projections", "Läsmodell: update/rebuild DuckDB."),
    "sql": ("bistand_es.cli.sql", "sql", "SQL: read-only queries on the DuckDB read model."),
    "report": ("bistand_es.cli.report", "report", "Rapporter: monthly, jobbstimulans, payments, statistics."),
    "verify": ("bistand_es.cli.verify", "verify", "Revision: verify every recorded decision of a household."),
    "audit": ("bistand_es.cli.audit", "audit", "Revision: verify hash chains; anchor their heads."),
    "case": ("bistand_es.cli.case", "case", "Ärende: försörjningshinder and closing a case (avslut)."),
    "recovery": ("bistand_es.cli.recovery", "recovery", "Återkrav: claims, repayments, eftergift, court."),
    "person": ("bistand_es.cli.person", "person", "Person: migration status, mottagande, dossiernummer."),
    "placement": ("bistand_es.cli.placement", "placement", "Placering: placed children (HVB, familjehem)."),
    "users": ("bistand_es.cli.users", "users", "Användare: the user register, roles and refused commands."),
    "gallring": ("bistand_es.cli.gallring", "gallring", "Gallring: dispose of files five years after the last entry."),
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
        _check_before_running(command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Use the static one-liners so that `bistand --help` imports no command module.
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


class _AuthorisedContext(click.Context):
    """The context of every subcommand: the role matrix is checked just before the command's own code runs.

    That is after its arguments are parsed (so ``--help`` and usage errors need no user) and before anything is
    read or recorded. The check itself is ``cli/access.py``; it runs once per invocation.
    """

    def invoke(self, callback: Any, /, *args: Any, **kwargs: Any) -> Any:
        command = self.command
        through_bistand = isinstance(self.find_root().command, BistandGroup)  # not a command's own unit test
        leaf = not isinstance(command, click.Group) and callback is command.callback
        if through_bistand and leaf and not self.meta.get(_CHECKED):
            self.meta[_CHECKED] = True
            from bistand_es.cli.access import authorise

            authorise(self)
        return super().invoke(callback, *args, **kwargs)


_CHECKED = "bistand_es.authorised"


def _check_before_running(command: click.Command) -> None:
    """Make ``command`` and every subcommand of it run through :class:`_AuthorisedContext`."""
    command.context_class = _AuthorisedContext
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _check_before_running(sub)


def _module_exists(module: str) -> bool:
    from importlib.util import find_spec

    return find_spec(module) is not None


class BistandGroup(LazyGroup):
    """Turns every failure that is not a bug into one line on standard error and an exit code.

    The project's own errors (``BistandError``), click's usage errors, Ctrl-C, and failures of a store all end
    as ``error: …`` (docs/adr/0009-cli-conventions.md); anything else is a bug and keeps its traceback.
    """

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        if not standalone_mode:
            return super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            check_arguments(argv)
            check_environment(os.environ)
            result = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except BistandError as error:
            _fail(str(error), error.exit_code)
        except click.exceptions.Abort as error:
            if isinstance(error.__cause__, KeyboardInterrupt):
                _fail("interrupted (Ctrl-C); nothing more was done", Interrupted.exit_code)
            _fail("aborted; nothing was recorded", 1)
        except KeyboardInterrupt:
            _fail("interrupted (Ctrl-C); nothing more was done", Interrupted.exit_code)
        except click.ClickException as error:
            _fail(_usage_message(error), error.exit_code)
        sys.exit(result if isinstance(result, int) and not isinstance(result, bool) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NotAuthorised as refusal:
            _record_refusal(ctx, refusal)
            raise
        except (BistandError, click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except UnicodeError as error:
            reason = getattr(error, "reason", "cannot be read")
            raise InvalidInput(f"text that is not UTF-8 ({reason}); save the file or text as UTF-8") from None
        except Exception as error:
            translated = store_error(error, ctx)
            if translated is None:
                raise
            raise translated from None


def _record_refusal(ctx: click.Context, refusal: NotAuthorised) -> None:
    """Every refusal about who may act (exit 5) is recorded here, whichever rule refused (``cli/access.py``).

    The refusal itself is what the user sees: if the record cannot be written (the store is unavailable),
    that is a warning beneath it, not a different error.
    """
    from bistand_es.cli.access import record_refused

    try:
        record_refused(ctx, refusal)
    except Exception as error:
        translated = error if isinstance(error, BistandError) else store_error(error, ctx)
        if translated is None:
            raise
        problem = error_line(str(translated)).removeprefix("error: ")
        click.echo(f"warning: the refusal could not be recorded ({problem})", err=True)


def _fail(message: str, code: int) -> None:
    click.echo(error_line(message), err=True)
    sys.exit(code)


def _usage_message(error: click.ClickException) -> str:
    message = error.format_message()
    context = getattr(error, "ctx", None)
    if isinstance(error, click.UsageError) and context is not None:
        message += f" (see '{context.command_path} --help')"
    return message


def store_error(error: Exception, ctx: click.Context | None = None) -> BistandError | None:
    """The one-line error for a failure of the event store or the read model, or None if it is not one."""
    modules = [klass.__module__ for klass in type(error).__mro__]
    library = next((m for m in modules if m.startswith(_STORE_LIBRARIES)), None)
    if library is None:
        return None
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    what = "the read model (reports.duckdb)" if "duckdb" in library else _event_store(ctx)
    lowered = f"{type(error).__name__} {first}".lower()
    if any(sign in lowered for sign in _BUSY_SIGNS):
        return StoreBusy(f"{what} is locked by another process; try again in a moment ({first})")
    if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
        reason = "the file is damaged or is not a database; restore it from a backup"
    elif "readonly" in lowered or "read-only" in lowered:
        reason = "the file or its folder is read-only; nothing was recorded"
    elif "unable to open" in lowered or "permission" in lowered:
        reason = "the file cannot be opened (check that it exists and that you may read and write it)"
    else:
        reason = first
    return StoreUnavailable(f"cannot use {what}: {reason}")


def _event_store(ctx: click.Context | None) -> str:
    from bistand_es.cli.common import current_settings

    try:
        return f"the event store ({current_settings(ctx).describe()})"
    except BistandError:
        return "the event store"


@click.group(cls=BistandGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="bistand-es")
def cli() -> None:
    """bistand — ekonomiskt bistånd, event-sourced.

    Every change to a household (hushåll) is recorded as an event; nothing is edited
    or deleted. Data lives in BISTAND_HOME (default ./bistand-data); set
    BISTAND_DATABASE_URL=postgresql://… to use a PostgreSQL event store.

    You act as BISTAND_USER (default: your login), a user of the store's user
    register, in one of your own roles (--actor-role or BISTAND_ROLE if you have
    several). The first user of a new store is its administrator.

    \b
    Example:
      bistand users add admin --role administrator
      BISTAND_USER=admin bistand users add anna --role handlaggare
      BISTAND_USER=anna bistand household register --municipality 1765 \\
          --applicant 19640823-3234 --birth-date 1964-08-23
    """


def main() -> None:
    cli(prog_name="bistand")
