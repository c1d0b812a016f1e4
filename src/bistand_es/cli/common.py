"""Options and helpers shared by the case-work commands (actor, household id, output of a write)."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

import click

from bistand_es.cli.output import render_record, to_json
from bistand_es.domain.errors import InvalidInput, NotAuthorised, NotFound
from bistand_es.domain.records import Actor
from bistand_es.domain.vocabulary import ActorRole

if TYPE_CHECKING:
    from bistand_es.application.app import BistandApplication, Recorded
    from bistand_es.application.config import Settings
    from bistand_es.domain.rules.rule_set import RuleSet

F = TypeVar("F", bound=Callable[..., Any])


def actor_options(func: F) -> F:
    """``--actor`` and ``--actor-role``: who records the event (defaults: BISTAND_USER, BISTAND_ROLE)."""
    func = click.option(
        "--actor-role",
        "role",
        envvar="BISTAND_ROLE",
        type=click.Choice([r.value for r in ActorRole]),
        default=ActorRole.CASEWORKER.value,
        show_default=True,
        help="Your role (roll); env BISTAND_ROLE.",
    )(func)
    return click.option("--actor", envvar="BISTAND_USER", help="Your user id (användar-id); env BISTAND_USER.")(func)


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


def make_actor(actor: str | None, role: str) -> Actor:
    """The actor of a write command; an auditor (revisor) reads but never records."""
    if not actor or not actor.strip():
        raise InvalidInput("who is acting? pass --actor USER or set BISTAND_USER")
    if role == ActorRole.AUDITOR.value:
        raise NotAuthorised("a revisor (auditor) can read and verify, not record events; use your case-work role")
    return Actor(user=actor.strip(), role=role)


def open_app() -> tuple[BistandApplication, Settings]:
    from bistand_es.application.bootstrap import bootstrap
    from bistand_es.application.config import Settings

    settings = Settings.from_env()
    return bootstrap(settings), settings


def override_directory(parameters: str | None) -> Path | None:
    """``--parameters DIR`` if given (must exist), else ``$BISTAND_HOME/parameters`` if that exists."""
    if parameters is not None:
        path = Path(parameters)
        if not path.is_dir():
            raise InvalidInput(f"--parameters: {parameters!r} is not a directory")
        return path
    from bistand_es.application.config import Settings

    candidate = Settings.from_env().parameters_dir
    return candidate if candidate.is_dir() else None


def load_rules(parameters: str | None = None) -> RuleSet:
    """The rule set every command calculates with: shipped parameters + the municipality's overrides."""
    from bistand_es.domain.rules.rule_set import load_rule_set

    return load_rule_set(override_directory(parameters))


def resolve_household(app: BistandApplication, text: str) -> UUID:
    """A household id, or an unambiguous prefix of one (at least 8 characters)."""
    text = text.strip().lower()
    try:
        return UUID(text)
    except ValueError:
        pass
    if len(text) < 8 or any(c not in "0123456789abcdef-" for c in text):
        raise NotFound(f"unknown household {text!r}: give the household id (or its first 8+ characters)")
    matches = [row["household_id"] for row in app.list_households() if row["household_id"].startswith(text)]
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
    """An ISO time; without a time zone it is read as this machine's local time."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{field}: {value!r} is not a time; write e.g. 2021-03-05T14:30") from None
    return moment.astimezone() if moment.tzinfo is None else moment


def refresh_read_model(app: BistandApplication, settings: Settings) -> None:
    """Bring the DuckDB read model up to date after a write (read-your-writes for the next report).

    Skipped silently when the read side is not installed or another process is projecting.
    """
    if os.environ.get("BISTAND_NO_PROJECTION") == "1":
        return
    try:
        from bistand_es.projections.projector import catch_up  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return
    catch_up(app, settings)


def emit_recorded(recorded: Recorded, as_json: bool, message: str, app: BistandApplication, settings: Settings) -> None:
    """Print what a write command recorded (event, position, version), then refresh the read model."""
    refresh_read_model(app, settings)
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
