"""``bistand apply``: record a monthly application (ansökan) with its applied costs."""

from __future__ import annotations

import click

from bistand_es.cli.common import (
    emit_recorded,
    make_actor,
    open_app,
    parse_day,
    resolve_household,
    write_options,
)
from bistand_es.cli.inputs import ApplicationInput, CostLine, validate
from bistand_es.domain.errors import InvalidInput


def _cost(text: str) -> dict[str, str]:
    kind, sep, amount = text.partition("=")
    if not sep:
        raise InvalidInput(f"--cost {text!r}: write KIND=AMOUNT, e.g. rent=7500")
    return {"kind": kind.strip(), "amount": amount.strip()}


@click.command("apply")
@click.argument("household_id")
@click.option("--month", required=True, help="The month applied for (avser månad), YYYY-MM.")
@click.option("--cost", "costs", multiple=True, help="Applied cost KIND=AMOUNT, repeatable (rent=7500).")
@click.option("--received", "received_on", help="Date the application was received (default: today).")
@click.option("--complete", "complete_on", help="Date it became complete (komplett), if known.")
@click.option(
    "--first-time/--repeat",
    "first_time",
    default=None,
    help="Nyansökan or återansökan (default: first application of the household = first time).",
)
@write_options
def apply(
    household_id: str,
    month: str,
    costs: tuple[str, ...],
    received_on: str | None,
    complete_on: str | None,
    first_time: bool | None,
    actor: str | None,
    role: str,
    expected_version: int | None,
    as_json: bool,
) -> None:
    """Ansökan: record a household's application for one month.

    Cost kinds: rent, electricity, home_insurance, work_travel, union_fee, medical,
    dental, glasses, childcare, other.

    \b
    Example:
      bistand apply 3f2a9c1e --month 2021-03 --cost rent=7500 --cost electricity=450 \\
          --received 2021-02-20 --actor anna
    """
    who = make_actor(actor, role)
    data = validate(
        ApplicationInput,
        month=month,
        received_on=parse_day(received_on, "--received"),
        complete_on=parse_day(complete_on, "--complete") if complete_on else None,
        costs=[validate(CostLine, **_cost(c)) for c in costs],
        first_time=first_time,
    )
    app, settings = open_app()
    hid = resolve_household(app, household_id)
    recorded = app.submit_application(
        hid,
        actor=who,
        month=data.month,
        received_on=data.received_on,
        complete_on=data.complete_on,
        cost_lines=[c.as_event_line() for c in data.costs],
        first_time=data.first_time,
        expected_version=expected_version,
    )
    emit_recorded(recorded, as_json, f"application for {data.month} recorded", app, settings)
