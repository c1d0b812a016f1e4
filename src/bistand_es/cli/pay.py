"""``bistand pay`` and ``bistand payments run``: payments against granted decisions."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from bistand_es.cli.common import emit_recorded, make_actor, open_app, parse_day, resolve_household, write_options
from bistand_es.cli.output import actor_free_format_option, chosen_format, render_rows, to_json
from bistand_es.domain.money import Money
from bistand_es.domain.month import Month
from bistand_es.domain.vocabulary import Payee, PaymentMethod

PAYEES = [p.value for p in Payee]
METHODS = [m.value for m in PaymentMethod]


@click.command("pay")
@click.argument("household_id")
@click.option("--month", required=True, help="The month the aid concerns (avser månad), YYYY-MM.")
@click.option("--amount", help="Amount to pay (default: what is granted and not yet paid).")
@click.option(
    "--payee",
    type=click.Choice(PAYEES),
    default="applicant",
    show_default=True,
    help="Mottagare: applicant, guardian (god man), landlord (hyresvärd), other.",
)
@click.option("--method", type=click.Choice(METHODS), default="bank_transfer", show_default=True)
@click.option("--on", "paid_on", help="Payment date YYYY-MM-DD (default: today).")
@write_options
def pay(
    household_id: str,
    month: str,
    amount: str | None,
    payee: str,
    method: str,
    paid_on: str | None,
    actor: str | None,
    role: str,
    expected_version: int | None,
    as_json: bool,
) -> None:
    """Utbetalning: pay a household's granted aid for a month (never more than granted).

    \b
    Example:
      bistand pay 3f2a9c1e --month 2021-03
      bistand pay 3f2a9c1e --month 2021-03 --amount 7500 --payee landlord
    """
    from bistand_es.application.payments import PaymentOrder
    from bistand_es.application.payments import pay as pay_household

    who = make_actor(actor, role)
    order = PaymentOrder(
        month=Month.parse(month, field="--month"),
        actor=who,
        paid_on=parse_day(paid_on, "--on"),
        payee=payee,
        method=method,
        amount=Money.of(amount, field="--amount").require_non_negative().amount if amount is not None else None,
    )
    app, settings = open_app()
    hid = resolve_household(app, household_id)
    recorded = pay_household(app, hid, order)
    emit_recorded(recorded, as_json, f"payment {recorded.result} recorded for {order.month}", app, settings)


@click.group("payments")
def payments() -> None:
    """Utbetalningar: the monthly payment run.

    \b
    Example:
      bistand payments run --month 2021-03 --csv --output betalningar-2021-03.csv
    """


@payments.command("run")
@click.option("--month", required=True, help="The month the aid concerns, YYYY-MM.")
@click.option("--on", "paid_on", help="Payment date YYYY-MM-DD (default: today).")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Also write the list to a file.")
@actor_free_format_option
@write_options
def run(
    month: str,
    paid_on: str | None,
    output: Path | None,
    fmt: str,
    as_csv: bool,
    actor: str | None,
    role: str,
    expected_version: int | None,
    as_json: bool,
) -> None:
    """Betalningskörning: pay every granted, unpaid decision for a month; print the payment list.

    The list (table, CSV or JSON) ends with the total, which equals the sum of the
    granted decisions not paid before the run.

    \b
    Example:
      bistand payments run --month 2021-03 --csv --output betalningar-2021-03.csv
    """
    from bistand_es.application.payments import PaymentOrder, payment_run
    from bistand_es.cli.common import refresh_read_model

    who = make_actor(actor, role)
    order = PaymentOrder(month=Month.parse(month, field="--month"), actor=who, paid_on=parse_day(paid_on, "--on"))
    app, settings = open_app()
    bar: Any = click.progressbar(length=1, label=f"payment run {order.month}", file=sys.stderr)
    with bar:

        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(1)

        rows = payment_run(app, order, progress=progress)
    refresh_read_model(app, settings)
    total = sum((Money.of(r["amount"]) for r in rows), Money.zero())
    out = chosen_format(fmt, as_json, as_csv)
    columns = [
        "payment_id",
        "household_id",
        "applicant",
        "municipality",
        "month",
        "amount",
        "payee",
        "method",
        "paid_on",
        "position",
    ]
    if out == "json":
        text = to_json({"month": str(order.month), "count": len(rows), "total": str(total), "payments": rows})
    else:
        text = render_rows(rows, out, columns)
        if out == "csv":
            text += f"\nTOTAL,,,,{order.month},{total},,,,"
        else:
            text += f"\n{len(rows)} payments, total {total} kr"
    if output is not None:
        output.write_text(text + "\n", encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    click.echo(text)
