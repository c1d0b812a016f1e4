"""A placed child's monthly allowance (Göteborg's routine for unaccompanied children placed by social services).

Pure: no I/O, no clock. The result is the same :class:`~bistand_es.domain.rules.lines.Calculation` as the
ordinary month's, so the totals have one owner: the allowance's items are ``norm.placement.*`` lines and every
deduction is an ``income.counted`` line (``aid = max(0, need − counted)``). :class:`PlacementCalculation` adds
what the routine requires each payment to state: the period it covers and the reasons for any reduction
(section 3.4). docs/placements.md and docs/adr/0022-placed-children.md explain the rules.

- **HVB** (section 3.1): the riksnorm items for the child's age — kläder och skor, fritid och lek, hygien,
  barn- och ungdomsförsäkring — plus telefon; minus barnbidrag or studiebidrag, the home's pocket money and
  other payments, LMA dagersättning at 24 kr a day while asylum-seeking, Migrationsverket's särskilda bidrag.
- **HVB training flat** (section 3.2): the same items plus livsmedel and the flat's common costs shared by its
  persons (minus fees included in the housing, e.g. TV-avgift), rounded to whole kronor as the routine's
  example does (1 310 kr ÷ 3 = 437 kr a person).
- **Familjehem** (section 4): omkostnad (grundkostnad + tillägg) and arvode as shares of the prisbasbelopp by
  age, loaded by the municipality (none shipped: the routine's table lost its age bands).

Never deducted: CSN extra tillägg (RÅ 1990 ref. 7, RÅ 1996 ref. 12), four weeks of summer work; wages only above
one prisbasbelopp a year (the national rule of 4 kap. 1 a § SoL, applied by its one owner in :mod:`.incomes`);
a familjehem child's wages not at all. In July and August CSN pays no studiebidrag, so none is deducted: the
study grant's equivalent is granted (for a familjehem child the omkostnad rises by it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Final

from bistand_es.domain.errors import InvalidInput, ParameterNotInForce
from bistand_es.domain.money import Money
from bistand_es.domain.month import Month
from bistand_es.domain.rules import household_norm
from bistand_es.domain.rules.errors import InvalidSituation, ParameterGap, ParameterTypeError
from bistand_es.domain.rules.incomes import PBB, Citations, _child_wage
from bistand_es.domain.rules.lines import Calculation, Line, Trace
from bistand_es.domain.rules.model import ParameterValue
from bistand_es.domain.rules.placement_situation import (
    PlacementIncome,
    PlacementIncomeKind,
    PlacementKind,
    PlacementSituation,
)
from bistand_es.domain.rules.profiles import Profile, load_profile, profile_from_pin
from bistand_es.domain.rules.rule_set import RuleSet
from bistand_es.domain.rules.situation import parse_situation

CITATIONS: Final = "law.citations"
#: The profile setting that turns the placement allowance on, and its local parameters.
RULE: Final = "placed_children"
TELEPHONE: Final = "placement_telephone"
FOSTER_EXPENSE: Final = "familjehem_omkostnad_pbb"
FOSTER_FEE: Final = "familjehem_arvode_pbb"
LMA_FOOD_INCLUDED: Final = "lma.daily_allowance_food_included"
#: An unaccompanied child at an HVB gets the single adult's rate with food included (24 kr a day, section 6.1).
LMA_KEY: Final = "single_adult"
ITEMS: Final = (
    ("klader_och_skor", "Kläder och skor"),
    ("fritid_och_lek", "Fritid och lek"),
    ("halsa_och_hygien", "Hygien"),
    ("barn_och_ungdomsforsakring", "Barn- och ungdomsförsäkring"),
)
FOOD: Final = ("livsmedel", "Mat och livsmedel")
ITEM_PREFIX: Final = "riksnorm.items."
#: CSN pays studiebidrag September–June; in July and August (sommarlov) it pays nothing.
SUMMER_MONTHS: Final = frozenset({7, 8})
#: A child gets studiebidrag from the term after the 16th birthday (routine section 6.2).
STUDY_GRANT_AGE: Final = 16
PLACED_UNTIL: Final = 21  # placed unaccompanied youths are counted up to 21 (routine section 1)
_KRONA: Final = Decimal("1")

COUNTED_NAMES: Final = {
    PlacementIncomeKind.CHILD_ALLOWANCE: "barnbidrag",
    PlacementIncomeKind.STUDY_GRANT: "studiebidrag (CSN)",
    PlacementIncomeKind.SPECIAL_GRANT: "Migrationsverkets särskilda bidrag",
    PlacementIncomeKind.LMA_DAILY_ALLOWANCE: "LMA dagersättning",
    PlacementIncomeKind.OTHER: "annan inkomst",
}


@dataclass(frozen=True, slots=True)
class PlacementCalculation(Calculation):
    """A placed child's month: the calculation, plus what each payment must state (routine section 3.4): the
    period it covers, who receives it, and the reasons for every reduction."""

    kind: str = ""
    period_first: date | None = None
    period_last: date | None = None
    payee: str = ""
    reductions: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = Calculation.to_dict(self)
        data["placement"] = {
            "kind": self.kind,
            "kind_label": PlacementKind(self.kind).label,
            "period": {
                "from": self.period_first.isoformat() if self.period_first else None,
                "to": self.period_last.isoformat() if self.period_last else None,
            },
            "payee": self.payee,
            "reductions": list(self.reductions),
        }
        return data


@dataclass(frozen=True, slots=True)
class _Month:
    """What every part of the calculation needs: the month, the child, the period, the profile, the trace."""

    situation: PlacementSituation
    rule_set: RuleSet
    profile: Profile
    trace: Trace
    age: int
    band: str
    band_label: str
    first: date
    last: date
    law: ParameterValue

    @property
    def month(self) -> Month:
        return self.situation.month

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def whole_month(self) -> bool:
        return self.first == self.month.first_day and self.last == self.month.last_day

    def share(self, amount: Money) -> Money:
        """A monthly amount for the days of the period (calendar days, rounded to öre half up)."""
        if self.whole_month:
            return amount
        return amount.times(self.days).divide(self.month.last_day.day)

    def period_text(self) -> str:
        if self.whole_month:
            return ""
        return f" × {self.days}/{self.month.last_day.day} dagar ({self.first.isoformat()}–{self.last.isoformat()})"

    def cite(self, section: str) -> str:
        return f"{self.law.text_at('aid')}; {self.profile.guideline}, avsnitt {section}"


def calculate_placement_allowance(situation: PlacementSituation, rule_set: RuleSet) -> PlacementCalculation:
    """The month's allowance for a placed child under a profile with the ``placed_children`` rule (Göteborg).

    Raises :class:`~bistand_es.domain.errors.ParameterNotInForce` when the riksnorm items for the month are not
    loaded (e.g. 2018 or from 2024) or, for a familjehem, until the municipality loads its percentages.
    """
    facts = situation.placement
    if facts.kind is PlacementKind.TRAINING_FLAT_OVER_18:
        raise InvalidInput(
            "placement.kind: a youth over 18 in a training or reference flat who pays all costs applies for "
            "försörjningsstöd (4 kap. 1 § SoL; Göteborg's routine section 3.3): decide the month with the ordinary "
            "calculation, not the placement allowance"
        )
    ctx = _context(situation, rule_set)
    lines: list[Line] = []
    if facts.kind is PlacementKind.FAMILJEHEM:
        lines += _foster_lines(ctx)
    else:
        lines += _item_lines(ctx, food=facts.kind is PlacementKind.HVB_TRAINING_FLAT)
        if facts.kind is PlacementKind.HVB:
            lines.append(_telephone_line(ctx))
        else:
            lines.append(_common_share_line(ctx))
    lines += _deductions(ctx)
    reductions = tuple(f"{line.amount} kr: {line.rule}" for line in lines if line.kind == "income.counted")
    return PlacementCalculation(
        month=situation.month,
        income_month=situation.month,
        profile=ctx.profile.name,
        lines=tuple(lines),
        warnings=tuple(ctx.trace.warnings),
        parameters=ctx.trace.used,
        rule_set_hash=rule_set.hash,
        citation_date=situation.citation_day,
        profile_version=ctx.profile.version,
        profile_data=ctx.profile.pinned(),
        kind=facts.kind.value,
        period_first=ctx.first,
        period_last=ctx.last,
        payee=facts.payee,
        reductions=reductions,
    )


# ---------------------------------------------------------------------------------------------------- context


def _profile(situation: PlacementSituation, rule_set: RuleSet) -> Profile:
    if situation.profile_data is not None:
        pinned = profile_from_pin(situation.profile_data, situation.month)
        if pinned.name != situation.profile:
            raise InvalidSituation(
                f"profile_data: records profile {pinned.name!r}, but the situation names {situation.profile!r}"
            )
        return pinned
    return load_profile(rule_set, situation.profile, situation.month)


def _context(situation: PlacementSituation, rule_set: RuleSet) -> _Month:
    month = situation.month
    trace = Trace()
    profile = _profile(situation, rule_set)
    if not profile.applies(RULE):
        raise InvalidInput(
            f"profile: {profile.name} has no rules for children placed by social services (the placement "
            "allowance is Göteborg's routine: use --profile goteborg)"
        )
    trace.use(profile.value)
    law = trace.use(rule_set.lookup(CITATIONS, situation.citation_day))
    facts = situation.placement
    first = max(facts.from_, month.first_day)
    last = month.last_day if facts.to is None else min(facts.to, month.last_day)
    if first > last:
        raise InvalidSituation(
            f"placement: the placement ({facts.from_.isoformat()} – {facts.to.isoformat() if facts.to else '…'}) "
            f"does not cover {month}"
        )
    age = _age(situation, rule_set, trace)
    if age >= PLACED_UNTIL:
        raise InvalidSituation(
            f"child.birth_date: the youth is {age} in {month}; a placed youth is counted up to {PLACED_UNTIL} "
            "(Göteborg's routine section 1)"
        )
    band, label = household_norm.band_of(age)
    return _Month(situation, rule_set, profile, trace, age, band, label, first, last, law)


def _age(situation: PlacementSituation, rule_set: RuleSet, trace: Trace) -> int:
    """The age in the month; a birthday inside the month that changes the band is decided by the age rule
    parameter (traced then), as for every member of an ordinary calculation."""
    birth, month = situation.child.birth_date, situation.month
    first = household_norm.age_on(birth, month.first_day)
    last = household_norm.age_on(birth, month.last_day)
    if _band_key(first) == _band_key(last):
        return first
    rule = trace.use(rule_set.lookup(household_norm.AGE_RULE, month.first_day))
    return first if rule.text() == "first_day" else last


def _band_key(age: int) -> str:
    return household_norm.band_of(age)[0] if age < PLACED_UNTIL else "over"


def _item(ctx: _Month, key: str) -> ParameterValue:
    """A riksnorm item (delpost) for the month; a month whose items are not loaded is refused clearly."""
    try:
        return ctx.trace.use(ctx.rule_set.lookup(ITEM_PREFIX + key, ctx.month.first_day))
    except ParameterGap as gap:
        raise ParameterNotInForce(
            f"month: no riksnorm items (delposter) in force for {ctx.month}: the placement allowance is built "
            f"from them ({gap.param_id}: {gap.detail}); load the official figures in BISTAND_HOME/parameters"
        ) from None


# ---------------------------------------------------------------------------------------------------- amounts


def _item_lines(ctx: _Month, *, food: bool) -> list[Line]:
    lines = []
    section = "3.2" if food else "3.1"
    for key, name in (*ITEMS, FOOD) if food else ITEMS:
        value = _item(ctx, key)
        monthly = value.money_at(ctx.band)
        lines.append(
            Line(
                f"norm.placement.{key}",
                ctx.situation.child.id,
                ctx.share(monthly),
                f"{ctx.profile.municipality_name}: {name}, {ctx.band_label}: riksnormens delpost {monthly} kr"
                f"{ctx.period_text()}",
                ctx.cite(section),
                value.ref,
                value.confidence.value,
            )
        )
    return lines


def _telephone_line(ctx: _Month) -> Line:
    value = ctx.trace.use(ctx.profile.parameter(TELEPHONE))
    monthly = value.money()
    return Line(
        "norm.placement.telefon",
        ctx.situation.child.id,
        ctx.share(monthly),
        f"{ctx.profile.municipality_name}: telefon {monthly} kr i månaden (uppgift från Konsumentverket)"
        f"{ctx.period_text()}",
        ctx.cite("3.1"),
        value.ref,
        value.confidence.value,
    )


def _common_share_line(ctx: _Month) -> Line:
    """The flat's common costs less the fees included in the housing, shared by its persons, in whole kronor."""
    facts = ctx.situation.placement
    persons = facts.flat_persons or 1
    table = ctx.trace.use(ctx.rule_set.lookup(household_norm.COMMON, ctx.month.first_day))
    common, label = household_norm.common_costs(table, persons)
    fees = facts.fees_included or Money.zero()
    if common < fees:
        raise InvalidSituation(f"placement.fees_included: {fees} is more than the flat's common costs {common}")
    share = common_share(common, fees, persons)
    minus = f" − avgifter som ingår i boendet {fees} kr" if fees else ""
    rule = (
        f"{ctx.profile.municipality_name}: gemensamma kostnader i delad träningslägenhet: {label} {common} kr{minus}"
        f" ÷ {persons} = {share} kr (hela kronor, som rutinens exempel 1 310 ÷ 3 = 437 kr){ctx.period_text()}"
    )
    return Line(
        "norm.placement.common_share",
        ctx.situation.child.id,
        ctx.share(share),
        rule,
        ctx.cite("3.2"),
        table.ref,
        table.confidence.value,
    )


