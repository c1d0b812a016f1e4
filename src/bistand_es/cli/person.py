"""``bistand person``: a member's migration facts (status, reception, unaccompanied, Migrationsverket's numbers).

They are events of the household (docs/adr/0018-reimbursement-claims.md) and the input of återsökning
(`bistand reimburse scan`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from bistand_es.cli.common import (
    actor_options,
    make_actor,
    open_app,
    parse_day,
    person_id,
    refresh_read_model,
    report_recorded,
    resolve_household,
)
from bistand_es.domain.errors import InvalidInput

if TYPE_CHECKING:
    from bistand_es.application.app import BistandApplication, Recorded

STATUSES = ["asylum_seeker", "permit_applicant", "residence_permit", "citizen"]


def _json_option(func: Any) -> Any:
    return click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")(func)


def _person_option(func: Any) -> Any:
    return click.option("--person", required=True, help="The member: personnummer, samordningsnummer, dossier:NNN.")(
        func
    )


def _done(app: BistandApplication, recorded: Recorded, as_json: bool, message: str) -> None:
    from bistand_es.cli.common import current_settings

    refresh_read_model(app, current_settings())
    report_recorded(recorded, as_json, message)


@click.group("person")
def person() -> None:
    """Personuppgifter för återsökning: migration status, mottagande, ensamkommande, dossiernummer.

    \b
    Example:
      bistand person status 3f2a9c1e --person 850402-1232 --status asylum_seeker --from 2021-05-01
      bistand person reception 3f2a9c1e --person 850402-1232 --on 2022-03-10 --anvisad
      bistand person reference 3f2a9c1e --person 850402-1232 --dossier 1234567
    """


@person.command("status")
@click.argument("household_id")
@_person_option
@click.option("--status", required=True, type=click.Choice(STATUSES), help="Migration status from --from on.")
@click.option("--from", "valid_from", required=True, help="The status is in force from this date, YYYY-MM-DD.")
@click.option("--permit-type", help="Only with residence_permit: the kind of permit (e.g. 'tidsbegränsat, 13 mån').")
@_json_option
@actor_options
def status(
    household_id: str,
    person: str,
    status: str,
    valid_from: str,
    permit_type: str | None,
    as_json: bool,
    actor: str | None,
    role: str,
) -> None:
    """Migrationsstatus: asylum_seeker, permit_applicant, residence_permit or citizen, from a date.

    A status holds until the next one; återsökning reads the status on each month's first day.
    A status recorded again for the same date replaces it (the old one stays in the history).

    \b
    Example:
      bistand person status 3f2a9c1e --person 850402-1232 --status residence_permit \\
          --from 2022-02-15 --permit-type "permanent"
    """
    from bistand_es.domain.reimbursement.case import MigrationStatus

    who = make_actor(actor, role)
    pid = person_id(person)
    day = parse_day(valid_from, "--from")
    app, _ = open_app()
    hid = resolve_household(app, household_id)
    recorded = app.record_migration_status(
        hid, actor=who, person=pid, status=MigrationStatus(status), valid_from=day, permit_type=permit_type
    )
    _done(app, recorded, as_json, f"{pid}: {status} from {day}")


@person.command("reception")
@click.argument("household_id")
@_person_option
@click.option("--on", "received_on", required=True, help="First reception (mottagande) in a municipality, YYYY-MM-DD.")
@click.option("--anvisad", "reception", flag_value="anvisad", help="Anvisad to the municipality by Migrationsverket.")
@click.option("--egenbosatt", "reception", flag_value="egenbosatt", help="Settled on their own (eget boende).")
@_json_option
@actor_options
def reception(
    household_id: str,
    person: str,
    received_on: str,
    reception: str | None,
    as_json: bool,
    actor: str | None,
    role: str,
) -> None:
    """Mottagande: the date of first reception in a municipality, anvisad or egenbosatt.

    \b
    Example:
      bistand person reception 3f2a9c1e --person 850402-1232 --on 2022-03-10 --egenbosatt
    """
    from bistand_es.domain.reimbursement.case import Reception

    who = make_actor(actor, role)
    if reception is None:
        raise InvalidInput("give --anvisad or --egenbosatt")
    pid = person_id(person)
    day = parse_day(received_on, "--on")
    app, _ = open_app()
    hid = resolve_household(app, household_id)
    recorded = app.record_reception(hid, actor=who, person=pid, received_on=day, reception=Reception(reception))
    _done(app, recorded, as_json, f"{pid}: received on {day} ({reception})")


@person.command("unaccompanied")
@click.argument("household_id")
@_person_option
@click.option("--from", "valid_from", required=True, help="From this date, YYYY-MM-DD.")
@click.option("--ended", is_flag=True, help="The person is no longer an unaccompanied minor from --from.")
@_json_option
@actor_options
def unaccompanied(
    household_id: str, person: str, valid_from: str, ended: bool, as_json: bool, actor: str | None, role: str
) -> None:
    """Ensamkommande barn: the person is an unaccompanied minor from a date (--ended: no longer).

    \b
    Example:
      bistand person unaccompanied 3f2a9c1e --person 20070301-1234 --from 2022-01-10
    """
    who = make_actor(actor, role)
    pid = person_id(person)
    day = parse_day(valid_from, "--from")
    app, _ = open_app()
    hid = resolve_household(app, household_id)
    recorded = app.record_unaccompanied(hid, actor=who, person=pid, unaccompanied=not ended, valid_from=day)
    state = "no longer an unaccompanied minor" if ended else "unaccompanied minor"
    _done(app, recorded, as_json, f"{pid}: {state} from {day}")


@person.command("reference")
@click.argument("household_id")
@_person_option
@click.option("--dossier", help="Migrationsverket's dossiernummer.")
@click.option("--lma", help="The LMA card's number.")
@_json_option
@actor_options
def reference(
    household_id: str,
    person: str,
    dossier: str | None,
    lma: str | None,
    as_json: bool,
    actor: str | None,
    role: str,
) -> None:
    """Migrationsverkets nummer: the person's dossiernummer or LMA number (shown in claim specifications).

    \b
    Example:
      bistand person reference 3f2a9c1e --person 850402-1232 --dossier 1234567
    """
    from bistand_es.domain.household.migration import AgencyReferenceKind

    who = make_actor(actor, role)
    if (dossier is None) == (lma is None):
        raise InvalidInput("give one of --dossier or --lma")
    kind = AgencyReferenceKind.DOSSIER if dossier is not None else AgencyReferenceKind.LMA
    text = dossier if dossier is not None else lma
    pid = person_id(person)
    app, _ = open_app()
    hid = resolve_household(app, household_id)
    recorded = app.record_agency_reference(hid, actor=who, person=pid, kind=kind, reference=str(text))
    _done(app, recorded, as_json, f"{pid}: {kind.value} {str(text).strip()}")
