"""``bistand household``: register a household and change its composition (hushållets sammansättning)."""

from __future__ import annotations

from datetime import date

import click

from bistand_es.cli.common import (
    actor_options,
    make_actor,
    open_app,
    parse_day,
    parse_moment,
    person_id,
    refresh_read_model,
    report_recorded,
    resolve_household,
    write_options,
)
from bistand_es.cli.inputs import MemberInput, validate
from bistand_es.cli.output import chosen_format, format_option, render_rows, to_json
from bistand_es.cli.views import household_view
from bistand_es.domain.errors import InvalidInput
from bistand_es.domain.moments import shown
from bistand_es.domain.vocabulary import MemberRole

#: The institutions the fickpeng rule names (bistand_es.domain.household.stays.StayKind).
STAY_KINDS = ["hvb", "forensic_psychiatric_care"]


@click.group("household")
def household() -> None:
    """Hushåll: register households and keep their composition up to date.

    \b
    Example:
      bistand household register --municipality 1765 --applicant 640823-3234 --actor anna
      bistand household add-member 3f2a9c1e --person 701063-2391 --role co_applicant --actor anna
      bistand household show 3f2a9c1e
    """


@household.command("register")
@click.option(
    "--municipality",
    required=True,
    help="Kommunkod, four digits (e.g. 1763 Forshaga, 1480 Göteborg); it selects the municipal profile of rules.",
)
@click.option("--applicant", required=True, help="Sökande: personnummer, samordningsnummer, dossier:NNN …")
@click.option("--birth-date", help="Födelsedatum YYYY-MM-DD (default: from the personnummer).")
@click.option("--on", "registered_on", help="Registration date YYYY-MM-DD (default: today).")
@write_options
def register(
    municipality: str,
    applicant: str,
    birth_date: str | None,
    registered_on: str | None,
    actor: str | None,
    role: str,
    expected_version: int | None,
    as_json: bool,
) -> None:
    """Registrera hushåll: register a new household with its applicant (sökande).

    \b
    Example:
      bistand household register --municipality 1765 --applicant 19640823-3234 --actor anna
    """
    who = make_actor(actor, role)
    on = parse_day(registered_on, "--on")
    canonical, born = _person_and_birth_date(applicant, birth_date, on)
    app, settings = open_app()
    recorded = app.register_household(
        actor=who, municipality=municipality.strip(), applicant=canonical, birth_date=born, registered_on=on
    )
    refresh_read_model(app, settings)
    report_recorded(recorded, as_json, f"household {recorded.household_id} registered")


def _person_and_birth_date(text: str, birth_date: str | None, today: date) -> tuple[str, date]:
    from bistand_es.domain.identifiers import parse_person_id

    pid = parse_person_id(text, today=today)
    if birth_date is not None:
        return pid.canonical, parse_day(birth_date, "--birth-date")
    born = getattr(pid, "birth_date", None)
    if not isinstance(born, date):
        raise InvalidInput(f"--birth-date is needed for a {pid.kind} (it carries no birth date)")
    return pid.canonical, born


@household.command("add-member")
@click.argument("household_id")
@click.option("--person", required=True, help="Personnummer/samordningsnummer/dossier:NNN of the member.")
@click.option(
    "--role",
    "member_role",
    required=True,
    type=click.Choice([r.value for r in MemberRole if r != MemberRole.APPLICANT]),
    help="medsökande (co_applicant), barn (child) or vuxen (adult, not the applicant's sambo).",
)
@click.option("--birth-date", help="Födelsedatum YYYY-MM-DD (default: from the personnummer).")
@click.option("--in-school/--not-in-school", default=None, help="Skolungdom (gymnasium); default by age.")
@click.option("--from", "effective_on", help="Member from this date YYYY-MM-DD (default: today).")
@write_options
def add_member(
    household_id: str,
    person: str,
    member_role: str,
    birth_date: str | None,
    in_school: bool | None,
    effective_on: str | None,
    actor: str | None,
    role: str,
    expected_version: int | None,
    as_json: bool,
) -> None:
    """Lägg till medlem: add a co-applicant, child or adult to the household.

    \b
    Example:
      bistand household add-member 3f2a9c1e --person 20160601-0005 --role child --actor anna
    """
    who = make_actor(actor, role)
    on = parse_day(effective_on, "--from")
    canonical, born = _person_and_birth_date(person, birth_date, on)
    data = validate(
        MemberInput, person=canonical, role=member_role, birth_date=born, in_school=in_school, effective_on=on
    )
    app, settings = open_app()
    hid = resolve_household(app, household_id)
    recorded = app.add_member(
        hid,
        actor=who,
        person=data.person,
        role=data.role,
        birth_date=data.birth_date,
        in_school=data.in_school,
        effective_on=data.effective_on,
        expected_version=expected_version,
    )
    refresh_read_model(app, settings)
    report_recorded(recorded, as_json, f"{data.person} added as {data.role.value}")