def common_share(common: Money, fees_included: Money, persons: int) -> Money:
    """A person's share of a shared flat's common costs: (common costs − fees included in the housing) ÷ persons,
    in whole kronor, half up, as Göteborg's routine section 3.2 rounds it (1 310 ÷ 3 = 437 kr a person)."""
    exact = (common - fees_included).amount / persons
    return Money(exact.quantize(_KRONA, rounding=ROUND_HALF_UP))


def _foster_share(ctx: _Month, key: str, what: str) -> tuple[ParameterValue, Decimal]:
    value = ctx.profile.local.get(key)
    if value is None:
        raise ParameterNotInForce(
            f"placement.kind: familjehem: {what} as a share of the prisbasbelopp by age is not loaded for "
            f"{ctx.month} (SKL cirkulär 12:62 as Göteborg's routine section 4 says; the routine's table lost its "
            f"age bands, so none is shipped): load profile.{ctx.profile.name}.{key} in BISTAND_HOME/parameters "
            "(docs/placements.md)"
        )
    ctx.trace.use(value)
    if not isinstance(value.value, dict):
        raise ParameterTypeError(f"{value.file}: {value.ref}: must be a table age_<from>_<to>: share")
    for band, text in value.value.items():
        parts = str(band).split("_")
        try:
            low, high = int(parts[1]), int(parts[2])
            share = Decimal(str(text))
        except (IndexError, ValueError, InvalidOperation):
            raise ParameterTypeError(
                f'{value.file}: {value.ref}: {band}: {text!r}: write age_<from>_<to>: "0.0825" (a share)'
            ) from None
        if len(parts) == 3 and parts[0] == "age" and low <= ctx.age <= high:
            if not share.is_finite() or not 0 <= share <= 1:
                raise ParameterTypeError(f"{value.file}: {value.ref}: {band}: {text!r} must be a share 0–1")
            return value, share
    raise ParameterNotInForce(f"{value.ref}: no age band for {ctx.age} years; load one ({value.file})")


