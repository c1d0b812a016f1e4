"""Riksnorm for a household: personal costs per member + common household costs (SoL 4 kap. 3 §; docs/rules.md)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Final

from bistand_es.domain.money import Money
from bistand_es.domain.month import Month
from bistand_es.domain.rules.errors import (
    InvalidSituation,
    ParameterGap,
    ParameterNotInForce,
    ParameterTypeError,
)
from bistand_es.domain.rules.kinds import SUBSISTENCE
from bistand_es.domain.rules.lines import Line, Trace
from bistand_es.domain.rules.model import ParameterValue
from bistand_es.domain.rules.rule_set import RuleSet
from bistand_es.domain.rules.situation import Member, Situation
from bistand_es.domain.vocabulary import MemberRole

CHILDREN: Final = "riksnorm.personal.children"
CHILDREN_NO_LUNCH: Final = "riksnorm.personal.children_no_lunch"
SINGLE: Final = "riksnorm.personal.ensamstaende"
COUPLE: Final = "riksnorm.personal.sambor"
COMMON: Final = "riksnorm.common"
AGE_RULE: Final = "household.age_reference_day"

# (highest age in the band, table key, label)
BANDS: Final = (
    (0, "age_0", "under 1 år"),
    (2, "age_1_2", "1–2 år"),
    (3, "age_3", "3 år"),
    (6, "age_4_6", "4–6 år"),
    (10, "age_7_10", "7–10 år"),
    (14, "age_11_14", "11–14 år"),
    (18, "age_15_18", "15–18 år"),
    (20, "age_19_20", "19–20 år"),
)
LUNCH_BANDS: Final = frozenset({"age_0", "age_1_2", "age_3", "age_4_6"})
SCHOOL_DEFAULT_UNDER: Final = 19  # in_school defaults to true under 19, false from 19 (contract)
CHILD_UNDER: Final = 18  # a child (barn) is under 18; 18–20 count as school youths only when in school
YOUTH_UNDER: Final = 21


def age_on(birth: date, day: date) -> int:
    """Completed years on ``day`` (0 for a child born later in the month); 29 Feb birthdays turn on 1 Mar."""
    years = day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
    return max(0, years)


def band_of(age: int) -> tuple[str, str]:
    for highest, key, label in BANDS:
        if age <= highest:
            return key, label
    raise ValueError(f"no age band for {age}")  # callers check age < 21 first


@dataclass(frozen=True, slots=True)
class Status:
    """How a member counts in the month: child band, adult sharing the home, child-wage rule."""

    member: Member
    index: int
    age: int
    band: str | None  # a child/youth band key, or None for adults
    band_label: str
    sharing_adult: bool  # role adult, or a child 18 or older not in school (calculated as an adult)
    in_school: bool
    child_wage: bool  # 4 kap. 1 a §: a hemmavarande barn, or a school youth under 21

    @property
    def decisive(self) -> tuple[str | None, bool, bool]:
        return (self.band, self.sharing_adult, self.child_wage)


def _in_school(member: Member, age: int) -> bool:
    return member.in_school if member.in_school is not None else age < SCHOOL_DEFAULT_UNDER


def _child_wage(member: Member, age: int) -> bool:
    """4 kap. 1 a §: a hemmavarande barn (under 18), or a hemmavarande skolungdom under 21."""
    return member.role == MemberRole.CHILD and (age < CHILD_UNDER or (_in_school(member, age) and age < YOUTH_UNDER))


def _status(member: Member, index: int, age: int, month: Month) -> Status:
    in_school = _in_school(member, age)
    if member.role != MemberRole.CHILD:
        return Status(member, index, age, None, "", member.role == MemberRole.ADULT, in_school, False)
    if age >= YOUTH_UNDER:
        raise InvalidSituation(
            f"household.members[{index}].role: {member.id} is {age} in {month}; a child must be under 21 "
            "(use role: adult)"
        )
    child_wage = _child_wage(member, age)
    if age >= CHILD_UNDER and not in_school:
        # FB 7 kap. 1 §: the parents' duty of maintenance ends at 18 (21 while in school): an adult.
        return Status(member, index, age, None, "", True, in_school, child_wage)
    key, label = band_of(age)
    return Status(member, index, age, key, label, False, in_school, child_wage)


def classify(situation: Situation, rule_set: RuleSet, trace: Trace) -> list[Status]:
    """Each member's status in the month; the age rule parameter is traced when a birthday decides."""
    month = situation.month
    rule = rule_set.lookup(AGE_RULE, month.first_day)
    which = rule.text()
    if which not in ("first_day", "last_day"):
        raise ParameterTypeError(f"{rule.file}: {rule.ref}: value {which!r} must be first_day or last_day")
    statuses: list[Status] = []
    for index, member in enumerate(situation.household.members):
        age_first = age_on(member.birth_date, month.first_day)
        age_last = age_on(member.birth_date, month.last_day)
        first = _status(member, index, age_first, month)
        if age_first == age_last:
            statuses.append(first)
            continue
        last = _status(member, index, age_last, month)
        if first.decisive != last.decisive:
            trace.use(rule)
        statuses.append(first if which == "first_day" else last)
    for status in statuses:
        if status.member.role == MemberRole.CHILD and status.sharing_adult:
            trace.warn(
                f"{status.member.id} is entered as a child but is {status.age} and not in school in {month}: "
                "calculated as an adult (ensamstående personal costs and a share of the common costs); the "
                "parents' duty of maintenance ends at 18, or 21 while in school (föräldrabalken 7 kap. 1 §)"
            )
    return statuses


