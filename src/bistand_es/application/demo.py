"""A synthetic municipality (``bistand demo``): households registered through the application service, then
month by month their applications and incomes, the monthly run (:mod:`.monthly_run`) deciding and paying.

The population is **illustrative**: the shares of household types, the rents, wages and benefit amounts below
are chosen to look like a municipality's caseload (most households a single adult, then single parents,
couples with and without children, some newly arrived), not taken from a cited table. Nothing here is a rule
parameter: every amount of aid comes from the rules engine. Everything is drawn from ``random.Random(seed)``,
so one seed gives the same population, incomes and outcomes (household ids are fresh uuids each time).

After the months are run, a small share of the households gets what a real caseload also has
(:func:`follow_ups`): a payment that came back and is cancelled (by the ekonom), and an återkrav of part of a
payment (felaktig utbetalning, 9 kap. 1 § SoL, decided by the household's handläggare), some of them partly
repaid (received by the ekonom); some applications are corrected before they are decided (a new rent). All go
through the application service like any command, so the read model shows recovery balances.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import Any, Final
from uuid import UUID

from bistand_es.application.app import BistandApplication
from bistand_es.application.users import add_user, load_register
from bistand_es.domain.household import Household
from bistand_es.domain.identifiers import luhn_check_digit
from bistand_es.domain.month import Month
from bistand_es.domain.records import Actor
from bistand_es.domain.reimbursement.case import MigrationStatus
from bistand_es.domain.rules.rule_set import RuleSet
from bistand_es.domain.vocabulary import ActorRole, MemberRole, RecoveryGround

#: The last month the demo runs (the rules ship parameters in force through it).
LAST_MONTH: Final = Month.parse("2025-12")
MUNICIPALITY: Final = "1765"
SYSTEM_USER: Final = "demo.batch"
EKONOM: Final = "demo.ekonom"
CASEWORKERS: Final = ("demo.handlaggare1", "demo.handlaggare2", "demo.handlaggare3")

#: Illustrative shares of households (or of their months) that get a follow-up.
CANCELLED_SHARE: Final = 0.03  # float-ok: of households, one payment came back (closed account) and is cancelled
CLAIM_SHARE: Final = 0.06  # float-ok: of households, an återkrav of part of one payment
REPAID_SHARE: Final = 0.5  # float-ok: of the claims, those with a first repayment received
CORRECTED_APPLICATION_SHARE: Final = 0.03  # float-ok: an application corrected before the decision (new rent)

#: Household types and their illustrative shares (adults, children at most).
TYPES: Final = (
    ("single", 0.55, 1, 0),
    ("single_parent", 0.20, 1, 3),
    ("couple", 0.10, 2, 0),
    ("couple_children", 0.15, 2, 4),
)


@dataclass
class Profile:
    """What the demo knows of one household beyond its events: its rent and its spells of income."""

    applicant: str
    adults: list[str]
    children: int
    rent: Decimal
    electricity: Decimal
    benefit: tuple[str, Decimal] | None
    job: tuple[Month, Month, Decimal] | None  # first month, last month, monthly wage
    newly_arrived: bool
    caseworker: Actor


@dataclass
class DemoResult:
    households: int
    months: list[str]
    open_month: str | None
    run_as: str
    decided: int = 0
    paid: int = 0
    paid_total: Decimal = Decimal("0.00")
    left: int = 0
    corrections: int = 0
    application_corrections: int = 0
    cancelled: int = 0
    claims: int = 0
    claimed_total: Decimal = Decimal("0.00")
    repaid_total: Decimal = Decimal("0.00")
    users_created: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "households": self.households,
            "months": self.months,
            "open_month": self.open_month,
            "run_as": self.run_as,
            "decided": self.decided,
            "paid": self.paid,
            "paid_total": f"{self.paid_total:.2f}",
            "left_for_caseworker": self.left,
            "income_corrections": self.corrections,
            "application_corrections": self.application_corrections,
            "payments_cancelled": self.cancelled,
            "recovery_claims": self.claims,
            "claimed_total": f"{self.claimed_total:.2f}",
            "repaid_total": f"{self.repaid_total:.2f}",
            "users_created": self.users_created,
        }


def ensure_users(app: BistandApplication, admin: Actor) -> list[str]:
    """The demo's users: the acting administrator, a system user, three handläggare and an ekonom."""
    register = load_register(app)
    existing = set(register.users) if register is not None else set()
    wanted = [
        (admin.user, ActorRole.ADMINISTRATOR),
        (SYSTEM_USER, ActorRole.SYSTEM),
        (EKONOM, ActorRole.FINANCE_OFFICER),
    ]
    wanted += [(name, ActorRole.CASEWORKER) for name in CASEWORKERS]
    created = []
    for name, role in wanted:
        if name not in existing:
            add_user(app, actor=admin, name=name, role=role.value)
            created.append(name)
    return created


