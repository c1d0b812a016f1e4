"""The monthly run (application/monthly_run.py): automated grants in full, their payments, what is left, four-eyes.

Figures by hand (riksnorm 2021, SFS 2020:1013, HIGH): an ensamstående's personal costs 3 160 kr + common
household costs for one person 1 020 kr = 4 180 kr; with rent 7 500 kr the need is 11 680 kr, and a household
with no income gets 11 680.00 kr.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from bistand_es.application.app import BistandApplication
from bistand_es.application.config import Settings
from bistand_es.application.decisions import DecisionRequest
from bistand_es.domain.errors import NotAuthorised
from bistand_es.domain.household.approvals import FourEyes
from bistand_es.domain.month import Month
from bistand_es.domain.records import Actor
from bistand_es.domain.rules.rule_set import load_rule_set

MARCH = Month.parse("2021-03")
ANNA = Actor("anna", "handlaggare")
BATCH = Actor("batch", "system")
EKONOM = Actor("eva", "ekonom")
RUN_ON = date(2021, 2, 25)
NEED = Decimal("11680.00")  # 3 160 + 1 020 + 7 500


@pytest.fixture
def app(tmp_path: object) -> BistandApplication:
    return BistandApplication(env=Settings(home=tmp_path, database_url="memory:").event_store_env())  # type: ignore[arg-type]


def household(app: BistandApplication, applicant: str, born: date, wage: Decimal | None = None) -> UUID:
    hid = app.register_household(
        actor=ANNA, municipality="1765", applicant=applicant, birth_date=born, registered_on=date(2021, 1, 4)
    ).household_id
    app.submit_application(
        hid,
        actor=ANNA,
        month=MARCH,
        received_on=date(2021, 2, 20),
        complete_on=None,
        cost_lines=[{"kind": "rent", "amount": Decimal("7500.00")}],
    )
    if wage is not None:
        for month in (MARCH - 1, MARCH):
            app.report_income(
                hid, actor=ANNA, member=applicant, kind="employment", month=month, amount=wage, source="applicant"
            )
    return hid


def test_grants_in_full_and_pays_once_and_leaves_a_refusal_for_a_caseworker(app: BistandApplication) -> None:
    rules = load_rule_set()
    poor = household(app, "19640823-3234", date(1964, 8, 23))
    rich = household(app, "19701003-2390", date(1970, 10, 3), wage=Decimal("30000.00"))  # 30 000 > 11 680: no aid
    run = app.run_month(MARCH, actor=BATCH, rule_set=rules, run_on=RUN_ON, batch_size=1)
    assert [(r["household_id"], r["aid"]) for r in run.decided] == [(str(poor), "11680.00")]
    assert [(r["household_id"], r["amount"]) for r in run.paid] == [(str(poor), "11680.00")]
    assert [r["household_id"] for r in run.left] == [str(rich)]
    assert "no aid" in run.left[0]["reason"]
    decided = app.get_household(poor)
    assert decided.decisions[MARCH].aid == NEED
    assert decided.paid_amount(MARCH) == NEED
    assert MARCH not in app.get_household(rich).decisions

    again = app.run_month(MARCH, actor=BATCH, rule_set=rules, run_on=RUN_ON)
    assert (again.decided, again.paid) == ([], [])  # nobody decided or paid twice
    assert app.get_household(poor).paid_amount(MARCH) == NEED


def test_pays_a_caseworkers_decision_and_only_a_system_user_runs_it(app: BistandApplication) -> None:
    rules = load_rule_set()
    hid = household(app, "19640823-3234", date(1964, 8, 23))
    app.decide(hid, DecisionRequest(month=MARCH, actor=ANNA, decided_on=RUN_ON), rules)
    with pytest.raises(NotAuthorised):
        app.run_month(MARCH, actor=EKONOM, rule_set=rules, run_on=RUN_ON)
    run = app.run_month(MARCH, actor=BATCH, rule_set=rules, run_on=RUN_ON)
    assert run.decided == []
    assert [r["amount"] for r in run.paid] == ["11680.00"]  # anna decided, the run pays: two people


def test_a_grant_above_the_approval_limit_waits_for_a_second_person(app: BistandApplication) -> None:
    rules = load_rule_set()
    app.four_eyes = FourEyes(approval_above=Decimal("10000.00"))  # 11 680 > 10 000: needs an approval
    hid = household(app, "19640823-3234", date(1964, 8, 23))
    run = app.run_month(MARCH, actor=BATCH, rule_set=rules, run_on=RUN_ON)
    assert [r["aid"] for r in run.decided] == ["11680.00"]
    assert run.paid == []
    assert "approval" in run.left[0]["reason"]
    app.approve_payment(hid, actor=EKONOM, month=MARCH)
    paid = app.run_month(MARCH, actor=BATCH, rule_set=rules, run_on=RUN_ON)
    assert [r["amount"] for r in paid.paid] == ["11680.00"]
