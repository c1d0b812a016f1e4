"""``bistand verify``: the auditor's check of a household's decisions and of the hash chains of its history."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bistand_es.cli.common import load_rules, open_app, resolve_household
from bistand_es.cli.output import chosen_format, format_option, render_rows

if TYPE_CHECKING:
    from uuid import UUID

COLUMNS = ["household_id", "month", "event", "version", "outcome", "aid", "rule_set", "status", "problems"]


@click.command("verify")
@click.argument("household_ids", nargs=-1)
@click.option("--all", "all_households", is_flag=True, help="Verify every household and every chain in the store.")
@format_option
def verify(household_ids: tuple[str, ...], all_households: bool, fmt: str, as_json: bool, as_csv: bool) -> None:
    """Revision: verify every decision of one or more households, and their hash chains.

    For each decision: do its lines add up to its totals, does the event grant what
    its calculation says, does its stored situation give the same result when
    calculated again, and were the payments for the month within the grant?
    For each stored event: does it still match its hash, and does it follow the
    version before it? Every altered, removed, inserted or moved event is named
    by household and version, and a decision taken after one is FAILED (an input
    it relied on may differ). Events recorded before chains existed are reported
    as "unchained (recorded before chains)", not as tampered.
    With --all it checks every chain in the store (also the person index) and
    reports any person who is a current member of two open households at once.
    A decision taken under other rules (another rule-set hash) is reported as
    "rules changed" — it stands as recorded. Exits 1 if any check FAILED.
    See also 'bistand audit verify --anchor FILE'.

    \b
    Example:
      bistand verify 3f2a9c1e
      bistand verify --all --csv > revision.csv
    """
    from bistand_es.domain.errors import InvalidInput

    if not all_households and not household_ids:
        raise InvalidInput("name a household (or several), or pass --all")
    run_verification(None if all_households else household_ids, None, chosen_format(fmt, as_json, as_csv))


def run_verification(household_ids: tuple[str, ...] | None, anchor_file: Path | None, fmt: str) -> None:
    """Verify chains and decisions (all households when ``household_ids`` is None), print, exit 1 on a failure."""
    from bistand_es.application.audit import membership_overlaps, verify_store
    from bistand_es.application.integrity.auditor import FAILED, UNCHAINED, Anchor, parse_anchor

    anchor: Anchor | None = None
    if anchor_file is not None:
        anchor = parse_anchor(_read_anchor(anchor_file), str(anchor_file))
    app, _ = open_app()
    ids: list[UUID] | None = None
    if household_ids is not None:
        ids = [resolve_household(app, text) for text in household_ids]
    rules = load_rules()
    result = verify_store(app, rules, ids, anchor)
    rows = result.rows
    if household_ids is None:
        rows.extend(_overlap_rows(membership_overlaps(app.iter_events(topics=_membership_topics()))))
    click.echo(render_rows(rows, fmt, COLUMNS))
    chains = result.chains
    failed_chains = sum(1 for s in chains.summaries if s.status == FAILED)
    unchained = sum(1 for s in chains.summaries if s.status == UNCHAINED)
    click.echo(
        f"{result.decision_checks} checks, {result.decisions_failed} failed, rule set now {rules.hash[:12]}", err=True
    )
    click.echo(
        f"chains: {len(chains.summaries)} aggregates, {chains.events} events, {len(chains.findings)} findings "
        f"({failed_chains} aggregates failed, {unchained} unchained (recorded before chains))"
        + (", anchor checked" if anchor is not None else ""),
        err=True,
    )
    if chains.signatures_unchecked:
        click.echo(
            f"warning: {chains.signatures_unchecked} events are signed with an audit key this process does not have; "
            "their signatures were not checked (set BISTAND_AUDIT_KEY or BISTAND_AUDIT_KEY_FILE)",
            err=True,
        )
    overlaps = any(row["event"] == "membership" for row in rows)
    if result.failed or overlaps:
        sys.exit(1)


def _read_anchor(path: Path) -> str:
    from bistand_es.domain.errors import InvalidInput

    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise InvalidInput(f"--anchor: cannot read {path}: {error.strerror}") from None


def _membership_topics() -> tuple[str, ...]:
    from bistand_es.domain.household import Household

    kinds = (Household.Registered, Household.MemberAdded, Household.MemberRemoved, Household.CaseClosed)
    return tuple(t.TOPIC for t in kinds)


def _overlap_rows(overlaps: list[dict[str, str]]) -> list[dict[str, object]]:
    return [
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
        for overlap in overlaps
    ]
