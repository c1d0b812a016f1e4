"""``bistand history``: every event of a household in order (the auditor's view)."""

from __future__ import annotations

import click

from bistand_es.cli.common import open_app, resolve_household
from bistand_es.cli.output import chosen_format, format_option, render_rows, to_json
from bistand_es.cli.views import event_view, summarise


@click.command("history")
@click.argument("household_id")
@format_option
def history(household_id: str, fmt: str, as_json: bool, as_csv: bool) -> None:
    """Händelser: the household's full history — time, actor, type and details of every event.

    Nothing is ever edited or deleted: corrections and amendments appear as their own events.

    \b
    Example:
      bistand history 3f2a9c1e
      bistand history 3f2a9c1e --json > audit.json
    """
    app, _ = open_app()
    hid = resolve_household(app, household_id)
    events = [event_view(e) for e in app.get_history(hid)]
    out = chosen_format(fmt, as_json, as_csv)
    if out == "json":
        click.echo(to_json(events))
        return
    rows = [
        {
            "v": e["version"],
            "time": e["time"][:19].replace("T", " "),
            "actor": f"{e['actor']} ({e['role']})",
            "event": e["type"],
            "details": summarise(e["details"]) if out in ("table", "markdown") else e["details"],
        }
        for e in events
    ]
    click.echo(render_rows(rows, out))