def _foster_lines(ctx: _Month) -> list[Line]:
    child = ctx.situation.child.id
    pbb = ctx.trace.use(ctx.rule_set.lookup(PBB, ctx.month.first_day))
    lines = []
    for key, kind, what in (
        (FOSTER_EXPENSE, "omkostnad", "omkostnadsersättning (grundkostnad)"),
        (FOSTER_FEE, "arvode", "arvode"),
    ):
        value, share = _foster_share(ctx, key, what)
        monthly = pbb.money().times(share)
        lines.append(
            Line(
                f"norm.placement.{kind}",
                child,
                ctx.share(monthly),
                f"{ctx.profile.municipality_name}: {what}, {ctx.age} år: {share.normalize():f} × prisbasbelopp "
                f"{pbb.money()} = {monthly} kr i månaden{ctx.period_text()}",
                ctx.cite("4"),
                value.ref,
                value.confidence.value,
            )
        )
    extra = ctx.situation.placement.care_extra
    if extra:
        lines.append(
            Line(
                "norm.placement.omkostnad_tillagg",
                child,
                extra,
                f"{ctx.profile.municipality_name}: tillägg till omkostnaden för barnets behov "
                "(handläggarens bedömning)",
                ctx.cite("4"),
                None,
                "HIGH",
            )
        )
    summer = _summer_equivalent(ctx)
    if summer is not None:
        lines.append(summer)
    return lines


