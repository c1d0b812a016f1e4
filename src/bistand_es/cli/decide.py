"""``bistand decide``: calculate a month from the household's recorded state and record the decision."""

from __future__ import annotations

import sys
from decimal import Decimal
from typing import Any

import click

from bistand_es.cli.common import (
    emit_recorded,
    load_rules,
    make_actor,
    open_app,
    parse_day,
    resolve_household,
    write_options,
)
from bistand_es.cli.output import render_rows, to_json
from bistand_es.domain.errors import InvalidInput
from bistand_es.domain.money import Money
from bistand_es.domain.month import Month
from bistand_es.domain.vocabulary import DELEGATION_LEVEL, ActorRole, NormAdjustment, RecoveryCondition


def render_calculation(calculation: dict[str, Any]) -> str:
    """The calculation as a caseworker reads it: every line, then the totals and warnings."""
    rows = [
        {
            "kind": line["kind"],
            "member": line.get("member") or "",
            "amount": line["amount"],
            "parameter": line.get("parameter") or "",
            "confidence": line.get("confidence") or "",
            "reference": line.get("reference") or "",
        }
        for line in calculation["lines"]
    ]
    out = [render_rows(rows, "table")]
    for key in ("norm_total", "costs_total", "need", "income_counted", "income_disregarded", "aid", "surplus"):
        out.append(f"{key:>20s}  {calculation[key]:>10s}")
    out.extend(f"warning: {w}" for w in calculation.get("warnings", []))
    return "\n".join(out)


def _approved(items: tuple[str, ...]) -> dict[str, Decimal] | None:
    if not items:
        return None
    result: dict[str, Decimal] = {}
    for item in items:
        kind, sep, amount = item.partition("=")
        if not sep:
            raise InvalidInput(f"--approve {item!r}: write KIND=AMOUNT, e.g. rent=6330")
        result[kind.strip()] = Money.of(amount.strip(), field=f"--approve {kind}").require_non_negative().amount
    return result