def child_wage_in(member: Member, month: Month, rule_set: RuleSet, trace: Trace) -> bool:
    """Whether ``member``'s own work income received in ``month`` falls under 4 kap. 1 a § (ADR 0011).

    Judged in the month the income was received (earned), not the month calculated: a wage earned at 17 keeps
    the exemption when it is counted after the 18th birthday. A birthday inside the month is decided by the
    age rule parameter (traced only when it decides).
    """
    first = _child_wage(member, age_on(member.birth_date, month.first_day))
    last = _child_wage(member, age_on(member.birth_date, month.last_day))
    if first == last:
        return first
    rule = trace.use(rule_set.lookup(AGE_RULE, month.first_day))
    return first if rule.text() == "first_day" else last


@dataclass(frozen=True, slots=True)
class RiksnormValues:
    """The riksnorm parameter versions in force for a month."""

    single: ParameterValue
    couple: ParameterValue
    children: ParameterValue
    common: ParameterValue


def riksnorm_for(month: Month, rule_set: RuleSet) -> RiksnormValues:
    """Look up the riksnorm first: a month without one fails with ``no riksnorm in force for YYYY-MM``."""
    day = month.first_day
    with _riksnorm(month):
        return RiksnormValues(
            single=rule_set.lookup(SINGLE, day),
            couple=rule_set.lookup(COUPLE, day),
            children=rule_set.lookup(CHILDREN, day),
            common=rule_set.lookup(COMMON, day),
        )


@contextmanager
def _riksnorm(month: Month, field: str = "month") -> Iterator[None]:
    try:
        yield
    except ParameterGap as gap:
        raise ParameterNotInForce(f"{field}: no riksnorm in force for {month} ({gap.param_id}: {gap.detail})") from None


def common_costs(table: ParameterValue, persons: int) -> tuple[Money, str]:
    """Common costs for ``persons``; beyond 7, add (7 p − 6 p) for each extra person (docs/rules.md)."""
    if persons <= 7:
        return table.money_at(f"persons_{persons}"), f"gemensamma hushållskostnader, {persons} personer"
    seven = table.money_at("persons_7")
    step = seven - table.money_at("persons_6")
    extra = persons - 7
    amount = seven + step.times(extra)
    return amount, (f"gemensamma hushållskostnader, {persons} personer: 7 p {seven} + {extra} × (7 p − 6 p) {step}")


def norm_lines(
    situation: Situation,
    statuses: list[Status],
    norm: RiksnormValues,
    rule_set: RuleSet,
    trace: Trace,
    citation: str,
) -> list[Line]:
    """The norm lines (personal costs, then common costs). Raises if no riksnorm is in force."""
    month = situation.month
    day = month.first_day
    household = situation.household
    lines: list[Line] = []

    def line(kind: str, member: str | None, amount: Money, rule: str, value: ParameterValue) -> Line:
        trace.use(value)
        return Line(
            kind,
            member,
            amount,
            rule,
            f"{citation}; {value.source.reference}",
            value.ref,
            value.confidence.value,
            part=SUBSISTENCE,
        )

    single, couple, children, common = norm.single, norm.couple, norm.children, norm.common
    for status in statuses:
        member = status.member
        if member.role == MemberRole.CO_APPLICANT:
            continue  # included in the pair amount on the applicant's line
        if member.role == MemberRole.APPLICANT and household.cohabiting:
            partner = next(m.id for m in household.members if m.role == MemberRole.CO_APPLICANT)
            lines.append(
                line(
                    "norm.personal",
                    member.id,
                    couple.money(),
                    f"personliga kostnader, sambor/makar ({member.id} och {partner}): ett belopp för paret",
                    couple,
                )
            )
        elif member.role == MemberRole.APPLICANT:
            lines.append(line("norm.personal", member.id, single.money(), "personliga kostnader, ensamstående", single))
        elif status.sharing_adult:
            why = (
                "vuxen i ansökan som inte är sambo/make"
                if member.role == MemberRole.ADULT
                else f"{status.age} år och inte skolungdom: vuxen (FB 7 kap. 1 §)"
            )
            lines.append(
                line("norm.personal", member.id, single.money(), f"personliga kostnader, ensamstående ({why})", single)
            )
        elif status.band is not None:
            value = children
            rule = f"personliga kostnader, barn {status.band_label}"
            if status.age >= SCHOOL_DEFAULT_UNDER:
                rule = f"personliga kostnader, skolungdom {status.band_label} (hemmavarande, i skolan)"
            if member.lunch_at_preschool:
                if status.band not in LUNCH_BANDS:
                    raise InvalidSituation(
                        f"household.members[{status.index}].lunch_at_preschool: only for children under 7 "
                        f"({member.id} is {status.age})"
                    )
                with _riksnorm(month, f"household.members[{status.index}].lunch_at_preschool"):
                    value = rule_set.lookup(CHILDREN_NO_LUNCH, day)
                rule += ", ej lunch 5 dagar/vecka (lunch i förskolan)"
            lines.append(line("norm.personal", member.id, value.money_at(status.band), rule, value))
    persons = len(household.members) + household.shares_home_with
    total, rule = common_costs(common, persons)
    adults = [s for s in statuses if s.sharing_adult]
    if not adults and household.shares_home_with == 0:
        lines.append(line("norm.common", None, total, rule, common))
        return lines
    for status in adults:
        lines.append(
            line(
                "norm.common",
                status.member.id,
                total.divide(persons),
                f"{rule} ÷ {persons} (vuxen som delar bostad)",
                common,
            )
        )
    family = len(household.members) - len(adults)
    share = Money.of(total.amount * family).divide(persons)
    lines.append(
        line("norm.common", None, share, f"{rule} × {family} ÷ {persons} (hushållets andel av bostaden)", common)
    )
    return lines
