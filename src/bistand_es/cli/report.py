"""``bistand report NAME``: monthly, jobbstimulans, payments, statistics (from the read model).

People appear as the read model shows them, as pseudonyms; ``--resolve`` turns them back into identity numbers
for the roles that may (the role matrix's row ``person resolve``), with one lookup in the key store.
"""

from __future__ import annotations

import click

from bistand_es.cli.output import chosen_format, format_option, render_rows
from bistand_es.domain.errors import InvalidInput

_NAMES = ("monthly", "jobbstimulans", "payments", "statistics")


@click.command()
@click.argument("name", type=click.Choice(_NAMES))
@click.option("--month", help="The month (YYYY-MM). Needed by jobbstimulans and statistics.")
@format_option
@click.option("--no-update", is_flag=True, help="Read the read model as it is (no catch-up first).")
@click.option(
    "--resolve",
    is_flag=True,
    help="Show identity numbers instead of pseudonyms (handläggare, enhetschef, revisor, administrator).",
)
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=None,
    help="Seconds to wait while the projector writes (default BISTAND_READ_WAIT or 10).",
)
def report(
    name: str,
    month: str | None,
    fmt: str,
    as_json: bool,
    as_csv: bool,
    no_update: bool,
    resolve: bool,
    wait: float | None,  # float-ok: seconds
) -> None:
    """Rapporter from the read model.

    \b
    monthly        aid per municipality and month (v_monthly_totals)
    jobbstimulans  who is inside a jobbstimulans window in --month, and who qualifies the next month
    payments       paid per month concerned (avser månad) vs per payment month
    statistics     Socialstyrelsen's per-person monthly rows (CSV by default); needs --month

    When the read model is behind the event store (e.g. an event it cannot project), a warning on stderr says so.
    People are shown as pseudonyms (P-…); --resolve shows their personnummer (the file for Socialstyrelsen needs
    it), for the roles allowed to resolve pseudonyms.

    \b
    Examples:
      bistand report monthly --month 2021-03
      bistand report statistics --month 2021-03 --resolve > 1765-2021-03.csv
    """
    from bistand_es.cli.sql import open_read_only, refresh
    from bistand_es.domain.month import Month
    from bistand_es.projections.reports import PERSON_COLUMNS
    from bistand_es.projections.reports import report as run_report

    chosen_month = str(Month.parse(month, field="--month")) if month else None
    if chosen_month is None and name in ("jobbstimulans", "statistics"):
        raise InvalidInput(f"--month: report {name} needs a month (YYYY-MM)")
    output = chosen_format(fmt, as_json, as_csv)
    if name == "statistics" and fmt == "table" and not as_json:
        output = "csv"
    if resolve:
        from bistand_es.cli.person import authorise_resolution

        authorise_resolution("report")
    settings = refresh(no_update)
    con = open_read_only(settings, wait)
    try:
        result = run_report(con, name, chosen_month)
    finally:
        con.close()
    rows = result.rows
    if resolve:
        from bistand_es.application.integrity.pseudonyms import key_store_of, resolved_rows
        from bistand_es.cli.common import open_app

        rows = resolved_rows(key_store_of(open_app()[0]), rows, PERSON_COLUMNS)
    click.echo(render_rows(rows, output, result.columns))