@click.command("decide")
@click.argument("household_id")
@click.option("--month", required=True, help="The month decided (avser månad), YYYY-MM.")
@click.option("--dry-run", is_flag=True, help="Show the calculation without recording anything.")
@click.option(
    "--approve",
    "approve",
    multiple=True,
    help="Approved cost KIND=AMOUNT where it differs from the applied (e.g. rent above the local cap); "
    "the costs not named are approved as applied. Repeatable.",
)
@click.option("--refuse", is_flag=True, help="Avslag: refuse (needs --reason). Never automatic.")
@click.option("--reason", default="", help="Motivering: required for a refusal, a norm adjustment or --amend.")
@click.option("--raise-norm", help="Förhöjd norm: add this amount to the norm (delegat enhetschef or higher).")
@click.option("--reduce-norm", help="Reducerad norm: subtract this amount (delegat enhetschef or higher).")
@click.option(
    "--condition",
    "conditions",
    multiple=True,
    type=click.Choice([c.value for c in RecoveryCondition]),
    help="Återbetalningsvillkor / förskott på förmån, stated in the decision (needed for återkrav).",
)
@click.option(
    "--delegat",
    type=click.Choice([r.value for r in DELEGATION_LEVEL]),
    help="Who decides under the delegation order (default: your role if it can decide).",
)
@click.option("--amend", is_flag=True, help="Ändra beslut: replace the month's decision (needs --reason).")
@click.option("--on", "decided_on", help="Decision date YYYY-MM-DD (default: today).")
@click.option("--profile", help="Municipal profile of rules (default: national).")
@click.option("--yes", is_flag=True, help="Record without asking (asks only on a terminal).")
@write_options
def decide(
    household_id: str,
    month: str,
    dry_run: bool,
    approve: tuple[str, ...],
    refuse: bool,
    reason: str,
    raise_norm: str | None,
    reduce_norm: str | None,
    conditions: tuple[str, ...],
    delegat: str | None,
    amend: bool,
    decided_on: str | None,
    profile: str | None,
    yes: bool,
    actor: str | None,
    role: str,
    expected_version: int | None,
    as_json: bool,
) -> None:
    """Beslut: calculate the month from the recorded household and record the decision.

    The situation comes from the events: members in the month, the application's costs,
    incomes received up to the income month, and support history (for jobbstimulans) from
    earlier decisions. The decision stores its whole calculation, the rule set's hash and
    the parameter versions, so later rule changes never alter it.

    \b
    Example:
      bistand decide 3f2a9c1e --month 2021-03 --dry-run
      bistand decide 3f2a9c1e --month 2021-03
      bistand decide 3f2a9c1e --month 2021-04 --refuse --reason "Inkomster över norm"
      bistand decide 3f2a9c1e --month 2021-05 --raise-norm 500 --reason "Särskilda behov" \\
          --delegat enhetschef --actor-role enhetschef
    """
    from bistand_es.application.decisions import DecisionRequest, draft_decision, record_decision

    who = make_actor(actor, role)
    the_month = Month.parse(month, field="--month")
    adjustment, amount = _norm_adjustment(raise_norm, reduce_norm)
    if (refuse or adjustment or amend) and not reason.strip():
        raise InvalidInput("--reason: a refusal, a norm adjustment and an amendment each need a reason")
    chosen = (
        ActorRole(delegat)
        if delegat
        else (ActorRole(role) if ActorRole(role) in DELEGATION_LEVEL else ActorRole.CASEWORKER)
    )
    request = DecisionRequest(
        month=the_month,
        actor=who,
        delegat=chosen,
        decided_on=parse_day(decided_on, "--on"),
        approved_costs=None,
        refuse=refuse,
        reason=reason.strip(),
        norm_adjustment=adjustment,
        norm_adjustment_amount=amount,
        conditions=list(conditions),
        profile=profile,
        amend=amend,
    )
    app, settings = open_app()
    hid = resolve_household(app, household_id)
    rules = load_rules()
    household = app.get_household(hid)
    approved = _approved(approve)
    if approved is not None:
        application = household.applications.get(the_month)
        applied = dict(application.costs) if application else {}
        request = _with_costs(request, {**applied, **approved})
    draft = draft_decision(household, request, rules)
    if dry_run:
        data = {
            "household_id": str(hid),
            "month": str(the_month),
            "outcome": draft.outcome.value,
            "recorded": False,
            "rule_set_hash": draft.rule_set_hash,
            "calculation": draft.calculation,
        }
        click.echo(
            to_json(data)
            if as_json
            else f"DRY RUN — {the_month}: {draft.outcome.value}\n{render_calculation(draft.calculation)}"
        )
        return
    if not as_json:
        click.echo(f"{the_month}: {draft.outcome.value}\n{render_calculation(draft.calculation)}")
    if not yes and sys.stdin.isatty() and not click.confirm("Record this decision?", default=True):
        raise click.Abort
    recorded, final = record_decision(app, hid, request, rules, expected_version=expected_version)
    emit_recorded(
        recorded,
        as_json,
        f"decision {recorded.result} recorded: {final.outcome.value}, "
        f"aid {final.calculation['aid'] if final.outcome.value != 'refused' else '0.00'}",
        app,
        settings,
    )


def _with_costs(request: Any, costs: dict[str, Decimal]) -> Any:
    from dataclasses import replace

    return replace(request, approved_costs=costs)


def _norm_adjustment(raise_norm: str | None, reduce_norm: str | None) -> tuple[NormAdjustment | None, Decimal]:
    if raise_norm and reduce_norm:
        raise InvalidInput("give --raise-norm or --reduce-norm, not both")
    if raise_norm:
        return NormAdjustment.RAISED, Money.of(raise_norm, field="--raise-norm").amount
    if reduce_norm:
        return NormAdjustment.REDUCED, Money.of(reduce_norm, field="--reduce-norm").amount
    return None, Decimal("0.00")
