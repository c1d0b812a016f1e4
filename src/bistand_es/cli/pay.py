"""``bistand pay`` and ``bistand payments run|list|cancel``: payments against granted decisions."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from uuid import UUID

import click

from bistand_es.cli.common import (
    make_actor,
    open_app,
    parse_day,
    refresh_read_model,
    report_recorded,
    resolve_household,
    write_options,
)
from bistand_es.cli.guard import check_text
from bistand_es.cli.output import (
    actor_free_format_option,
    chosen_format,
    format_option,
    progress_bar,
    render_rows,
    to_json,
)
from bistand_es.cli.reimburse import reimbursable_option
from bistand_es.domain.errors import InvalidInput
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
@reimbursable_option
@write_options
def pay(
    household_id: str,
    month: str,
    amount: str | None,
    payee: str,
    method: str,
    paid_on: str | None,
    reimbursable: str | None,
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
      bistand pay 3f2a9c1e --month 2021-03 --reimbursable asylum.lma_aid:850402-1232
    """
    from bistand_es.application.payments import PaymentOrder
    from bistand_es.cli.reimburse import parse_reimbursable, tag_message

    who = make_actor(actor, role)
    order = PaymentOrder(
        month=Month.parse(month, field="--month"),
        actor=who,
        paid_on=parse_day(paid_on, "--on"),
        payee=payee,
        method=method,
        amount=Money.of(amount, field="--amount").require_non_negative().amount if amount is not None else None,
        reimbursable=parse_reimbursable(reimbursable),
    )
    app, settings = open_app()
    hid = resolve_household(app, household_id)
    recorded = app.issue_payment(hid, order)
    refresh_read_model(app, settings)
    tagged = tag_message(app, recorded)
    report_recorded(recorded, as_json, f"payment {recorded.result} recorded for {order.month}{tagged}")


@click.group("payments")
def payments() -> None:
    """Utbetalningar: the monthly payment run, the list of payments, and cancelling one.

    \b
    Example:
      bistand payments run --month 2021-03 --csv --output betalningar-2021-03.csv
      bistand payments list --month 2021-03
      bistand payments cancel 5d1c0e2a --reason "återkommen: kontot avslutat"
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
    granted decisions not paid before the run. A payment four-eyes stops (you
    decided the month, or a second approval is missing: `payments approve`) is
    skipped and named on stderr ("skipped: …"; in JSON under "skipped").

    \b
    Example:
      bistand payments run --month 2021-03 --csv --output betalningar-2021-03.csv
    """
    from bistand_es.application.payments import PaymentOrder

    who = make_actor(actor, role)
    order = PaymentOrder(month=Month.parse(month, field="--month"), actor=who, paid_on=parse_day(paid_on, "--on"))
    out = chosen_format(fmt, as_json, as_csv)
    # The output file is opened (as a temporary file beside it) BEFORE anything is recorded: a missing or
    # read-only folder stops the run with nothing paid. It gets its final name only after the payments are saved.
    skipped: list[dict[str, Any]] = []  # what four-eyes stopped: listed, not paid, the run goes on
    with _pending_output(output) as pending:
        app, settings = open_app()
        with progress_bar(f"payment run {order.month}") as progress:
            rows = app.run_payments(order, progress=progress, blocked=skipped)
        text = _payment_list(rows, str(order.month), out, skipped)
        if pending is not None:
            pending.write(text + "\n")
    if output is not None:
        click.echo(f"wrote {output}", err=True)
    refresh_read_model(app, settings)
    click.echo(text)
    for row in skipped:
        click.echo(f"skipped: household {row['household_id']} {row['amount']} kr: {row['reason']}", err=True)


def _payment_list(rows: list[dict[str, Any]], month: str, out: str, skipped: list[dict[str, Any]] | None = None) -> str:
    total = sum((Money.of(r["amount"]) for r in rows), Money.zero())
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
        listing = {"month": month, "count": len(rows), "total": str(total), "payments": rows}
        return to_json({**listing, "skipped": skipped or []})
    text = render_rows(rows, out, columns)
    if out == "csv":
        return text + f"\nTOTAL,,,,{month},{total},,,,"
    return text + f"\n{len(rows)} payments, total {total} kr"


