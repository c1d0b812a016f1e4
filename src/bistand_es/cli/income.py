"""``bistand income``: report and correct incomes (inkomster)."""

from __future__ import annotations

import click

from bistand_es.cli.common import (
    make_actor,
    open_app,
    person_id,
    refresh_read_model,
    report_recorded,
    resolve_household,
    write_options,
)
from bistand_es.cli.inputs import IncomeCorrectionInput, IncomeInput, validate
from bistand_es.domain.vocabulary import IncomeKind

_KINDS_HELP = ", ".join(kind.value for kind in IncomeKind) + " (which are counted: docs/rules.md)"


@click.group("income")
def income() -> None:
    """Inkomster: report incomes received, and correct them (never edit).

    \b
    Example:
      bistand income report 3f2a9c1e --member 640823-3234 --kind employment --month 2021-02 \\
          --amount 8000 --actor anna
      bistand income correct 3f2a9c1e 5d1c0e2a --amount 8100 --reason "lönespec" --actor anna
    """


@income.command("report")
@click.argument("household_id")
@click.option("--member", required=True, help="Who received it (personnummer or other id).")
@click.option("--kind", required=True, help=f"Inkomstslag: {_KINDS_HELP}.")
@click.option("--month", required=True, help="The month the money was received, YYYY-MM.")
@click.option("--amount", required=True, help="Net amount in kronor (e.g. 8000 or 8000.50).")
@click.option(
    "--source",
    default="applicant",
    show_default=True,
    help="applicant (sökandes uppgift), external (extern källa), caseworker.",
)
@write_options
def report(
    household_id: str,
    member: str,
    kind: str,
    month: str,
    amount: str,
    source: str,
    actor: str | None,
    role: str,
    expected_version: int | None,
    as_json: bool,
) -> None:
    """Rapportera inkomst: record an income a member received in a month.

    \b
    Example:
      bistand income report 3f2a9c1e --member 640823-3234 --kind employment --month 2021-02 \\
          --amount 8000 --actor anna
    """
    who = make_actor(actor, role)
    data = validate(IncomeInput, member=person_id(member), kind=kind, month=month, amount=amount, source=source)
    app, settings = open_app()
    hid = resolve_household(app, household_id)
    recorded = app.report_income(
        hid,
        actor=who,
        member=data.member,
        kind=data.kind.value,
        month=data.month,
        amount=data.amount,
        source=data.source.value,
        expected_version=expected_version,
    )
    refresh_read_model(app, settings)
    report_recorded(recorded, as_json, f"income {recorded.result} recorded")


@income.command("correct")
@click.argument("household_id")
@click.argument("income_id")
@click.option("--amount", help="The right net amount.")
@click.option("--kind", help="The right income kind.")
@click.option("--month", help="The right month received, YYYY-MM.")
@click.option("--reason", required=True, help="Why the figure is corrected (shown to auditors).")
@write_options
def correct(
    household_id: str,
    income_id: str,
    amount: str | None,
    kind: str | None,
    month: str | None,
    reason: str,
    actor: str | None,
    role: str,
    expected_version: int | None,
    as_json: bool,
) -> None:
    """Rätta inkomst: correct a reported income; the old figure stays in the history.

    INCOME_ID is the id printed by `income report` (or its first 8+ characters).

    \b
    Example:
      bistand income correct 3f2a9c1e 5d1c0e2a --amount 8100 --reason "lönespec" --actor anna
    """
    who = make_actor(actor, role)
    data = validate(IncomeCorrectionInput, income_id=income_id, reason=reason, amount=amount, kind=kind, month=month)
    app, settings = open_app()
    hid = resolve_household(app, household_id)
    recorded = app.correct_income(
        hid,
        actor=who,
        income_id=data.income_id,
        reason=data.reason,
        amount=data.amount,
        kind=data.kind.value if data.kind else None,
        month=data.month,
        expected_version=expected_version,
    )
    refresh_read_model(app, settings)
    report_recorded(recorded, as_json, f"income {data.income_id} corrected")
