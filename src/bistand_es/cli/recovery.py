"""``bistand recovery``: återkrav (9 kap. SoL) — claim, receive, waive, show, list, plan, court, förskott på förmån."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import click

from bistand_es.cli.common import (
    actor_options,
    make_actor,
    open_app,
    parse_day,
    person_id,
    refresh_read_model,
    resolve_household,
)
from bistand_es.cli.output import render_record, render_rows, to_json
from bistand_es.domain.errors import InvalidInput
from bistand_es.domain.money import Money
from bistand_es.domain.month import Month
from bistand_es.domain.vocabulary import DELEGATION_LEVEL, ActorRole, IncomeKind, RecoveryGround

if TYPE_CHECKING:
    from bistand_es.application.app import BistandApplication, Recorded
    from bistand_es.application.config import Settings

GROUNDS = [g.value for g in RecoveryGround]
DELEGATS = [r.value for r in DELEGATION_LEVEL]
_DELEGAT_HELP = "Who decides under the delegation order (default: your own role; ekonom never decides)."


def _amount(text: str, field: str) -> Decimal:
    return Money.of(text, field=field).amount


def _json_option(func: Any) -> Any:
    return click.option("--json", "as_json", is_flag=True, help="Print the claim as JSON.")(func)


def _show_claim(claim: dict[str, Any], as_json: bool, message: str | None = None) -> None:
    if as_json:
        click.echo(to_json(claim))
        return
    if message:
        click.echo(message)
    flat = {k: v for k, v in claim.items() if k not in ("payments", "plan")}
    click.echo(render_record(flat, "table"))
    click.echo(
        render_rows(
            claim["payments"], "table", ["payment_id", "month", "paid_on", "amount", "claimed", "court_deadline"]
        )
    )
    if claim["plan"]:
        click.echo(render_rows(claim["plan"], "table"))


def _after_write(app: BistandApplication, settings: Settings, recorded: Recorded, as_json: bool, what: str) -> None:
    refresh_read_model(app, settings)
    claim = app.get_claim(str(recorded.result))
    _show_claim(claim, as_json, f"{what} (claim {claim['claim_id']}, outstanding {claim['outstanding']})")


@click.group("recovery")
def recovery() -> None:
    """Återkrav: claim back aid paid wrongly or as an advance (9 kap. SoL), never by netting.

    A claim covers payments of the household; each payment's court deadline is its payment
    date plus three years (9 kap. 3 §). Repayments and eftergift (9 kap. 4 §) never exceed
    what is outstanding. A 9:2 ground needs its condition in the decision that granted the aid
    (`bistand decide --condition`). Later aid is never reduced for a claim (HFD 2013 ref. 18).

    \b
    Example:
      bistand recovery candidates
      bistand recovery claim 3f2a9c1e --ground wrongful_payment --payment 5d1c0e2a \\
          --amount 3000 --on 2021-05-10 --reason "Lön som inte redovisats"
      bistand recovery list --due-within 90
    """


@recovery.command("claim")
@click.argument("household_id")
@click.option("--ground", required=True, type=click.Choice(GROUNDS), help="Grund för återkravet (see --help).")
@click.option("--payment", "payments", required=True, multiple=True, help="A payment the claim covers. Repeatable.")
@click.option("--amount", required=True, help="Amount claimed (at most what the payments paid less earlier claims).")
@click.option("--on", "decided_on", required=True, help="Decision date of the claim, YYYY-MM-DD.")
@click.option("--reason", required=True, help="Motivering: why the aid is claimed back.")
@click.option("--delegat", type=click.Choice(DELEGATS), help=_DELEGAT_HELP)
@_json_option
@actor_options
def claim(
    household_id: str,
    ground: str,
    payments: tuple[str, ...],
    amount: str,
    decided_on: str,
    reason: str,
    delegat: str | None,
    as_json: bool,
    actor: str | None,
    role: str,
) -> None:
    """Återkrav: decide a claim on one or more payments of the household.

    \b
    Grounds (9 kap. SoL) and the condition the granting decision must state:
      wrongful_payment     9:1  felaktig utbetalning            (none)
      advance_on_benefit   9:2  förskott på förmån              advance_on_benefit
      labour_dispute       9:2  arbetskonflikt                  labour_dispute
      assets_unavailable   9:2  kunde inte förfoga över medel   assets_unavailable
      repayment_condition  9:2  4:2-bistånd med villkor         repayment_condition

    \b
    Example:
      bistand recovery claim 3f2a9c1e --ground advance_on_benefit --payment 5d1c0e2a \\
          --amount 4000 --on 2021-06-01 --reason "Sjukpenning beviljad retroaktivt"
    """
    who = make_actor(actor, role)
    sum_claimed = _amount(amount, "--amount")
    on = parse_day(decided_on, "--on")
    app, settings = open_app()
    hid = resolve_household(app, household_id)
    recorded = app.claim_repayment(
        hid,
        actor=who,
        ground=RecoveryGround(ground),
        payment_ids=list(payments),
        amount=sum_claimed,
        decided_on=on,
        reason=reason,
        delegat=ActorRole(delegat) if delegat else None,
    )
    _after_write(app, settings, recorded, as_json, "återkrav recorded")


@recovery.command("receive")
@click.argument("claim_id")
@click.option("--amount", required=True, help="Amount repaid (at most what is outstanding).")
@click.option("--on", "received_on", required=True, help="Date received, YYYY-MM-DD.")
@_json_option
@actor_options
def receive(claim_id: str, amount: str, received_on: str, as_json: bool, actor: str | None, role: str) -> None:
    """Inbetalning: record a repayment received on a claim.

    \b
    Example:
      bistand recovery receive 7a9e44c0 --amount 1500 --on 2021-07-01
    """
    who = make_actor(actor, role)
    paid = _amount(amount, "--amount")
    on = parse_day(received_on, "--on")
    app, settings = open_app()
    recorded = app.receive_repayment(claim_id, actor=who, amount=paid, received_on=on)
    _after_write(app, settings, recorded, as_json, f"repayment {paid:.2f} recorded")


@recovery.command("waive")
@click.argument("claim_id")
@click.option("--amount", required=True, help="Amount waived (at most what is outstanding).")
@click.option("--reason", required=True, help="Motivering för eftergiften.")
@click.option("--on", "waived_on", help="Date of the decision, YYYY-MM-DD (default: today).")
@click.option("--delegat", type=click.Choice(DELEGATS), help=_DELEGAT_HELP)
@_json_option
@actor_options
def waive(
    claim_id: str,
    amount: str,
    reason: str,
    waived_on: str | None,
    delegat: str | None,
    as_json: bool,
    actor: str | None,
    role: str,
) -> None:
    """Eftergift (9 kap. 4 § SoL): waive a claim wholly or partly.

    Needs a delegat in the delegation order (handläggare or higher) and a reason.

    \b
    Example:
      bistand recovery waive 7a9e44c0 --amount 500 --reason "Synnerliga skäl: långvarig sjukdom"
    """
    who = make_actor(actor, role)
    waived = _amount(amount, "--amount")
    on = parse_day(waived_on, "--on")
    app, settings = open_app()
    recorded = app.waive_repayment(
        claim_id,
        actor=who,
        amount=waived,
        reason=reason,
        waived_on=on,
        delegat=ActorRole(delegat) if delegat else None,
    )
    _after_write(app, settings, recorded, as_json, f"eftergift {waived:.2f} recorded")


@recovery.command("show")
@click.argument("claim_id")
@_json_option
def show(claim_id: str, as_json: bool) -> None:
    """A claim as it now stands: amount, received, waived, outstanding, court deadline per payment.

    \b
    Example:
      bistand recovery show 7a9e44c0 --json
    """
    app, _ = open_app()
    _show_claim(app.get_claim(claim_id), as_json)


@recovery.command("list")
@click.option("--as-of", "as_of", help="The day deadlines are counted from, YYYY-MM-DD (default: today).")
@click.option("--due-within", "due_within", type=int, help="Only claims whose court deadline is at most DAYS away.")
@click.option("--household", "household_id", help="Only this household's claims.")
@click.option("--json", "as_json", is_flag=True, help='Print {"claims": [...]} as JSON.')
def list_claims(as_of: str | None, due_within: int | None, household_id: str | None, as_json: bool) -> None:
    """Open claims ordered by court deadline (9 kap. 3 §: three years from each payment).

    A warning line on standard error names every listed claim not yet in court whose
    deadline is within 90 days (or passed).

    \b
    Example:
      bistand recovery list --due-within 90
      bistand recovery list --as-of 2024-01-01 --due-within 120 --json
    """
    from bistand_es.application.recovery import DEADLINE_WARNING_DAYS

    if due_within is not None and due_within < 0:
        raise InvalidInput(f"--due-within: {due_within} must be 0 or more days")
    day = parse_day(as_of, "--as-of")
    app, _ = open_app()
    hid = resolve_household(app, household_id) if household_id else None
    claims = app.list_claims(as_of=day, due_within=due_within, household_id=hid)
    for row in claims:
        if row["court_filed_on"] is None and row["days_left"] <= DEADLINE_WARNING_DAYS:
            when = f"in {row['days_left']} days" if row["days_left"] >= 0 else f"{-row['days_left']} days ago"
            click.echo(
                f"warning: claim {row['claim_id']}: court deadline {row['court_deadline']} ({when}); "
                "file in förvaltningsrätten before it (9 kap. 3 § SoL)",
                err=True,
            )
    if as_json:
        click.echo(to_json({"claims": claims}))
        return
    columns = ["claim_id", "household_id", "ground", "amount", "outstanding", "court_deadline", "days_left"]
    click.echo(render_rows(claims, "table", columns))


@recovery.command("plan")
@click.argument("claim_id")
@click.option("--instalment", "instalments", required=True, multiple=True, help="DATE=AMOUNT. Repeatable.")
@click.option("--on", "agreed_on", help="Date agreed, YYYY-MM-DD (default: today).")
@click.option("--note", default="", help="What was agreed (free text).")
@_json_option
@actor_options
def plan(
    claim_id: str,
    instalments: tuple[str, ...],
    agreed_on: str | None,
    note: str,
    as_json: bool,
    actor: str | None,
    role: str,
) -> None:
    """Avbetalningsplan: instalments agreed with the person (a later plan replaces it).

    \b
    Example:
      bistand recovery plan 7a9e44c0 --instalment 2021-08-31=500 --instalment 2021-09-30=500
    """
    from bistand_es.domain.household.recovery import Instalment

    who = make_actor(actor, role)
    parsed = []
    for item in instalments:
        day, sep, amount = item.partition("=")
        if not sep:
            raise InvalidInput(f"--instalment {item!r}: write DATE=AMOUNT, e.g. 2021-08-31=500")
        parsed.append(Instalment(parse_day(day, "--instalment"), _amount(amount.strip(), "--instalment")))
    on = parse_day(agreed_on, "--on")
    app, settings = open_app()
    recorded = app.agree_plan(claim_id, actor=who, agreed_on=on, instalments=parsed, note=note)
    _after_write(app, settings, recorded, as_json, f"plan of {len(parsed)} instalments recorded")


@recovery.command("court")
@click.argument("claim_id")
@click.option("--court", required=True, help="The court, e.g. 'Förvaltningsrätten i Karlstad'.")
@click.option("--case-number", default="", help="Målnummer.")
@click.option("--on", "filed_on", help="Date filed, YYYY-MM-DD (default: today).")
@click.option("--delegat", type=click.Choice(DELEGATS), help=_DELEGAT_HELP)
@_json_option
@actor_options
def court(
    claim_id: str,
    court: str,
    case_number: str,
    filed_on: str | None,
    delegat: str | None,
    as_json: bool,
    actor: str | None,
    role: str,
) -> None:
    """Talan i förvaltningsrätten (9 kap. 3 § SoL): record that the claim was taken to court.

    Refused once the three years of every payment have run out.

    \b
    Example:
      bistand recovery court 7a9e44c0 --court "Förvaltningsrätten i Karlstad" --case-number 1234-23 --on 2023-11-02
    """
    who = make_actor(actor, role)
    on = parse_day(filed_on, "--on")
    app, settings = open_app()
    recorded = app.file_in_court(
        claim_id,
        actor=who,
        filed_on=on,
        court=court,
        case_number=case_number,
        delegat=ActorRole(delegat) if delegat else None,
    )
    claim_now = app.get_claim(str(recorded.result))
    for payment in claim_now["payments"]:
        if date.fromisoformat(payment["court_deadline"]) < on:
            click.echo(
                f"warning: payment {payment['payment_id']} passed its court deadline {payment['court_deadline']}: "
                "that part is time-barred",
                err=True,
            )
    _after_write(app, settings, recorded, as_json, "court filing recorded")


@recovery.command("advance-request")
@click.argument("household_id")
@click.option("--benefit", required=True, type=click.Choice([k.value for k in IncomeKind]), help="The coming benefit.")
@click.option("--months", required=True, help="The period the benefit is for: YYYY-MM[,YYYY-MM…].")
@click.option("--amount-per-month", required=True, help="The aid per month paid as förskott.")
@click.option("--member", help="Whose benefit (personnummer; default: the applicant).")
@click.option("--on", "requested_on", help="Date requested, YYYY-MM-DD (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@actor_options
def advance_request(
    household_id: str,
    benefit: str,
    months: str,
    amount_per_month: str,
    member: str | None,
    requested_on: str | None,
    as_json: bool,
    actor: str | None,
    role: str,
) -> None:
    """Förskott på förmån: ask Försäkringskassan to pay a coming benefit to the nämnd.

    Socialförsäkringsbalken 107 kap. 5 §: only for aid granted with the condition
    advance_on_benefit, up to the aid per month, and asked before the benefit is paid.

    \b
    Example:
      bistand recovery advance-request 3f2a9c1e --benefit sickness_benefit --months 2021-04 \\
          --amount-per-month 3000 --on 2021-04-02
    """
    who = make_actor(actor, role)
    period = [Month.parse(m.strip(), field="--months") for m in months.split(",") if m.strip()]
    per_month = _amount(amount_per_month, "--amount-per-month")
    on = parse_day(requested_on, "--on")
    app, settings = open_app()
    hid = resolve_household(app, household_id)
    person = person_id(member) if member else app.get_household(hid).applicant
    recorded = app.request_advance(
        hid,
        actor=who,
        member=person,
        benefit=IncomeKind(benefit),
        months=period,
        amount_per_month=per_month,
        requested_on=on,
    )
    refresh_read_model(app, settings)
    data = {"request_id": recorded.result, **recorded.as_dict()}
    click.echo(to_json(data) if as_json else f"advance request {recorded.result} recorded")


@recovery.command("advance-refund")
@click.argument("request_id")
@click.option("--amount", required=True, help="What Försäkringskassan paid the nämnd for the period.")
@click.option("--on", "refunded_on", required=True, help="Date paid, YYYY-MM-DD.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@actor_options
def advance_refund(request_id: str, amount: str, refunded_on: str, as_json: bool, actor: str | None, role: str) -> None:
    """Förskott på förmån: the agency's payment to the nämnd; it settles the period's advance claims first.

    The amount is received on the open advance_on_benefit claims covering the period; it is
    never counted as the person's income in a later calculation.

    \b
    Example:
      bistand recovery advance-refund 9b3d10f7 --amount 3000 --on 2021-06-15
    """
    who = make_actor(actor, role)
    refund = _amount(amount, "--amount")
    on = parse_day(refunded_on, "--on")
    app, settings = open_app()
    recorded, receipts = app.record_advance_refund(request_id, actor=who, amount=refund, refunded_on=on)
    refresh_read_model(app, settings)
    applied = sum((share for _, share in receipts), Decimal("0.00"))
    unapplied = refund - applied
    if unapplied > 0:
        click.echo(
            f"warning: {unapplied:.2f} of the refund settles no claim: record an advance_on_benefit claim for the "
            "period, or pay it on to the person",
            err=True,
        )
    data = {
        "request_id": recorded.result,
        "amount": f"{refund:.2f}",
        "receipts": [{"claim_id": c, "amount": f"{a:.2f}"} for c, a in receipts],
        "unapplied": f"{unapplied:.2f}",
        **{k: v for k, v in recorded.as_dict().items() if k != "id"},
    }
    if as_json:
        click.echo(to_json(data))
        return
    click.echo(f"refund {refund:.2f} recorded for advance request {recorded.result}")
    for claim_id, share in receipts:
        click.echo(f"  received {share:.2f} on claim {claim_id}")


@recovery.command("candidates")
@click.option("--household", "household_id", help="Only this household.")
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
def candidates(household_id: str | None, as_json: bool) -> None:
    """Months paid above their (amended) grant and not yet claimed: candidates for a 9:1 claim.

    Nothing is claimed automatically: the caseworker assesses 9 kap. 1 § and records the
    claim with the command shown in the row.

    \b
    Example:
      bistand recovery candidates --household 3f2a9c1e
    """
    app, _ = open_app()
    hid = resolve_household(app, household_id) if household_id else None
    rows = app.list_recovery_candidates(hid)
    if as_json:
        click.echo(to_json(rows))
        return
    columns = ["household_id", "month", "granted", "paid", "overpaid", "claimed", "unclaimed"]
    click.echo(render_rows(rows, "table", columns))
    for row in rows:
        click.echo(row["claim"])
