"""``bistand reimburse``: återsökning from Migrationsverket (the contract is in docs/reimbursement.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from bistand_es.cli.calc import fail, parameters_option
from bistand_es.cli.common import load_rules
from bistand_es.cli.output import chosen_format, format_option, render_rows, to_json
from bistand_es.domain.errors import BistandError, InvalidInput

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

    \b
    Example:
      bistand reimburse check case.yaml
      bistand reimburse check case.yaml --json
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
