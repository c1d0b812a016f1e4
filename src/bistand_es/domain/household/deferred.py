"""State read back from a snapshot only when first used (docs/adr/0026-household-index-and-snapshots.md).

A household loaded from a snapshot may hold some of its state attributes as loaders, in ``_deferred`` (name →
a callable giving the value): the first read of such an attribute runs its loader and keeps the value as an
ordinary attribute, so a command or view pays only for the state it uses. Nothing here knows how the values
are stored; the application supplies the loaders.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any


class DeferredState:
    """Mixin: attributes listed in ``_deferred`` are loaded on first access."""

    if not TYPE_CHECKING:  # for the type checker every attribute stays declared: no catch-all ``Any``

        def __getattr__(self, name: str) -> Any:
            deferred: dict[str, Callable[[], Any]] | None = self.__dict__.get("_deferred")
            if deferred is None or name not in deferred:
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            value = deferred.pop(name)()
            self.__dict__[name] = value
            if not deferred:
                del self.__dict__["_deferred"]
            return value

    def resolve_deferred(self) -> None:
        """Load every deferred attribute now (before the whole state is compared or snapshotted)."""
        deferred: dict[str, Callable[[], Any]] | None = self.__dict__.pop("_deferred", None)
        if deferred:
            for name, load in deferred.items():
                self.__dict__[name] = load()
