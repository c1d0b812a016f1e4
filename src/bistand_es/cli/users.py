"""``bistand users``: the user register (add, grant, revoke, disable, list) and the log of refused commands."""

from __future__ import annotations

import click

from bistand_es.cli.common import make_actor, open_app
from bistand_es.cli.output import chosen_format, format_option, render_rows, to_json
from bistand_es.domain.vocabulary import ActorRole

ROLES = [r.value for r in ActorRole]


@click.group("users")
def users() -> None:
    """Användare: who may act in this store, in which roles (roller), and what was refused.

    You act as BISTAND_USER (default: your login). On a store with no users the
    first `users add NAME --role administrator` makes NAME its administrator;
    after that only an administrator changes users. Every refusal of who may
    act (role matrix, delegation order, four-eyes) is recorded and listed by
    `users log`.

    \b
    Example:
      bistand users add admin --role administrator
      bistand users add anna --role handlaggare
      bistand users list
    """


def _report(position: int, as_json: bool, message: str) -> None:
    if as_json:
        click.echo(to_json({"position": position, "message": message}))
        return
    click.echo(message)
    click.echo(f"  recorded at position {position} (user register)")


@users.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES), help="The user's first role (roll).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def add(name: str, role: str, as_json: bool) -> None:
    """Lägg till användare: register a user with a first role (administrator only).

    NAME is the user's account name as in the municipality's directory (what
    BISTAND_USER or the login says). The first user of a store must be an
    administrator.

    \b
    Example:
      bistand users add anna --role handlaggare
    """
    from bistand_es.application.users import add_user

    who = make_actor()
    app, _ = open_app()
    position = add_user(app, actor=who, name=name, role=role)
    _report(position, as_json, f"user {name.strip()} added as {role}")


@users.command("grant")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def grant(name: str, role: str, as_json: bool) -> None:
    """Ge roll: give a user another role (administrator only).

    A user with several roles chooses one per command (--actor-role or BISTAND_ROLE).

    \b
    Example:
      bistand users grant cecilia ekonom
    """
    from bistand_es.application.users import grant_role

    who = make_actor()
    app, _ = open_app()
    position = grant_role(app, actor=who, name=name.strip(), role=role)
    _report(position, as_json, f"{name.strip()} may now act as {role}")


@users.command("revoke")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def revoke(name: str, role: str, as_json: bool) -> None:
    """Ta bort roll: take a role from a user (administrator only; not their last role).

    \b
    Example:
      bistand users revoke cecilia ekonom
    """
    from bistand_es.application.users import revoke_role

    who = make_actor()
    app, _ = open_app()
    position = revoke_role(app, actor=who, name=name.strip(), role=role)
    _report(position, as_json, f"{name.strip()} may no longer act as {role}")


@users.command("disable")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def disable(name: str, as_json: bool) -> None:
    """Avaktivera: the user may no longer act (administrator only). Their past events keep their name.

    \b
    Example:
      bistand users disable berit
    """
    from bistand_es.application.users import disable_user

    who = make_actor()
    app, _ = open_app()
    position = disable_user(app, actor=who, name=name.strip())
    _report(position, as_json, f"user {name.strip()} disabled")


@users.command("list")
@format_option
def list_users(fmt: str, as_json: bool, as_csv: bool) -> None:
    """Lista användare: every user, their roles, and whether disabled.

    \b
    Example:
      bistand users list --csv
    """
    from bistand_es.application.users import list_users as rows_of

    app, _ = open_app()
    click.echo(render_rows(rows_of(app), chosen_format(fmt, as_json, as_csv), ["user", "roles", "disabled"]))


@users.command("log")
@format_option
def log(fmt: str, as_json: bool, as_csv: bool) -> None:
    """Vägrade kommandon: every refusal (role matrix, delegation, four-eyes): when, who, role, command, why.

    \b
    Example:
      bistand users log --format csv
    """
    from bistand_es.application.users import list_refusals

    app, _ = open_app()
    columns = ["at", "user", "role", "command", "reason"]
    click.echo(render_rows(list_refusals(app), chosen_format(fmt, as_json, as_csv), columns))
