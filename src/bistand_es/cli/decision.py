"""``bistand decision show|letter``: a recorded decision as the applicant reads it (beslut)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bistand_es.cli.common import load_rules, open_app
from bistand_es.cli.output import to_json
from bistand_es.domain.errors import InvalidInput

if TYPE_CHECKING:
    from bistand_es.application.letter_sources import FoundDecision
    from bistand_es.application.letters import Letter

FORMATS = ("text", "html", "pdf")


@click.group("decision")
def decision() -> None:
    """Beslut: show a recorded decision, or write the decision letter to the applicant.

    DECISION is a decision id (from `bistand household show` or `history`) or its
    first 8+ characters. The letter is built from the stored calculation only: what
    was applied for, what is granted or refused and why, the legal basis on the
    decision date, conditions for återkrav and how to appeal.

    \b
    Example:
      bistand decision show 3e60b82a
      bistand decision letter 3e60b82a --format html --output beslut-2021-03.html
    """


def _letter(text: str) -> tuple[FoundDecision, Letter]:
    from bistand_es.application.letter_sources import citations_on, find_decision, sender_for
    from bistand_es.application.letters import build_letter

    app, settings = open_app()
    found = find_decision(app, text)
    rules = load_rules()
    letter = build_letter(
        found.decision,
        applicant=found.applicant,
        sender=sender_for(rules, found.decision, found.municipality, settings.home),
        citations=citations_on(rules, found.decision),
    )
    return found, letter


@decision.command("show")
@click.argument("decision_id", metavar="DECISION")
@click.option("--json", "as_json", is_flag=True, help="Print the stored decision as JSON (for scripts).")
def show(decision_id: str, as_json: bool) -> None:
    """Visa beslut: the decision in plain Swedish, wrapped to the terminal (--json: as stored).

    The calculation's warnings (figures that are not HIGH confidence) follow on standard error.

    \b
    Example:
      bistand decision show 3e60b82a
    """
    from bistand_es.cli.letter_render import render_text, terminal_width

    found, letter = _letter(decision_id)
    if as_json:
        click.echo(to_json(_as_data(found)))
        return
    click.echo(render_text(letter, terminal_width()), nl=False)
    for warning in found.decision.calculation.get("warnings") or []:  # for the caseworker, never in the letter
        click.echo(f"warning: {warning}", err=True)


@decision.command("letter")
@click.argument("decision_id", metavar="DECISION")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text, or html to print (or save as PDF) from a browser; pdf is not made here (see the docs).",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the letter to this file instead of standard output.",
)
def letter(decision_id: str, fmt: str, output: Path | None) -> None:
    """Beslutsbrev: the decision letter to the applicant, in Swedish (text or printable HTML).

    \b
    Example:
      bistand decision letter 3e60b82a
      bistand decision letter 3e60b82a --format html --output beslut.html
    """
    from bistand_es.cli.letter_render import render_html, render_text

    if fmt == "pdf":
        raise InvalidInput(
            "--format pdf: no PDF is made (no maintained pure-Python PDF library here renders Swedish text with "
            "fonts it ships); write --format html --output beslut.html and print it, or save it as PDF, from a browser"
        )
    _check_output(output)
    _found, built = _letter(decision_id)
    text = render_html(built) if fmt == "html" else render_text(built)
    if output is None:
        click.echo(text, nl=False)
        return
    _write(output, text)
    click.echo(f"wrote {output}", err=True)


def _check_output(output: Path | None) -> None:
    if output is None:
        return
    if output.is_dir():
        raise InvalidInput(f"--output: {output} is a folder; give a file name")
    if not output.parent.is_dir():
        raise InvalidInput(f"--output: the folder {output.parent} does not exist")


def _write(output: Path, text: str) -> None:
    """Write beside the target and rename, so a failed write never leaves half a letter."""
    temporary: str | None = None
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, output)
    except OSError as error:
        if temporary is not None and os.path.exists(temporary):
            os.unlink(temporary)
        raise InvalidInput(f"--output: cannot write {output} ({error.strerror or error})") from None


def _as_data(found: FoundDecision) -> dict[str, Any]:
    d = found.decision
    return {
        "decision_id": d.decision_id,
        "household_id": str(found.household_id),
        "month": str(d.month),
        "outcome": d.outcome,
        "aid": f"{d.aid:.2f}",
        "decided_on": d.decided_on.isoformat(),
        "delegat": d.delegat,
        "conditions": list(d.conditions),
        "reason": d.reason,
        "amends": d.amends,
        "superseded_by": d.superseded_by,
        "applied_costs": {k: f"{v:.2f}" for k, v in d.applied_costs.items()},
        "approved_costs": {k: f"{v:.2f}" for k, v in d.approved_costs.items()},
        "calculation": dict(d.calculation),
    }
