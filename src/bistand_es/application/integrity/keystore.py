"""The key store: one AES-256 key per household, kept apart from the events it protects.

- SQLite event store: its own file ``keys.sqlite`` next to ``events.sqlite`` (back it up separately);
- PostgreSQL event store: the table ``bistand_keys`` (grant it to the application role only; back it up
  separately, e.g. ``pg_dump -t bistand_keys -t bistand_pseudonyms``);
- in-memory event store: keys in memory.

Deleting a household's key (gallring by crypto-shredding) makes its personal fields unreadable in every copy of
the event store, backups included, while amounts, months and codes stay readable. The store also keeps the
mark that a key was deleted, so a missing key (a key store that does not go with the event store) is an error
and not mistaken for gallring.

The key store also holds what the read model's pseudonyms need (``application/integrity/pseudonyms.py``): the
secret the pseudonyms are computed with (a row of the keys table, owner :data:`SECRET_OWNER`) and the table
``bistand_pseudonyms`` (pseudonym, household id, the identity number sealed with that household's key), through
which an authorised role resolves a pseudonym. Neither is in the event store or in ``reports.duckdb``.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any, Final, Protocol

from bistand_es.domain.errors import ConfigurationError

KEY_BYTES: Final = 32
KEYS_FILE: Final = "keys.sqlite"
#: The owner under which the pseudonym secret is kept in the keys table (never a household id: those are UUIDs).
SECRET_OWNER: Final = "pseudonym-secret"  # noqa: S105 - a row name, not a secret

#: A resolution row: (pseudonym, household id, the identity number sealed with the household's key; None once
#: the household is disposed of).
Resolution = tuple[str, str, str | None]


class KeyStore(Protocol):
    def key(self, owner: str, *, create: bool) -> bytes | None:
        """The key of ``owner`` (a household id): a new one when ``create`` and none exists yet; None when it was
        shredded (the household is disposed of). :class:`ConfigurationError` when it is missing (a key store that
        does not go with this event store) or when ``create`` asks to seal for a disposed household."""

    def shred(self, owner: str) -> bool:
        """Delete the key of ``owner``, leaving a mark that it was deleted; False when there was none."""

    def pseudonym_secret(self) -> bytes:
        """The secret the read model's pseudonyms are computed with (created on first use)."""

    def remember(self, rows: Iterable[Resolution]) -> None:
        """Keep resolution rows (one transaction; a (pseudonym, household) already kept is left as it is)."""

    def resolutions(self, pseudonyms: Collection[str]) -> list[Resolution]:
        """The resolution rows of ``pseudonyms``, in one lookup."""

    def forget(self, household_id: str) -> int:
        """Blank the sealed identities of a household's resolution rows (the rows stay as the mark that it was
        disposed of); the number of rows blanked."""


#: The resolution table (the same text on SQLite and PostgreSQL).
_PSEUDONYMS_TABLE: Final = (
    "CREATE TABLE IF NOT EXISTS bistand_pseudonyms (pseudonym TEXT NOT NULL, household_id TEXT NOT NULL, "
    "sealed_identity TEXT, PRIMARY KEY (pseudonym, household_id))"
)
_LOOKUP_CHUNK: Final = 500


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

    def pseudonym_secret(self) -> bytes:
        secret = self.key(SECRET_OWNER, create=True)
        if secret is None:  # pragma: no cover - nobody shreds the secret
            raise ConfigurationError("the pseudonym secret of the key store was deleted")
        return secret

    def remember(self, rows: Iterable[Resolution]) -> None:
        pending = list(rows)
        if pending:
            with self._lock:
                self._remember(pending)

    def resolutions(self, pseudonyms: Collection[str]) -> list[Resolution]:
        wanted = sorted(set(pseudonyms))
        return self._resolutions(wanted) if wanted else []

    def forget(self, household_id: str) -> int:
        with self._lock:
            return self._forget(household_id)

    def _select(self, owner: str) -> tuple[bool, bytes | None]:
        """Whether the store knows ``owner``, and its key (None: shredded)."""
        raise NotImplementedError

    def _remember(self, rows: list[Resolution]) -> None:
        raise NotImplementedError

    def _resolutions(self, pseudonyms: list[str]) -> list[Resolution]:
        raise NotImplementedError

    def _forget(self, household_id: str) -> int:
        raise NotImplementedError

    def _insert(self, owner: str, key: bytes) -> None:
        raise NotImplementedError

    def _shred(self, owner: str) -> bool:
        raise NotImplementedError