def _summer_equivalent(ctx: _Month) -> Line | None:
    """Familjehem in July–August: the omkostnad rises by the study grant CSN does not pay (section 6.2)."""
    if not _summer_student(ctx):
        return None
    grants = [
        i
        for i in ctx.situation.incomes
        if i.kind is PlacementIncomeKind.STUDY_GRANT and i.month < ctx.month and i.month.year == ctx.month.year
    ]
    if not grants:
        ctx.trace.warn(
            f"sommarlov {ctx.month}: the omkostnad rises by the study grant's equivalent, but no studiebidrag "
            "this year is reported to take it from (routine section 6.2)"
        )
        return None
    last = max(grants, key=lambda i: i.month)
    return Line(
        "norm.placement.summer_study_grant",
        ctx.situation.child.id,
        last.amount,
        f"{ctx.profile.municipality_name}: sommarlov: CSN betalar inget studiebidrag i juli–augusti; omkostnaden "
        f"ökar med motsvarande ({last.amount} kr, studiebidraget {last.month})",
        ctx.cite("6.2"),
        None,
        "HIGH",
    )


def _summer_student(ctx: _Month) -> bool:
    in_school = ctx.situation.child.in_school is not False
    return ctx.month.month in SUMMER_MONTHS and in_school and ctx.age >= STUDY_GRANT_AGE