class _People:
    """Unique, valid personnummer (YYMMDD-NNNC with the Luhn check digit)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def new(self, rng: random.Random, born: date) -> str:
        while True:
            serial = rng.randrange(0, 1000)
            nine = born.strftime("%y%m%d") + f"{serial:03d}"
            number = f"{born:%Y%m%d}{serial:03d}{luhn_check_digit(nine)}"
            if number not in self.used:
                self.used.add(number)
                return number


def _birth(rng: random.Random, oldest: int, youngest: int) -> date:
    start = date(oldest, 1, 1).toordinal()
    return date.fromordinal(rng.randrange(start, date(youngest, 12, 31).toordinal()))


def _money(rng: random.Random, low: int, high: int, step: int = 10) -> Decimal:
    return Decimal(rng.randrange(low, high + 1, step)).quantize(Decimal("0.01"))


def _draw_type(rng: random.Random) -> tuple[str, int, int]:
    pick = rng.random()  # float-ok: a draw, not money
    total = 0.0  # float-ok
    for name, share, adults, children in TYPES:
        total += share
        if pick < total:
            return name, adults, children
    return TYPES[0][0], TYPES[0][2], TYPES[0][3]


def register_population(
    app: BistandApplication,
    *,
    count: int,
    first: Month,
    last: Month,
    rng: random.Random,
    progress: Callable[[int, int], None] | None = None,
) -> dict[UUID, Profile]:
    """Register ``count`` households (with members, cohabitation and migration facts) through the service."""
    people = _People()
    profiles: dict[UUID, Profile] = {}
    registered_on = (first - 1).first_day + timedelta(days=14)
    for index in range(count):
        caseworker = Actor(CASEWORKERS[index % len(CASEWORKERS)], ActorRole.CASEWORKER.value)
        _, adults, max_children = _draw_type(rng)
        children = rng.randint(1, max_children) if max_children else 0
        born = _birth(rng, first.year - 64, first.year - 21)
        applicant = people.new(rng, born)
        hid = app.register_household(
            actor=caseworker,
            municipality=MUNICIPALITY,
            applicant=applicant,
            birth_date=born,
            registered_on=registered_on,
        ).household_id
        members = [applicant]
        if adults == 2:
            partner_born = _birth(rng, first.year - 64, first.year - 21)
            partner = people.new(rng, partner_born)
            app.add_member(
                hid,
                actor=caseworker,
                person=partner,
                role=MemberRole.CO_APPLICANT,
                birth_date=partner_born,
                in_school=None,
                effective_on=registered_on,
            )
            app.set_cohabiting(hid, actor=caseworker, cohabiting=True, effective_on=registered_on)
            members.append(partner)
        for _ in range(children):
            child_born = _birth(rng, first.year - 17, first.year - 2)
            app.add_member(
                hid,
                actor=caseworker,
                person=people.new(rng, child_born),
                role=MemberRole.CHILD,
                birth_date=child_born,
                in_school=None,
                effective_on=registered_on,
            )
        newly_arrived = rng.random() < 0.08  # float-ok: illustrative share
        if newly_arrived:
            for person in members:
                app.record_migration_status(
                    hid,
                    actor=caseworker,
                    person=person,
                    status=MigrationStatus.RESIDENCE_PERMIT,
                    valid_from=registered_on - timedelta(days=rng.randrange(30, 700)),
                    permit_type="flykting",
                )
        if rng.random() < 0.4:  # float-ok: moved here with support from another municipality (jobbstimulans counts it)
            earlier = [first - k for k in range(6, 0, -1)]
            app.record_external_support(
                hid, actor=caseworker, person=applicant, months=earlier, source="intyg från tidigare kommun"
            )
        size = len(members) + children
        job = None
        if rng.random() < 0.35:  # float-ok: illustrative share of households with a job spell
            start = first + rng.randrange(0, max(1, last.index - first.index + 1))
            job = (start, start + rng.randrange(2, 14), _money(rng, 3000, 16000, 100))
        benefit = None
        if rng.random() < 0.30:  # float-ok
            kind = rng.choice(["unemployment_benefit", "sickness_benefit", "activity_support"])
            benefit = (kind, _money(rng, 1500, 9000, 100))
        profiles[hid] = Profile(
            applicant=applicant,
            adults=members,
            children=children,
            rent=_money(rng, 4200 + 900 * size, 6500 + 1200 * size),
            electricity=_money(rng, 150, 450) if rng.random() < 0.5 else Decimal("0.00"),  # float-ok
            benefit=benefit,
            job=job,
            newly_arrived=newly_arrived,
            caseworker=caseworker,
        )
        if progress is not None:
            progress(index + 1, count)
    return profiles


def month_facts(profile: Profile, month: Month, rng: random.Random) -> Callable[[Household], tuple[int, int]]:
    """The month's application and incomes for one household; returns the incomes and applications it corrected."""

    def prepare(household: Household) -> tuple[int, int]:
        if household.closed_on is not None or month in household.applications or month in household.decisions:
            return 0, 0  # the month is there already (a batch read again after a conflict, or a second demo run)
        actor = profile.caseworker
        lines = [{"kind": "rent", "amount": profile.rent}]
        if profile.electricity > 0:
            lines.append({"kind": "electricity", "amount": profile.electricity})
        household.submit_application(
            actor=actor,
            month=month,
            received_on=(month - 1).first_day + timedelta(days=rng.randrange(14, 26)),
            complete_on=None,
            cost_lines=lines,
            first_time=not household.decisions and not household.applications,
            contact_on=None,
            reason="",
        )
        corrected, application_corrected = 0, 0
        if rng.random() < CORRECTED_APPLICATION_SHARE:  # float-ok: a new lease came in before the decision
            rent = profile.rent + _money(rng, 100, 600, 50)
            lines = [{**line, "amount": rent} if line["kind"] == "rent" else line for line in lines]
            household.correct_application(
                actor=actor, month=month, reason="nytt hyresavtal", cost_lines=lines, received_on=None, complete_on=None
            )
            application_corrected = 1
        applicant = profile.applicant
        if profile.children:
            amount = Decimal("1250.00") * profile.children  # barnbidrag as the household reports it
            household.report_income(
                actor=actor, member=applicant, kind="child_allowance", month=month, amount=amount, source="external"
            )
        if profile.benefit is not None:
            kind, amount = profile.benefit
            household.report_income(
                actor=actor, member=applicant, kind=kind, month=month, amount=amount, source="external"
            )
        if profile.newly_arrived and rng.random() < 0.5:  # float-ok
            household.report_income(
                actor=actor,
                member=applicant,
                kind="establishment_benefit",
                month=month,
                amount=_money(rng, 2000, 6000, 100),
                source="external",
            )
        if profile.job is not None and profile.job[0] <= month <= profile.job[1]:
            wage = profile.job[2]
            income_id = household.report_income(
                actor=actor, member=applicant, kind="employment", month=month, amount=wage, source="applicant"
            )
            if rng.random() < 0.1:  # float-ok: the payslip showed another amount
                household.correct_income(
                    actor=actor,
                    income_id=income_id,
                    reason="lönespecifikation visar annat belopp",
                    amount=wage + rng.choice((-1, 1)) * _money(rng, 50, 500, 50),
                    kind=None,
                    month=None,
                )
                corrected = 1
        return corrected, application_corrected

    return prepare


