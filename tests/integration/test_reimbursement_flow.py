"""Återsökning on the write side (issue 8), on memory, SQLite and PostgreSQL.

Figures by hand. Aid: riksnorm 2021 (SFS 2020:1013) for a single adult, 3 160 personal + 1 020 common costs = 4 180;
with rent 5 000 and no income the aid is 9 180 kr a month. Deadlines: förordning (2017:193) 19 §, the last day of
the sixth month after the quarter (2021-Q3 → 2022-03-31); 22 § (2010:1122): 75 % of (cost − fees), the year after
the calendar year (2025 → 2026-12-31), a first claim within three years of the reception.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from bistand_es.application.app import BistandApplication
from bistand_es.application.decisions import DecisionRequest
from bistand_es.application.payments import PaymentOrder, Reimbursable
from bistand_es.application.units import Units
from bistand_es.domain.errors import ConcurrentChange, DomainRuleViolation, InvalidInput, UnknownMember
from bistand_es.domain.household.migration import AgencyReferenceKind, ClaimOutcome, split_evenly
from bistand_es.domain.money import Money
from bistand_es.domain.month import Month
from bistand_es.domain.records import Actor
from bistand_es.domain.reimbursement.case import MigrationStatus, Reception
from bistand_es.domain.rules.rule_set import RuleSet, load_rule_set
from bistand_es.domain.vocabulary import MemberRole
from tests.conftest import store_digest

ANNA = Actor("anna", "handlaggare")
ERIK = Actor("erik", "ekonom")  # four-eyes: the payer is not the one who decided (docs/security.md)
SIV = "19850402-1232"
BO = "19640823-3234"
NO_UNITS = Units((), None)
LMA = "asylum.lma_aid"
D = Decimal


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rule_set(None)


def household(app: BistandApplication, applicant: str, born: date) -> UUID:
    return app.register_household(
        actor=ANNA, municipality="1765", applicant=applicant, birth_date=born, registered_on=date(2021, 6, 1)
    ).household_id


def asylum_seeker(app: BistandApplication, hid: UUID, person: str) -> None:
    app.record_migration_status(
        hid, actor=ANNA, person=person, status=MigrationStatus.ASYLUM_SEEKER, valid_from=date(2021, 5, 1)
    )


def pay(app: BistandApplication, rules: RuleSet, hid: UUID, month: str, amount: str | None = None, **kw: object) -> str:
    """Apply (rent 5 000), decide and pay the month (all that is granted, or ``amount``)."""
    m = Month.parse(month)
    app.submit_application(
        hid, actor=ANNA, month=m, received_on=(m - 1).first_day.replace(day=20), complete_on=None,
        cost_lines=[{"kind": "rent", "amount": D("5000"), "note": ""}],
    )  # fmt: skip
    app.decide(hid, DecisionRequest(month=m, actor=ANNA, decided_on=m.first_day), rules)
    order = PaymentOrder(m, ERIK, m.first_day.replace(day=25), amount=D(amount) if amount else None, **kw)  # type: ignore[arg-type]
    return str(app.issue_payment(hid, order).result)


def refused(app: BistandApplication, error: type[Exception], match: str, action: object) -> None:
    before = store_digest(app)
    with pytest.raises(error, match=match):
        action()  # type: ignore[operator]
    assert store_digest(app) == before


def test_split_evenly_adds_up() -> None:
    # 100.00 over three: 10 000 öre = 3 × 3 333 + 1; the first person takes the öre left over.
    lines = split_evenly(Money.of("100.00"), ["a", "b", "c"])
    assert [(line.person, str(line.amount)) for line in lines] == [("a", "33.34"), ("b", "33.33"), ("c", "33.33")]


def test_a_claim_spanning_two_households_is_recorded_on_both_at_once(app: BistandApplication, rules: RuleSet) -> None:
    siv = household(app, SIV, date(1985, 4, 2))
    bo = household(app, BO, date(1964, 8, 23))
    for hid, person in ((siv, SIV), (bo, BO)):
        asylum_seeker(app, hid, person)
        pay(app, rules, hid, "2021-07")  # 9 180 each, tagged asylum.lma_aid by default
    plan = app.prepare_filing(
        type_name=LMA, period_text="2021-Q3", filed_on=date(2022, 1, 15), rule_set=rules, units=NO_UNITS
    )
    assert plan.total == D("18360.00")  # 2 × 9 180
    assert sorted(plan.households) == sorted([siv, bo])

    # A household that changed since the plan was made: nothing is recorded on either.
    app.record_agency_reference(siv, actor=ANNA, person=SIV, kind=AgencyReferenceKind.DOSSIER, reference="1234567")
    refused(app, ConcurrentChange, "changed", lambda: app.record_filing(plan, actor=ANNA))

    plan = app.prepare_filing(
        type_name=LMA, period_text="2021-Q3", filed_on=date(2022, 1, 15), rule_set=rules, units=NO_UNITS
    )
    recorded = app.record_filing(plan, actor=ANNA)
    assert sorted(r.household_id for r in recorded) == sorted([siv, bo])
    assert all(r.event_types == ["ReimbursementFiled"] for r in recorded)
    for hid in (siv, bo):
        part = app.get_household(hid).reimbursements[plan.claim_id]
        assert (part.amount, part.claim_amount) == (D("9180.00"), D("18360.00"))

    refused(app, DomainRuleViolation, "already filed", lambda: app.prepare_filing(
        type_name=LMA, period_text="2021-Q3", filed_on=date(2022, 1, 20), rule_set=rules, units=NO_UNITS))  # fmt: skip
    # The same plan again: refused as stale, and even with fresh versions each household refuses a cost claimed.
    refused(app, ConcurrentChange, "changed", lambda: app.record_filing(plan, actor=ANNA))
    fresh = replace(plan, claim_id="again", versions={h: app.get_household(h).version for h in plan.households})
    refused(app, DomainRuleViolation, "already in claim", lambda: app.record_filing(fresh, actor=ANNA))

    app.record_reimbursement_outcome(
        plan.claim_id, actor=ANNA, outcome=ClaimOutcome.GRANTED, decided_on=date(2022, 3, 1)
    )
    claim = app.get_reimbursement_claim(plan.claim_id)
    assert (claim["outcome"], claim["granted"], claim["difference"]) == ("granted", "18360.00", "0.00")
    assert len(claim["households"]) == 2
    scan = app.scan(as_of=date(2022, 1, 15), rule_set=rules, units=NO_UNITS)
    assert scan["opportunities"] == []
    assert scan["totals"]["claimed"] == "18360.00"


def test_the_default_rule_tags_only_the_asylum_seekers_share(app: BistandApplication, rules: RuleSet) -> None:
    hid = household(app, SIV, date(1985, 4, 2))
    app.add_member(
        hid, actor=ANNA, person=BO, role=MemberRole.ADULT, birth_date=date(1964, 8, 23), in_school=None,
        effective_on=date(2021, 6, 1),
    )  # fmt: skip
    asylum_seeker(app, hid, SIV)
    app.record_migration_status(
        hid, actor=ANNA, person=BO, status=MigrationStatus.RESIDENCE_PERMIT, valid_from=date(2021, 1, 1)
    )
    payment = pay(app, rules, hid, "2021-07", amount="1000.01")
    # 1 000.01 shared by two members: 500.01 (the applicant, first) and 500.00; only Siv is an asylum seeker.
    type_name, lines, automatic = app.get_household(hid).payment_tags[payment]
    assert (type_name, [(line.person, str(line.amount)) for line in lines], automatic) == (
        LMA,
        [(SIV, "500.01")],
        True,
    )
    # A cancelled payment is no cost any more.
    app.cancel_payment(payment, actor=ANNA, reason="återkommen")
    assert app.scan(as_of=date(2022, 1, 15), rule_set=rules, units=NO_UNITS)["opportunities"] == []


def test_an_explicit_tag_replaces_the_default(app: BistandApplication, rules: RuleSet) -> None:
    hid = household(app, SIV, date(1985, 4, 2))
    asylum_seeker(app, hid, SIV)
    known = frozenset({LMA, "permit.illness"})
    payment = pay(app, rules, hid, "2021-07", reimbursable=Reimbursable("permit.illness", None, known))
    type_name, lines, automatic = app.get_household(hid).payment_tags[payment]
    assert (type_name, [(line.person, str(line.amount)) for line in lines], automatic) == (
        "permit.illness",
        [(SIV, "9180.00")],
        False,
    )
    # An asylum seeker is not covered by permit.illness: the scan lists it as not eligible, never as open.
    scan = app.scan(as_of=date(2022, 1, 15), rule_set=rules, units=NO_UNITS)
    assert scan["opportunities"] == []
    assert [n["reason"] for n in scan["not_eligible"]] == ["asylum_seeker from 2021-05-01"]


def test_a_cost_outside_the_aid_with_the_75_percent_rule(app: BistandApplication, rules: RuleSet) -> None:
    hid = household(app, SIV, date(1985, 4, 2))
    app.record_migration_status(
        hid, actor=ANNA, person=SIV, status=MigrationStatus.RESIDENCE_PERMIT, valid_from=date(2024, 2, 1),
        permit_type="permanent",
    )  # fmt: skip
    app.record_reception(hid, actor=ANNA, person=SIV, received_on=date(2024, 3, 10), reception=Reception.ANVISAD)

    def cost(person: str = SIV, type_name: str = "permit.housing_support", **kw: object) -> object:
        return app.record_reimbursable_cost(
            hid, actor=ANNA, rule_set=rules, person=person, month=Month.parse("2025-03"), type_name=type_name,
            amount=Money.of("40000"), evidence="Faktura 2025-311", **kw,  # type: ignore[arg-type]
        )  # fmt: skip

    refused(app, UnknownMember, "not a member", lambda: cost(person=BO))
    refused(app, InvalidInput, "is not a compensation type", lambda: cost(type_name="asylum.lunch"))
    refused(app, InvalidInput, "--care-began-on: only care of children", lambda: cost(care_began_on=date(2020, 1, 1)))
    refused(app, InvalidInput, "--fees", lambda: cost(fees=Money.of("40000.01")))
    cost(fees=Money.of("4000"))
    scan = app.scan(as_of=date(2026, 1, 15), rule_set=rules, units=NO_UNITS)
    # 0.75 × (40 000 − 4 000) = 27 000.00; year 2025 → 2026-12-31, earlier than the first claim's limit
    # 2024-03-10 + 3 years = 2027-03-10.
    assert [(o["type"], o["period"], o["amount"], o["deadline"], o["first_claim_by"]) for o in scan[
        "opportunities"]] == [("permit.housing_support", "2025", "27000.00", "2026-12-31", "2027-03-10")]  # fmt: skip
    refused(app, InvalidInput, "has not ended", lambda: app.prepare_filing(
        type_name="permit.housing_support", period_text="2025", filed_on=date(2025, 12, 31), rule_set=rules,
        units=NO_UNITS))  # fmt: skip
    refused(app, InvalidInput, "claimed per calendar_year", lambda: app.prepare_filing(
        type_name="permit.housing_support", period_text="2025-Q1", filed_on=date(2026, 1, 15), rule_set=rules,
        units=NO_UNITS))  # fmt: skip
