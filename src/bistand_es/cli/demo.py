"""``bistand demo``: a synthetic municipality, registered and run month by month through the application."""

from __future__ import annotations

import sys
import time

import click

from bistand_es.cli.common import load_rules, make_actor, open_app, refresh_read_model
from bistand_es.cli.output import to_json
from bistand_es.domain.errors import InvalidInput

MAX_HOUSEHOLDS = 100_000
MAX_MONTHS = 120


@click.command("demo")
@click.option("--households", default=60, show_default=True, type=int, help="How many households.")
@click.option("--months", default=6, show_default=True, type=int, help="How many months, ending 2025-12.")
@click.option("--seed", default=1, show_default=True, type=int, help="The same seed gives the same municipality.")
@click.option("--open-last-month", is_flag=True, help="Leave the last month applied for but undecided.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def demo(households: int, months: int, seed: int, open_last_month: bool, as_json: bool) -> None:
    """Demo: a synthetic municipality, month by month (illustrative population).

    Registers households (single adults, single parents, couples with and
    without children, some newly arrived) through the application, then for
    each month records their applications and incomes (jobs start and end,
    some payslips and applications corrected) and runs the monthly run:
    automated grants and payments. Then a few payments are cancelled
    (came back) and a few återkrav decided, some partly repaid, so the read
    model has recovery balances. Creates its users on a store with none (you
    become its administrator; demo.batch runs the months). Progress on stderr.

    \b
    Example:
      BISTAND_HOME=./bistand-data-demo bistand demo --households 200 --months 12
      BISTAND_USER=demo.batch bistand run-month 2025-12 --yes   # after --open-last-month
    """
    if not 1 <= households <= MAX_HOUSEHOLDS:
        raise InvalidInput(f"--households: between 1 and {MAX_HOUSEHOLDS}")
    if not 1 <= months <= MAX_MONTHS:
        raise InvalidInput(f"--months: between 1 and {MAX_MONTHS}")
    from bistand_es.application.demo import run_demo

    admin = make_actor()
    rules = load_rules()
    app, settings = open_app()
    started = time.monotonic()
    shown: dict[str, float] = {}

    def progress(label: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done == total or now - shown.get(label, 0.0) >= 1.0:  # float-ok: seconds
            shown[label] = now
            end = "\n" if done == total else "\r"
            sys.stderr.write(f"demo {label}: {done}/{total} households{end}")
            sys.stderr.flush()

    result = run_demo(
        app,
        admin=admin,
        rule_set=rules,
        households=households,
        months=months,
        seed=seed,
        open_last_month=open_last_month,
        progress=progress,
    )
    click.echo("demo: bringing the read model up to date", err=True)
    refresh_read_model(app, settings)
    summary = result.as_dict()
    summary["seconds"] = round(time.monotonic() - started, 1)
    if as_json:
        click.echo(to_json(summary))
        return
    click.echo(
        f"demo: {result.households} households, months {result.months[0]}..{result.months[-1]}: "
        f"{result.decided} decisions, {result.paid} payments ({summary['paid_total']} kr), "
        f"{result.left} months left for a caseworker, {result.corrections} income corrections "
        f"({summary['seconds']} s)"
    )
    click.echo(
        f"  {result.application_corrections} applications corrected, {result.cancelled} payments cancelled, "
        f"{result.claims} återkrav ({summary['claimed_total']} kr claimed, {summary['repaid_total']} kr repaid)"
    )
    if result.open_month:
        click.echo(
            f"open month {result.open_month}: BISTAND_USER={result.run_as} bistand run-month {result.open_month} --yes"
        )
    click.echo("try: bistand report monthly --month " + result.months[-1] + "   or   bistand sql --shell")
