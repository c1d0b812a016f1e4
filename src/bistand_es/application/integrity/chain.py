"""The hash chain of one aggregate's stored events: what is hashed, and where the chain fields live.

Every stored event gets, at the end of its stored JSON state, one extra member::

    ,"_chain":{"alg":"hmac-sha256","kid":"1a2b3c4d","prev":"…","content":"…","hash":"…"}

- ``content``: SHA-256 over the originator id, the version, the topic and the stored state bytes *without* this
  member (exactly the bytes the library's mapper produced), separated by NUL bytes — so a changed amount, actor,
  date, version or event type changes it;
- ``prev``: the ``hash`` of the aggregate's previous version; version 1 links to the aggregate id itself;
- ``hash``: HMAC-SHA-256 with the audit key (``alg`` ``hmac-sha256``, key id ``kid``) or plain SHA-256 without a
  key (``alg`` ``sha256``, empty ``kid``) over ``prev`` and ``content``.

Events stored before chains existed have no such member. Their *virtual* links (plain SHA-256 over the same
fields) are computed when needed, so the first chained event of an older household links to its whole unchained
history: altering that history afterwards breaks the link.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any, Final, NamedTuple

SIGNED: Final = "hmac-sha256"
PLAIN: Final = "sha256"

_FIELDS: Final = re.compile(
    rb'"_chain":\{"alg":"(sha256|hmac-sha256)","kid":"([0-9a-f]{0,16})","prev":"([0-9a-f-]{1,64})",'
    rb'"content":"([0-9a-f]{64})","hash":"([0-9a-f]{64})"\}\}'
)
_MEMBER: Final = b'"_chain":'


class ChainFields(NamedTuple):
    alg: str
    kid: str
    prev: str
    content: str
    hash: str

    @property
    def signed(self) -> bool:
        return self.alg == SIGNED


class SplitState(NamedTuple):
    """A stored state taken apart: the library's bytes and the chain fields (None: unchained or malformed)."""

    body: bytes
    fields: ChainFields | None
    malformed: bool = False


def genesis(originator_id: Any) -> str:
    """What version 1 links to: the aggregate id."""
    return str(originator_id)


def content_hash(originator_id: Any, version: int, topic: str, body: bytes) -> str:
    head = f"bistand-event-v1\x00{originator_id}\x00{version}\x00{topic}\x00".encode()
    return hashlib.sha256(head + body).hexdigest()


def link_hash(prev: str, content: str, key: bytes | None = None) -> str:
    """The chain hash of an event: keyed (HMAC-SHA-256) with ``key``, else plain SHA-256."""
    message = f"bistand-link-v1\x00{prev}\x00{content}".encode()
    if key is None:
        return hashlib.sha256(message).hexdigest()
    prototype = _HMACS.get(key)
    if prototype is None:
        prototype = _HMACS[key] = hmac.new(key, digestmod=hashlib.sha256)
    mac = prototype.copy()
    mac.update(message)
    return mac.hexdigest()


_HMACS: dict[bytes, hmac.HMAC] = {}


def hashes_equal(a: str, b: str) -> bool:
    """Constant-time comparison of two hex hashes (or ids)."""
    return hmac.compare_digest(a, b) if a.isascii() and b.isascii() else False


def seal(
    originator_id: Any, version: int, topic: str, body: bytes, prev: str, key: bytes | None, kid: str
) -> tuple[bytes, ChainFields]:
    """The stored state with its chain fields appended (``body`` must be a JSON object), and those fields."""
    content = content_hash(originator_id, version, topic, body)
    fields = ChainFields(
        alg=SIGNED if key is not None else PLAIN,
        kid=kid if key is not None else "",
        prev=prev,
        content=content,
        hash=link_hash(prev, content, key),
    )
    return attach(body, fields), fields


def attach(body: bytes, fields: ChainFields) -> bytes:
    if not (body.startswith(b"{") and body.endswith(b"}")):
        raise ValueError("hash chains need each event's stored state to be a JSON object")
    member = (
        f'"_chain":{{"alg":"{fields.alg}","kid":"{fields.kid}","prev":"{fields.prev}",'
        f'"content":"{fields.content}","hash":"{fields.hash}"}}}}'
    ).encode()
    return body[:-1] + (member if body == b"{}" else b"," + member)


def split(state: bytes) -> SplitState:
    """The library's bytes and the chain fields of a stored state."""
    at = state.rfind(_MEMBER)
    if at < 0:
        return SplitState(state, None)
    match = _FIELDS.fullmatch(state, at)
    before = state[at - 1 : at]
    if match is None or before not in (b",", b"{") or (before == b"{" and at != 1):
        return SplitState(state, None, malformed=True)
    alg, kid, prev, content, hash_ = (g.decode("ascii") for g in match.groups())
    start = at - 1 if before == b"," else at
    return SplitState(state[:start] + b"}", ChainFields(alg, kid, prev, content, hash_))


def event_name(topic: str) -> str:
    """``bistand_es.household:PaymentIssued`` → ``PaymentIssued``."""
    return topic.rsplit(":", 1)[-1].rsplit(".", 1)[-1]


def aggregate_kind(topic: str) -> str:
    """What an aggregate is, from the topic of any of its events: ``household``, ``person index``, …"""
    return topic.split(":", 1)[0].rsplit(".", 1)[-1].replace("_", " ")
