"""``bistand verify``: the auditor's check of every recorded decision of a household."""

from __future__ import annotations

import sys

import click

from bistand_es.cli.common import load_rules, open_app, resolve_household
from bistand_es.cli.output import chosen_format, format_option, render_rows


@click.command("verify")
@click.argument("household_ids", nargs=-1)
@click.option("--all", "all_households", is_flag=True, help="Verify every household in the store.")
@format_option
def verify(household_ids: tuple[str, ...], all_households: bool, fmt: str, as_json: bool, as_csv: bool) -> None:
    """Revision: verify every decision of one or more households.

    For each decision: do its lines add up to its totals, does the event grant what
    its calculation says, does its stored situation give the same result when
    calculated again, and were the payments for the month within the grant?
    With --all it also reports any person who is a current member of two open
    households at once (one person, one household).
    A decision taken under other rules (another rule-set hash) is reported as
    "rules changed" — it stands as recorded. Exits 1 if any check FAILED.

    \b
    Example:
      bistand verify 3f2a9c1e
      bistand verify --all --csv > revision.csv
    """
    from uuid import UUID

    from bistand_es.application.audit import membership_overlaps, verify_history
    from bistand_es.domain.errors import InvalidInput

    app, _ = open_app()
    if all_households:
        ids = [UUID(row["household_id"]) for row in app.list_households()]
    elif household_ids:
        ids = [resolve_household(app, text) for text in household_ids]
    else:
        raise InvalidInput("name a household (or several), or pass --all")
    rules = load_rules()
    rows = []
    for hid in ids:
        for check in verify_history(app.get_history(hid), rules):
            rows.append({"household_id": str(hid), **check.as_dict()})
    if all_households:
        from bistand_es.domain.household import Household

        topics = tuple(
            t.TOPIC
            for t in (Household.Registered, Household.MemberAdded, Household.MemberRemoved, Household.CaseClosed)
        )
        for overlap in membership_overlaps(app.iter_events(topics=topics)):
            rows.append(
                {
                    "household_id": overlap["household_id"],
                    "month": "",
                    "event": "membership",
                    "version": overlap["version"],
                    "outcome": "",
                    "aid": "",
                    "rule_set": "",
                    "status": "FAILED",
                    "problems": f"a member is also a current member of household {overlap['other_household_id']}",
                }
            )
    click.echo(
        render_rows(
            rows,
            chosen_format(fmt, as_json, as_csv),
            ["household_id", "month", "event", "version", "outcome", "aid", "rule_set", "status", "problems"],
        )
    )
    failed = sum(1 for row in rows if row["status"] == "FAILED")
    click.echo(f"{len(rows)} checks, {failed} failed, rule set now {rules.hash[:12]}", err=True)
    if failed:
        sys.exit(1)
