"""``bistand init``: create the data directory and the event store (optional: every command does it)."""

from __future__ import annotations

import click

from bistand_es.cli.common import open_app, refresh_read_model


@click.command("init")
def init() -> None:
    """Skapa datakatalogen: create BISTAND_HOME, the event store and the read model.

    Optional: every other command works on a fresh directory too.

    \b
    Example:
      BISTAND_HOME=/srv/bistand bistand init
    """
    app, settings = open_app()
    refresh_read_model(app, settings)
    click.echo(f"event store: {settings.describe()}")
    click.echo(f"read model:  {settings.reports_path}")
    click.echo(f"local rule parameters (optional): {settings.parameters_dir}")
