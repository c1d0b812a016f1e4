"""Personal fields of a stored state sealed with AES-256-GCM, and opened again.

A sealed value is ``{"_enc_":"<base64 of 12-byte nonce + ciphertext + tag>"}``; the plaintext is the value's own
stored JSON, and the associated data is the id of the household whose key sealed it, so a sealed value copied into
another household's event does not open. A value whose key was shredded (gallring) opens as :data:`DISPOSED`.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Callable
from typing import Any, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bistand_es.application.integrity.classification import is_personal
from bistand_es.domain.errors import BrokenChain

SEALED: Final = "_enc_"
MARKER: Final = b'"_enc_"'
DISPOSED: Final = "[gallrad]"
NONCE_BYTES: Final = 12


def dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def seal_value(key: bytes, owner: str, value: Any) -> dict[str, str]:
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, dumps(value), owner.encode())
    return {SEALED: base64.b64encode(nonce + sealed).decode("ascii")}


def open_value(key: bytes | None, owner: str, sealed: str) -> Any:
    if key is None:
        return DISPOSED
    raw = sealed_bytes(owner, sealed)
    try:
        plain = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], owner.encode())
    except InvalidTag:
        raise BrokenChain(f"a personal field of household {owner} does not open with its key (altered?)") from None
    return json.loads(plain)


def sealed_bytes(owner: str, sealed: str) -> bytes:
    """The nonce and ciphertext of a sealed value; text that is not strict base64 was altered."""
    try:
        return base64.b64decode(sealed, validate=True)
    except (binascii.Error, ValueError):
        raise BrokenChain(f"a personal field of household {owner} is not a sealed value any more (altered?)") from None


def is_sealed(value: Any) -> bool:
    return type(value) is dict and len(value) == 1 and SEALED in value


def seal_fields(value: Any, seal: Callable[[Any], dict[str, str]]) -> tuple[Any, bool]:
    """``value`` with every personal member (by name, at any depth) sealed; and whether any was."""
    if type(value) is dict:
        if "_type_" in value:
            return value, False
        out: dict[str, Any] = {}
        any_sealed = False
        for name, item in value.items():
            if item is not None and is_personal(name) and not is_sealed(item):
                out[name], any_sealed = seal(item), True
            else:
                out[name], inner = seal_fields(item, seal)
                any_sealed = any_sealed or inner
        return out, any_sealed
    if type(value) is list:
        pairs = [seal_fields(item, seal) for item in value]
        return [p[0] for p in pairs], any(p[1] for p in pairs)
    return value, False


def open_fields(value: Any, open_: Callable[[str], Any]) -> Any:
    """``value`` with every sealed member opened (or :data:`DISPOSED` without its key)."""
    if type(value) is dict:
        if is_sealed(value):
            return open_(value[SEALED])
        return {name: open_fields(item, open_) for name, item in value.items()}
    if type(value) is list:
        return [open_fields(item, open_) for item in value]
    return value