def run_demo(
    app: BistandApplication,
    *,
    admin: Actor,
    rule_set: RuleSet,
    households: int,
    months: int,
    seed: int,
    open_last_month: bool,
    progress: Callable[[str, int, int], None] | None = None,
) -> DemoResult:
    """Build the municipality and run its months; the last one left applied for only with ``open_last_month``."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible synthetic population, not a secret
    created = ensure_users(app, admin)
    first = LAST_MONTH - (months - 1)
    run_as = Actor(SYSTEM_USER, ActorRole.SYSTEM.value)

    def step(label: str) -> Callable[[int, int], None] | None:
        return None if progress is None else (lambda done, total: progress(label, done, total))

    profiles = register_population(
        app, count=households, first=first, last=LAST_MONTH, rng=rng, progress=step("register")
    )
    all_months = [first + i for i in range(months)]
    result = DemoResult(
        households=households,
        months=[str(m) for m in all_months],
        open_month=str(LAST_MONTH) if open_last_month else None,
        run_as=SYSTEM_USER,
        users_created=created,
    )
    order = {hid: i for i, hid in enumerate(profiles)}
    counted: dict[tuple[UUID, Month], tuple[int, int]] = {}
    planned = plan_follow_ups(list(profiles), all_months[:-1], seed)  # never the last month
    paid: list[dict[str, Any]] = []  # only the payments planned for a follow-up: memory flat in the months
    for month in all_months:

        def prepare(household: Household, month: Month = month) -> None:
            profile = profiles.get(household.id)
            if profile is not None:  # a household of an earlier demo run in the same store gets no new month
                draw = random.Random(f"{seed}:{month}:{order[household.id]}")  # noqa: S311 - as above
                counted[household.id, month] = month_facts(profile, month, draw)(household)

        decide = not (open_last_month and month == all_months[-1])
        run = app.run_month(
            month,
            actor=run_as,
            rule_set=rule_set,
            run_on=(month - 1).last_day,
            prepare=prepare,
            decide=decide,
            progress=step(str(month)),
        )
        result.decided += len(run.decided)
        result.paid += len(run.paid)
        result.paid_total += sum((Decimal(p["amount"]) for p in run.paid), Decimal("0.00"))
        result.left += len(run.left)
        paid.extend(p for p in run.paid if planned.get(UUID(p["household_id"]), (None, None))[1] == month)
    result.corrections = sum(incomes for incomes, _ in counted.values())
    result.application_corrections = sum(applications for _, applications in counted.values())
    follow_ups(app, paid, planned, profiles, result, seed=seed, progress=step("follow-ups"))
    return result


#: The follow-ups :func:`plan_follow_ups` plans for a household.
CANCEL: Final = "cancel"
CLAIM: Final = "claim"


def plan_follow_ups(households: list[UUID], months: list[Month], seed: int) -> dict[UUID, tuple[str, Month]]:
    """Which households get a follow-up, which kind, and on the payment of which month (drawn from the seed).

    Planned before the months run, so only the payments planned for are kept while they run.
    """
    rng = random.Random(f"{seed}:follow-ups")  # noqa: S311 - a reproducible synthetic population
    planned: dict[UUID, tuple[str, Month]] = {}
    if not months:
        return planned
    for household in households:
        draw = rng.random()  # float-ok: a draw, not money
        month = rng.choice(months)
        if draw < CANCELLED_SHARE:
            planned[household] = (CANCEL, month)
        elif draw < CANCELLED_SHARE + CLAIM_SHARE:
            planned[household] = (CLAIM, month)
    return planned


def follow_ups(
    app: BistandApplication,
    paid: list[dict[str, Any]],
    planned: dict[UUID, tuple[str, Month]],
    profiles: dict[UUID, Profile],
    result: DemoResult,
    *,
    seed: int,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Cancel the planned payments, and claim back part of others (half of the claims half repaid).

    ``paid`` holds the payments of the planned households and months (a household whose month was left for a
    caseworker has none, and gets no follow-up). A claim is decided two weeks after the payment, its repayment
    received four weeks after the claim.
    """
    rng = random.Random(f"{seed}:claims")  # noqa: S311 - a reproducible synthetic population
    ekonom = Actor(EKONOM, ActorRole.FINANCE_OFFICER.value)
    registered = {hid: i for i, hid in enumerate(profiles)}  # the order of registration, the same for a seed
    paid = sorted(paid, key=lambda p: registered[UUID(p["household_id"])])  # not the run's order (ids are random)
    for index, payment in enumerate(paid, start=1):
        household = UUID(payment["household_id"])
        if planned[household][0] == CANCEL:
            app.change_household(household, partial(_cancel, actor=ekonom, payment_id=payment["payment_id"]))
            result.cancelled += 1
        else:
            _claim(app, household, payment, profiles[household].caseworker, ekonom, rng, result)
        if progress is not None and (index % 100 == 0 or index == len(paid)):
            progress(index, len(paid))


