"""Options and helpers shared by the case-work commands (actor, household id, output of a write)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

import click

from bistand_es.application.config import Settings
from bistand_es.cli.output import render_record, to_json
from bistand_es.domain.errors import BistandError, InvalidInput, NotAuthorised, NotFound
from bistand_es.domain.records import Actor
from bistand_es.domain.vocabulary import ActorRole

if TYPE_CHECKING:
    from bistand_es.application.app import BistandApplication, Recorded
    from bistand_es.domain.rules.rule_set import RuleSet

F = TypeVar("F", bound=Callable[..., Any])

MAX_ACTOR_LENGTH = 100


def actor_options(func: F) -> F:
    """``--actor-role``: which of the acting user's own roles records the event (env BISTAND_ROLE).

    The user is never an option: it is ``BISTAND_USER`` (or the operating system login), looked up in the user
    register before the command runs (``cli/access.py``). ``--actor`` stays, hidden, only so that an old script
    that passes its own user name keeps working; any other name is refused.
    """
    func = click.option(
        "--actor-role",
        "role",
        envvar="BISTAND_ROLE",
        type=click.Choice([r.value for r in ActorRole]),
        default=None,
        help="The role you act in (roll), one of your own; needed only if you have several. Env BISTAND_ROLE.",
    )(func)
    return click.option("--actor", hidden=True, help="Must be your own user name (BISTAND_USER).")(func)


def write_options(func: F) -> F:
    """``--expected-version`` (optimistic concurrency) and ``--json`` for every write command."""
    func = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")(func)
    func = click.option(
        "--expected-version",
        type=int,
        default=None,
        help="The household version you looked at (from `household show`); refuse if it changed since.",
    )(func)
    return actor_options(func)


def make_actor(actor: str | None = None, role: str | None = None) -> Actor:
    """The actor a write command records: the registered user and role resolved before the command ran.

    ``actor``/``role`` are the command's ``--actor``/``--actor-role`` values; they were checked against the user
    register and the role matrix already (``cli/access.py``), so they cannot change who is recorded.
    """
    state = invocation()
    if state.actor is None:  # a command invoked without the root group (its own tests): check it now
        from bistand_es.cli.access import authorise

        authorise(click.get_current_context())
    if state.actor is None:
        raise NotAuthorised("who is acting? set BISTAND_USER to your user name")
    if state.actor.role == ActorRole.AUDITOR.value:  # never reached through the matrix: a second lock
        raise NotAuthorised("a revisor (auditor) can read and verify, not record events")
    return state.actor


@dataclass
class Invocation:
    """What one command reads once and passes on (docs/adr/0004-configuration.md): settings and rules.

    Kept on the click context (``ctx.obj``), so every helper of one invocation sees the same values.
    """

    settings: Settings
    rules: dict[str | None, RuleSet] = field(default_factory=dict)
    actor: Actor | None = None  # who acts, resolved against the user register (cli/access.py)
    app: BistandApplication | None = None  # the application, opened once per command


def invocation(ctx: click.Context | None = None) -> Invocation:
    """What this command reads once: settings, rules, the acting user, the opened application."""
    return _invocation(ctx)


def _invocation(ctx: click.Context | None = None) -> Invocation:
    context = ctx or click.get_current_context(silent=True)
    root = context.find_root() if context is not None else None
    if root is not None and isinstance(root.obj, Invocation):
        return root.obj
    from bistand_es.application.config import Settings

    invocation = Invocation(Settings.from_env())
    if root is not None and root.obj is None:
        root.obj = invocation
    return invocation


def current_settings(ctx: click.Context | None = None) -> Settings:
    """The settings of this command, read from the environment once per invocation."""
    return _invocation(ctx).settings


def open_app() -> tuple[BistandApplication, Settings]:
    """The application of this command (opened on first use, then the same one)."""
    from bistand_es.application.bootstrap import bootstrap

    state = _invocation()
    if state.app is None:
        state.app = bootstrap(state.settings)
    return state.app, state.settings


def override_directory(parameters: str | None) -> Path | None:
    """``--parameters DIR`` if given (must exist), else ``$BISTAND_HOME/parameters`` if that exists."""
    if parameters is not None:
        path = Path(parameters)
        if not path.is_dir():
            raise InvalidInput(f"--parameters: {parameters!r} is not a directory")
        return path
    candidate = current_settings().parameters_dir
    return candidate if candidate.is_dir() else None


def load_rules(parameters: str | None = None) -> RuleSet:
    """The rule set every command calculates with: shipped parameters + the municipality's overrides.

    Read once per invocation: a second call in the same command returns the same rule set.
    """
    from bistand_es.domain.rules.rule_set import load_rule_set

    cache = _invocation().rules
    if parameters not in cache:
        cache[parameters] = load_rule_set(override_directory(parameters))
    return cache[parameters]


def resolve_household(app: BistandApplication, text: str) -> UUID:
    """A household id, or an unambiguous prefix of one (at least 8 characters)."""
    text = text.strip().lower()
    try:
        return UUID(text)
    except ValueError:
        pass
    if len(text) < 8 or any(c not in "0123456789abcdef-" for c in text):
        raise NotFound(f"unknown household {text!r}: give the household id (or its first 8+ characters)")
    matches = [row["household_id"] for row in app.households_with_prefix(text)]
    if len(matches) == 1:
        return UUID(matches[0])
    if not matches:
        raise NotFound(f"unknown household {text}")
    raise InvalidInput(f"household id {text} is ambiguous ({len(matches)} households); give more characters")


def person_id(text: str, *, today: date | None = None) -> str:
    """Validate a personnummer/samordningsnummer/dossiernummer/reservnummer; return its canonical form."""
    from bistand_es.domain.identifiers import parse_person_id

    return parse_person_id(text, today=today or date.today()).canonical


def parse_day(value: str | None, field: str) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{field}: {value!r} is not a date; write it as YYYY-MM-DD") from None


def parse_moment(value: str, field: str) -> datetime:
    """An ISO time as ``history`` prints it; without a zone it is Swedish time (see domain/moments.py)."""
    from bistand_es.domain.moments import parse_moment as parse

    return parse(value, field)


def refresh_read_model(app: BistandApplication, settings: Settings) -> None:
    """Bring the DuckDB read model up to date after a write (read-your-writes for the next report).

    Call it explicitly after a write. Skipped when ``BISTAND_NO_PROJECTION=1``, when the read side is not
    installed or when another process is projecting. It never fails the command: the events are recorded
    already, so a read model that cannot be updated is a warning on standard error, not an error.
    """
    if os.environ.get("BISTAND_NO_PROJECTION") == "1":
        return
    try:
        from bistand_es.projections.projector import catch_up  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return
    from bistand_es.cli.main import store_error

    try:
        catch_up(app, settings)
    except (BistandError, OSError) as error:
        _read_model_warning(str(error))
    except Exception as error:
        translated = store_error(error)
        if translated is None:
            raise
        _read_model_warning(str(translated))


def _read_model_warning(problem: str) -> None:
    from bistand_es.cli.guard import error_line

    line = error_line(problem).removeprefix("error: ")
    click.echo(
        f"warning: recorded, but the read model was not updated ({line}); run `bistand projections update`", err=True
    )


def report_recorded(recorded: Recorded, as_json: bool, message: str) -> None:
    """Print what a write command recorded (event, position, version), or ``--json``. Prints only."""
    data = recorded.as_dict()
    if as_json:
        click.echo(to_json(data))
        return
    click.echo(message)
    click.echo(
        f"  recorded {', '.join(recorded.event_types)} at position {data['position']}"
        f" (household {recorded.household_id}, version {recorded.version})"
    )


def emit_record(record: dict[str, Any], as_json: bool) -> None:
    click.echo(render_record(record, "json" if as_json else "table"))