# ---------------------------------------------------------------------------------------------------- deductions


def _counted(ctx: _Month, amount: Money, kind: str, rule: str, section: str, value: ParameterValue | None) -> Line:
    return Line(
        "income.counted",
        ctx.situation.child.id,
        amount,
        f"{ctx.profile.municipality_name}: {rule}",
        ctx.cite(section),
        value.ref if value is not None else None,
        value.confidence.value if value is not None else "HIGH",
        income_kind=kind,
    )


def _disregarded(ctx: _Month, amount: Money, kind: str, rule: str, section: str) -> Line:
    return Line(
        f"income.disregarded.{kind}",
        ctx.situation.child.id,
        amount,
        f"{ctx.profile.municipality_name}: {rule}",
        ctx.cite(section),
        None,
        "HIGH",
        income_kind=kind,
    )


def _deductions(ctx: _Month) -> list[Line]:
    facts = ctx.situation.placement
    foster = facts.kind is PlacementKind.FAMILJEHEM
    lines: list[Line] = []
    for amount, kind, what in (
        (facts.pocket_money, "pocket_money", "fickpengar från boendet"),
        (facts.home_payments, "home_payments", "andra pengar som boendet betalar (t.ex. klädbidrag)"),
    ):
        if amount:
            text = f"{what} {amount} kr i månaden{ctx.period_text()} räknas av"
            lines.append(_counted(ctx, ctx.share(amount), kind, text, "3.1", None))
    lma_computed = facts.asylum_seeking and facts.kind in (PlacementKind.HVB, PlacementKind.FAMILJEHEM)
    if lma_computed:
        rate = ctx.trace.use(ctx.rule_set.lookup(LMA_FOOD_INCLUDED, ctx.month.first_day))
        daily = rate.money_at(LMA_KEY)
        text = (
            f"LMA dagersättning medan barnet är asylsökande: {ctx.days} dagar × {daily} kr = "
            f"{daily.times(ctx.days)} kr räknas av"
        )
        lines.append(_counted(ctx, daily.times(ctx.days), "lma_daily_allowance", text, "6.1", rate))
    elif facts.asylum_seeking and not any(
        i.kind is PlacementIncomeKind.LMA_DAILY_ALLOWANCE and i.month == ctx.month for i in ctx.situation.incomes
    ):
        ctx.trace.warn(
            f"asylum-seeking in a training flat in {ctx.month}: report the LMA dagersättning received "
            "(lma_daily_allowance); the routine gives a daily amount only at an HVB"
        )
    this_month = [i for i in ctx.situation.incomes if i.month == ctx.month]
    for income in this_month:
        if income.kind is not PlacementIncomeKind.EMPLOYMENT or foster:
            lines += _income_lines(ctx, income, foster=foster, lma_computed=lma_computed)
    if not foster and any(i.kind is PlacementIncomeKind.EMPLOYMENT for i in this_month):
        lines += _wage_lines(ctx)
    if not foster and _summer_student(ctx) and not any(i.kind is PlacementIncomeKind.STUDY_GRANT for i in this_month):
        lines.append(
            _disregarded(
                ctx,
                Money.zero(),
                "summer_study_grant",
                "sommarlov: CSN betalar inget studiebidrag i juli–augusti; motsvarande beviljas genom att inget "
                "studiebidrag räknas av",
                "6.2",
            )
        )
    return lines


