"""Moments shown to people and read from them: always with a zone, the same in any machine time zone.

Events are stamped in UTC by the library. People read and type Swedish time: a moment is shown in
Europe/Stockholm with its UTC offset (``2026-11-23T14:30:00+01:00``), and a moment typed without a zone is read
as Swedish time too, so ``--as-of`` means the same instant whatever ``TZ`` the caseworker's machine has
(docs/adr/0009-cli-conventions.md).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bistand_es.domain.errors import InvalidInput

SWEDISH_TIME = ZoneInfo("Europe/Stockholm")


def shown(moment: datetime) -> str:
    """A moment as people read it: Swedish time with its offset (to the microsecond, so two events recorded
    within one second stay apart and an auditor can give either as ``--as-of``)."""
    if moment.tzinfo is None:
        raise ValueError("a stored moment must carry its zone")
    return moment.astimezone(SWEDISH_TIME).isoformat()


def parse_moment(text: str, field: str) -> datetime:
    """An ISO time with or without a zone (``2026-11-23T14:30``, ``…+01:00``, ``…Z``); no zone = Swedish time.

    Without fractional seconds the moment is the end of the second given, so the time of an event as history
    prints it includes that event.
    """
    value = text.strip()
    try:
        moment = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value)
    except ValueError:
        raise InvalidInput(
            f"{field}: {text!r} is not a time; write e.g. 2026-11-23T14:30 (Swedish time) or 2026-11-23T13:30Z"
        ) from None
    if moment.microsecond == 0 and "." not in value:
        # A time as history prints it (to the second) includes everything recorded within that second.
        moment = moment.replace(microsecond=999_999)
    return moment.replace(tzinfo=SWEDISH_TIME) if moment.tzinfo is None else moment
