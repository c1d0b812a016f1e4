"""Who is acting, and may they run this command: checked once per command, before its own code runs.

The root group (``cli/main.py``) runs :func:`authorise` just before the callback of the command being invoked,
after its arguments are parsed (``--help`` and usage errors never get here). It

1. skips the commands that touch no store (``authorisation.OPEN``: calc, rules …);
2. resolves the acting user: ``BISTAND_USER``, else the operating system login, looked up in the store's user
   register; ``--actor-role``/``BISTAND_ROLE`` only chooses among that user's roles; a hidden ``--actor`` left
   in an old script must name that same user;
3. checks the role matrix (``application/authorisation.py``) for the command path;
4. on a refusal records ``CommandRefused`` (who, role asked for, command, why) and stops with exit 5.

A store with no users allows only ``users add NAME --role administrator`` (the bootstrap) and ``demo`` (which
adds its own users, the one running it as administrator); any other command is
refused there without a record (there is no register yet to say who anyone is).
"""

from __future__ import annotations

from typing import Any

import click

from bistand_es.domain.errors import NotAuthorised
from bistand_es.domain.records import Actor
from bistand_es.domain.vocabulary import ActorRole

BOOTSTRAP_COMMAND = "users add"


def command_path(ctx: click.Context) -> str:
    """The words after ``bistand`` naming the command (``payments run``).

    A command invoked on its own (its unit tests, not through ``bistand``) is named from its own context up.
    """
    from bistand_es.cli.main import BistandGroup

    names: list[str] = []
    context: click.Context | None = ctx
    while context is not None:
        if context.parent is None and isinstance(context.command, BistandGroup):
            break
        names.append(context.info_name or context.command.name or "")
        context = context.parent
    return " ".join(reversed(names))


def _param(ctx: click.Context, flag: str) -> tuple[bool, Any]:
    """Whether the command has the option ``flag``, and its parsed value."""
    for param in ctx.command.params:
        if isinstance(param, click.Option) and flag in param.opts and param.name is not None:
            return True, ctx.params.get(param.name)
    return False, None


def authorise(ctx: click.Context) -> None:
    """Resolve the acting user and check the role matrix for the command of ``ctx``; record a refusal."""
    from bistand_es.application.authorisation import OPEN
    from bistand_es.cli.common import invocation, open_app

    path = command_path(ctx)
    if path in OPEN:
        return
    state = invocation(ctx)
    settings = state.settings
    user = settings.acting_user()
    records, role_option = _param(ctx, "--actor-role")
    requested = role_option if records else settings.role
    _, claimed = _param(ctx, "--actor")

    from bistand_es.application.users import load_register, record_refusal

    app, _ = open_app()
    register = load_register(app)
    if register is None:
        if path not in (BOOTSTRAP_COMMAND, "demo"):  # the demo adds its own users to an empty store
            raise NotAuthorised(
                "no users are registered in this store yet: the first is added with "
                "`bistand users add NAME --role administrator`"
            )
        state.actor = Actor(user=user, role=ActorRole.ADMINISTRATOR.value)
        return
    try:
        state.actor = _resolve(register, user, requested, claimed, path, needs_role=records)
    except NotAuthorised as refusal:
        record_refusal(app, user=user, role=requested, command=path, reason=str(refusal))
        raise


def _resolve(
    register: Any, user: str, requested: str | None, claimed: str | None, path: str, *, needs_role: bool
) -> Actor:
    from bistand_es.application.authorisation import allowed_role, check_command
    from bistand_es.domain.users import User

    if claimed is not None and claimed.strip() != user:
        raise NotAuthorised(
            f"--actor {claimed.strip()[:40]!r}: you are {user} (BISTAND_USER or your login); "
            "nobody records under another user's name"
        )
    resolved = register.resolve(user, requested, need_role=needs_role)
    if isinstance(resolved, User):  # several roles, none chosen, a command that records nothing
        role = allowed_role(path, resolved.roles)
        if role is None:
            check_command(path, resolved.roles[0])  # raises, naming the roles allowed
            raise NotAuthorised(f"{user} may not run bistand {path}")  # pragma: no cover
        return Actor(user=user, role=role)
    check_command(path, resolved.role)
    actor: Actor = resolved
    return actor