@contextmanager
def _pending_output(output: Path | None) -> Iterator[IO[str] | None]:
    """A temporary file in ``output``'s folder, renamed to ``output`` when the block ends without an error.

    Opening it first proves that the folder exists and is writable before anything is recorded; if the block
    fails (nothing or only part recorded) the temporary file is removed and ``output`` is left as it was.
    """
    if output is None:
        yield None
        return
    folder = output.parent
    if output.is_dir():
        raise InvalidInput(f"--output: {output} is a folder; give a file name")
    if not folder.is_dir():
        raise InvalidInput(f"--output: the folder {folder} does not exist; nothing was paid")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise InvalidInput(
            f"--output: cannot write in {folder} ({error.strerror or error}); nothing was paid"
        ) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            yield stream
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@payments.command("list")
@click.option("--month", help="Only payments for this month (avser månad), YYYY-MM.")
@click.option("--household", "household_id", help="Only this household (id or its first 8+ characters).")
@format_option
def list_payments(month: str | None, household_id: str | None, fmt: str, as_json: bool, as_csv: bool) -> None:
    """Lista utbetalningar: every payment recorded, with whether it was cancelled (makulerad).

    Read from the event store (no read model needed).

    \b
    Example:
      bistand payments list --month 2021-03 --csv
    """
    chosen_month = Month.parse(month, field="--month") if month else None
    app, _ = open_app()
    households = (
        [resolve_household(app, household_id)]
        if household_id
        else [UUID(row["household_id"]) for row in app.list_households()]
    )
    rows: list[dict[str, Any]] = []
    for hid in households:
        household = app.get_household(hid)
        for payment in household.payments.values():
            if chosen_month is not None and payment.month != chosen_month:
                continue
            rows.append(
                {
                    "payment_id": payment.payment_id,
                    "household_id": str(hid),
                    "month": str(payment.month),
                    "amount": f"{payment.amount:.2f}",
                    "payee": payment.payee,
                    "method": payment.method,
                    "paid_on": payment.paid_on.isoformat(),
                    "cancelled": payment.cancelled,
                }
            )
    click.echo(render_rows(rows, chosen_format(fmt, as_json, as_csv), list(_LIST_COLUMNS)))


_LIST_COLUMNS = ("payment_id", "household_id", "month", "amount", "payee", "method", "paid_on", "cancelled")


@payments.command("cancel")
@click.argument("payment_id", metavar="PAYMENT")
@click.option("--reason", required=True, help="Why: makulerad (stopped) or återkommen (came back), and how known.")
@write_options
def cancel(
    payment_id: str,
    reason: str,
    actor: str | None,
    role: str,
    expected_version: int | None,
    as_json: bool,
) -> None:
    """Makulera utbetalning: cancel a payment that was stopped or came back.

    PAYMENT is the id printed by `pay` or `payments run` (see `payments list`). The payment stays in the
    history, marked cancelled; the month's aid counts as unpaid again, so it can be paid anew.

    \b
    Example:
      bistand payments cancel 5d1c0e2a-… --reason "återkommen: kontot avslutat"
    """
    who = make_actor(actor, role)
    why = check_text(reason, "--reason").strip()
    if not why:
        raise InvalidInput("--reason: a cancellation needs a reason")
    wanted = payment_id.strip().lower()
    if not wanted:
        raise InvalidInput("PAYMENT: give the payment id (see `bistand payments list`)")
    app, settings = open_app()
    recorded = app.cancel_payment(wanted, actor=who, reason=why, expected_version=expected_version)
    refresh_read_model(app, settings)
    report_recorded(recorded, as_json, f"payment {wanted} cancelled")


@payments.command("approve")
@click.argument("household_id")
@click.option("--month", required=True, help="The month the aid concerns (avser månad), YYYY-MM.")
@click.option("--amount", help="Approve payments up to this amount (default: what is granted and not yet paid).")
@click.option("--reason", default="", help="A note on the approval (attest), e.g. what was checked.")
@write_options
def approve(
    household_id: str,
    month: str,
    amount: str | None,
    reason: str,
    actor: str | None,
    role: str,
    expected_version: int | None,
    as_json: bool,
) -> None:
    """Attest: a second person's approval of a payment (fyraögonsprincipen).

    A payment above the configured amount (payment_approval_above in
    BISTAND_HOME/security.yaml, or BISTAND_PAYMENT_APPROVAL_ABOVE) is paid only
    after another user has approved it; nobody approves a month they decided.

    \b
    Example:
      bistand payments approve 3f2a9c1e --month 2021-03 --reason "underlag kontrollerat"
    """
    who = make_actor(actor, role)
    chosen = Month.parse(month, field="--month")
    limit = Money.of(amount, field="--amount").require_non_negative("--amount").amount if amount is not None else None
    note = check_text(reason, "--reason").strip()
    app, settings = open_app()
    hid = resolve_household(app, household_id)
    recorded = app.approve_payment(
        hid, actor=who, month=chosen, amount=limit, reason=note, expected_version=expected_version
    )
    refresh_read_model(app, settings)
    report_recorded(recorded, as_json, f"payment of up to {recorded.result} kr approved for {chosen}")
