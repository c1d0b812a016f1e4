"""Återkrav (9 kap. SoL) on the write side, on memory, SQLite and PostgreSQL.

Figures by hand from the riksnorm 2021 (SFS 2020:1013): a single adult's norm is 3 160 personal + 1 020 common costs
for one person = 4 180 kr; with rent 5 000 the need, and with no income the aid, is 9 180 kr a month.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from bistand_es.application.app import BistandApplication
from bistand_es.application.decisions import DecisionRequest
from bistand_es.application.payments import PaymentOrder
from bistand_es.domain.errors import (
    DomainRuleViolation,
    InvalidInput,
    NotAuthorised,
    NotFound,
)
from bistand_es.domain.household.recovery import Instalment, court_deadline
from bistand_es.domain.month import Month
from bistand_es.domain.records import Actor
from bistand_es.domain.rules.rule_set import RuleSet, load_rule_set
from bistand_es.domain.vocabulary import ActorRole, IncomeKind, RecoveryGround
from tests.conftest import store_digest

ANNA = Actor("anna", "handlaggare")
CHEF = Actor("cecilia", "enhetschef")
EKONOM = Actor("erik", "ekonom")
SIV = "19850402-1232"
D = Decimal


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rule_set(None)


def single(app: BistandApplication) -> UUID:
    return app.register_household(
        actor=ANNA, municipality="1765", applicant=SIV, birth_date=date(1985, 4, 2), registered_on=date(2020, 12, 1)
    ).household_id


def granted(
    app: BistandApplication, rules: RuleSet, hid: UUID, month: str, *conditions: str, paid_on: date | None = None
) -> str | None:
    """Apply (rent 5 000), decide (aid 9 180 without income) and, with ``paid_on``, pay the month."""
    m = Month.parse(month)
    app.submit_application(
        hid,
        actor=ANNA,
        month=m,
        received_on=(m - 1).first_day.replace(day=20),
        complete_on=None,
        cost_lines=[{"kind": "rent", "amount": D("5000"), "note": ""}],
    )
    decide(app, rules, hid, month, conditions=list(conditions))
    if paid_on is None:
        return None
    return app.issue_payment(hid, PaymentOrder(m, EKONOM, paid_on)).result


def decide(app: BistandApplication, rules: RuleSet, hid: UUID, month: str, **kw: object) -> str:
    request = DecisionRequest(month=Month.parse(month), actor=ANNA, decided_on=date(2021, 1, 1), **kw)  # type: ignore[arg-type]
    _, draft = app.decide(hid, request, rules)
    return str(draft.calculation["aid"])


def income(app: BistandApplication, hid: UUID, month: str, kind: str, amount: str) -> str:
    recorded = app.report_income(
        hid, actor=ANNA, member=SIV, kind=kind, month=Month.parse(month), amount=D(amount), source="external"
    )
    return str(recorded.result)


def claim(app: BistandApplication, hid: UUID, ground: str, payments: list[str], amount: str, **kw: object) -> str:
    recorded = app.claim_repayment(
        hid,
        actor=kw.pop("actor", ANNA),  # type: ignore[arg-type]
        ground=RecoveryGround(ground),
        payment_ids=payments,
        amount=D(amount),
        decided_on=kw.pop("decided_on", date(2021, 6, 1)),  # type: ignore[arg-type]
        reason=str(kw.pop("reason", "Lön som inte redovisats")),
        **kw,  # type: ignore[arg-type]
    )
    return str(recorded.result)


def refused(app: BistandApplication, error: type[Exception], match: str, action: object) -> None:
    """The action raises ``error`` and records nothing."""
    before = store_digest(app)
    with pytest.raises(error, match=match):
        action()  # type: ignore[operator]
    assert store_digest(app) == before


# ---------------------------------------------------------------- pure rules


@pytest.mark.parametrize(
    ("paid_on", "deadline"),
    [
        (date(2021, 3, 25), date(2024, 3, 25)),  # same calendar day three years on
        (date(2024, 2, 29), date(2027, 2, 28)),  # 29 February: 2027 has none, so 28 February
        (date(2021, 2, 28), date(2024, 2, 28)),  # not moved to the leap day
        (date(2020, 2, 29), date(2023, 2, 28)),
        (date(2021, 12, 31), date(2024, 12, 31)),
    ],
)
def test_court_deadline_is_three_years_the_same_calendar_day(paid_on: date, deadline: date) -> None:
    assert court_deadline(paid_on) == deadline


# ---------------------------------------------------------------- claims and the grounds


def test_a_claim_tracks_repayments_and_waivers_to_settled(app: BistandApplication, rules: RuleSet) -> None:
    hid = single(app)
    paid = granted(app, rules, hid, "2021-03", "advance_on_benefit", paid_on=date(2021, 3, 25))
    claim_id = claim(app, hid, "advance_on_benefit", [str(paid)], "4000", reason="Sjukpenning retroaktivt")
    app.receive_repayment(claim_id, actor=EKONOM, amount=D("1500"), received_on=date(2021, 7, 1))
    app.waive_repayment(claim_id[:8], actor=ANNA, amount=D("500"), reason="Synnerliga skäl", waived_on=date(2021, 8, 1))
    shown = app.get_claim(claim_id)
    # 4 000 − 1 500 received − 500 waived = 2 000 outstanding; deadline 2021-03-25 + 3 years.
    assert {k: shown[k] for k in ("ground", "amount", "received", "waived", "outstanding", "status")} == {
        "ground": "advance_on_benefit",
        "amount": "4000.00",
        "received": "1500.00",
        "waived": "500.00",
        "outstanding": "2000.00",
        "status": "open",
    }
    assert shown["court_deadline"] == "2024-03-25"
    assert (
        shown["payments"][0].items()
        >= {
            "payment_id": paid,
            "paid_on": "2021-03-25",
            "amount": "9180.00",
            "court_deadline": "2024-03-25",
        }.items()
    )
    refused(
        app,
        DomainRuleViolation,
        "more than the 2000.00 outstanding",
        lambda: app.receive_repayment(claim_id, actor=EKONOM, amount=D("2000.01"), received_on=date(2021, 9, 1)),
    )
    refused(
        app,
        DomainRuleViolation,
        "more than the 2000.00 outstanding",
        lambda: app.waive_repayment(claim_id, actor=ANNA, amount=D("2000.01"), reason="x", waived_on=date(2021, 9, 1)),
    )
    app.receive_repayment(claim_id, actor=EKONOM, amount=D("2000"), received_on=date(2021, 9, 1))
    settled = app.get_claim(claim_id)
    assert (settled["outstanding"], settled["status"]) == ("0.00", "settled")
    refused(
        app,
        DomainRuleViolation,
        "more than the 0.00 outstanding",
        lambda: app.receive_repayment(claim_id, actor=EKONOM, amount=D("1"), received_on=date(2021, 9, 2)),
    )
    names = [type(e).__name__ for e in app.get_history(hid)][-4:]
    assert names == ["RepaymentClaimed", "RepaymentReceived", "RepaymentWaived", "RepaymentReceived"]


@pytest.mark.parametrize(
    ("ground", "condition"),
    [
        ("advance_on_benefit", "advance_on_benefit"),
        ("labour_dispute", "labour_dispute"),
        ("assets_unavailable", "assets_unavailable"),
        ("repayment_condition", "repayment_condition"),
    ],
)
def test_a_9_2_ground_needs_its_condition_in_the_granting_decision(
    app: BistandApplication, rules: RuleSet, ground: str, condition: str
) -> None:
    hid = single(app)
    with_condition = granted(app, rules, hid, "2021-03", condition, paid_on=date(2021, 3, 25))
    without = granted(app, rules, hid, "2021-04", paid_on=date(2021, 4, 23))
    decision = app.get_household(hid).decisions[Month.parse("2021-04")].decision_id
    refused(
        app,
        DomainRuleViolation,
        f"decision {decision} .*lacks the condition {condition}",
        lambda: claim(app, hid, ground, [str(without)], "100"),
    )
    # Both payments together: refused for the one whose decision lacks it.
    refused(
        app, DomainRuleViolation, decision, lambda: claim(app, hid, ground, [str(with_condition), str(without)], "100")
    )
    claim(app, hid, ground, [str(with_condition)], "100")
    # 9:1 needs no condition.
    claim(app, hid, "wrongful_payment", [str(without)], "100")


def test_a_condition_is_never_added_afterwards(app: BistandApplication, rules: RuleSet) -> None:
    hid = single(app)
    paid = granted(app, rules, hid, "2021-03", paid_on=date(2021, 3, 25))
    refused(
        app,
        DomainRuleViolation,
        "cannot be added .* afterwards",
        lambda: decide(app, rules, hid, "2021-03", amend=True, reason="villkor", conditions=["advance_on_benefit"]),
    )
    refused(
        app, DomainRuleViolation, "lacks the condition", lambda: claim(app, hid, "advance_on_benefit", [str(paid)], "1")
    )


def test_an_amendment_keeps_the_conditions_stated_at_grant(app: BistandApplication, rules: RuleSet) -> None:
    hid = single(app)
    paid = granted(app, rules, hid, "2021-03", "advance_on_benefit", paid_on=date(2021, 3, 25))
    decide(app, rules, hid, "2021-03", amend=True, reason="ny hyra")  # no --condition given
    assert app.get_household(hid).decisions[Month.parse("2021-03")].conditions == ("advance_on_benefit",)
    claim(app, hid, "advance_on_benefit", [str(paid)], "1000")


def test_claim_amount_is_limited_by_the_payments_less_earlier_claims(app: BistandApplication, rules: RuleSet) -> None:
    hid = single(app)
    march = str(granted(app, rules, hid, "2021-03", paid_on=date(2021, 3, 25)))
    april = str(granted(app, rules, hid, "2021-04", paid_on=date(2021, 4, 23)))
    refused(app, InvalidInput, "more than 0", lambda: claim(app, hid, "wrongful_payment", [march], "0"))
    refused(app, InvalidInput, "more than 0", lambda: claim(app, hid, "wrongful_payment", [march], "-5"))
    refused(app, InvalidInput, "at most 9180.00", lambda: claim(app, hid, "wrongful_payment", [march], "9180.01"))
    first = claim(app, hid, "wrongful_payment", [march], "5000")
    # March has 9 180 − 5 000 = 4 180 left; with April 4 180 + 9 180 = 13 360.
    refused(app, InvalidInput, "at most 4180.00", lambda: claim(app, hid, "wrongful_payment", [march], "4180.01"))
    both = claim(app, hid, "wrongful_payment", [april, march], "13360")
    shown = app.get_claim(both)
    # Oldest payment first: March takes its 4 180 left, April 9 180; the earliest deadline is March's.
    assert [(p["month"], p["claimed"]) for p in shown["payments"]] == [("2021-03", "4180.00"), ("2021-04", "9180.00")]
    assert shown["court_deadline"] == "2024-03-25"
    assert [p["court_deadline"] for p in shown["payments"]] == ["2024-03-25", "2024-04-23"]
    refused(app, InvalidInput, "at most 0.00", lambda: claim(app, hid, "wrongful_payment", [march, april], "0.01"))
    assert app.get_claim(first)["amount"] == "5000.00"


def test_covered_payments_must_be_the_households_issued_and_not_cancelled(
    app: BistandApplication, rules: RuleSet
) -> None:
    hid = single(app)
    paid = str(granted(app, rules, hid, "2021-03", paid_on=date(2021, 3, 25)))
    other = app.register_household(
        actor=ANNA, municipality="1765", applicant="19701063-2391", birth_date=date(1970, 10, 3),
        registered_on=date(2020, 12, 1),
    ).household_id  # fmt: skip
    refused(app, NotFound, "unknown payment", lambda: claim(app, other, "wrongful_payment", [paid], "100"))
    refused(app, NotFound, "unknown payment", lambda: claim(app, hid, "wrongful_payment", ["00000000-dead"], "100"))
    refused(app, NotFound, "unknown household", lambda: claim(app, UUID(int=7), "wrongful_payment", [paid], "100"))
    refused(app, InvalidInput, "before payment", lambda: claim(app, hid, "wrongful_payment", [paid], "1",
                                                             decided_on=date(2021, 3, 24)))  # fmt: skip
    refused(app, InvalidInput, "reason", lambda: claim(app, hid, "wrongful_payment", [paid], "1", reason=" "))
    app.cancel_payment(paid, actor=EKONOM, reason="återkom")
    refused(app, DomainRuleViolation, "cancelled", lambda: claim(app, hid, "wrongful_payment", [paid], "100"))
    refused(app, NotFound, "unknown claim", lambda: app.get_claim("00000000-0000"))
    refused(
        app,
        NotFound,
        "unknown claim",
        lambda: app.receive_repayment("00000000", actor=ANNA, amount=D("1"), received_on=date(2021, 9, 1)),
    )


def test_delegation_a_claim_and_a_waiver_need_a_delegat(app: BistandApplication, rules: RuleSet) -> None:
    hid = single(app)
    paid = str(granted(app, rules, hid, "2021-03", paid_on=date(2021, 3, 25)))
    refused(app, NotAuthorised, "delegation", lambda: claim(app, hid, "wrongful_payment", [paid], "100", actor=EKONOM))
    claim_id = claim(app, hid, "wrongful_payment", [paid], "1000")
    refused(
        app,
        NotAuthorised,
        "delegation",
        lambda: app.waive_repayment(claim_id, actor=EKONOM, amount=D("1"), reason="x", waived_on=date(2021, 7, 1)),
    )
    refused(
        app,
        NotAuthorised,
        "cannot record a decision as delegat enhetschef",
        lambda: app.waive_repayment(
            claim_id, actor=ANNA, amount=D("1"), reason="x", waived_on=date(2021, 7, 1), delegat=ActorRole.UNIT_MANAGER
        ),
    )
    refused(
        app,
        InvalidInput,
        "reason",
        lambda: app.waive_repayment(claim_id, actor=ANNA, amount=D("1"), reason="", waived_on=date(2021, 7, 1)),
    )
    app.waive_repayment(
        claim_id, actor=CHEF, amount=D("1000"), reason="Synnerliga skäl", waived_on=date(2021, 7, 1),
        delegat=ActorRole.UNIT_MANAGER,
    )  # fmt: skip
    assert app.get_claim(claim_id)["status"] == "settled"
    # An ekonom records money received (no decision).
    second = claim(app, hid, "wrongful_payment", [paid], "100")
    app.receive_repayment(second, actor=EKONOM, amount=D("100"), received_on=date(2021, 7, 1))


def test_claims_are_never_netted_against_later_aid(app: BistandApplication, rules: RuleSet) -> None:
    hid = single(app)
    paid = str(granted(app, rules, hid, "2021-03", paid_on=date(2021, 3, 25)))
    claim(app, hid, "wrongful_payment", [paid], "9180")
    # May is decided on its own figures: 4 180 + 5 000 = 9 180, nothing taken for the open claim …
    granted(app, rules, hid, "2021-05")
    household = app.get_household(hid)
    assert household.decisions[Month.parse("2021-05")].aid == D("9180.00")
    # … and paid whole.
    app.issue_payment(hid, PaymentOrder(Month.parse("2021-05"), EKONOM, date(2021, 4, 25)))
    assert app.get_household(hid).paid_amount(Month.parse("2021-05")) == D("9180.00")
    assert app.get_recovery_candidates(hid) == []  # a claim is not an overpayment


def test_court_plan_and_deadlines(app: BistandApplication, rules: RuleSet) -> None:
    hid = single(app)
    march = str(granted(app, rules, hid, "2021-03", paid_on=date(2021, 3, 25)))
    april = str(granted(app, rules, hid, "2021-04", paid_on=date(2021, 4, 23)))
    c_april = claim(app, hid, "wrongful_payment", [april], "3000")
    c_march = claim(app, hid, "wrongful_payment", [march], "2000")
    # From 2024-02-01 (2024 is a leap year): 2024-03-25 is 28 + 25 = 53 days on, 2024-04-23 is 28 + 31 + 23 = 82.
    rows = app.list_claims(as_of=date(2024, 2, 1), due_within=90)
    assert [(r["claim_id"], r["days_left"]) for r in rows] == [(c_march, 53), (c_april, 82)]
    assert [r["claim_id"] for r in app.list_claims(as_of=date(2024, 2, 1), due_within=60)] == [c_march]
    assert app.list_claims(as_of=date(2024, 1, 1), due_within=60) == []  # 84 and 113 days away
    refused(
        app,
        InvalidInput,
        "due dates",
        lambda: app.agree_plan(
            c_april, actor=ANNA, agreed_on=date(2021, 7, 1),
            instalments=[Instalment(date(2021, 9, 30), D("500")), Instalment(date(2021, 8, 31), D("500"))],
        ),
    )  # fmt: skip
    refused(
        app,
        DomainRuleViolation,
        "more than the 3000.00 outstanding",
        lambda: app.agree_plan(
            c_april, actor=ANNA, agreed_on=date(2021, 7, 1), instalments=[Instalment(date(2021, 8, 31), D("3000.01"))]
        ),
    )
    app.agree_plan(
        c_april, actor=ANNA, agreed_on=date(2021, 7, 1),
        instalments=[Instalment(date(2021, 8, 31), D("1500")), Instalment(date(2021, 9, 30), D("1500"))],
    )  # fmt: skip
    assert app.get_claim(c_april)["plan"] == [
        {"due_on": "2021-08-31", "amount": "1500.00"},
        {"due_on": "2021-09-30", "amount": "1500.00"},
    ]
    refused(
        app,
        DomainRuleViolation,
        "time-barred: .* ran out on 2024-04-23",
        lambda: app.file_in_court(
            c_april, actor=ANNA, filed_on=date(2024, 4, 24), court="Förvaltningsrätten i Karlstad"
        ),
    )
    app.file_in_court(
        c_april, actor=ANNA, filed_on=date(2024, 4, 23), court="Förvaltningsrätten i Karlstad", case_number="1234-24"
    )
    assert app.get_claim(c_april)["court_filed_on"] == "2024-04-23"
    refused(
        app,
        DomainRuleViolation,
        "was filed in court",
        lambda: app.file_in_court(
            c_april, actor=ANNA, filed_on=date(2024, 4, 23), court="Förvaltningsrätten i Karlstad"
        ),
    )


# ---------------------------------------------------------------- förskott på förmån


def test_advance_on_benefit_end_to_end(app: BistandApplication, rules: RuleSet) -> None:
    hid = single(app)
    april = str(granted(app, rules, hid, "2021-04", "advance_on_benefit", paid_on=date(2021, 4, 23)))
    request = app.request_advance(
        hid,
        actor=ANNA,
        member=SIV,
        benefit=IncomeKind.SICKNESS_BENEFIT,
        months=[Month.parse("2021-04")],
        amount_per_month=D("9180"),
        requested_on=date(2021, 4, 2),
    ).result
    claim_id = claim(app, hid, "advance_on_benefit", [april], "3000", reason="Sjukpenning för april")
    refused(
        app,
        DomainRuleViolation,
        "not before the benefit was paid",
        lambda: app.record_advance_refund(str(request), actor=EKONOM, amount=D("3000"), refunded_on=date(2021, 4, 2)),
    )
    refused(
        app,
        InvalidInput,
        "more than the aid paid for the period",
        lambda: app.record_advance_refund(
            str(request), actor=EKONOM, amount=D("9180.01"), refunded_on=date(2021, 6, 15)
        ),
    )
    # Försäkringskassan pays 3 000 for April: the claim of 3 000 is settled by it.
    _, receipts = app.record_advance_refund(str(request), actor=EKONOM, amount=D("3000"), refunded_on=date(2021, 6, 15))
    assert receipts == [(claim_id, D("3000"))]
    shown = app.get_claim(claim_id)
    assert (shown["received"], shown["outstanding"], shown["status"]) == ("3000.00", "0.00", "settled")
    # The person then reports the same retroactive sickness benefit (3 000 for April, received in June). July's
    # calculation (income month June) does not count it again: 4 180 + 5 000 − 0 = 9 180.
    income(app, hid, "2021-06", "sickness_benefit", "3000")
    granted(app, rules, hid, "2021-07")
    july = app.get_household(hid).decisions[Month.parse("2021-07")]
    assert (july.aid, july.calculation["income_counted"]) == (D("9180.00"), "0.00")


def test_only_the_refunded_part_of_a_benefit_is_left_out(app: BistandApplication, rules: RuleSet) -> None:
    hid = single(app)
    granted(app, rules, hid, "2021-04", "advance_on_benefit", paid_on=date(2021, 4, 23))
    request = app.request_advance(
        hid, actor=ANNA, member=SIV, benefit=IncomeKind.SICKNESS_BENEFIT, months=[Month.parse("2021-04")],
        amount_per_month=D("9180"), requested_on=date(2021, 4, 2),
    ).result  # fmt: skip
    _, receipts = app.record_advance_refund(str(request), actor=EKONOM, amount=D("3000"), refunded_on=date(2021, 6, 15))
    assert receipts == []  # no claim yet: nothing settled, the refund is still never counted as income
    # The benefit for April was 5 000: 3 000 to the nämnd, 2 000 to the person, reported in June. July counts
    # 5 000 − 3 000 = 2 000: 9 180 − 2 000 = 7 180. A wage in June counts as before.
    income(app, hid, "2021-06", "sickness_benefit", "5000")
    granted(app, rules, hid, "2021-07")
    july = app.get_household(hid).decisions[Month.parse("2021-07")]
    assert (july.aid, july.calculation["income_counted"]) == (D("7180.00"), "2000.00")


def test_an_advance_request_comes_before_the_benefit_and_needs_the_condition(
    app: BistandApplication, rules: RuleSet
) -> None:
    hid = single(app)
    granted(app, rules, hid, "2021-03", paid_on=date(2021, 3, 25))
    granted(app, rules, hid, "2021-04", "advance_on_benefit", paid_on=date(2021, 4, 23))

    def ask(month: str, per_month: str = "3000") -> object:
        return app.request_advance(
            hid, actor=ANNA, member=SIV, benefit=IncomeKind.SICKNESS_BENEFIT, months=[Month.parse(month)],
            amount_per_month=D(per_month), requested_on=date(2021, 5, 2),
        )  # fmt: skip

    refused(app, DomainRuleViolation, "lacks the condition advance_on_benefit", lambda: ask("2021-03"))
    refused(app, DomainRuleViolation, "no granting decision for 2021-05", lambda: ask("2021-05"))
    refused(app, InvalidInput, "more than the 9180.00 granted", lambda: ask("2021-04", "9180.01"))
    income(app, hid, "2021-05", "sickness_benefit", "3000")  # the benefit is already paid
    refused(app, DomainRuleViolation, "before the benefit is paid", lambda: ask("2021-04"))


# ---------------------------------------------------------------- candidates after a correction


def test_a_wage_corrected_upward_after_payment_becomes_a_9_1_claim(app: BistandApplication, rules: RuleSet) -> None:
    hid = single(app)
    wage = income(app, hid, "2021-02", "employment", "2000")
    # March: 9 180 − 2 000 = 7 180, paid.
    granted(app, rules, hid, "2021-03", paid_on=date(2021, 3, 25))
    app.correct_income(hid, actor=ANNA, income_id=wage, amount=D("3000"), reason="lönespecifikation")
    assert decide(app, rules, hid, "2021-03", amend=True, reason="rätt lön") == "6180.00"  # 9 180 − 3 000
    (row,) = app.list_recovery_candidates(hid)
    assert {k: row[k] for k in ("month", "granted", "paid", "overpaid", "unclaimed")} == {
        "month": "2021-03",
        "granted": "6180.00",
        "paid": "7180.00",
        "overpaid": "1000.00",
        "unclaimed": "1000.00",
    }
    claim_id = claim(app, hid, "wrongful_payment", row["payments"], row["unclaimed"])
    assert app.get_claim(claim_id)["amount"] == "1000.00"
    assert app.list_recovery_candidates(hid) == []
