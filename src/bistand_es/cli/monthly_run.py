"""``bistand run-month``: the monthly run (månadskörning): automated grants and their payments, in batches."""

from __future__ import annotations

import sys

import click

from bistand_es.cli.common import actor_options, load_rules, make_actor, open_app, parse_day, refresh_read_model
from bistand_es.cli.output import progress_bar, to_json
from bistand_es.domain.errors import InvalidInput
from bistand_es.domain.month import Month


@click.command("run-month")
@click.argument("month", metavar="MONTH")
@click.option("--on", "run_on", help="Decision and payment date YYYY-MM-DD (default: today).")
@click.option("--yes", is_flag=True, help="Run without asking (needed when not at a terminal).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--batch-size", default=100, type=click.IntRange(1, 10_000), hidden=True, help="Households per save.")
@actor_options
def run_month(
    month: str, run_on: str | None, yes: bool, as_json: bool, batch_size: int, actor: str | None, role: str | None
) -> None:
    """Månadskörning: decide and pay every complete, undecided application for MONTH.

    Runs as a system user. Automated decisions grant in full only (bifall): a
    month the calculation would refuse or grant in part, or one needing a
    higher delegat, is left for a caseworker and listed. What is granted is
    paid in the same save; a payment above the four-eyes approval limit waits
    for `payments approve`. Safe to run again after an interruption: nobody is
    decided or paid twice (docs/adr/0025-monthly-run.md).

    \b
    Example:
      BISTAND_USER=batch bistand run-month 2024-03 --yes
    """
    chosen = Month.parse(month, field="MONTH")
    day = parse_day(run_on, "--on")
    who = make_actor(actor, role)
    if not yes:
        if not sys.stdin.isatty():
            raise InvalidInput("run-month decides and pays for every household: confirm with --yes")
        click.confirm(f"Decide and pay {chosen} for every household with a complete application?", abort=True)
    rules = load_rules()
    app, settings = open_app()
    with progress_bar(f"run-month {chosen}") as progress:
        run = app.run_month(chosen, actor=who, rule_set=rules, run_on=day, batch_size=batch_size, progress=progress)
    refresh_read_model(app, settings)
    summary = run.summary()
    if as_json:
        click.echo(to_json(summary))
        return
    click.echo(
        f"{summary['month']}: {summary['households']} households, {summary['decided']} decided, "
        f"{summary['paid']} paid ({summary['paid_total']} kr), {summary['left_for_caseworker']} left for a caseworker"
    )
    for row in run.left:
        click.echo(f"left: household {row['household_id']} {row['month']}: {row['reason']}", err=True)
