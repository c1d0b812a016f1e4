"""``bistand audit``: the hash chains of the event store — verify them, and anchor their heads outside it."""

from __future__ import annotations

from pathlib import Path

import click

from bistand_es.cli.output import chosen_format, format_option


@click.group("audit")
def audit() -> None:
    """Revision: hash chains of the event store (manipulationsskydd).

    Every stored event carries a hash of its content and of the event before it
    (per household, per index). 'verify' checks every chain and every decision;
    'anchor' prints the chain heads to keep outside the database, so that even
    the newest events removed later are caught ('verify --anchor FILE').

    \b
    Example:
      bistand audit anchor > anchor-2024-05-31.txt
      bistand audit verify --anchor anchor-2024-05-31.txt
    """


@audit.command("verify")
@click.argument("household_ids", nargs=-1)
@click.option(
    "--anchor",
    "anchor_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="An anchor from 'bistand audit anchor': also catches events removed after it was taken.",
)
@format_option
def audit_verify(
    household_ids: tuple[str, ...], anchor_file: Path | None, fmt: str, as_json: bool, as_csv: bool
) -> None:
    """Revision: check every hash chain and every decision (or only the households named).

    Names the household (or index) and version of every altered, removed,
    inserted or moved event, any changed actor, and any decision taken after
    such an event. With --anchor, also every chain that is shorter than, or
    differs from, the anchor. Exits 1 if anything FAILED.

    \b
    Example:
      bistand audit verify
      bistand audit verify --anchor anchor.txt --csv > revision.csv
    """
    from bistand_es.cli.verify import run_verification

    run_verification(household_ids or None, anchor_file, chosen_format(fmt, as_json, as_csv))


@audit.command("anchor")
def audit_anchor() -> None:
    """Revision: print every chain head and one overall digest (förankring).

    Keep the output outside the database (printed, mailed to the registrar, in
    another system): 'bistand audit verify --anchor FILE' then shows any
    household whose newest events were removed since, which a chain alone
    cannot show. Take a new anchor after each day's or month's work.

    \b
    Example:
      bistand audit anchor > anchor-$(date +%F).txt
    """
    from datetime import UTC, datetime

    from bistand_es.application.integrity.auditor import ChainAuditor, anchor_text
    from bistand_es.cli.common import open_app

    app, settings = open_app()
    auditor = ChainAuditor(app.audit_keys)
    auditor.feed_all(app.iter_stored())
    report = auditor.finish()
    taken = datetime.now(UTC).isoformat(timespec="seconds")
    click.echo(anchor_text(report.summaries, taken=taken, store=settings.describe()), nl=False)
    click.echo(f"{len(report.summaries)} chain heads, {report.events} events", err=True)
    if report.findings:
        click.echo(
            f"warning: {len(report.findings)} chain findings: this anchor records the store as it is now; "
            "run 'bistand audit verify'",
            err=True,
        )
