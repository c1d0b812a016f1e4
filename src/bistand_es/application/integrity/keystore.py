"""The key store: one AES-256 key per household, kept apart from the events it protects.

- SQLite event store: its own file ``keys.sqlite`` next to ``events.sqlite`` (back it up separately);
- PostgreSQL event store: the table ``bistand_keys`` (grant it to the application role only; back it up
  separately, e.g. ``pg_dump -t bistand_keys``);
- in-memory event store: keys in memory.

Deleting a household's key (gallring by crypto-shredding) makes its personal fields unreadable in every copy of
the event store, backups included, while amounts, months and codes stay readable. The store also keeps the
mark that a key was deleted, so a missing key (a key store that does not go with the event store) is an error
and not mistaken for gallring.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, Protocol

from bistand_es.domain.errors import ConfigurationError

KEY_BYTES: Final = 32
KEYS_FILE: Final = "keys.sqlite"


class KeyStore(Protocol):
    def key(self, owner: str, *, create: bool) -> bytes | None:
        """The key of ``owner`` (a household id): a new one when ``create`` and none exists yet; None when it was
        shredded (the household is disposed of). :class:`ConfigurationError` when it is missing (a key store that
        does not go with this event store) or when ``create`` asks to seal for a disposed household."""

    def shred(self, owner: str) -> bool:
        """Delete the key of ``owner``, leaving a mark that it was deleted; False when there was none."""


def missing(owner: str) -> ConfigurationError:
    return ConfigurationError(
        f"the key of household {owner} is not in the key store: restore the key store ({KEYS_FILE} or the table "
        "bistand_keys) from the backup that goes with this event store"
    )


def disposed(owner: str) -> ConfigurationError:
    return ConfigurationError(f"household {owner} is disposed of (gallrad): nothing more can be recorded for it")


class _Store:
    """Caches keys; the database subclasses say where they live (a shredded key leaves this cache too)."""

    def __init__(self) -> None:
        self._cache: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def key(self, owner: str, *, create: bool) -> bytes | None:
        cached = self._cache.get(owner)
        if cached is not None:
            return cached
        with self._lock:
            known, found = self._select(owner)
            if not known:
                if not create:
                    raise missing(owner)
                self._insert(owner, os.urandom(KEY_BYTES))
                known, found = self._select(owner)  # another process may have won the race: use its key
            if found is None:  # shredded
                if create:
                    raise disposed(owner)
                return None
            self._cache[owner] = found
            return found

    def shred(self, owner: str) -> bool:
        with self._lock:
            self._cache.pop(owner, None)
            return self._shred(owner)

    def _select(self, owner: str) -> tuple[bool, bytes | None]:
        """Whether the store knows ``owner``, and its key (None: shredded)."""
        raise NotImplementedError

    def _insert(self, owner: str, key: bytes) -> None:
        raise NotImplementedError

    def _shred(self, owner: str) -> bool:
        raise NotImplementedError


class MemoryKeyStore(_Store):
    def __init__(self) -> None:
        super().__init__()
        self._keys: dict[str, bytes | None] = {}

    def _select(self, owner: str) -> tuple[bool, bytes | None]:
        return owner in self._keys, self._keys.get(owner)

    def _insert(self, owner: str, key: bytes) -> None:
        self._keys.setdefault(owner, key)

    def _shred(self, owner: str) -> bool:
        if self._keys.get(owner) is None:
            return False
        self._keys[owner] = None
        return True


class SQLiteKeyStore(_Store):
    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self._local = threading.local()

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            try:
                db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("CREATE TABLE IF NOT EXISTS bistand_keys (owner TEXT PRIMARY KEY, key BLOB)")
            except sqlite3.Error as error:
                raise ConfigurationError(f"cannot open the key store {self.path}: {error}") from None
            self._local.db = db
        return db

    def _select(self, owner: str) -> tuple[bool, bytes | None]:
        row = self._db().execute("SELECT key FROM bistand_keys WHERE owner = ?", (owner,)).fetchone()
        return row is not None, bytes(row[0]) if row is not None and row[0] is not None else None

    def _insert(self, owner: str, key: bytes) -> None:
        self._db().execute("INSERT OR IGNORE INTO bistand_keys (owner, key) VALUES (?, ?)", (owner, key))

    def _shred(self, owner: str) -> bool:
        sql = "UPDATE bistand_keys SET key = NULL WHERE owner = ? AND key IS NOT NULL"
        return self._db().execute(sql, (owner,)).rowcount > 0


class PostgresKeyStore(_Store):
    def __init__(self, conninfo: Mapping[str, Any]) -> None:
        super().__init__()
        self._conninfo = dict(conninfo)
        self._local = threading.local()

    def _db(self) -> Any:
        db = getattr(self._local, "db", None)
        if db is None or db.closed:
            import psycopg  # only with a PostgreSQL event store

            try:
                db = psycopg.connect(**self._conninfo, autocommit=True)
                with db.transaction():  # many processes starting at once must not race to create the table
                    db.execute("SELECT pg_advisory_xact_lock(hashtext('bistand_keys'))")
                    db.execute("CREATE TABLE IF NOT EXISTS bistand_keys (owner TEXT PRIMARY KEY, key BYTEA)")
            except psycopg.Error as error:
                raise ConfigurationError(f"cannot open the key store table bistand_keys: {error}") from None
            self._local.db = db
        return db

    def _select(self, owner: str) -> tuple[bool, bytes | None]:
        row = self._db().execute("SELECT key FROM bistand_keys WHERE owner = %s", (owner,)).fetchone()
        return row is not None, bytes(row[0]) if row is not None and row[0] is not None else None

    def _insert(self, owner: str, key: bytes) -> None:
        self._db().execute(
            "INSERT INTO bistand_keys (owner, key) VALUES (%s, %s) ON CONFLICT (owner) DO NOTHING", (owner, key)
        )

    def _shred(self, owner: str) -> bool:
        sql = "UPDATE bistand_keys SET key = NULL WHERE owner = %s AND key IS NOT NULL"
        return bool(self._db().execute(sql, (owner,)).rowcount > 0)


def open_key_store(env: Mapping[str, str]) -> KeyStore:
    """The key store that goes with the event store the environment names (the application's env)."""
    module = env.get("PERSISTENCE_MODULE", "")
    if module.endswith("sqlite"):
        dbname = env.get("SQLITE_DBNAME", "")
        if not dbname or ":memory:" in dbname or "mode=memory" in dbname:
            return MemoryKeyStore()
        return SQLiteKeyStore(Path(dbname).parent / KEYS_FILE)
    if module.endswith("postgres"):
        return PostgresKeyStore(
            {
                "dbname": env.get("POSTGRES_DBNAME", ""),
                "host": env.get("POSTGRES_HOST", "localhost"),
                "port": env.get("POSTGRES_PORT", "5432"),
                "user": env.get("POSTGRES_USER", ""),
                "password": env.get("POSTGRES_PASSWORD", ""),
                "connect_timeout": env.get("POSTGRES_CONNECT_TIMEOUT", "5"),
            }
        )
    return MemoryKeyStore()
