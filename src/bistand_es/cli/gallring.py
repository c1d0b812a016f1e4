"""``bistand gallring plan|run``: the yearly disposal of personakter (12 kap. SoL) by crypto-shredding."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from bistand_es.cli.common import actor_options, make_actor, open_app
from bistand_es.cli.output import chosen_format, format_option, progress_bar, render_rows, to_json
from bistand_es.domain.errors import InvalidInput

if TYPE_CHECKING:
    from bistand_es.application.gallring import GallringPlan

COLUMNS = ["household_id", "municipality", "last_entry", "disposal_year", "status", "reasons"]
MIN_YEAR = 2000
MAX_YEAR = 2200
#: Seconds to wait for another process that is projecting, before a run starts.
WAIT_FOR_READ_MODEL = 60


def _this_year() -> int:
    from bistand_es.domain.moments import SWEDISH_TIME

    return datetime.now(SWEDISH_TIME).year


def _year(value: int | None) -> int:
    year = _this_year() if value is None else value
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInput(f"--year: {year} is not a year between {MIN_YEAR} and {MAX_YEAR}")
    return year


year_option = click.option(
    "--year",
    type=int,
    default=None,
    help="The gallring year (default: this year, Swedish time): files whose five years ended in an earlier year.",
)


@click.group("gallring")
def gallring() -> None:
    """Gallring (12 kap. SoL): dispose of personakter five years after their last entry.

    A file whose last entry is in year L is disposed of by the gallring of
    L + 6 (five years end in L + 5; disposal is done by the end of the following
    year): last entry 2020-03-14 → gallring 2026. Held: while another file on
    the same person is kept, while an återkrav, court case or reimbursement
    claim is open. Never: the research selection (persons born on day 5, 15 or
    25) and documents on placed children. Disposal deletes the household's key
    (crypto-shredding); amounts, months and codes stay for statistics.

    \b
    Example:
      bistand gallring plan --year 2026
      bistand gallring run --year 2026 --yes
    """


def _plan(year: int) -> GallringPlan:
    from bistand_es.application.gallring import plan

    app, _ = open_app()
    with progress_bar(f"gallring {year}: reading households") as progress:
        return plan(app, year, progress)


def _print_plan(chosen: GallringPlan, fmt: str) -> None:
    click.echo(render_rows([row.as_dict() for row in chosen.rows], fmt, COLUMNS))
    click.echo(
        f"gallring {chosen.year}: {len(chosen.due)} due (gallras), {len(chosen.held)} held (sparas), "
        f"{chosen.not_due} not due yet, {len(chosen.disposed)} disposed of already",
        err=True,
    )


def _project_first(app: Any, settings: Any) -> None:
    """Bring the read model up to date before any key is deleted (even with BISTAND_NO_PROJECTION): events not
    yet projected would otherwise reach it without their personal data. When another process is projecting
    (`projections update --watch`), wait for it; a read model that cannot catch up stops the gallring before
    anything is recorded."""
    try:
        from bistand_es.projections.projector import catch_up, status  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # pragma: no cover - without the read side there is nothing to project
        return
    from bistand_es.domain.errors import StoreBusy

    target = app.max_position()
    current = catch_up(app, settings)
    deadline = time.monotonic() + WAIT_FOR_READ_MODEL
    while current.position < target:
        if current.failure:
            raise StoreBusy(f"the read model cannot be brought up to date ({current.failure}); nothing was disposed of")
        if time.monotonic() > deadline:
            raise StoreBusy(
                "the read model is behind and another process is projecting; run `bistand projections update` "
                "and try again (nothing was disposed of)"
            )
        time.sleep(0.5)
        current = status(app, settings)


@contextmanager
def _residues(settings: Any) -> Iterator[Any]:
    """The statistical residue of each household disposed of, read from the read model (brought up to date by
    :func:`_project_first`): recorded in its ``HouseholdDisposed`` so that a rebuild keeps past statistics."""
    try:
        from bistand_es.projections.disposal import residue_reader  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # pragma: no cover - without the read side there is no residue to keep
        yield None
        return
    with residue_reader(settings.reports_path) as residue_of:
        yield residue_of


def _project_after(app: Any, settings: Any) -> None:
    """Project the disposals (the read model blanks the households' person columns); a busy or failing read
    model is a warning: the disposal is recorded, the next update finishes it."""
    try:
        from bistand_es.projections.projector import catch_up  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # pragma: no cover
        return
    status = catch_up(app, settings)
    if status.failure or (status.note and status.lag):
        click.echo(
            "warning: the read model is not up to date yet; run `bistand projections update` to remove the "
            "disposed households' person columns from it",
            err=True,
        )


@gallring.command("plan")
@year_option
@format_option
def plan_command(year: int | None, fmt: str, as_json: bool, as_csv: bool) -> None:
    """List the households the gallring of YEAR disposes of, and those it holds with the reason.

    Nothing is recorded. Households not due yet are counted, not listed.

    \b
    Example:
      bistand gallring plan --year 2026
      bistand gallring plan --year 2026 --csv > gallring-2026.csv
    """
    _print_plan(_plan(_year(year)), chosen_format(fmt, as_json, as_csv))


@gallring.command("run")
@year_option
@click.option("--yes", is_flag=True, help="Dispose of the households due (without it: show the plan only).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@actor_options
def run_command(year: int | None, yes: bool, as_json: bool, actor: str | None, role: str | None) -> None:
    """Dispose of every household due in the gallring of YEAR (administrator).

    Records HouseholdDisposed for each (date, year, rule, and its statistical
    residue: its read-model rows with pseudonyms, amounts, months and codes, no
    personal data), then deletes its key: its personnummer, names and free text
    become unreadable in the event store and in every backup of it, and leave
    the read model; amounts, months and codes stay, and past statistics stay
    the same even after a rebuild of the read model. Without --yes it shows the
    plan and stops. Safe to run again: a run that stopped half-way is finished.

    \b
    Example:
      bistand gallring run --year 2026 --yes
    """
    from bistand_es.application.gallring import run
    from bistand_es.domain.moments import SWEDISH_TIME

    chosen_year = _year(year)
    who = make_actor(actor, role)
    if not yes:
        chosen = _plan(chosen_year)
        _print_plan(chosen, "table")
        if not chosen.due:
            return
        raise InvalidInput(
            f"gallring run destroys the personal data of {len(chosen.due)} household(s): add --yes to dispose of them"
        )
    app, settings = open_app()
    _project_first(app, settings)
    today = datetime.now(SWEDISH_TIME).date()
    with _residues(settings) as residue_of, progress_bar(f"gallring {chosen_year}") as progress:
        result = run(app, chosen_year, actor=who, disposed_on=today, progress=progress, residue_of=residue_of)
    _project_after(app, settings)
    summary = result.summary()
    if as_json:
        click.echo(to_json(summary))
        return
    click.echo(
        f"gallring {chosen_year}: {summary['disposed']} disposed of, {summary['keys_deleted']} keys deleted, "
        f"{summary['held']} held, {summary['not_due']} not due yet"
    )
    for hid in result.disposed:
        click.echo(f"  gallrad: household {hid}")
