"""One place that wires the application from settings; nothing is built at import time."""

from __future__ import annotations

from bistand_es.application.app import BistandApplication
from bistand_es.application.config import Settings
from bistand_es.domain.errors import ConfigurationError


def bootstrap(settings: Settings | None = None) -> BistandApplication:
    """Build the application for the configured event store (creating the data directory if needed)."""
    settings = settings or Settings.from_env()
    env = settings.event_store_env()
    try:
        return BistandApplication(env=env)
    except Exception as error:  # the library raises driver-specific errors when a store is unreachable
        if settings.backend == "postgres":
            raise ConfigurationError(f"cannot open the event store ({settings.describe()}): {error}") from None
        raise
