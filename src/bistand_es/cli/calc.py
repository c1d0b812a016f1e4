"""``bistand calc``: calculate a situation file (the contract is in docs/rules.md); nothing is recorded."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from bistand_es.cli.common import load_rules
from bistand_es.cli.output import chosen_format, format_option, render_rows, to_json
from bistand_es.domain.errors import BistandError, InvalidInput


def parameters_option(func: Any) -> Any:
    return click.option(
        "--parameters",
        "parameters",
        metavar="DIR",
        default=None,
        help="Local parameter override directory (default: $BISTAND_HOME/parameters if it exists).",
    )(func)


def fail(error: BistandError) -> None:
    """One line on standard error and the error's exit code (2 for invalid input)."""
    from bistand_es.cli.guard import error_line

    click.echo(error_line(str(error)), err=True)
    sys.exit(error.exit_code)


def _read(situation_file: str) -> str:
    """The situation's text: UTF-8, at most 1 MB (checked before reading; standard input is read that far)."""
    from bistand_es.domain.rules.loader import MAX_DOCUMENT_BYTES, decode_document, read_document

    if situation_file == "-":
        data = sys.stdin.buffer.read(MAX_DOCUMENT_BYTES + 1)
        return decode_document(data, "SITUATION_FILE (standard input)", error=InvalidInput)
    path = Path(situation_file)
    if not path.exists():
        raise InvalidInput(f"SITUATION_FILE: no such file: {situation_file}")
    return read_document(path, f"SITUATION_FILE {situation_file}", error=InvalidInput)


@click.command("calc")
@click.argument("situation_file", metavar="SITUATION_FILE")
@click.option("--profile", default=None, help="Municipal profile (overrides the file's profile).")
@parameters_option
@format_option
def calc(
    situation_file: str, profile: str | None, parameters: str | None, fmt: str, as_json: bool, as_csv: bool
) -> None:
    """Beräkning: calculate SITUATION_FILE (JSON or YAML; "-" reads standard input).

    Prints the lines (norm, costs, incomes), the totals and warnings; --json prints the
    contract's JSON. The aid is split into försörjningsstöd (subsistence_aid: the norm and
    rent, el, hemförsäkring, arbetsresor, fackavgift) and livsföring i övrigt (other_aid).
    An optional decided_on (YYYY-MM-DD) in the file selects the legal citations in force
    that day (default: the month's first day). Invalid input, including a month with no
    riksnorm in force, exits with status 2 and one line on standard error.

    \b
    Example:
      bistand calc situation.yaml
      cat situation.json | bistand calc - --json
    """
    from bistand_es.domain.rules.calculation import calculate
    from bistand_es.domain.rules.input import parse_document
    from bistand_es.domain.rules.situation import parse_situation

    try:
        rule_set = load_rules(parameters)
        name = "SITUATION_FILE" if situation_file == "-" else situation_file
        situation = parse_situation(parse_document(_read(situation_file), name))
        result = calculate(situation, rule_set, profile)
    except BistandError as error:
        fail(error)
        return
    data = result.to_dict()
    chosen = chosen_format(fmt, as_json, as_csv)
    if chosen == "json":
        click.echo(to_json(data))
        return
    columns = ["kind", "member", "amount", "parameter", "confidence", "rule"]
    if chosen != "table":
        click.echo(render_rows(data["lines"], chosen, columns))
        return
    click.echo(f"Beräkning för {data['month']} (inkomstmånad {data['income_month']}, profil {data['profile']})")
    click.echo("")
    click.echo(render_rows(data["lines"], "table", columns))
    click.echo("")
    totals = [
        {"total": key, "amount": data[key]}
        for key in (
            "norm_total",
            "costs_total",
            "need",
            "income_counted",
            "income_disregarded",
            "aid",
            "subsistence_aid",
            "other_aid",
            "surplus",
        )
    ]
    click.echo(render_rows(totals, "table", ["total", "amount"]))
    if data["warnings"]:
        click.echo("")
        click.echo("Warnings:")
        for warning in data["warnings"]:
            click.echo(f"  ! {warning}")
    click.echo("")
    click.echo(f"rule set {data['rule_set_hash']}")