@household.command("remove-member")
@click.argument("household_id")
@click.option("--person", required=True, help="The member's personnummer (or other id).")
@click.option("--from", "effective_on", help="No longer a member from this date (default: today).")
@click.option("--reason", default="", help="Why (e.g. 'flyttat').")
@write_options
def remove_member(
    household_id: str,
    person: str,
    effective_on: str | None,
    reason: str,
    actor: str | None,
    role: str,
    expected_version: int | None,
    as_json: bool,
) -> None:
    """Ta bort medlem: a member leaves the household (the history keeps them).

    \b
    Example:
      bistand household remove-member 3f2a9c1e --person 20160601-0005 --from 2021-06-01 --actor anna
    """
    who = make_actor(actor, role)
    on = parse_day(effective_on, "--from")
    canonical = person_id(person, today=on)
    app, settings = open_app()
    hid = resolve_household(app, household_id)
    recorded = app.remove_member(
        hid, actor=who, person=canonical, effective_on=on, reason=reason, expected_version=expected_version
    )
    refresh_read_model(app, settings)
    report_recorded(recorded, as_json, f"{canonical} removed from {on}")


@household.command("set-cohabiting")
@click.argument("household_id")
@click.argument("state", type=click.Choice(["yes", "no"]))
@click.option("--from", "effective_on", help="From this date (default: today).")
@write_options
def set_cohabiting(
    household_id: str,
    state: str,
    effective_on: str | None,
    actor: str | None,
    role: str,
    expected_version: int | None,
    as_json: bool,
) -> None:
    """Sambor/makar: record that applicant and co-applicant live together (yes) or not (no).

    \b
    Example:
      bistand household set-cohabiting 3f2a9c1e yes --from 2021-01-01 --actor anna
    """
    who = make_actor(actor, role)
    on = parse_day(effective_on, "--from")
    app, settings = open_app()
    hid = resolve_household(app, household_id)
    recorded = app.set_cohabiting(
        hid, actor=who, cohabiting=state == "yes", effective_on=on, expected_version=expected_version
    )
    refresh_read_model(app, settings)
    report_recorded(recorded, as_json, f"cohabiting: {state} from {on}")


@household.command("show")
@click.argument("household_id")
@click.option(
    "--as-of",
    help="Show the household as it was at this time of recording: a time as `history` prints it, with or "
    "without zone (2026-11-23T14:30:05+01:00, 2026-11-23T13:30Z); no zone means Swedish time.",
)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def show(household_id: str, as_of: str | None, as_json: bool) -> None:
    """Visa hushåll: members, applications, incomes and decisions — now or as of a moment.

    \b
    Example:
      bistand household show 3f2a9c1e --as-of 2021-03-05T14:30
    """
    moment = parse_moment(as_of, "--as-of") if as_of else None
    app, _ = open_app()
    hid = resolve_household(app, household_id)
    disposed = app.disposal_of(hid)
    if disposed is not None:  # gallrad: only the clear disposal record is left to show
        from bistand_es.cli.views import disposal_view

        view = disposal_view(disposed)
        click.echo(to_json(view) if as_json else f"Household {hid}: gallrad {view['disposed_on']} ({view['rule']})")
        return
    state = app.get_household(hid, as_of=moment)
    view = household_view(state)
    view["recovery_candidates"] = [
        {
            "month": str(month),
            "granted": f"{state.granted_amount(month):.2f}",
            "paid": f"{state.paid_amount(month):.2f}",
            "overpaid": f"{excess:.2f}",
        }
        for month, excess in state.overpaid().items()
    ]
    if as_of:
        view["as_of"] = shown(moment) if moment else None
    if as_json:
        click.echo(to_json(view))
        return
    title = f"Household {view['household_id']} (kommun {view['municipality']}, version {view['version']}"
    title += f", {view['status']}" + (f", as of {view['as_of']})" if as_of else ")")
    click.echo(title)
    click.echo(f"cohabiting (sambor): {'yes' if view['cohabiting'] else 'no'}")
    for section in ("members", "applications", "incomes", "decisions"):
        rows = view[section]
        click.echo(f"\n{section.capitalize()}:")
        click.echo(render_rows(rows, "table") if rows else "  (none)")
    if view["recovery_candidates"]:
        click.echo("\nRecovery candidates (återkrav to assess under 9 kap. 1 § SoL; never netted against later aid):")
        click.echo(render_rows(view["recovery_candidates"], "table"))


@household.command("list")
@format_option
def list_households(fmt: str, as_json: bool, as_csv: bool) -> None:
    """Lista hushåll: every registered household.

    \b
    Example:
      bistand household list --csv > households.csv
    """
    app, _ = open_app()
    rows = app.list_households()
    click.echo(
        render_rows(
            rows,
            chosen_format(fmt, as_json, as_csv),
            ["household_id", "municipality", "applicant", "registered_on", "closed_on"],
        )
    )


__all__ = ["actor_options", "household"]


