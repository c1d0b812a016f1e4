"""Application timing, a local rule (profile setting ``application_timing``; Forshaga's guideline 2014, p. 14).

- A renewal complete after the profile's ``complete_by_day`` (Forshaga: the 5th) gets the norm from the day it
  became complete; a nybesök gets it from the day of first contact. The norm lines (personal and common costs)
  are multiplied by the days from that day through the month's last day ÷ the days in the month, each line
  rounded to öre half up; reasonable costs stay whole.
- An application for next month may be made at the earliest on ``next_month_from_day`` of the month before
  (Forshaga: the 15th); an earlier one is refused (docs/adr/0021-municipal-profiles.md).
- A month applied for after it has passed is retroactive: aid is "in principle not retroactive", so such an
  application needs the caseworker's reason.

Pure: no I/O, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bistand_es.domain.errors import InvalidInput
from bistand_es.domain.month import Month
from bistand_es.domain.rules.model import ParameterValue
from bistand_es.domain.rules.profiles import Profile
from bistand_es.domain.rules.situation import ApplicationDates


@dataclass(frozen=True, slots=True)
class NormStart:
    """The day the norm is granted from, why, and the local parameter that decided it."""

    day: date
    why: str
    parameter: ParameterValue


def norm_start(profile: Profile, application: ApplicationDates | None, month: Month) -> NormStart | None:
    """The day inside ``month`` the norm runs from, or None for the whole month (or no timing rule)."""
    if application is None or not profile.applies("application_timing"):
        return None
    deadline = profile.parameter("complete_by_day")
    first, last = month.first_day, month.last_day
    if application.first_time:
        contact = application.contact_on or application.received_on
        if contact is None or contact <= first:
            return None
        what = "första kontakt" if application.contact_on else "ansökan mottagen (ingen kontaktdag angiven)"
        why = f"nybesök: normen från dagen för {what} {contact.isoformat()}"
        return NormStart(min(contact, _after(last)), why, deadline)
    complete = application.complete_on
    limit = deadline.integer()
    if complete is None or complete < first or (complete <= last and complete.day <= limit):
        return None
    why = f"ansökan komplett {complete.isoformat()}, efter den {limit}:e: normen från den dagen"
    return NormStart(min(complete, _after(last)), why, deadline)


def _after(last: date) -> date:
    """A day after the month (the norm is then 0 days): the month's last day + 1."""
    return date.fromordinal(last.toordinal() + 1)


def check_application_dates(profile: Profile, month: Month, received_on: date, *, reason: str) -> list[str]:
    """Refuse an application for next month made too early; a retroactive one needs a reason.

    Returns the notes to show (e.g. that the month is retroactive); raises :class:`InvalidInput` otherwise.
    Nothing applies under a profile without the timing rule.
    """
    if not profile.applies("application_timing"):
        return []
    opens_day = profile.parameter("next_month_from_day")
    opens = month.previous().first_day.replace(day=opens_day.integer())
    if received_on < opens:
        raise InvalidInput(
            f"received: an application for {month} can be made from {opens.isoformat()} at the earliest "
            f"({profile.municipality_name}: {opens_day.source.reference}); record it on or after that day"
        )
    if received_on > month.last_day:
        if not reason.strip():
            raise InvalidInput(
                f"reason: {month} has already passed (received {received_on.isoformat()}): a retroactive "
                "application needs the caseworker's reason (--reason); aid is in principle not given "
                f"retroactively ({profile.municipality_name}, riktlinjer s. 14)"
            )
        return [f"{month} is applied for retroactively (received {received_on.isoformat()}): {reason.strip()}"]
    return []
