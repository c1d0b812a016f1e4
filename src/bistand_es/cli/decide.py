"""``bistand decide``: calculate a month from the household's recorded state and record the decision."""

from __future__ import annotations

import sys
from decimal import Decimal
from typing import Any

import click

from bistand_es.cli.common import (
    load_rules,
    make_actor,
    open_app,
    parse_day,
    refresh_read_model,
    report_recorded,
    resolve_household,
    write_options,
)
from bistand_es.cli.output import to_json
from bistand_es.domain.errors import InvalidInput
from bistand_es.domain.money import Money
from bistand_es.domain.month import Month
from bistand_es.domain.vocabulary import DELEGATION_LEVEL, ActorRole, NormAdjustment, RecoveryCondition


def render_calculation(
    calculation: dict[str, Any],
    situation: dict[str, Any] | None = None,
    applied_costs: dict[str, Decimal] | None = None,
) -> str:
    """The calculation in the decision letter's plain Swedish, wrapped to the terminal, then the warnings.

    Parameter versions and confidence are in ``--json`` and `bistand history`; the wording is the letter's
    (``bistand_es.cli.letter_render.calculation_text``).
    """
    from bistand_es.cli.letter_render import calculation_text

    return calculation_text(calculation, situation=situation, applied_costs=applied_costs)


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
    help="Villkor for återkrav under 9 kap. 2 § SoL, stated when the aid is granted (never added afterwards): "
    "advance_on_benefit (förskott på förmån), labour_dispute (arbetskonflikt), assets_unavailable (could not "
    "use income or assets), repayment_condition (4 kap. 2 § aid). Repeatable.",
)
@click.option(
    "--delegat",
    type=click.Choice([r.value for r in DELEGATION_LEVEL]),
    help="Who decides under the delegation order (default: your own role). Your role must reach it; "
    "ekonom, revisor and system never decide.",
)
@click.option("--amend", is_flag=True, help="Ändra beslut: replace the month's decision (needs --reason).")
@click.option("--on", "decided_on", help="Decision date YYYY-MM-DD (default: today).")
@click.option(
    "--profile",
    help="Municipal profile of rules (default: the one the household's kommunkod selects, else national).",
)
@click.option(
    "--surplus-considered",
    "surplus_considered",
    metavar="AMOUNT",
    help="Nybesök: the part of the earlier months' normöverskott counted against this month (needs --reason; "
    "at most the surplus shown).",
)
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
    surplus_considered: str | None,
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

    What is recorded is exactly the draft shown: if anyone changes the household between
    the draft and your confirmation, nothing is recorded ("changed since you looked").
    --amend may lower a month already paid; what was paid above the new aid is then
    listed by `bistand household show` as a recovery candidate (återkrav), never netted.

    \b
    Example:
      bistand decide 3f2a9c1e --month 2021-03 --dry-run
      bistand decide 3f2a9c1e --month 2021-03
      bistand decide 3f2a9c1e --month 2021-04 --refuse --reason "Inkomster över norm"
      bistand decide 3f2a9c1e --month 2021-05 --raise-norm 500 --reason "Särskilda behov" \\
          --delegat enhetschef --actor-role enhetschef
    """
    from bistand_es.application.decisions import DecisionRequest

    adjustment, amount = _norm_adjustment(raise_norm, reduce_norm)
    request = DecisionRequest(
        month=Month.parse(month, field="--month"),
        actor=make_actor(actor, role),
        delegat=ActorRole(delegat) if delegat else None,
        decided_on=parse_day(decided_on, "--on"),
        approved_costs=_approved(approve),
        refuse=refuse,
        reason=reason.strip(),
        norm_adjustment=adjustment,
        norm_adjustment_amount=amount,
        conditions=list(conditions),
        profile=profile,
        amend=amend,
        surplus_considered=Money.of(surplus_considered, field="--surplus-considered").require_non_negative().amount
        if surplus_considered is not None
        else None,
    )
    app, settings = open_app()
    hid = resolve_household(app, household_id)
    draft = app.draft_decision(hid, request, load_rules(), expected_version=expected_version, preview=dry_run)
    calculation = draft.calculation
    summary = (
        f"{draft.month}: {draft.outcome.value} (delegat {draft.delegat.value}; profil {calculation['profile']} "
        f"{str(calculation.get('profile_version', ''))[:12]})"
    )
    if dry_run:
        data = {
            "household_id": str(hid),
            "household_version": draft.household_version,
            "month": str(draft.month),
            "outcome": draft.outcome.value,
            "delegat": draft.delegat.value,
            "profile": calculation["profile"],
            "profile_version": calculation.get("profile_version"),
            "recorded": False,
            "rule_set_hash": draft.rule_set_hash,
            "calculation": draft.calculation,
        }
        shown = render_calculation(draft.calculation, draft.situation, draft.applied_costs)
        click.echo(to_json(data) if as_json else f"DRY RUN — {summary}\n{shown}")
        return
    if not as_json:
        click.echo(f"{summary}\n{render_calculation(draft.calculation, draft.situation, draft.applied_costs)}")
    if not yes and sys.stdin.isatty() and not click.confirm("Record this decision?", default=True):
        raise click.Abort
    recorded = app.record_decision(draft)
    refresh_read_model(app, settings)
    report_recorded(
        recorded, as_json, f"decision {recorded.result} recorded: {draft.outcome.value}, aid {draft.aid:.2f}"
    )


def _norm_adjustment(raise_norm: str | None, reduce_norm: str | None) -> tuple[NormAdjustment | None, Decimal]:
    if raise_norm and reduce_norm:
        raise InvalidInput("give --raise-norm or --reduce-norm, not both")
    if raise_norm:
        return NormAdjustment.RAISED, Money.of(raise_norm, field="--raise-norm").amount
    if reduce_norm:
        return NormAdjustment.REDUCED, Money.of(reduce_norm, field="--reduce-norm").amount
    return None, Decimal("0.00")
