"""Local rules that change the norm lines: pro rata by the application's dates and fickpeng at an institution.

Both are profile rules (``application_timing``, ``pocket_money``; Forshaga's guideline 2014, pp. 10 and 14).
Each line they change or add starts with the municipality's name and cites the guideline's page.

- Pro rata: each norm line (personal and common costs) × days granted ÷ days in the month, rounded to öre half
  up (:mod:`.timing` decides the first day).
- Fickpeng: for the days a member stays at an HVB or in forensic psychiatric care, the member's personal costs
  are replaced by fickpeng per day, which "covers all personal costs of the riksnorm except livsmedel"; the
  home's common costs stay. Under a profile without the rule the member keeps the whole personal norm (warned).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Final

from bistand_es.domain.money import Money
from bistand_es.domain.month import Month
from bistand_es.domain.rules.errors import InvalidSituation
from bistand_es.domain.rules.kinds import SUBSISTENCE
from bistand_es.domain.rules.lines import Line, Trace
from bistand_es.domain.rules.profiles import Profile
from bistand_es.domain.rules.situation import Member, Situation
from bistand_es.domain.rules.timing import NormStart
from bistand_es.domain.vocabulary import MemberRole

PRORATED: Final = frozenset({"norm.personal", "norm.common"})
_STAY: Final = {"hvb": "HVB", "forensic_psychiatric_care": "rättspsykiatrisk vård"}


def prorate(amount: Money, days: int, month_days: int) -> Money:
    """``amount × days ÷ month_days``, rounded once to öre, half up."""
    if days >= month_days:
        return amount
    return Money.of(amount.amount * max(days, 0)).divide(month_days)


def _stay_days(member: Member, first: date, last: date) -> int:
    stay = member.institution
    return 0 if stay is None or first > last else stay.days_in(first, last)


def local_norm_lines(
    situation: Situation, profile: Profile, start: NormStart | None, lines: list[Line], trace: Trace
) -> list[Line]:
    """The norm lines after pro rata and fickpeng, with any fickpeng lines added."""
    month: Month = situation.month
    first, last = month.first_day, month.last_day
    month_days = last.day
    granted_from = first if start is None else start.day
    granted = max(0, (last - granted_from).days + 1)
    local = profile.municipality_name
    pocket = profile.applies("pocket_money")
    members = {m.id: m for m in situation.household.members}
    stays = {m.id: _stay_days(m, granted_from, last) for m in members.values() if m.institution is not None}
    if start is not None:
        trace.use(start.parameter)
    for member_id, days in stays.items():
        member = members[member_id]
        where = _STAY[member.institution.kind] if member.institution is not None else "institution"
        if not days:
            continue
        if not pocket:
            trace.warn(
                f"{member_id} stays at an {where} {days} days in {month}; profile {profile.name} has no fickpeng "
                "rule: the whole personal norm is calculated"
            )
        elif member.role in (MemberRole.APPLICANT, MemberRole.CO_APPLICANT) and situation.household.cohabiting:
            raise InvalidSituation(
                f"household.members: {member_id} is one of a couple and stays at an {where} in {month}; the "
                "pair's norm cannot be split by the fickpeng rule: decide it as an individual assessment"
            )
    out: list[Line] = []
    for line in lines:
        if line.kind not in PRORATED:
            out.append(line)
            continue
        days = granted
        notes: list[str] = []
        references: list[str] = []
        if start is not None and granted < month_days:
            notes.append(f"från {granted_from.isoformat()}: {start.why}")
            references.append(start.parameter.source.reference)
        away = stays.get(line.member or "", 0) if pocket and line.kind == "norm.personal" else 0
        if away:
            days -= away
            notes.append(f"{away} dagar på institution ersätts av fickpeng")
        if days >= month_days:
            out.append(line)
            continue
        out.append(
            replace(
                line,
                amount=prorate(line.amount, days, month_days),
                rule=f"{local}: {line.rule} × {days}/{month_days} dagar ({'; '.join(notes)})",
                reference="; ".join([line.reference, *references]),
            )
        )
    if pocket:
        out += _pocket_money(situation, profile, stays, trace)
    return out


def _pocket_money(situation: Situation, profile: Profile, stays: dict[str, int], trace: Trace) -> list[Line]:
    lines: list[Line] = []
    per_day = profile.parameter("pocket_money_per_day")
    for member in situation.household.members:
        days = stays.get(member.id, 0)
        if not days or member.institution is None:
            continue
        trace.use(per_day)
        amount = per_day.money().times(days)
        where = _STAY[member.institution.kind]
        lines.append(
            Line(
                "norm.pocket_money",
                member.id,
                amount,
                f"{profile.municipality_name}: fickpeng {per_day.money()} kr/dag × {days} dagar på {where} "
                "(täcker samtliga personliga kostnader i riksnormen utom livsmedel)",
                per_day.source.reference,
                per_day.ref,
                per_day.confidence.value,
                part=SUBSISTENCE,
            )
        )
    return lines
