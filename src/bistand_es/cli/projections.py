"""``bistand projections update|rebuild|status``: the DuckDB read model (läsmodell).

duckdb and pyarrow are imported only when a command runs (docs/adr/0008-duckdb-read-side.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from bistand_es.cli.output import to_json

if TYPE_CHECKING:
    from bistand_es.projections.projector import ProjectionStatus


def _describe(status: ProjectionStatus) -> str:
    lines = [
        f"read model   {status.path}",
        f"position     {status.position} of {status.store_position} (lag {status.lag} events)",
        f"updated at   {status.updated_at or '-'} (UTC)",
        f"version      {status.projection_version} (code {status.code_version})",
        f"projected    {status.events_projected} events in total",
    ]
    if status.applied or status.rebuilt:
        lines.append(f"this run     {status.applied} events{' (rebuilt from zero)' if status.rebuilt else ''}")
    if status.note:
        lines.append(f"note         {status.note}")
    if status.failure:
        lines.append(f"FAILING      {status.failure}")
        lines.append(
            "             (`bistand projections update` stops there; reports and sql answer from the events before)"
        )
    return "\n".join(lines)


def _emit(status: ProjectionStatus, as_json: bool) -> None:
    click.echo(to_json(status.as_dict()) if as_json else _describe(status))


F = TypeVar("F", bound=Callable[..., Any])


def sizes_options(func: F) -> F:
    """``--page-size`` (notifications read per query) and ``--batch-size`` (events per DuckDB transaction)."""
    func = click.option(
        "--batch-size",
        type=click.IntRange(min=500),
        default=20_000,
        show_default=True,
        help="Events written per DuckDB transaction (with the position); larger is faster, smaller commits sooner.",
    )(func)
    return click.option(
        "--page-size",
        type=click.IntRange(min=500),
        default=1000,
        show_default=True,
        help="Notifications read from the event store per query.",
    )(func)


@click.group()
def projections() -> None:
    """Läsmodell: the DuckDB read model (reports.duckdb) that reports and `bistand sql` read.

    \b
    Examples:
      bistand projections update              # catch up with the event store
      bistand projections update --watch      # follow the store until Ctrl-C
      bistand projections status --json
      bistand projections rebuild             # from zero (also automatic on a new version)
    """


@projections.command()
@click.option("--watch", is_flag=True, help="Keep following the event store until Ctrl-C.")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.05),
    default=2.0,
    show_default=True,
    help="Seconds between polls with --watch.",
)
@click.option(
    "--max-seconds",
    type=click.FloatRange(min=0),
    default=None,
    help="Stop --watch after this many seconds (for scripts and tests).",
)
@sizes_options
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def update(
    watch: bool,
    interval: float,  # float-ok: seconds
    max_seconds: float | None,  # float-ok: seconds
    page_size: int,
    batch_size: int,
    as_json: bool,
) -> None:
    """Project the events not yet in the read model (rebuilds if the projection version changed).

    \b
    Example:
      bistand projections update
      bistand projections update --watch --interval 5
    """
    from bistand_es.cli.common import open_app
    from bistand_es.projections.projector import catch_up
    from bistand_es.projections.projector import watch as follow

    app, settings = open_app()
    if not watch:
        status = catch_up(
            app, settings, progress=not as_json, page_size=page_size, batch_size=batch_size, skip_if_busy=False
        )
        _emit(status, as_json)
        return

    def on_update(status: ProjectionStatus) -> None:
        if as_json:
            click.echo(to_json(status.as_dict()))
        else:
            click.echo(f"position {status.position} (+{status.applied}), lag {status.lag}")

    try:
        follow(
            app,
            settings,
            interval=interval,
            max_seconds=max_seconds,
            page_size=page_size,
            batch_size=batch_size,
            on_update=on_update,
        )
    except KeyboardInterrupt:
        click.echo("stopped", err=True)


@projections.command()
@sizes_options
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def rebuild(page_size: int, batch_size: int, as_json: bool) -> None:
    """Rebuild the read model from zero (into a new file, swapped in at the end).

    \b
    Example:
      bistand projections rebuild
    """
    from bistand_es.cli.common import open_app
    from bistand_es.projections.projector import rebuild as rebuild_all

    app, settings = open_app()
    _emit(rebuild_all(app, settings, progress=not as_json, page_size=page_size, batch_size=batch_size), as_json)


@projections.command()
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def status(as_json: bool) -> None:
    """Position, lag (events in the store not yet projected), last update and schema version.

    When the read model stopped at an event it cannot project, says which (FAILING).

    \b
    Example:
      bistand projections status --json
    """
    from bistand_es.cli.common import open_app
    from bistand_es.projections.projector import status as read_status

    app, settings = open_app()
    _emit(read_status(app, settings), as_json)
