"""Configuration from the environment: where the data lives and which event store to use.

- ``BISTAND_HOME``: the data directory (default ``./bistand-data``) holding ``events.sqlite``,
  ``reports.duckdb`` and an optional ``parameters/`` directory of local rule parameters.
- ``BISTAND_DATABASE_URL``: ``postgresql://user:password@host:port/dbname`` switches the event store to
  PostgreSQL; ``memory:`` keeps events in memory (tests and demos only).
- ``BISTAND_USER`` / ``BISTAND_ROLE``: who is acting, when the CLI's ``--actor``/``--role`` are not given.
- ``BISTAND_LOCK_TIMEOUT``: seconds a write waits for another process's lock on the event store (default 10)
  before it stops with "locked by another process; try again".

The CLI reads these once per command into a :class:`Settings` and passes it on (docs/adr/0004-configuration.md).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bistand_es.domain.errors import ConfigurationError

DEFAULT_HOME = "./bistand-data"
DEFAULT_LOCK_TIMEOUT = 10
MAX_LOCK_TIMEOUT = 3600


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str | None = None
    lock_timeout: int = DEFAULT_LOCK_TIMEOUT  # seconds

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        url = env.get("BISTAND_DATABASE_URL") or None
        return cls(
            home=Path(env.get("BISTAND_HOME") or DEFAULT_HOME),
            database_url=url,
            lock_timeout=_lock_timeout(env.get("BISTAND_LOCK_TIMEOUT")),
        )

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