def _cancel(household: Household, *, actor: Actor, payment_id: str) -> str:
    """A payment that came back (the account was closed) is cancelled (makulerad)."""
    return household.cancel_payment(
        actor=actor, payment_id=payment_id, reason="återkommen utbetalning: kontot avslutat"
    )


def _claim(
    app: BistandApplication,
    household: UUID,
    payment: dict[str, Any],
    caseworker: Actor,
    ekonom: Actor,
    rng: random.Random,
    result: DemoResult,
) -> None:
    """An återkrav of part of one payment (felaktig utbetalning, 9 kap. 1 § SoL); half of them half repaid."""
    claimed = min(Decimal(payment["amount"]), _money(rng, 500, 3000, 100))
    decided_on = (Month.parse(payment["month"]) - 1).last_day + timedelta(days=14)  # paid the day before the month
    claim = app.claim_repayment(
        household,
        actor=caseworker,
        ground=RecoveryGround.WRONGFUL_PAYMENT,
        payment_ids=[payment["payment_id"]],
        amount=claimed,
        decided_on=decided_on,
        reason="inkomst som inte redovisades i ansökan",
    ).result
    if claim is None:  # pragma: no cover - claim_repayment always returns the new claim's id
        return
    result.claims += 1
    result.claimed_total += claimed
    if rng.random() < REPAID_SHARE:  # float-ok
        repaid = (claimed / 2).quantize(Decimal("0.01"))
        app.receive_repayment(claim, actor=ekonom, amount=repaid, received_on=decided_on + timedelta(days=28))
        result.repaid_total += repaid
