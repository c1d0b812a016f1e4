"""``bistand case obstacle|close``: the events Socialstyrelsen's statistics need.

- ``obstacle``: försörjningshinder of one adult for one month, a code from the shipped vendor list (MEDIUM).
- ``close``: end the case (avslut) with an avslutsorsak from the municipality's own list
  (``BISTAND_HOME/avslutsorsaker.yaml``, docs/reporting.md); with no list loaded, ``--label`` gives the text.
"""

from __future__ import annotations

import click

from bistand_es.cli.common import (
    current_settings,
    make_actor,
    open_app,
    parse_day,
    person_id,
    refresh_read_model,
    report_recorded,
    resolve_household,
    write_options,
)
from bistand_es.cli.output import chosen_format, format_option, render_rows
from bistand_es.domain.errors import InvalidInput


@click.group()
def case() -> None:
    """Ärende: försörjningshinder and avslut (for Socialstyrelsen's statistics).

    \b
    Example:
      bistand case obstacle 3f2a9c1e --person 640823-3234 --month 2021-03 --code 6
      bistand case close 3f2a9c1e --on 2021-06-30 --reason 01
    """


@case.command()
@click.argument("household")
@click.option("--person", required=True, help="The adult's personnummer (or other person id).")
@click.option("--month", required=True, help="The month (YYYY-MM) the obstacle concerns.")
@click.option("--code", required=True, help="Försörjningshinder code 1–23 (see `bistand case obstacle-codes`).")
@write_options
def obstacle(
    household: str,
    person: str,
    month: str,
    code: str,
    actor: str | None,
    role: str,
    expected_version: int | None,
    as_json: bool,
) -> None:
    """Record the försörjningshinder of one adult for one month.

    \b
    Example:
      bistand case obstacle 3f2a9c1e --person 19640823-3234 --month 2021-03 --code 6
    """
    from bistand_es.domain.month import Month
    from bistand_es.projections.statistics import obstacle_codes

    who = make_actor(actor, role)
    chosen = Month.parse(month, field="--month")
    canonical = person_id(person)
    label = obstacle_codes().label(code)
    app, settings = open_app()
    household_id = resolve_household(app, household)
    recorded = app.record_support_obstacle(
        household_id,
        actor=who,
        person=canonical,
        month=chosen,
        code=code.strip(),
        label=label,
        expected_version=expected_version,
    )
    refresh_read_model(app, settings)
    report_recorded(recorded, as_json, f"försörjningshinder {code.strip()} ({label}) for {canonical} in {chosen}")


@case.command("obstacle-codes")
@format_option
def obstacle_codes_command(fmt: str, as_json: bool, as_csv: bool) -> None:
    """List the försörjningshinder codes (vendor list, MEDIUM: labels, not official codes).

    \b
    Example:
      bistand case obstacle-codes --csv
    """
    from bistand_es.projections.statistics import obstacle_codes

    rows = [{"code": code, "label": label} for code, label in obstacle_codes().codes.items()]
    click.echo(render_rows(rows, chosen_format(fmt, as_json, as_csv)))


@case.command()
@click.argument("household")
@click.option("--on", "closed_on", required=True, help="The date the case ended (YYYY-MM-DD).")
@click.option("--reason", required=True, help="Avslutsorsak code from BISTAND_HOME/avslutsorsaker.yaml.")
@click.option("--label", default=None, help="The reason's text, when no avslutsorsaker list is loaded.")
@write_options
def close(
    household: str,
    closed_on: str,
    reason: str,
    label: str | None,
    actor: str | None,
    role: str,
    expected_version: int | None,
    as_json: bool,
) -> None:
    """End the case (avslut) with an avslutsorsak.

    \b
    Example:
      bistand case close 3f2a9c1e --on 2021-06-30 --reason 01
    """
    from bistand_es.projections.statistics import closure_reasons

    who = make_actor(actor, role)
    day = parse_day(closed_on, "--on")
    code = reason.strip()
    if not code:
        raise InvalidInput("--reason: give the avslutsorsak code")
    reasons = closure_reasons(current_settings().home)
    if reasons is not None:
        reason_label = reasons.label(code)
        if label is not None and label.strip() and label.strip() != reason_label:
            raise InvalidInput(f"--label: the loaded list says {code} is {reason_label!r}; leave --label out")
    else:
        reason_label = (label or "").strip()
    app, settings = open_app()
    household_id = resolve_household(app, household)
    recorded = app.close_case(
        household_id,
        actor=who,
        closed_on=day,
        reason_code=code,
        reason_label=reason_label,
        expected_version=expected_version,
    )
    refresh_read_model(app, settings)
    report_recorded(recorded, as_json, f"case closed on {day} ({code} {reason_label})".rstrip())