class MemoryKeyStore(_Store):
    def __init__(self) -> None:
        super().__init__()
        self._keys: dict[str, bytes | None] = {}
        self._pseudonyms: dict[tuple[str, str], str | None] = {}

    def _remember(self, rows: list[Resolution]) -> None:
        for pseudonym, household, sealed in rows:
            self._pseudonyms.setdefault((pseudonym, household), sealed)

    def _resolutions(self, pseudonyms: list[str]) -> list[Resolution]:
        wanted = set(pseudonyms)
        return sorted((p, h, sealed) for (p, h), sealed in self._pseudonyms.items() if p in wanted)

    def _forget(self, household_id: str) -> int:
        found = [key for key, sealed in self._pseudonyms.items() if key[1] == household_id and sealed is not None]
        for key in found:
            self._pseudonyms[key] = None
        return len(found)

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
                db.execute("PRAGMA secure_delete=ON")  # a shredded key's bytes are overwritten, not left in free space
                db.execute("CREATE TABLE IF NOT EXISTS bistand_keys (owner TEXT PRIMARY KEY, key BLOB)")
                db.execute(_PSEUDONYMS_TABLE)
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
        shredded = self._db().execute(sql, (owner,)).rowcount > 0
        if shredded:  # gallring: the old page (in the file and the write-ahead log) must not keep the key
            self._db().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return shredded

    def _remember(self, rows: list[Resolution]) -> None:
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany(
                "INSERT OR IGNORE INTO bistand_pseudonyms (pseudonym, household_id, sealed_identity) VALUES (?, ?, ?)",
                rows,
            )
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _resolutions(self, pseudonyms: list[str]) -> list[Resolution]:
        found: list[Resolution] = []
        db = self._db()
        for start in range(0, len(pseudonyms), _LOOKUP_CHUNK):  # SQLite limits the number of bound values
            chunk = pseudonyms[start : start + _LOOKUP_CHUNK]
            marks = ", ".join("?" for _ in chunk)
            found.extend(
                db.execute(
                    "SELECT pseudonym, household_id, sealed_identity FROM bistand_pseudonyms "
                    f"WHERE pseudonym IN ({marks}) ORDER BY pseudonym, household_id",
                    chunk,
                ).fetchall()
            )
        return found

    def _forget(self, household_id: str) -> int:
        sql = (
            "UPDATE bistand_pseudonyms SET sealed_identity = NULL "
            "WHERE household_id = ? AND sealed_identity IS NOT NULL"
        )
        return self._db().execute(sql, (household_id,)).rowcount


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
                    db.execute(_PSEUDONYMS_TABLE)
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
        shredded = bool(self._db().execute(sql, (owner,)).rowcount > 0)
        if shredded:  # gallring: the dead row version must not keep the key until autovacuum comes by
            self._db().execute("VACUUM bistand_keys")
        return shredded

    def _remember(self, rows: list[Resolution]) -> None:
        db = self._db()
        with db.transaction(), db.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO bistand_pseudonyms (pseudonym, household_id, sealed_identity) VALUES (%s, %s, %s) "
                "ON CONFLICT (pseudonym, household_id) DO NOTHING",
                rows,
            )

    def _resolutions(self, pseudonyms: list[str]) -> list[Resolution]:
        rows = self._db().execute(
            "SELECT pseudonym, household_id, sealed_identity FROM bistand_pseudonyms "
            "WHERE pseudonym = ANY(%s) ORDER BY pseudonym, household_id",
            (pseudonyms,),
        )
        return [(str(p), str(h), None if sealed is None else str(sealed)) for p, h, sealed in rows.fetchall()]

    def _forget(self, household_id: str) -> int:
        sql = (
            "UPDATE bistand_pseudonyms SET sealed_identity = NULL "
            "WHERE household_id = %s AND sealed_identity IS NOT NULL"
        )
        return int(self._db().execute(sql, (household_id,)).rowcount)


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
