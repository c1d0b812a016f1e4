"""``bistand placement``: placements of children and youths by social services (Göteborg's routine).

A placement is an event of the household (docs/placements.md). A placed child's month is decided with
``bistand decide`` under the ``goteborg`` profile, which then calculates the placement allowance
(docs/adr/0022-placed-children.md); ``placement statement`` prints what the payment must state.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import click

from bistand_es.cli.common import (
    emit_record,
    make_actor,
    open_app,
    parse_day,
    person_id,
    refresh_read_model,
    report_recorded,
    resolve_household,
    write_options,
)
from bistand_es.cli.output import render_rows, to_json
from bistand_es.domain.money import Money

if TYPE_CHECKING:
    from bistand_es.application.app import BistandApplication, Recorded

KINDS = ["hvb", "hvb_training_flat", "training_flat_over_18", "familjehem"]
PAYEES = ["god_man", "sfv", "youth", "foster_home"]


def _amount(text: str | None, field: str) -> Decimal:
    if text is None:
        return Decimal("0.00")
    return Money.of(text, field=field).require_non_negative(field).amount


def _done(app: BistandApplication, recorded: Recorded, as_json: bool, message: str) -> None:
    from bistand_es.cli.common import current_settings

    refresh_read_model(app, current_settings())
    report_recorded(recorded, as_json, message)


@click.group("placement")
def placement() -> None:
    """Placeringar: a child or youth placed by social services (HVB, träningsboende, familjehem).

    \b
    Example:
      bistand placement start 3f2a9c1e --person 20070501-1234 --kind hvb --from 2023-01-10 \\
          --unit "SDF Centrum, barn och unga" --home "HVB Solrosen" --payee god_man --payee-name "Anna Berg" \\
          --pocket-money 400
      bistand decide 3f2a9c1e --month 2023-03 --profile goteborg --dry-run
      bistand placement statement 3f2a9c1e --month 2023-03
    """


@placement.command("start")
@click.argument("household_id")
@click.option("--person", required=True, help="The placed member: personnummer, samordningsnummer, dossier:NNN.")
@click.option("--kind", required=True, type=click.Choice(KINDS), help="Placeringsform.")
@click.option("--from", "valid_from", required=True, help="First day of the placement, YYYY-MM-DD.")
@click.option("--to", "valid_to", help="Planned last day, YYYY-MM-DD (optional).")
@click.option("--unit", required=True, help="The placing unit (enhet med placeringsansvar).")
@click.option("--home", default="", help="The HVB, training flat or familjehem.")
@click.option(
    "--payee",
    required=True,
    type=click.Choice(PAYEES),
    help="Who receives the money: god_man or sfv (särskilt förordnad vårdnadshavare) until 18; youth from 18; "
    "foster_home in a familjehem.",
)
@click.option("--payee-name", default="", help="The god man's or vårdnadshavare's name.")
@click.option("--pocket-money", help="Fickpeng the home pays the child a month (kr).")
@click.option("--home-payments", help="Other money the home pays a month, e.g. klädbidrag (kr).")
@click.option("--flat-persons", type=int, help="hvb_training_flat: persons sharing the flat.")
@click.option("--fees-included", help="hvb_training_flat: fees included in the housing a month, e.g. TV-avgift.")
@click.option("--note", default="", help="A note on the placement.")
@write_options
def start(
    household_id: str,
    person: str,
    kind: str,
    valid_from: str,
    valid_to: str | None,
    unit: str,
    home: str,
    payee: str,
    payee_name: str,
    pocket_money: str | None,
    home_payments: str | None,
    flat_persons: int | None,
    fees_included: str | None,
    note: str,
    actor: str | None,
    role: str,
    expected_version: int | None,
    as_json: bool,
) -> None:
    """Placering: record that a member is placed by social services from a date.

    \b
    Example:
      bistand placement start 3f2a9c1e --person 20060301-1234 --kind hvb_training_flat --from 2023-02-01 \\
          --unit "SDF Hisingen" --payee sfv --payee-name "Karl Ek" --flat-persons 3 --fees-included 173
    """
    from bistand_es.domain.household.placements import PayeeRole
    from bistand_es.domain.rules.placement_situation import PlacementKind

    who = make_actor(actor, role)
    pid = person_id(person)
    first = parse_day(valid_from, "--from")
    last = parse_day(valid_to, "--to") if valid_to else None
    app, _ = open_app()
    hid = resolve_household(app, household_id)
    recorded = app.start_placement(
        hid,
        actor=who,
        person=pid,
        kind=PlacementKind(kind),
        valid_from=first,
        valid_to=last,
        unit=unit,
        home=home,
        payee_role=PayeeRole(payee),
        payee_name=payee_name,
        pocket_money=_amount(pocket_money, "--pocket-money"),
        home_payments=_amount(home_payments, "--home-payments"),
        flat_persons=flat_persons,
        fees_included=_amount(fees_included, "--fees-included"),
        note=note,
        expected_version=expected_version,
    )
    _done(app, recorded, as_json, f"placement {recorded.result}: {pid} {kind} from {first}")


@placement.command("end")
@click.argument("household_id")
@click.option("--placement", "placement_id", required=True, help="The placement id (or its first 8+ characters).")
@click.option("--on", "ended_on", required=True, help="The placement's last day, YYYY-MM-DD.")
@click.option("--reason", required=True, help="Why it ended (e.g. 'flyttat till familjehem').")
@write_options
def end(
    household_id: str,
    placement_id: str,
    ended_on: str,
    reason: str,
    actor: str | None,
    role: str,
    expected_version: int | None,
    as_json: bool,
) -> None:
    """Avslut: the placement ends on a day (its last day).

    \b
    Example:
      bistand placement end 3f2a9c1e --placement 1a2b3c4d --on 2023-08-31 --reason "flyttat till familjehem"
    """
    who = make_actor(actor, role)
    day = parse_day(ended_on, "--on")
    app, _ = open_app()
    hid = resolve_household(app, household_id)
    recorded = app.end_placement(
        hid, actor=who, placement_id=placement_id, ended_on=day, reason=reason, expected_version=expected_version
    )
    _done(app, recorded, as_json, f"placement {recorded.result} ended on {day}")


@placement.command("payee")
@click.argument("household_id")
@click.option("--placement", "placement_id", required=True, help="The placement id (or its first 8+ characters).")
@click.option("--payee", required=True, type=click.Choice(PAYEES), help="The new receiver of the money.")
@click.option("--payee-name", default="", help="The god man's or vårdnadshavare's name.")
@click.option("--from", "valid_from", required=True, help="From this day, YYYY-MM-DD.")
@write_options
def payee(
    household_id: str,
    placement_id: str,
    payee: str,
    payee_name: str,
    valid_from: str,
    actor: str | None,
    role: str,
    expected_version: int | None,
    as_json: bool,
) -> None:
    """Betalningsmottagare: a new receiver from a date (a särskilt förordnad vårdnadshavare, the youth at 18).

    \b
    Example:
      bistand placement payee 3f2a9c1e --placement 1a2b3c4d --payee sfv --payee-name "Karl Ek" --from 2023-06-01
    """
    from bistand_es.domain.household.placements import PayeeRole

    who = make_actor(actor, role)
    day = parse_day(valid_from, "--from")
    app, _ = open_app()
    hid = resolve_household(app, household_id)
    recorded = app.change_placement_payee(
        hid,
        actor=who,
        placement_id=placement_id,
        payee_role=PayeeRole(payee),
        payee_name=payee_name,
        valid_from=day,
        expected_version=expected_version,
    )
    _done(app, recorded, as_json, f"placement {recorded.result}: payee {payee} {payee_name} from {day}".rstrip())


@placement.command("list")
@click.argument("household_id")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def list_placements(household_id: str, as_json: bool) -> None:
    """Placeringar: the household's placements, as they now stand.

    \b
    Example:
      bistand placement list 3f2a9c1e --json
    """
    app, _ = open_app()
    rows: list[dict[str, Any]] = [dict(row) for row in app.list_placements(resolve_household(app, household_id))]
    if as_json:
        click.echo(to_json(rows))
        return
    columns = ["placement_id", "person", "kind", "from", "to", "ended", "unit", "payee", "pocket_money"]
    click.echo(render_rows(rows, "table", columns) if rows else "no placements")


@placement.command("statement")
@click.argument("household_id")
@click.option("--month", required=True, help="The month decided, YYYY-MM.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def statement(household_id: str, month: str, as_json: bool) -> None:
    """Utbetalningsspecifikation: the period the month's allowance covers, its payee and the reasons for every
    reduction (Göteborg's routine section 3.4), from the recorded decision.

    \b
    Example:
      bistand placement statement 3f2a9c1e --month 2023-03
    """
    from bistand_es.domain.month import Month

    app, _ = open_app()
    record = app.placement_statement(resolve_household(app, household_id), Month.parse(month, field="--month"))
    if as_json:
        click.echo(to_json(record))
        return
    reductions = record.pop("reductions")
    emit_record(record, False)
    for line in reductions:
        click.echo(f"  avdrag: {line}")
