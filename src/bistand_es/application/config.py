"""Configuration from the environment: where the data lives and which event store to use.

- ``BISTAND_HOME``: the data directory (default ``./bistand-data``) holding ``events.sqlite``,
  ``reports.duckdb`` and an optional ``parameters/`` directory of local rule parameters.
- ``BISTAND_DATABASE_URL``: ``postgresql://user:password@host:port/dbname`` switches the event store to
  PostgreSQL; ``memory:`` keeps events in memory (tests and demos only).
- ``BISTAND_USER``: who is acting (default: the operating system login), a user of the store's user register;
  ``BISTAND_ROLE``: which of that user's roles they act in (needed only by a user with several roles; the CLI's
  ``--actor-role`` does the same). Neither can make anyone another user or give them a role they lack
  (docs/security.md).
- Four-eyes on payments (docs/security.md), from ``BISTAND_HOME/security.yaml`` (keys ``self_payment_above``
  and ``payment_approval_above``), an environment variable overriding the file:
  ``BISTAND_SELF_PAYMENT_ABOVE`` (default 0: nobody pays a month they decided) and
  ``BISTAND_PAYMENT_APPROVAL_ABOVE`` (default none: no second approval needed; a payment above it needs one).
- ``BISTAND_LOCK_TIMEOUT``: seconds a write waits for another process's lock on the event store (default 10)
  before it stops with "locked by another process; try again".

The CLI reads these once per command into a :class:`Settings` and passes it on (docs/adr/0004-configuration.md).
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from bistand_es.domain.errors import BistandError, ConfigurationError

DEFAULT_HOME = "./bistand-data"
DEFAULT_LOCK_TIMEOUT = 10
MAX_LOCK_TIMEOUT = 3600
SECURITY_FILE = "security.yaml"
SECURITY_KEYS = {
    "self_payment_above": "BISTAND_SELF_PAYMENT_ABOVE",
    "payment_approval_above": "BISTAND_PAYMENT_APPROVAL_ABOVE",
}


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str | None = None
    lock_timeout: int = DEFAULT_LOCK_TIMEOUT  # seconds
    user: str | None = None  # BISTAND_USER; None: the operating system login
    role: str | None = None  # BISTAND_ROLE; None: the user's only role
    self_payment_above: Decimal = Decimal("0.00")  # four-eyes: pay a month you decided only up to this aid
    payment_approval_above: Decimal | None = None  # four-eyes: a payment above needs a second approval

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        url = env.get("BISTAND_DATABASE_URL") or None
        home = Path(env.get("BISTAND_HOME") or DEFAULT_HOME)
        security = _security_file(home / SECURITY_FILE)
        limits = {key: env.get(var) or security.get(key) for key, var in SECURITY_KEYS.items()}
        approval = limits["payment_approval_above"]
        return cls(
            home=home,
            database_url=url,
            lock_timeout=_lock_timeout(env.get("BISTAND_LOCK_TIMEOUT")),
            user=(env.get("BISTAND_USER") or "").strip() or None,
            role=(env.get("BISTAND_ROLE") or "").strip() or None,
            self_payment_above=_limit(limits["self_payment_above"], "self_payment_above") or Decimal("0.00"),
            payment_approval_above=None if approval in (None, "") else _limit(approval, "payment_approval_above"),
        )

    def acting_user(self) -> str:
        """The user name commands run under: BISTAND_USER, else the operating system login."""
        if self.user:
            return self.user
        try:
            return getpass.getuser()
        except (OSError, KeyError):
            raise ConfigurationError("who is acting? set BISTAND_USER (no operating system login was found)") from None

    @property
    def backend(self) -> str:
        if self.database_url is None:
            return "sqlite"
        if self.database_url.startswith("memory"):
            return "memory"
        if self.database_url.startswith(("postgresql://", "postgres://")):
            return "postgres"
        raise ConfigurationError("BISTAND_DATABASE_URL must start with postgresql:// (or be memory: for tests)")

    @property
    def events_path(self) -> Path:
        return self.home / "events.sqlite"

    @property
    def reports_path(self) -> Path:
        return self.home / "reports.duckdb"

    @property
    def parameters_dir(self) -> Path:
        return self.home / "parameters"

    def ensure_home(self) -> None:
        try:
            self.home.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ConfigurationError(f"cannot create BISTAND_HOME {self.home}: {error.strerror}") from None

    def event_store_env(self) -> dict[str, str]:
        """The eventsourcing library's environment for the chosen backend."""
        backend = self.backend
        if backend == "memory":
            return {"PERSISTENCE_MODULE": "eventsourcing.popo"}
        if backend == "sqlite":
            self.ensure_home()
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(self.events_path),
                "SQLITE_LOCK_TIMEOUT": str(self.lock_timeout),
            }
        parts = urlsplit(self.database_url or "")
        if not parts.path.strip("/"):
            raise ConfigurationError("BISTAND_DATABASE_URL names no database (postgresql://…/dbname)")
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": unquote(parts.path.lstrip("/")),
            "POSTGRES_HOST": parts.hostname or "localhost",
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": unquote(parts.username or os.environ.get("USER", "postgres")),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
            "POSTGRES_CONNECT_TIMEOUT": "5",
            # A write waiting for another writer's table lock gives up after this many seconds (then one line:
            # "locked by another process; try again") instead of waiting for ever.
            "POSTGRES_LOCK_TIMEOUT": str(self.lock_timeout),
        }

    def describe(self) -> str:
        if self.backend == "sqlite":
            return f"SQLite {self.events_path}"
        if self.backend == "memory":
            return "in-memory store"
        parts = urlsplit(self.database_url or "")
        return f"PostgreSQL {parts.hostname}:{parts.port or 5432}/{parts.path.lstrip('/')}"


def _lock_timeout(text: str | None) -> int:
    if text is None or not text.strip():
        return DEFAULT_LOCK_TIMEOUT
    try:
        seconds = int(text.strip())
    except ValueError:
        raise ConfigurationError(f"BISTAND_LOCK_TIMEOUT: {text[:20]!r} is not a whole number of seconds") from None
    if not 1 <= seconds <= MAX_LOCK_TIMEOUT:
        raise ConfigurationError(f"BISTAND_LOCK_TIMEOUT: {seconds} is outside 1–{MAX_LOCK_TIMEOUT} seconds")
    return seconds


def _security_file(path: Path) -> dict[str, Any]:
    """The four-eyes limits of ``BISTAND_HOME/security.yaml`` (an absent file is no limits set)."""
    if not path.is_file():
        return {}
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeError, yaml.YAMLError) as error:
        raise ConfigurationError(f"{path}: cannot be read as YAML ({type(error).__name__})") from None
    if data is None:
        return {}
    if not isinstance(data, dict) or not set(data) <= set(SECURITY_KEYS):
        allowed = ", ".join(SECURITY_KEYS)
        raise ConfigurationError(f"{path}: a mapping with only the keys {allowed}")
    return data


def _limit(value: object, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    from bistand_es.domain.money import Money

    try:
        return Money.of(str(value) if isinstance(value, int) else value, field=field).require_non_negative(field).amount
    except BistandError as error:
        raise ConfigurationError(str(error)) from None
