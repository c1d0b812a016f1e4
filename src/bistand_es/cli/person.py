"""``bistand person``: a member's migration facts (status, reception, unaccompanied, Migrationsverket's numbers),
and the read model's pseudonyms (``resolve``, ``pseudonym``).

The migration facts are events of the household (docs/adr/0018-reimbursement-claims.md) and the input of
återsökning (`bistand reimburse scan`). The read model shows every person as a pseudonym
(docs/adr/0024-personal-data-and-gallring.md); ``resolve`` and ``pseudonym`` translate for the roles that may.
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
from bistand_es.cli.output import chosen_format, format_option, render_rows
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
    """Personuppgifter för återsökning (migration status, mottagande, ensamkommande, dossiernummer); pseudonymer.

    \b
    Example:
      bistand person status 3f2a9c1e --person 850402-1232 --status asylum_seeker --from 2021-05-01
      bistand person reception 3f2a9c1e --person 850402-1232 --on 2022-03-10 --anvisad
      bistand person reference 3f2a9c1e --person 850402-1232 --dossier 1234567
      bistand person pseudonym 850402-1232
      bistand person resolve P-3b5f7c688d1abffe
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


# ------------------------------------------------------------------------------------ pseudonyms of the read model


def authorise_resolution(command: str) -> None:
    """Refuse (and record the refusal) unless the acting user holds a role that may resolve pseudonyms (the row
    ``person resolve`` of the role matrix): for ``--resolve`` of commands every role may run."""
    from bistand_es.application.authorisation import ROLE_ORDER, allowed_role, roles_for
    from bistand_es.application.users import load_register
    from bistand_es.cli.access import name_refused_command
    from bistand_es.domain.errors import NotAuthorised
    from bistand_es.domain.users import User

    app, settings = open_app()
    user = settings.acting_user()
    try:
        register = load_register(app)
        if register is None:
            raise NotAuthorised("no users are registered in this store yet")
        resolved = register.resolve(user, settings.role, need_role=False)
        roles = tuple(resolved.roles) if isinstance(resolved, User) else (resolved.role,)
        if allowed_role("person resolve", roles) is None:
            allowed = ", ".join(r.value for r in ROLE_ORDER if r in roles_for("person resolve"))
            raise NotAuthorised(
                f"a {'/'.join(roles)} may not resolve pseudonyms (bistand {command} --resolve; allowed: {allowed})"
            )
    except NotAuthorised:
        name_refused_command(f"{command} --resolve")  # recorded once, where the CLI maps errors (cli/access.py)
        raise


@person.command("resolve")
@click.argument("pseudonym")
@format_option
def resolve(pseudonym: str, fmt: str, as_json: bool, as_csv: bool) -> None:
    """Vem är pseudonymen: the identity number(s) and household(s) behind a read-model pseudonym (P-…).

    The read model (reports, bistand sql) shows people as pseudonyms only; this looks one up in the key store.
    An unknown pseudonym and one whose household is disposed of (gallrad) are errors.

    \b
    Example:
      bistand person resolve P-3b5f7c688d1abffe
      bistand person resolve P-3b5f7c688d1abffe --format json
    """
    from bistand_es.application.integrity import pseudonyms
    from bistand_es.domain.errors import NotFound

    app, _ = open_app()
    keys = pseudonyms.key_store_of(app)
    try:
        found = pseudonyms.resolve(keys, pseudonym)
    except NotFound:
        if not pseudonyms.is_pseudonym(pseudonym.strip()):
            raise
        from bistand_es.cli.sql import refresh

        refresh(False)  # the projector writes resolution rows as it meets persons: catch it up, then look again
        found = pseudonyms.resolve(keys, pseudonym)
    rows = [
        {
            "pseudonym": entry.pseudonym,
            "household_id": entry.household_id,
            "person": entry.identity if entry.identity is not None else pseudonyms.DISPOSED,
        }
        for entry in found
    ]
    click.echo(render_rows(rows, chosen_format(fmt, as_json, as_csv), ["pseudonym", "household_id", "person"]))


@person.command("pseudonym")
@click.argument("person_number", metavar="PERSON")
@format_option
def pseudonym(person_number: str, fmt: str, as_json: bool, as_csv: bool) -> None:
    """Pseudonymen för en person: how the read model (reports, bistand sql) shows this identity number.

    \b
    Example:
      bistand person pseudonym 850402-1232
    """
    from bistand_es.application.integrity import pseudonyms

    pid = person_id(person_number)
    app, _ = open_app()
    alias = pseudonyms.pseudonym_of(pseudonyms.key_store_of(app), pid)
    click.echo(render_rows([{"person": pid, "pseudonym": alias}], chosen_format(fmt, as_json, as_csv)))
