"""``bistand apply``: record a monthly application (ansökan) with its applied costs."""

from __future__ import annotations

import click

from bistand_es.cli.common import (
    load_rules,
    make_actor,
    open_app,
    parse_day,
    refresh_read_model,
    report_recorded,
    resolve_household,
    write_options,
)
from bistand_es.cli.inputs import ApplicationInput, CostLine, validate
from bistand_es.domain.errors import InvalidInput
from bistand_es.domain.vocabulary import CostKind


def _cost(text: str) -> dict[str, str]:
    kind, sep, amount = text.partition("=")
    if not sep:
        raise InvalidInput(f"--cost {text!r}: write KIND=AMOUNT, e.g. rent=7500")
    return {"kind": kind.strip(), "amount": amount.strip()}


@click.command("apply")
@click.argument("household_id")
@click.option("--month", required=True, help="The month applied for (avser månad), YYYY-MM.")
@click.option(
    "--cost",
    "costs",
    multiple=True,
    help="Applied cost KIND=AMOUNT, repeatable (rent=7500). Kinds: " + ", ".join(k.value for k in CostKind) + ".",
)
@click.option("--received", "received_on", help="Date the application was received (default: today).")
@click.option("--complete", "complete_on", help="Date it became complete (komplett), if known.")
@click.option(
    "--first-time/--repeat",
    "first_time",
    default=None,
    help="Nyansökan or återansökan (default: first application of the household = first time).",
)
@click.option("--contact", "contact_on", help="Nybesök: the day of first contact with the office (YYYY-MM-DD).")
@click.option("--reason", default="", help="Why a month that has already passed is applied for (retroactive).")
@click.option("--profile", help="Municipal profile whose date rules apply (default: the household's kommunkod).")
@write_options
def apply(
    household_id: str,
    month: str,
    costs: tuple[str, ...],
    received_on: str | None,
    complete_on: str | None,
    first_time: bool | None,
    contact_on: str | None,
    reason: str,
    profile: str | None,
    actor: str | None,
    role: str,
    expected_version: int | None,
    as_json: bool,
) -> None:
    """Ansökan: record a household's application for one month.

    Correct it later with `bistand application correct`, or withdraw it with
    `bistand application withdraw` while it is undecided.

    Under a profile with application dates (Forshaga): an application for next month
    is refused before the 15th of the month before; a month that has already passed
    needs --reason (retroactive); a nybesök's --contact day starts the norm.

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
    from bistand_es.application.decisions import check_application

    contact = parse_day(contact_on, "--contact") if contact_on else None
    if contact is not None and contact > data.received_on:
        raise InvalidInput(f"--contact: {contact} is after the day the application was received ({data.received_on})")
    app, settings = open_app()
    hid = resolve_household(app, household_id)
    notes = check_application(
        app.get_household(hid), data.month, data.received_on, reason, load_rules(), profile=profile
    )
    recorded = app.submit_application(
        hid,
        actor=who,
        month=data.month,
        received_on=data.received_on,
        complete_on=data.complete_on,
        cost_lines=[c.as_event_line() for c in data.costs],
        first_time=data.first_time,
        expected_version=expected_version,
        contact_on=contact,
        reason=reason.strip(),
    )
    refresh_read_model(app, settings)
    for note in notes:
        click.echo(f"warning: {note}", err=True)
    report_recorded(recorded, as_json, f"application for {data.month} recorded")


@click.group("application")
def application() -> None:
    """Ansökan: correct or withdraw a recorded application (new events; nothing is edited).

    \b
    Example:
      bistand application correct 3f2a9c1e --month 2021-03 --cost rent=7600 --reason "ny hyresavi"
      bistand application withdraw 3f2a9c1e --month 2021-04 --reason "återtagen av sökande"
    """


@application.command("correct")
@click.argument("household_id")
@click.option("--month", required=True, help="The month of the application (avser månad), YYYY-MM.")
@click.option(
    "--cost",
    "costs",
    multiple=True,
    help="The corrected costs KIND=AMOUNT, repeatable: they replace all applied costs of the month.",
)
@click.option("--received", "received_on", help="Corrected date received (YYYY-MM-DD).")
@click.option("--complete", "complete_on", help="Corrected date complete (YYYY-MM-DD).")
@click.option("--reason", required=True, help="Why the application is corrected.")
@write_options
def correct(
    household_id: str,
    month: str,
    costs: tuple[str, ...],
    received_on: str | None,
    complete_on: str | None,
    reason: str,
    actor: str | None,
    role: str,
    expected_version: int | None,
    as_json: bool,
) -> None:
    """Rätta ansökan: correct the applied costs or dates of a month's application.

    The old figures stay in the history. A month already decided keeps its decision
    until you amend it (`bistand decide … --amend --reason …`), which then uses the
    corrected application.

    \b
    Example:
      bistand application correct 3f2a9c1e --month 2021-03 --cost rent=7600 \\
          --cost electricity=450 --reason "ny hyresavi"
    """
    from bistand_es.domain.month import Month

    who = make_actor(actor, role)
    the_month = Month.parse(month, field="--month")
    lines = [validate(CostLine, **_cost(c)).as_event_line() for c in costs] if costs else None
    received = parse_day(received_on, "--received") if received_on else None
    complete = parse_day(complete_on, "--complete") if complete_on else None
    if lines is None and received is None and complete is None:
        raise InvalidInput("give the corrected --cost lines, --received or --complete")
    app, settings = open_app()
    hid = resolve_household(app, household_id)
    recorded = app.correct_application(
        hid,
        actor=who,
        month=the_month,
        reason=reason,
        cost_lines=lines,
        received_on=received,
        complete_on=complete,
        expected_version=expected_version,
    )
    refresh_read_model(app, settings)
    report_recorded(recorded, as_json, f"application for {the_month} corrected")


@application.command("withdraw")
@click.argument("household_id")
@click.option("--month", required=True, help="The month of the application (avser månad), YYYY-MM.")
@click.option("--reason", required=True, help="Why it is withdrawn (e.g. 'återtagen av sökande').")
@write_options
def withdraw(
    household_id: str,
    month: str,
    reason: str,
    actor: str | None,
    role: str,
    expected_version: int | None,
    as_json: bool,
) -> None:
    """Återta ansökan: withdraw an undecided application; a decided month is amended instead.

    \b
    Example:
      bistand application withdraw 3f2a9c1e --month 2021-04 --reason "återtagen av sökande"
    """
    from bistand_es.domain.month import Month

    who = make_actor(actor, role)
    the_month = Month.parse(month, field="--month")
    app, settings = open_app()
    hid = resolve_household(app, household_id)
    recorded = app.withdraw_application(
        hid, actor=who, month=the_month, reason=reason, expected_version=expected_version
    )
    refresh_read_model(app, settings)
    report_recorded(recorded, as_json, f"application for {the_month} withdrawn")