def _income_lines(ctx: _Month, income: PlacementIncome, *, foster: bool, lma_computed: bool) -> list[Line]:
    kind = income.kind
    if kind is PlacementIncomeKind.CSN_EXTRA_ALLOWANCE:
        why = "CSN:s extra tillägg räknas inte som inkomst (RÅ 1990 ref. 7, RÅ 1996 ref. 12)"
        return [_disregarded(ctx, income.amount, kind.value, why, "6.2")]
    if kind is PlacementIncomeKind.SUMMER_WORK:
        why = "fyra veckors feriearbete under sommaren räknas inte som inkomst"
        return [_disregarded(ctx, income.amount, kind.value, why, "3.5")]
    if kind is PlacementIncomeKind.LMA_DAILY_ALLOWANCE and lma_computed:
        why = "rapporterad LMA dagersättning räknas inte två gånger: dagersättningen räknas av per dag ovan"
        return [_disregarded(ctx, income.amount, "lma_reported", why, "6.1")]
    if kind is PlacementIncomeKind.EMPLOYMENT and foster:
        why = "familjehemsplacerade barn och ungdomar får spara och tjäna hur mycket de vill"
        return [_disregarded(ctx, income.amount, "foster_child_wage", why, "3.5")]
    text = f"{COUNTED_NAMES[kind]} {income.amount} kr räknas av"
    return [_counted(ctx, income.amount, kind.value, text, "3.1", None)]


def _wage_lines(ctx: _Month) -> list[Line]:
    """Wages count only above one prisbasbelopp a year: the national rule (4 kap. 1 a § SoL), which the routine
    applies to placed youths (section 3.5), computed by its owner in :mod:`.incomes`."""
    situation = ctx.situation
    wages = [i for i in situation.incomes if i.kind is PlacementIncomeKind.EMPLOYMENT and i.month <= ctx.month]
    member = {
        "id": situation.child.id,
        "role": "applicant",
        "birth_date": situation.child.birth_date.isoformat(),
        "in_school": situation.child.in_school is not False,
    }
    calc_situation = parse_situation(
        {
            "month": str(ctx.month),
            "household": {"members": [member]},
            "incomes": [
                {"member": situation.child.id, "kind": "employment", "month": str(i.month), "amount": str(i.amount)}
                for i in wages
            ],
        }
    )
    law = ctx.law
    citations = Citations(law.text_at("incomes"), law.text_at("jobbstimulans"), law.text_at("child_wage"))
    running: dict[str, Money] = {}
    lines: list[Line] = []
    for income in calc_situation.incomes:
        if income.month == ctx.month:
            lines += _child_wage(calc_situation, income, ctx.month, running, ctx.rule_set, ctx.trace, citations)
    return [
        Line(
            line.kind,
            line.member,
            line.amount,
            f"{ctx.profile.municipality_name}: {line.rule}",
            line.reference,
            line.parameter,
            line.confidence,
            income_kind="employment",
        )
        for line in lines
    ]
