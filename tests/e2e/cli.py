"""Run the real `bistand` CLI in-process against a data directory (no mocks).

On its first command that needs a user, a runner registers the test users in the store's user register (once per
data directory and event store): each has one role, so no test needs ``--actor-role`` and nobody can act as
someone else (docs/security.md).

A runner made without ``user=`` acts as ``anna`` (handläggare), except for a command the role matrix does not
let a handläggare run: that runs as the first test user whose role may (``pay`` as ``erik``, the ekonom; ``users
add`` as ``admin``), so a story reads like the office works. A test that names ``user=`` gets exactly that user.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any, Final

from click.testing import CliRunner, Result

from bistand_es.cli.main import cli

#: The users of the tests and their one role each.
USERS: Final = {
    "admin": "administrator",
    "anna": "handlaggare",
    "berit": "handlaggare",
    "cecilia": "enhetschef",
    "ulf": "utskott",
    "erik": "ekonom",
    "elsa": "ekonom",
    "rut": "revisor",
    "batch": "system",
}

#: Commands that touch no event store: running them does not register the users (nor create a store).
_NO_STORE: Final = ("calc", "rules", "--help", "-h", "--version", "init")

_ready: set[tuple[str, str]] = set()


def register_users(home: Path, database_url: str = "", users: dict[str, str] | None = None) -> None:
    """Register ``users`` (default :data:`USERS`) in the store of ``home``/``database_url``, first admin first."""
    from bistand_es.application.bootstrap import bootstrap
    from bistand_es.application.config import Settings
    from bistand_es.application.users import add_user, load_register
    from bistand_es.domain.records import Actor

    wanted = users if users is not None else USERS
    app = bootstrap(Settings.from_env({"BISTAND_HOME": str(home), "BISTAND_DATABASE_URL": database_url}))
    try:
        register = load_register(app)
        present = set(register.users) if register is not None else set()
        admin = Actor("admin", "administrator")
        if register is None and "admin" not in wanted:
            add_user(app, actor=admin, name="admin", role="administrator")
            present.add("admin")
        for name in sorted(wanted, key=lambda n: n != "admin"):
            if name not in present:
                add_user(app, actor=admin, name=name, role=wanted[name])
    finally:
        app.close()


def user_for(args: tuple[str, ...] | list[str], preferred: str = "anna") -> str:
    """``preferred`` if the role matrix lets them run the command of ``args``, else the first test user who may."""
    from bistand_es.application.authorisation import MATRIX

    path = " ".join(args[:2]) if " ".join(args[:2]) in MATRIX else (args[0] if args else "")
    allowed = {role.value for role in MATRIX.get(path, frozenset())}
    if not allowed or USERS.get(preferred) in allowed:
        return preferred
    return next((name for name, role in USERS.items() if role in allowed), preferred)


class Bistand:
    def __init__(self, home: Path, user: str | None = None, *, users: bool = True, **env: str) -> None:
        self.home = home
        self.chosen_user = user is not None
        self.env = {
            "BISTAND_HOME": str(home),
            "BISTAND_USER": user if user is not None else "anna",
            "BISTAND_ROLE": "",
            "BISTAND_DATABASE_URL": "",
            "BISTAND_NO_PROJECTION": "1",
            **env,
        }
        self.users = users
        self.runner = CliRunner()

    def register_users(self) -> None:
        """Register :data:`USERS` now (done before the first command that needs them anyway)."""
        key = (str(self.home), self.env.get("BISTAND_DATABASE_URL", ""))
        # A PostgreSQL test may empty its database between runners: look again there; a SQLite file says itself.
        if key not in _ready or key[1] or not (self.home / "events.sqlite").exists():
            register_users(self.home, key[1])
            _ready.add(key)

    def run(self, *args: str, user: str | None = None, input: str | None = None) -> Result:
        if self.users and args and args[0] not in _NO_STORE:
            # A store a test made unusable on purpose: the command itself reports it.
            with contextlib.suppress(Exception):
                self.register_users()
        env = dict(self.env)
        if user:
            env["BISTAND_USER"] = user
        elif not self.chosen_user:
            env["BISTAND_USER"] = user_for(args, env["BISTAND_USER"])
        return self.runner.invoke(cli, list(args), env=env, input=input, catch_exceptions=False)

    def ok(self, *args: str, user: str | None = None) -> Result:
        result = self.run(*args, user=user)
        assert result.exit_code == 0, f"{args}: {result.output}"
        return result

    def json(self, *args: str, user: str | None = None) -> Any:
        return json.loads(self.ok(*args, "--json", user=user).stdout)

    def digest(self) -> tuple[int, str]:
        """The event store's digest (:func:`tests.conftest.store_digest`): equal digests, nothing recorded."""
        from bistand_es.application.app import BistandApplication
        from bistand_es.application.config import Settings
        from tests.conftest import store_digest

        url = self.env["BISTAND_DATABASE_URL"] or None
        return store_digest(BistandApplication(env=Settings(home=self.home, database_url=url).event_store_env()))

    def refused(self, text: str, *args: str, code: int | None = None) -> Result:
        """Run a command that must be refused: one clean ``error:`` line containing ``text``, a non-zero exit (or
        exactly ``code``), no traceback, and nothing recorded."""
        before = self.digest()
        result = self.run(*args)
        if code is None:
            assert result.exit_code != 0, f"{args}: {result.output}"
        else:
            assert result.exit_code == code, f"{args}: {result.output}"
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
        assert text in lines[0], lines[0]
        assert "Traceback" not in result.output
        assert self.digest() == before
        return result


def on_backend(backend: str, home: Path) -> Bistand:
    """A runner on the embedded default (``sqlite``) or on the test PostgreSQL database, emptied first
    (skips when ``BISTAND_TEST_POSTGRES_URL`` is not set)."""
    if backend == "postgres":
        from tests.conftest import postgres_url_or_skip, reset_postgres

        url = postgres_url_or_skip()
        reset_postgres(url)
        return Bistand(home, BISTAND_DATABASE_URL=url)
    return Bistand(home)
