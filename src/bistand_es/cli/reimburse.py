"""``bistand reimburse``: återsökning from Migrationsverket (the contract is in docs/reimbursement.md)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bistand_es.cli.calc import fail, parameters_option
from bistand_es.cli.common import (
    actor_options,
    current_settings,
    load_rules,
    make_actor,
    open_app,
    parse_day,
    person_id,
    refresh_read_model,
    report_recorded,
    resolve_household,
)
from bistand_es.cli.output import chosen_format, format_option, render_record, render_rows, to_json
from bistand_es.domain.errors import BistandError, InvalidInput
from bistand_es.domain.money import Money
from bistand_es.domain.month import Month

if TYPE_CHECKING:
    from bistand_es.application.app import BistandApplication, Recorded
    from bistand_es.application.payments import Reimbursable
    from bistand_es.application.reimbursement import FilingPlan
    from bistand_es.application.units import Units
    from bistand_es.domain.records import Actor

_OPPORTUNITY_COLUMNS = ("type", "period", "persons", "amount", "deadline", "days_left", "status", "confidence")


def _read(case_file: str) -> str:
    """The case's text: UTF-8, at most the loader's document limit (checked before reading)."""
    from bistand_es.domain.rules.loader import MAX_DOCUMENT_BYTES, decode_document, read_document

    if case_file == "-":
        data = sys.stdin.buffer.read(MAX_DOCUMENT_BYTES + 1)
        return decode_document(data, "CASE_FILE (standard input)", error=InvalidInput)
    return read_document(Path(case_file), f"CASE_FILE {case_file}", error=InvalidInput)


@click.group("reimburse")
def reimburse() -> None:
    """Återsökning: what Migrationsverket still owes the municipality, and by when.

    A unit's quarter: `scan` shows what is open and lost; `file` claims a type and period
    and writes the specification; `outcome` records Migrationsverket's decision; `routine`
    shows who is responsible. `check` runs the same engine on a file (nothing recorded).

    \b
    Example:
      bistand reimburse check case.yaml --json
      bistand reimburse scan --as-of 2022-04-01
      bistand reimburse file --type asylum.lma_aid --period 2022-Q1 --output lma-2022-Q1.csv
      bistand reimburse outcome 5d1c0e2a --granted
    """


@reimburse.command("check")
@click.argument("case_file", metavar="CASE_FILE")
@parameters_option
@format_option
def check(case_file: str, parameters: str | None, fmt: str, as_json: bool, as_csv: bool) -> None:
    """Kontroll: which costs in CASE_FILE may still be claimed, by when, and what is lost (nothing is recorded).

    CASE_FILE is JSON or YAML ("-" reads standard input): as_of, persons (migration statuses by
    date, received_on), costs (person, month, type, amount, fees) and claims already filed.
    Prints one row per type and period not yet claimed (per person for stöd i boendet, 22 §)
    with the last day to file, days left and open/lost; then totals, costs that are not
    eligible and warnings. --json prints the contract's JSON. Invalid input exits with
    status 2 and one line on standard error naming the field.

    \b
    Example:
      bistand reimburse check case.yaml
      cat case.json | bistand reimburse check - --json
    """
    from bistand_es.domain.reimbursement import check as run_check
    from bistand_es.domain.reimbursement import parse_case
    from bistand_es.domain.rules.input import parse_document

    try:
        rule_set = load_rules(parameters)
        name = "CASE_FILE" if case_file == "-" else case_file
        result = run_check(parse_case(parse_document(_read(case_file), name)), rule_set)
    except BistandError as error:
        fail(error)
        return
    data = result.to_dict()
    chosen = chosen_format(fmt, as_json, as_csv)
    if chosen == "json":
        click.echo(to_json(data))
        return
    rows = [_row(opportunity) for opportunity in data["opportunities"]]
    if chosen != "table":
        click.echo(render_rows(rows, chosen, _OPPORTUNITY_COLUMNS))
        return
    _print_table(data, rows)


def _row(opportunity: dict[str, Any]) -> dict[str, Any]:
    return {**opportunity, "persons": " ".join(opportunity["persons"])}


def _print_table(data: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    click.echo(f"Återsökning per {data['as_of']}: kostnader som inte är ansökta (sista dag att ansöka)")
    click.echo("")
    if rows:
        click.echo(render_rows(rows, "table", _OPPORTUNITY_COLUMNS))
    else:
        click.echo("(inga: every eligible cost is claimed)")
    click.echo("")
    totals = [{"total": key, "amount": value} for key, value in data["totals"].items()]
    click.echo(render_rows(totals, "table", ["total", "amount"]))
    if data["not_eligible"]:
        click.echo("")
        click.echo("Not eligible (ej ersättningsberättigande):")
        click.echo(render_rows(data["not_eligible"], "table", ["person", "month", "type", "amount", "reason"]))
    if data["warnings"]:
        click.echo("")
        click.echo("Warnings:")
        for warning in data["warnings"]:
            click.echo(f"  ! {warning}")


# ---------------------------------------------------------------------------------------------------- the write side

_SPEC_COLUMNS = (
    "claim_id",
    "type",
    "period",
    "household_id",
    "person",
    "dossiernummer",
    "lma_number",
    "month",
    "cost",
    "fees",
    "amount",
    "evidence",
)
_CLAIM_COLUMNS = ("claim_id", "type", "period", "persons", "amount", "filed_on", "outcome", "granted", "difference")


def _units() -> Units:
    from bistand_es.application.units import load_units

    return load_units(current_settings().home)


@reimburse.command("cost")
@click.argument("household_id")
@click.option("--person", required=True, help="The member the cost was for.")
@click.option("--month", required=True, help="The month the cost concerns, YYYY-MM.")
@click.option("--type", "type_name", required=True, help="Compensation type, e.g. asylum.child_care.")
@click.option("--amount", required=True, help="What the municipality paid.")
@click.option("--fees", help="Avgifter charged (only for the 75 % rule, permit.housing_support).")
@click.option("--care-began-on", help="asylum.child_care: the day the care began (ages 18–20).")
@click.option("--evidence", required=True, help="Underlag: invoice, decision or journal reference.")
@click.option("--note", default="", help="A note.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@actor_options
def cost(
    household_id: str,
    person: str,
    month: str,
    type_name: str,
    amount: str,
    fees: str | None,
    care_began_on: str | None,
    evidence: str,
    note: str,
    as_json: bool,
    actor: str | None,
    role: str,
) -> None:
    """Kostnad: record a cost paid outside ekonomiskt bistånd (care, a foster home's equipment …) for återsökning.

    \b
    Example:
      bistand reimburse cost 3f2a9c1e --person 20100301-1234 --month 2022-02 --type asylum.child_care \\
          --amount 32000 --evidence "Faktura 2022-117, familjehem"
    """
    who = make_actor(actor, role)
    pid = person_id(person)
    chosen = Month.parse(month, field="--month")
    paid = Money.of(amount, field="--amount")
    charged = Money.of(fees, field="--fees") if fees is not None else None
    began = parse_day(care_began_on, "--care-began-on") if care_began_on is not None else None
    app, settings = open_app()
    hid = resolve_household(app, household_id)
    recorded = app.record_reimbursable_cost(
        hid,
        actor=who,
        rule_set=load_rules(),
        person=pid,
        month=chosen,
        type_name=type_name.strip(),
        amount=paid,
        fees=charged,
        care_began_on=began,
        evidence=evidence,
        note=note,
    )
    refresh_read_model(app, settings)
    report_recorded(recorded, as_json, f"{type_name} {chosen} for {pid}: {paid} recorded (cost {recorded.result})")


@reimburse.command("tag")
@click.argument("payment_id", metavar="PAYMENT")
@click.option("--type", "type_name", required=True, help="Compensation type, e.g. asylum.lma_aid.")
@click.option("--person", help="All of the payment for this member (default: shared by the month's members).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@actor_options
def tag(payment_id: str, type_name: str, person: str | None, as_json: bool, actor: str | None, role: str) -> None:
    """Märk utbetalning: set a payment's compensation type (replaces its tag until it is in a filed claim).

    \b
    Example:
      bistand reimburse tag 5d1c0e2a --type permit.illness --person 850402-1232
    """
    who = make_actor(actor, role)
    pid = person_id(person) if person is not None else None
    app, settings = open_app()
    wanted = payment_id.strip().lower()
    hid = app.find_payment_household(wanted)
    full = app.get_household(hid).find_payment(wanted)
    recorded = app.tag_payment(
        hid, full.payment_id if full else wanted, actor=who, rule_set=load_rules(), type_name=type_name.strip(),
        person=pid,
    )  # fmt: skip
    refresh_read_model(app, settings)
    report_recorded(recorded.with_result(full.payment_id if full else wanted), as_json, f"payment tagged {type_name}")


@reimburse.command("scan")
@click.option("--as-of", "as_of", help="The day asked about, YYYY-MM-DD (default: today).")
@click.option("--unit", help="Only the compensation types of this unit (units.yaml).")
@parameters_option
@format_option
def scan(as_of: str | None, unit: str | None, parameters: str | None, fmt: str, as_json: bool, as_csv: bool) -> None:
    """Sök: every eligible, unclaimed cost in the event store by type and period, with the last day to file.

    Builds the same input as `reimburse check` from the households' events (migration
    status, tagged payments and costs, claims filed on or before --as-of) and runs the same
    engine. Lost = the last day has passed. Ordered by the last day to file.

    \b
    Example:
      bistand reimburse scan
      bistand reimburse scan --as-of 2022-07-01 --unit forsorjningsstod --csv
    """
    day = parse_day(as_of, "--as-of")
    app, _ = open_app()
    data = app.scan(as_of=day, rule_set=load_rules(parameters), units=_units(), unit=unit)
    chosen = chosen_format(fmt, as_json, as_csv)
    if chosen == "json":
        click.echo(to_json(data))
        return
    rows = [{**_row(o), "households": " ".join(o["households"])} for o in data["opportunities"]]
    if chosen != "table":
        click.echo(render_rows(rows, chosen, (*_OPPORTUNITY_COLUMNS, "households")))
        return
    _print_table(data, rows)
    if data["claims"]:
        click.echo("")
        click.echo("Claims filed (ansökningar):")
        claims = [{**c, "persons": " ".join(c["persons"])} for c in data["claims"]]
        click.echo(render_rows(claims, "table", _CLAIM_COLUMNS))


@reimburse.command("file")
@click.option("--type", "type_name", required=True, help="Compensation type, e.g. asylum.lma_aid.")
@click.option("--period", required=True, help='The period: a quarter "YYYY-Qn" or a calendar year "YYYY".')
@click.option("--unit", help="The unit filing (units.yaml); it must claim the type.")
@click.option(
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The specification (CSV, per person and month); a summary is written next to it (.summary.txt).",
)
@click.option("--on", "filed_on", help="Filing date, YYYY-MM-DD (default: today).")
@parameters_option
@click.option("--json", "as_json", is_flag=True, help="Print the claim as JSON.")
@actor_options
def file_claim(
    type_name: str,
    period: str,
    unit: str | None,
    output: Path,
    filed_on: str | None,
    parameters: str | None,
    as_json: bool,
    actor: str | None,
    role: str,
) -> None:
    """Ansök: file a claim with Migrationsverket for every open cost of a type and period.

    Writes the specification Migrationsverket asks for (per person and month) and a readable
    summary FIRST, then records one ReimbursementFiled on each household the claim covers
    (atomically). Refused: an unknown type, a period not yet ended, a period already filed,
    an output file that exists or cannot be written.

    \b
    Example:
      bistand reimburse file --type asylum.lma_aid --period 2022-Q1 --output lma-2022-Q1.csv
    """
    who = make_actor(actor, role)
    day = parse_day(filed_on, "--on")
    summary = (
        output.with_name(output.name + ".summary.txt")
        if output.suffix != ".csv"
        else output.with_suffix(".summary.txt")
    )
    for path in (output, summary):
        _check_output(path)
    app, settings = open_app()
    plan = app.prepare_filing(
        type_name=type_name.strip(), period_text=period, filed_on=day, rule_set=load_rules(parameters),
        units=_units(), unit=unit,
    )  # fmt: skip
    written = _write_files(plan, output, summary, who)
    try:
        app.record_filing(plan, actor=who, evidence=output.name)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    refresh_read_model(app, settings)
    claim = app.get_reimbursement_claim(plan.claim_id)
    if as_json:
        click.echo(to_json({**claim, "specification": str(output), "summary": str(summary)}))
    else:
        click.echo(f"claim {plan.claim_id} filed: {plan.type} {plan.period}, {plan.total:.2f} kr")
        click.echo(f"  wrote {output} and {summary}")
        click.echo(f"  recorded ReimbursementFiled on {len(plan.households)} household(s)")
    for warning in plan.warnings:
        click.echo(f"warning: {warning}", err=True)


def _check_output(path: Path) -> None:
    if path.is_dir():
        raise InvalidInput(f"--output: {path} is a folder; give a file name")
    if path.exists():
        raise InvalidInput(f"--output: {path} exists; a filed claim's specification is never overwritten")
    if not path.parent.is_dir():
        raise InvalidInput(f"--output: the folder {path.parent} does not exist; nothing was filed")


def _write_files(plan: FilingPlan, output: Path, summary: Path, who: Actor) -> list[Path]:
    """Both files to temporary files beside them, then renamed into place; nothing recorded if this fails."""
    rows = [{**line, "claim_id": plan.claim_id, "type": plan.type, "period": str(plan.period)} for line in plan.lines]
    texts = {output: render_rows(rows, "csv", _SPEC_COLUMNS) + "\n", summary: _summary(plan, output, who)}
    temporary: dict[Path, Path] = {}
    try:
        for path, text in texts.items():
            handle, created = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            temporary[path] = Path(created)
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
        for path, pending in temporary.items():
            os.replace(pending, path)
    except OSError as error:
        for pending in temporary.values():
            pending.unlink(missing_ok=True)
        raise InvalidInput(
            f"--output: cannot write in {output.parent} ({error.strerror or error}); nothing was filed"
        ) from None
    return list(texts)


def _summary(plan: FilingPlan, output: Path, who: Actor) -> str:
    per_person: dict[str, list[dict[str, Any]]] = {}
    for line in plan.lines:
        per_person.setdefault(str(line["person"]), []).append(line)
    people = [
        {
            "person": person,
            "dossiernummer": lines[0]["dossiernummer"],
            "months": ", ".join(sorted({str(line["month"]) for line in lines})),
            "amount": f"{sum((Money.of(str(line['amount'])) for line in lines), Money.zero())}",
        }
        for person, lines in sorted(per_person.items())
    ]
    deadlines = sorted({str(o["deadline"]) for o in plan.opportunities})
    parts = [
        "Ansökan om statlig ersättning från Migrationsverket (återsökning)",
        "",
        f"Claim (ansökan):     {plan.claim_id}",
        f"Compensation type:   {plan.type} ({plan.reference})",
        f"Regulation:          {plan.regulation}",
        f"Period:              {plan.period} ({plan.period.first_day} – {plan.period.last_day})",
        f"Last day to file:    {', '.join(deadlines)}",
        f"Filed on:            {plan.filed_on} by {who.user} ({who.role})"
        + (f", unit {plan.unit}" if plan.unit else ""),
        f"Persons:             {len(people)} in {len(plan.households)} household(s)",
        f"Amount claimed:      {plan.total:.2f} kr",
        f"Specification:       {output.name} (per person and month)",
        "",
        render_rows(people, "table", ["person", "dossiernummer", "months", "amount"]),
        "",
    ]
    if plan.warnings:
        parts += ["Warnings:", *(f"  ! {w}" for w in plan.warnings), ""]
    parts += [
        "The costs above were paid by the municipality (intygas av behörig tjänsteperson):",
        "",
        "Signature / namnförtydligande: ______________________________   Date: __________",
        "",
    ]
    return "\n".join(parts)


@reimburse.command("outcome")
@click.argument("claim_id", metavar="CLAIM")
@click.option("--granted", is_flag=True, help="Beviljad: the whole claim was granted.")
@click.option("--partly", "partly", metavar="AMOUNT", help="Delvis beviljad: the amount granted.")
@click.option("--refused", is_flag=True, help="Avslag: nothing was granted (give --reason).")
@click.option("--reason", default="", help="Migrationsverket's reason (required with --refused).")
@click.option("--on", "decided_on", help="Date of Migrationsverket's decision, YYYY-MM-DD (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print the claim as JSON.")
@actor_options
def outcome(
    claim_id: str,
    granted: bool,
    partly: str | None,
    refused: bool,
    reason: str,
    decided_on: str | None,
    as_json: bool,
    actor: str | None,
    role: str,
) -> None:
    """Beslut från Migrationsverket: record a claim's outcome and the difference from what was claimed.

    \b
    Example:
      bistand reimburse outcome 5d1c0e2a --partly 9000 --on 2022-03-01
      bistand reimburse outcome 5d1c0e2a --refused --reason "Underlag saknas"
    """
    from bistand_es.domain.household.migration import ClaimOutcome

    who = make_actor(actor, role)
    if sum((granted, partly is not None, refused)) != 1:
        raise InvalidInput("give exactly one of --granted, --partly AMOUNT, --refused")
    choice = ClaimOutcome.GRANTED if granted else ClaimOutcome.REFUSED if refused else ClaimOutcome.PARTLY
    amount = Money.of(partly, field="--partly").amount if partly is not None else None
    day = parse_day(decided_on, "--on")
    app, settings = open_app()
    recorded = app.record_reimbursement_outcome(
        claim_id, actor=who, outcome=choice, granted=amount, reason=reason, decided_on=day
    )
    refresh_read_model(app, settings)
    claim = app.get_reimbursement_claim(str(recorded[0].result))
    if as_json:
        click.echo(to_json(claim))
        return
    click.echo(
        f"claim {claim['claim_id']}: {claim['outcome']}, granted {claim['granted']} of {claim['amount']} "
        f"(difference {claim['difference']})"
    )


@reimburse.command("routine")
@click.option("--unit", help="Only this unit.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@parameters_option
def routine(unit: str | None, as_json: bool, parameters: str | None) -> None:
    """Rutin: the units (BISTAND_HOME/units.yaml) — target groups, types, who files, who is responsible.

    Warns for every compensation type no unit is responsible for.

    \b
    Example:
      bistand reimburse routine --unit forsorjningsstod
    """
    from bistand_es.domain.reimbursement.types import type_names

    units = _units()
    names = type_names(load_rules(parameters))
    units.check_types(names)
    chosen = [units.unit(unit)] if unit is not None else list(units.units)
    if as_json:
        click.echo(to_json({"file": str(units.path) if units.path else None, "version": units.version,
                            "units": [u.model_dump() for u in chosen]}))  # fmt: skip
    elif units.path is None:
        click.echo("No BISTAND_HOME/units.yaml: no unit is responsible for any compensation type.")
        click.echo("See docs/reimbursement.md for an example of the file.")
    else:
        click.echo(f"Units (enheter) from {units.path}, version {units.version}")
        for item in chosen:
            click.echo("")
            click.echo(render_record(item.model_dump(), "table"))
    if unit is None:
        for warning in units.warnings(names):
            click.echo(f"warning: {warning}", err=True)


# ------------------------------------------------------------------------------------------------ pay --reimbursable


def reimbursable_option(func: Any) -> Any:
    """``pay --reimbursable TYPE[:PERSON]``: the payment's compensation type (default: the LMA rule)."""
    return click.option(
        "--reimbursable",
        metavar="TYPE[:PERSON]",
        help="Återsökning: the payment's compensation type, all for PERSON or shared by the month's members "
        "(default: aid for asylum seekers is tagged asylum.lma_aid per person).",
    )(func)


def parse_reimbursable(text: str | None) -> Reimbursable | None:
    """The ``--reimbursable`` value, checked against the compensation types of the rule set."""
    from bistand_es.application.payments import Reimbursable
    from bistand_es.domain.reimbursement.types import type_names

    if text is None:
        return None
    name, _, who = text.strip().partition(":")
    known = frozenset(type_names(load_rules()))
    if name not in known:
        raise InvalidInput(f"--reimbursable: {name!r} is not a compensation type (known: {', '.join(sorted(known))})")
    return Reimbursable(name, person_id(who) if who.strip() else None, known)


def tag_message(app: BistandApplication, recorded: Recorded) -> str:
    """What the payment was tagged with, for the caseworker ("" when it was not)."""
    if "PaymentTagged" not in recorded.event_types or recorded.result is None:
        return ""
    household = app.get_household(recorded.household_id)
    type_name, lines, automatic = household.payment_tags[recorded.result]
    shares = ", ".join(f"{line.person} {line.amount}" for line in lines)
    how = "automatically (members who are asylum seekers this month)" if automatic else "as you chose"
    return f"\n  återsökning: tagged {type_name} {how}: {shares}"
