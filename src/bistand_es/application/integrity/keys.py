"""The audit key(s) that sign the hash chains (HMAC-SHA-256), read from the environment.

- ``BISTAND_AUDIT_KEY``: the key itself (at least 16 characters; 32 random bytes as hex is a good key).
- ``BISTAND_AUDIT_KEY_FILE``: a file holding the key on its first line; further lines are earlier keys, kept so
  that events signed before a rotation still verify (blank lines and lines starting with ``#`` are skipped).

Set one of the two, not both. Without either, chains are plain SHA-256: they show accidental damage and naive
edits, but someone with write access to the database can recompute them (docs/adr/0020-tamper-evidence.md).
Each key is known in the store only by its *key id*, a short digest that does not reveal the key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bistand_es.domain.errors import ConfigurationError

KEY_ENV = "BISTAND_AUDIT_KEY"
KEY_FILE_ENV = "BISTAND_AUDIT_KEY_FILE"
MIN_KEY_LENGTH = 16


def key_id(key: bytes) -> str:
    """The public name of a key: 8 hex digits of a domain-separated SHA-256 (not enough to guess the key)."""
    return hashlib.sha256(b"bistand-audit-key-id\x00" + key).hexdigest()[:8]


@dataclass(frozen=True)
class AuditKeys:
    """The current signing key (None: chains are unsigned) and every key that may verify a signature."""

    current: bytes | None = None
    known: Mapping[str, bytes] = field(default_factory=dict)

    @classmethod
    def of(cls, *keys: bytes) -> AuditKeys:
        """The first key signs; all of them verify."""
        return cls(current=keys[0] if keys else None, known={key_id(k): k for k in keys})

    @property
    def current_id(self) -> str:
        return key_id(self.current) if self.current is not None else ""

    def get(self, kid: str) -> bytes | None:
        return self.known.get(kid)


def load_audit_keys(env: Mapping[str, str]) -> AuditKeys:
    """The audit keys named by the environment (:class:`ConfigurationError` when they cannot be used)."""
    text = (env.get(KEY_ENV) or "").strip()
    path = (env.get(KEY_FILE_ENV) or "").strip()
    if text and path:
        raise ConfigurationError(f"set {KEY_ENV} or {KEY_FILE_ENV}, not both")
    if text:
        return AuditKeys.of(_checked(text, KEY_ENV))
    if not path:
        return AuditKeys()
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeError) as error:
        reason = getattr(error, "strerror", None) or "not UTF-8 text"
        raise ConfigurationError(f"{KEY_FILE_ENV}: cannot read {path}: {reason}") from None
    keys = [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]
    if not keys:
        raise ConfigurationError(f"{KEY_FILE_ENV}: {path} holds no key")
    return AuditKeys.of(*(_checked(k, f"{KEY_FILE_ENV} {path}") for k in keys))


def _checked(text: str, source: str) -> bytes:
    if len(text) < MIN_KEY_LENGTH:
        raise ConfigurationError(f"{source}: an audit key needs at least {MIN_KEY_LENGTH} characters")
    return text.encode("utf-8")