@household.command("external-support")
@click.argument("household_id")
@click.option("--person", required=True, help="The member who received försörjningsstöd elsewhere.")
@click.option("--months", required=True, help="Months concerned, comma-separated: 2020-08,2020-09.")
@click.option("--source", required=True, help="Where it is shown (kommun, intyg, datum).")
@write_options
def external_support(
    household_id: str,
    person: str,
    months: str,
    source: str,
    actor: str | None,
    role: str,
    expected_version: int | None,
    as_json: bool,
) -> None:
    """Bistånd i annan kommun: months of försörjningsstöd from another municipality.

    They count toward the six consecutive months that open a jobbstimulans window.

    \b
    Example:
      bistand household external-support 3f2a9c1e --person 640823-3234 \\
          --months 2020-08,2020-09 --source "Karlstads kommun, intyg 2021-01-10"
    """
    from bistand_es.domain.month import Month

    who = make_actor(actor, role)
    canonical = person_id(person)
    parsed = [Month.parse(m.strip(), field="--months") for m in months.split(",") if m.strip()]
    app, settings = open_app()
    hid = resolve_household(app, household_id)
    recorded = app.record_external_support(
        hid, actor=who, person=canonical, months=parsed, source=source, expected_version=expected_version
    )
    refresh_read_model(app, settings)
    report_recorded(recorded, as_json, f"{len(parsed)} months of support elsewhere recorded")


@household.command("stay-start")
@click.argument("household_id")
@click.option("--person", required=True, help="The member who stays at the institution.")
@click.option(
    "--kind",
    required=True,
    type=click.Choice(STAY_KINDS),
    help="hvb (hem för vård eller boende) or forensic_psychiatric_care (rättspsykiatrisk vård).",
)
@click.option("--from", "valid_from", required=True, help="First day of the stay, YYYY-MM-DD.")
@click.option("--to", "valid_to", help="Planned last day, YYYY-MM-DD (optional).")
@click.option("--source", default="", help="Where the stay is shown (e.g. 'intyg HVB Björken 2021-03-08').")
@write_options
def stay_start(
    household_id: str,
    person: str,
    kind: str,
    valid_from: str,
    valid_to: str | None,
    source: str,
    actor: str | None,
    role: str,
    expected_version: int | None,
    as_json: bool,
) -> None:
    """Vistelse på institution: a member stays at an HVB or in forensic psychiatric care from a date.

    Under a profile with the fickpeng rule (forshaga) the member's personal norm for those days is replaced
    by fickpeng per day.

    \b
    Example:
      bistand household stay-start 3f2a9c1e --person 640823-3234 --kind hvb --from 2021-03-11 \\
          --source "intyg HVB Björken"
    """
    from bistand_es.domain.household.stays import StayKind

    who = make_actor(actor, role)
    canonical = person_id(person)
    first = parse_day(valid_from, "--from")
    last = parse_day(valid_to, "--to") if valid_to else None
    app, settings = open_app()
    hid = resolve_household(app, household_id)
    recorded = app.start_stay(
        hid,
        actor=who,
        person=canonical,
        kind=StayKind(kind),
        valid_from=first,
        valid_to=last,
        source=source,
        expected_version=expected_version,
    )
    refresh_read_model(app, settings)
    report_recorded(recorded, as_json, f"{canonical} at {kind} from {first}")


@household.command("stay-end")
@click.argument("household_id")
@click.option("--person", required=True, help="The member whose stay ends.")
@click.option("--on", "ended_on", required=True, help="The last day of the stay, YYYY-MM-DD.")
@click.option("--reason", default="", help="Why it ended (e.g. 'utskriven').")
@write_options
def stay_end(
    household_id: str,
    person: str,
    ended_on: str,
    reason: str,
    actor: str | None,
    role: str,
    expected_version: int | None,
    as_json: bool,
) -> None:
    """Vistelse slut: the member's stay at an institution ends (--on is its last day).

    \b
    Example:
      bistand household stay-end 3f2a9c1e --person 640823-3234 --on 2021-04-20 --reason utskriven
    """
    who = make_actor(actor, role)
    canonical = person_id(person)
    last = parse_day(ended_on, "--on")
    app, settings = open_app()
    hid = resolve_household(app, household_id)
    recorded = app.end_stay(
        hid, actor=who, person=canonical, ended_on=last, reason=reason, expected_version=expected_version
    )
    refresh_read_model(app, settings)
    report_recorded(recorded, as_json, f"{canonical}: stay ended {last}")


@household.command("find")
@click.argument("person")
@format_option
def find(person: str, fmt: str, as_json: bool, as_csv: bool) -> None:
    """Sök person: every household a person belongs or belonged to (as applicant or member).

    \b
    Example:
      bistand household find 640823-3234
      bistand household find 19640823-3234 --json
    """
    canonical = person_id(person)
    app, _ = open_app()
    rows = app.find_households(canonical)
    if not rows and not (as_json or as_csv):
        click.echo("no household has this person as a member")
        return
    click.echo(render_rows(rows, chosen_format(fmt, as_json, as_csv)))
