"""Who is acting, and may they run this command: checked once per command, before its own code runs.

The root group (``cli/main.py``) runs :func:`authorise` just before the callback of the command being invoked,
after its arguments are parsed (``--help`` and usage errors never get here). It

1. skips the commands that touch no store (``authorisation.OPEN``: calc, rules …);
2. resolves the acting user: ``BISTAND_USER``, else the operating system login, looked up in the store's user
   register; ``--actor-role``/``BISTAND_ROLE`` only chooses among that user's roles; a hidden ``--actor`` left
   in an old script must name that same user;
3. checks the role matrix (``application/authorisation.py``) for the command path;
4. on a refusal stops with exit 5.

Every refusal about *who may act* (``NotAuthorised``: the matrix here, the delegation order when a decision is
recorded, four-eyes when a payment is made) is recorded in one place, :func:`record_refused`, which the root
group calls where it maps exceptions to exit codes (``cli/main.py``): a ``CommandRefused`` (who, role, command,
why; when is its timestamp), its own one-event aggregate, listed by ``bistand users log``.

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
#: Kept in the click context's ``meta`` (shared by every context of one invocation) for :func:`record_refused`.
_COMMAND = "bistand_es.access.command"
_REQUESTED_ROLE = "bistand_es.access.requested_role"
_UNRECORDED = "bistand_es.access.unrecorded"


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
    ctx.meta[_COMMAND] = path
    ctx.meta[_REQUESTED_ROLE] = requested

    from bistand_es.application.users import load_register

    app, _ = open_app()
    register = load_register(app)
    if register is None:
        if path not in (BOOTSTRAP_COMMAND, "demo"):  # the demo adds its own users to an empty store
            ctx.meta[_UNRECORDED] = True  # no register yet to say who anyone is: nothing to record against
            raise NotAuthorised(
                "no users are registered in this store yet: the first is added with "
                "`bistand users add NAME --role administrator`"
            )
        state.actor = Actor(user=user, role=ActorRole.ADMINISTRATOR.value)
        return
    state.actor = _resolve(register, user, requested, claimed, path, needs_role=records)


def name_refused_command(command: str) -> None:
    """Name the command a refusal about to be raised is logged under, when the path alone says too little.

    E.g. ``report --resolve``: ``report`` is open to every role, resolving its pseudonyms is not. The refusal is
    still recorded once, by :func:`record_refused`.
    """
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.meta.get(_COMMAND) is not None:
        ctx.meta[_COMMAND] = command


def record_refused(ctx: click.Context, refusal: NotAuthorised) -> None:
    """Record a refusal of the command of ``ctx``: who, in which role, which command, why (``users log``).

    The one place refusals are recorded, whichever rule refused: the role matrix or the user register (above),
    the delegation order, four-eyes, or the revisor's second lock. Nothing is recorded for a command that never
    reached :func:`authorise` (one that touches no store) or on a store with no users yet. The record is its
    own aggregate: it never conflicts and never changes a household.
    """
    path = ctx.meta.get(_COMMAND)
    if path is None or ctx.meta.get(_UNRECORDED):
        return
    from bistand_es.application.users import record_refusal
    from bistand_es.cli.common import invocation, open_app
    from bistand_es.domain.identifiers import mask_person_ids

    state = invocation(ctx)
    role: str | None
    if state.actor is not None:  # the user resolved: refused by the delegation order or four-eyes
        user, role = state.actor.user, state.actor.role
    else:
        user, role = state.settings.acting_user(), ctx.meta.get(_REQUESTED_ROLE)
    app, _ = open_app()
    record_refusal(app, user=user, role=role, command=str(path), reason=mask_person_ids(str(refusal)))
    ctx.meta[_UNRECORDED] = True  # once per invocation


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
