"""A household story used by several tests: register, two members, cohabitation, three applications,
incomes and one correction."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from bistand_es.application.app import BistandApplication
from bistand_es.domain.month import Month
from bistand_es.domain.records import Actor
from bistand_es.domain.vocabulary import ActorRole, MemberRole, Outcome

ANNA = Actor("anna", "handlaggare")
BERIT = Actor("berit", "handlaggare")
APPLICANT = "19640823-3234"
PARTNER = "19701063-2391"  # samordningsnummer
CHILD = "20160601-0005"

EXPECTED_TYPES = [
    ("HouseholdRegistered", "anna"),
    ("MemberAdded", "anna"),
    ("MemberAdded", "anna"),
    ("CohabitationChanged", "anna"),
    ("ApplicationSubmitted", "anna"),
    ("ApplicationSubmitted", "anna"),
    ("ApplicationSubmitted", "berit"),
    ("IncomeReported", "anna"),
    ("IncomeReported", "berit"),
    ("IncomeCorrected", "berit"),
]


def tell_story(app: BistandApplication) -> tuple[UUID, str]:
    """Returns the household id and the id of the corrected income."""
    hid = app.register_household(
        actor=ANNA,
        municipality="1765",
        applicant=APPLICANT,
        birth_date=date(1964, 8, 23),
        registered_on=date(2021, 1, 4),
    ).household_id
    app.add_member(
        hid,
        actor=ANNA,
        person=PARTNER,
        role=MemberRole.CO_APPLICANT,
        birth_date=date(1970, 10, 3),
        in_school=None,
        effective_on=date(2021, 1, 4),
    )
    app.add_member(
        hid,
        actor=ANNA,
        person=CHILD,
        role=MemberRole.CHILD,
        birth_date=date(2016, 6, 1),
        in_school=None,
        effective_on=date(2021, 1, 4),
    )
    app.set_cohabiting(hid, actor=ANNA, cohabiting=True, effective_on=date(2021, 1, 4))
    for month, actor in (("2021-01", ANNA), ("2021-02", ANNA), ("2021-03", BERIT)):
        m = Month.parse(month)
        app.submit_application(
            hid,
            actor=actor,
            month=m,
            received_on=(m - 1).first_day.replace(day=20),
            complete_on=None,
            cost_lines=[{"kind": "rent", "amount": Decimal("7500.00")}],
        )
    app.report_income(
        hid,
        actor=ANNA,
        member=APPLICANT,
        kind="child_allowance",
        month=Month.parse("2021-01"),
        amount=Decimal("1250.00"),
        source="external",
    )
    wages = app.report_income(
        hid,
        actor=BERIT,
        member=APPLICANT,
        kind="employment",
        month=Month.parse("2021-02"),
        amount=Decimal("8000.00"),
        source="applicant",
    ).result
    assert wages is not None
    app.correct_income(hid, actor=BERIT, income_id=wages, reason="lönespecifikation", amount=Decimal("8100.00"))
    return hid, wages


def synthetic_decision(app: BistandApplication, hid: UUID, month: str, aid: str) -> None:
    """A granting decision with a hand-written calculation (for tests that need one without the engine)."""
    app.change_household(
        hid,
        lambda h: h.make_decision(
            actor=ANNA,
            month=Month.parse(month),
            outcome=Outcome.GRANTED,
            situation={},
            calculation={"aid": aid, "lines": []},
            rule_set_hash="x",
            parameters=[],
            approved_costs={},
            norm_adjustment=None,
            conditions=[],
            delegat=ActorRole.CASEWORKER,
            reason="",
            decided_on=Month.parse(month).first_day,
        ),
    )
