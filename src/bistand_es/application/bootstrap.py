"""One place that wires the application from settings; nothing is built at import time."""

from __future__ import annotations

import os
from typing import Final

from bistand_es.application.app import BistandApplication
from bistand_es.application.config import Settings
from bistand_es.domain.errors import BistandError, ConfigurationError, StoreBusy

# pg_advisory_lock key held while the tables are created: several processes starting at once on an empty
# database otherwise race in CREATE TYPE/TABLE/FUNCTION ("tuple concurrently updated"). Any fixed bigint works;
# this is the first 8 bytes of sha256("bistand_es.create_tables") as a signed integer.
_CREATE_TABLES_LOCK: Final = 0x3B1F_5C2E_8A47_D901


def bootstrap(settings: Settings | None = None) -> BistandApplication:
    """Build the application for the configured event store (creating the data directory if needed)."""
    settings = settings or Settings.from_env()
    env = settings.event_store_env()
    if settings.backend != "postgres":
        return _configured(BistandApplication(env=env), settings)
    try:
        return _configured(_open_postgres(settings, env), settings)
    except BistandError:
        raise
    except Exception as error:  # the driver raises its own errors when the server is unreachable
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        if "lock timeout" in first.lower():
            raise StoreBusy(
                f"the event store ({settings.describe()}) is locked by another process; try again ({first})"
            ) from None
        raise ConfigurationError(f"cannot open the event store ({settings.describe()}): {first}") from None


def _configured(app: BistandApplication, settings: Settings) -> BistandApplication:
    """The application with the configured four-eyes limits (docs/security.md)."""
    from bistand_es.domain.household.approvals import FourEyes

    app.four_eyes = FourEyes(settings.self_payment_above, settings.payment_approval_above)
    return app


def _open_postgres(settings: Settings, env: dict[str, str]) -> BistandApplication:
    """Open the PostgreSQL store, creating its tables under an advisory lock (one process at a time)."""
    import psycopg

    # Every connection libpq opens in this process waits at most lock_timeout for a lock (the library sets it
    # only around its own LOCK TABLE; table creation and reads would otherwise wait for ever).
    options = os.environ.get("PGOPTIONS", "")
    if "lock_timeout" not in options:
        os.environ["PGOPTIONS"] = f"{options} -c lock_timeout={int(settings.lock_timeout)}s".strip()
    with psycopg.connect(settings.database_url or "", connect_timeout=5, autocommit=True) as conn:
        conn.execute("SELECT set_config('lock_timeout', %s, false)", (f"{int(settings.lock_timeout)}s",))
        conn.execute("SELECT pg_advisory_lock(%s)", (_CREATE_TABLES_LOCK,))
        try:
            return BistandApplication(env=env)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_CREATE_TABLES_LOCK,))
