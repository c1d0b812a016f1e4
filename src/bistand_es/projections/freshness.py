"""Before a read (``bistand sql``, ``bistand report``): catch up, and say when the answer may be out of date.

A reader never fails because of the projector, but it must not answer stale data silently either: when the read
model could not reach the end of the event store (an event it cannot project, a broken parameter file, another
projector busy) each reason becomes one line for stderr.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bistand_es.domain.errors import BistandError

if TYPE_CHECKING:
    from bistand_es.application.config import Settings


def refresh_for_reading(settings: Settings, *, update: bool = True) -> list[str]:
    """Catch the read model up (unless ``update`` is False); the warnings to print, one line each."""
    from bistand_es.projections.store import ReadModelStore

    if not update:
        failure = ReadModelStore(settings.reports_path).read_failure()
        return [f"warning: the read model is behind the event store: {failure}"] if failure else []
    try:
        from bistand_es.application.bootstrap import bootstrap
        from bistand_es.projections.projector import catch_up

        status = catch_up(bootstrap(settings), settings)
    except BistandError as error:
        return [f"warning: read model not refreshed ({error}); the answer may be out of date"]
    if status.failure:
        return [
            f"warning: the read model is behind the event store (position {status.position} of "
            f"{status.store_position}): {status.failure}"
        ]
    if status.lag:
        why = f" ({status.note})" if status.note else ""
        return [f"note: the read model is {status.lag} events behind the event store{why}"]
    return []
