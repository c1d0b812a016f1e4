"""``bistand rules``: list and show dated rule parameters, and the rule-set hash."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import click

from bistand_es.cli.calc import fail, parameters_option
from bistand_es.cli.common import load_rules
from bistand_es.cli.output import chosen_format, format_option, render_record, render_rows, to_json
from bistand_es.domain.errors import BistandError, InvalidInput

if TYPE_CHECKING:
    from bistand_es.domain.rules.model import Entry, Value


def _day(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"--at: {text!r} is not a date (YYYY-MM-DD)") from None


def _show_value(value: Value | None) -> str:
    from collections.abc import Mapping

    if value is None:
        return "null (gap)"
    if isinstance(value, Mapping):
        return ", ".join(f"{key}={item}" for key, item in value.items())
    return str(value)


def _shorten(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _entry_record(entry: Entry) -> dict[str, Any]:
    return {
        "effective": entry.effective,
        "value": _show_value(entry.value),
        "confidence": entry.confidence.value if entry.confidence else None,
        "source": f"{entry.source.title} ({entry.source.reference})" if entry.source else None,
        "file": entry.file,
    }


@click.group("rules")
def rules() -> None:
    """Regler: dated rule parameters (riksnorm, prisbasbelopp, jobbstimulans…) with source and confidence.

    Values that are not HIGH confidence are estimates or unverified copies; a municipality loads the
    official figures in $BISTAND_HOME/parameters (same file format) without changing code.

    \b
    Example:
      bistand rules list
      bistand rules show riksnorm.personal.sambor --at 2021-03-01
    """


@rules.command("list")
@click.option("--at", "at", metavar="DATE", default=None, help="Show the values in force on DATE (default today).")
@parameters_option
@format_option
def list_parameters(at: str | None, parameters: str | None, fmt: str, as_json: bool, as_csv: bool) -> None:
    """All parameters with the value in force, its date, confidence and file; and the rule-set hash.

    \b
    Example:
      bistand rules list --at 2026-01-01 --csv
    """
    try:
        day = _day(at)
        rule_set = load_rules(parameters)
    except BistandError as error:
        fail(error)
        return
    rows: list[dict[str, Any]] = []
    for param_id in rule_set.ids():
        value = rule_set.lookup_optional(param_id, day)
        if value is None:
            rows.append({"id": param_id, "effective": None, "value": "not in force", "confidence": None, "file": None})
            continue
        rows.append(
            {
                "id": param_id,
                "effective": value.effective,
                "value": _show_value(value.value),
                "confidence": value.confidence.value,
                "file": value.file,
            }
        )
    chosen = chosen_format(fmt, as_json, as_csv)
    if chosen == "json":
        click.echo(to_json({"at": day.isoformat(), "rule_set_hash": rule_set.hash, "parameters": rows}))
        return
    if chosen == "table":
        short = [{**row, "value": _shorten(str(row["value"]))} for row in rows]
        click.echo(render_rows(short, chosen, ["id", "effective", "confidence", "value"]))
        click.echo("")
        click.echo(f"rule set {rule_set.hash} (values in force on {day.isoformat()})")
        return
    click.echo(render_rows(rows, chosen))


@rules.command("show")
@click.argument("param_id", metavar="[PARAM]", required=False)
@click.option("--at", "at", metavar="DATE", default=None, help="The value in force on DATE (default today).")
@click.option(
    "--profile",
    metavar="NAME",
    default=None,
    help="Show a municipal profile instead: its settings and local parameters with their sources.",
)
@parameters_option
@format_option
def show_parameter(
    param_id: str | None,
    at: str | None,
    profile: str | None,
    parameters: str | None,
    fmt: str,
    as_json: bool,
    as_csv: bool,
) -> None:
    """One parameter: the value in force on --at, its source, confidence and file, and every dated value.

    With --profile, the municipal profile in force on --at: its version (content hash), settings
    (which local rules apply) and local parameters, each with its source and confidence.

    \b
    Example:
      bistand rules show prisbasbelopp --at 2021-06-01
      bistand rules show --profile forshaga --at 2021-03-01
    """
    if profile is not None:
        _show_profile(profile, at, parameters, chosen_format(fmt, as_json, as_csv))
        return
    try:
        if param_id is None:
            raise InvalidInput("PARAM: name a parameter (see `bistand rules list`) or give --profile NAME")
        day = _day(at)
        rule_set = load_rules(parameters)
        parameter = rule_set.parameter(param_id)
        value = rule_set.lookup(param_id, day)
    except BistandError as error:
        fail(error)
        return
    record: dict[str, Any] = {
        "id": param_id,
        "description": parameter.description,
        "unit": parameter.unit,
        "type": parameter.value_type.value,
        "at": day.isoformat(),
        "effective": value.effective,
        "version": value.ref,
        "value": _show_value(value.value),
        "confidence": value.confidence.value,
        "source": value.source.title,
        "reference": value.source.reference,
        "note": value.note,
        "file": value.file,
    }
    history = [_entry_record(entry) for entry in parameter.entries]
    chosen = chosen_format(fmt, as_json, as_csv)
    if chosen == "json":
        click.echo(to_json({**record, "history": history}))
        return
    click.echo(render_record(record, chosen if chosen != "csv" else "table"))
    click.echo("")
    click.echo(render_rows(history, chosen, ["effective", "confidence", "value", "file"]))


def _show_profile(name: str, at: str | None, parameters: str | None, chosen: str) -> None:
    from bistand_es.domain.month import Month
    from bistand_es.domain.rules.profiles import MUNICIPALITIES, PREFIX, load_profile

    try:
        day = _day(at)
        rule_set = load_rules(parameters)
        profile = load_profile(rule_set, name, Month.of(day))
    except BistandError as error:
        fail(error)
        return
    values = [profile.value, *(profile.local[key] for key in sorted(profile.local))]
    rows = [
        {
            "parameter": value.param_id,
            "version": value.ref,
            "value": _show_value(value.value),
            "confidence": value.confidence.value,
            "source": value.source.reference,
            "file": value.file,
        }
        for value in values
    ]
    mapping = rule_set.lookup_optional(MUNICIPALITIES, day) if MUNICIPALITIES in rule_set.parameters else None
    codes = sorted(
        k for k, v in (mapping.value.items() if mapping and isinstance(mapping.value, dict) else []) if v == name
    )
    head = {
        "profile": name,
        "at": day.isoformat(),
        "version": profile.version,
        "municipality": profile.municipality_name,
        "kommunkod": ", ".join(codes) or None,
        "guideline": profile.guideline,
        "local_rules": ", ".join(k for k in sorted(profile.value.settings()) if profile.applies(k)) or None,
    }
    if chosen == "json":
        click.echo(to_json({**head, "id": PREFIX + name, "parameters": rows}))
        return
    if chosen == "csv":
        click.echo(render_rows(rows, chosen))
        return
    click.echo(render_record(head, "table"))
    click.echo("")
    click.echo(render_rows(rows, "table", ["version", "confidence", "value", "source"]))


@rules.command("hash")
@parameters_option
def rule_set_hash(parameters: str | None) -> None:
    """The sha256 of the rule set in use (package parameters + override directory).

    \b
    Example:
      bistand rules hash --parameters /srv/bistand/parameters
    """
    try:
        rule_set = load_rules(parameters)
    except BistandError as error:
        fail(error)
        return
    click.echo(rule_set.hash)
