"""Law-correct edges of the write side, on memory, SQLite and PostgreSQL (issue: hardening the core).

Figures by hand from the riksnorm 2021 (SFS 2020:1013): a single adult's norm is 3 160 personal + 1 020 common
costs for one person = 4 180 kr.
"""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from bistand_es.application.app import BistandApplication
from bistand_es.application.config import Settings
from bistand_es.application.decisions import DecisionRequest
from bistand_es.application.payments import PaymentOrder
from bistand_es.domain.errors import (
    ConcurrentChange,
    DecisionConflict,
    DomainRuleViolation,
    NotAuthorised,
    NotFound,
)
from bistand_es.domain.month import Month
from bistand_es.domain.records import Actor
from bistand_es.domain.rules.rule_set import RuleSet, load_rule_set
from bistand_es.domain.vocabulary import ActorRole, MemberRole, NormAdjustment
from tests.conftest import store_digest

ANNA = Actor("anna", "handlaggare")
CHEF = Actor("cecilia", "enhetschef")
EKONOM = Actor("erik", "ekonom")
SIV = "19850402-1232"
BO = "19701063-2391"


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rule_set(None)


def single(app: BistandApplication, person: str = SIV) -> UUID:
    return app.register_household(
        actor=ANNA, municipality="1765", applicant=person, birth_date=date(1985, 4, 2), registered_on=date(2020, 12, 1)
    ).household_id


def apply(app: BistandApplication, hid: UUID, month: str, **costs: str) -> None:
    m = Month.parse(month)
    app.submit_application(
        hid,
        actor=ANNA,
        month=m,
        received_on=(m - 1).first_day.replace(day=20),
        complete_on=None,
        cost_lines=[{"kind": k, "amount": Decimal(v), "note": ""} for k, v in costs.items()],
    )


def income(app: BistandApplication, hid: UUID, month: str, kind: str, amount: str) -> None:
    app.report_income(
        hid, actor=ANNA, member=SIV, kind=kind, month=Month.parse(month), amount=Decimal(amount), source="external"
    )


def request(month: str, actor: Actor = ANNA, **kw: object) -> DecisionRequest:
    return DecisionRequest(month=Month.parse(month), actor=actor, decided_on=date(2021, 1, 1), **kw)  # type: ignore[arg-type]


# ---------------------------------------------------------------- delegation


@pytest.mark.parametrize(
    ("actor_role", "delegat", "adjustment", "allowed"),
    [
        ("handlaggare", None, None, True),  # a caseworker decides as handläggare
        ("handlaggare", "enhetschef", None, False),  # … but cannot name a higher delegat
        ("handlaggare", None, NormAdjustment.RAISED, False),  # förhöjd norm needs enhetschef
        ("enhetschef", None, NormAdjustment.RAISED, True),
        ("enhetschef", "handlaggare", NormAdjustment.REDUCED, False),  # the delegat named must reach it
        ("utskott", "enhetschef", NormAdjustment.REDUCED, True),  # a higher level may decide as a lower one
        ("ekonom", None, None, False),  # ekonom never decides
        ("ekonom", "enhetschef", NormAdjustment.REDUCED, False),  # … not even "as enhetschef"
        ("system", None, None, True),  # the monthly run grants in full, automatically (docs/adr/0025-monthly-run.md)
        ("system", None, NormAdjustment.RAISED, False),  # … and nothing more: no norm adjustment
        ("system", "enhetschef", None, False),  # … nor as a higher delegat
        ("revisor", None, None, False),
    ],
)
def test_only_the_delegation_order_decides(
    app: BistandApplication,
    rules: RuleSet,
    actor_role: str,
    delegat: str | None,
    adjustment: NormAdjustment | None,
    allowed: bool,
) -> None:
    hid = single(app)
    apply(app, hid, "2021-01", rent="5000")
    actor = Actor("someone", actor_role)
    req = request(
        "2021-01",
        actor,
        delegat=ActorRole(delegat) if delegat else None,
        norm_adjustment=adjustment,
        norm_adjustment_amount=Decimal("500.00"),
        reason="särskilda skäl" if adjustment else "",
    )
    before = store_digest(app)
    if allowed:
        _, draft = app.decide(hid, req, rules)
        # 4 180 norm ± 500 + rent 5 000
        expected = {None: "9180.00", NormAdjustment.RAISED: "9680.00", NormAdjustment.REDUCED: "8680.00"}[adjustment]
        assert draft.calculation["aid"] == expected
        assert app.get_household(hid).decisions[Month.parse("2021-01")].aid == Decimal(expected)
    else:
        with pytest.raises(NotAuthorised):
            app.decide(hid, req, rules)
        assert store_digest(app) == before


# ---------------------------------------------------------------- försörjningsstöd vs livsföring i övrigt


def test_months_of_dental_aid_only_do_not_open_jobbstimulans(app: BistandApplication, rules: RuleSet) -> None:
    """Six months in which a pension covers the norm and the rent, and aid pays only tandvård (livsföring i
    övrigt), are no months of försörjningsstöd: the seventh month's wages are counted in full.

    Months 2021-01..06: need 4 180 + rent 5 000 = 9 180 försörjningsstöd, + dental 1 000; income 10 000 pension
    → aid 180, all of it livsföring i övrigt (9 180 − 10 000 < 0). Month 2021-07: pension 6 000 + wages 4 000
    = 10 000 counted, aid 180 again. Had the six months counted, 25 % of 4 000 = 1 000 would be disregarded and
    the aid would be 1 180.
    """
    hid = single(app)
    for month, prev in zip(
        ["2021-01", "2021-02", "2021-03", "2021-04", "2021-05", "2021-06"],
        ["2020-12", "2021-01", "2021-02", "2021-03", "2021-04", "2021-05"],
        strict=True,
    ):
        apply(app, hid, month, rent="5000", dental="1000")
        income(app, hid, prev, "pension", "10000")
        _, draft = app.decide(hid, request(month), rules)
        assert (draft.calculation["aid"], draft.calculation["subsistence_aid"]) == ("180.00", "0.00")
    assert app.get_household(hid).support_history().months == {}
    apply(app, hid, "2021-07", rent="5000", dental="1000")
    income(app, hid, "2021-06", "pension", "6000")
    income(app, hid, "2021-06", "employment", "4000")
    _, july = app.decide(hid, request("2021-07"), rules)
    assert july.calculation["aid"] == "180.00"
    assert july.calculation["income_counted"] == "10000.00"


# ---------------------------------------------------------------- decide in two phases


def test_recording_pins_the_version_the_caseworker_saw(app: BistandApplication, rules: RuleSet) -> None:
    hid = single(app)
    apply(app, hid, "2021-01", rent="5000")
    draft = app.draft_decision(hid, request("2021-01"), rules)
    assert draft.calculation["aid"] == "9180.00"
    income(app, hid, "2020-12", "pension", "2000")  # someone records an income meanwhile
    before = store_digest(app)
    with pytest.raises(ConcurrentChange, match="changed since you looked"):
        app.record_decision(draft)
    assert store_digest(app) == before
    recorded = app.record_decision(app.draft_decision(hid, request("2021-01"), rules))
    decision = app.get_household(hid).decisions[Month.parse("2021-01")]
    assert (recorded.result, decision.aid) == (decision.decision_id, Decimal("7180.00"))  # 9 180 − 2 000


# ---------------------------------------------------------------- corrections after the fact


def test_lowering_a_paid_month_leaves_a_recovery_candidate_and_never_nets(
    app: BistandApplication, rules: RuleSet
) -> None:
    hid = single(app)
    apply(app, hid, "2021-01", rent="5000")
    apply(app, hid, "2021-02", rent="5000")
    app.decide(hid, request("2021-01"), rules)
    app.issue_payment(hid, PaymentOrder(Month.parse("2021-01"), EKONOM, date(2021, 1, 25)))
    # Wages of 3 000 received in December come to light: January is amended down to 9 180 − 3 000 = 6 180.
    income(app, hid, "2020-12", "employment", "3000")
    app.decide(hid, request("2021-01", amend=True, reason="lön som inte redovisats"), rules)
    candidates = app.get_recovery_candidates(hid)
    assert candidates == [
        {"household_id": str(hid), "month": "2021-01", "granted": "6180.00", "paid": "9180.00", "overpaid": "3000.00"}
    ]
    # February is decided on its own figures: 9 180, nothing deducted for January's overpayment.
    _, feb = app.decide(hid, request("2021-02"), rules)
    assert feb.calculation["aid"] == "9180.00"
    # The overpaid month cannot be paid again.
    with pytest.raises(DomainRuleViolation):
        app.issue_payment(hid, PaymentOrder(Month.parse("2021-01"), EKONOM, date(2021, 2, 1)))


def test_a_payment_is_cancelled_by_its_id_and_can_be_paid_again(app: BistandApplication, rules: RuleSet) -> None:
    hid = single(app)
    apply(app, hid, "2021-01", rent="5000")
    app.decide(hid, request("2021-01"), rules)
    paid = app.issue_payment(hid, PaymentOrder(Month.parse("2021-01"), EKONOM, date(2021, 1, 25)))
    assert paid.result is not None
    with pytest.raises(NotFound):
        app.cancel_payment("00000000-dead", actor=EKONOM, reason="fel konto")
    app.cancel_payment(paid.result[:8], actor=EKONOM, reason="återkom: fel konto")
    assert app.get_household(hid).paid_amount(Month.parse("2021-01")) == Decimal("0.00")
    again = app.issue_payment(hid, PaymentOrder(Month.parse("2021-01"), EKONOM, date(2021, 1, 27)))
    assert app.get_household(hid).payments[str(again.result)].amount == Decimal("9180.00")


def test_an_application_is_corrected_or_withdrawn_by_new_events(app: BistandApplication, rules: RuleSet) -> None:
    hid = single(app)
    apply(app, hid, "2021-01", rent="5000")
    apply(app, hid, "2021-02", rent="5000")
    app.correct_application(
        hid, actor=ANNA, month=Month.parse("2021-01"), reason="ny hyresavi",
        cost_lines=[{"kind": "rent", "amount": Decimal("5200.00"), "note": ""}],
    )  # fmt: skip
    _, draft = app.decide(hid, request("2021-01"), rules)
    assert draft.calculation["aid"] == "9380.00"  # 4 180 + 5 200
    with pytest.raises(DecisionConflict):
        app.withdraw_application(hid, actor=ANNA, month=Month.parse("2021-01"), reason="återtagen")
    app.withdraw_application(hid, actor=ANNA, month=Month.parse("2021-02"), reason="återtagen av sökande")
    household = app.get_household(hid)
    assert Month.parse("2021-02") not in household.applications
    assert household.applications[Month.parse("2021-01")].costs == {"rent": Decimal("5200.00")}
    with pytest.raises(DecisionConflict):
        app.draft_decision(hid, request("2021-02"), rules)


# ---------------------------------------------------------------- one person, one household


def test_a_person_is_a_current_member_of_one_open_household(app: BistandApplication) -> None:
    first = single(app)
    second = single(app, BO)
    before = store_digest(app)
    with pytest.raises(DomainRuleViolation, match="current member of household"):
        app.add_member(
            second, actor=ANNA, person=SIV, role=MemberRole.CO_APPLICANT, birth_date=date(1985, 4, 2),
            in_school=None, effective_on=date(2021, 2, 1),
        )  # fmt: skip
    with pytest.raises(DomainRuleViolation):
        single(app)  # SIV again as applicant
    assert store_digest(app) == before
    app.close_case(first, actor=ANNA, closed_on=date(2021, 1, 31), reason_code="01", reason_label="Arbete")
    app.add_member(
        second, actor=ANNA, person=SIV, role=MemberRole.CO_APPLICANT, birth_date=date(1985, 4, 2),
        in_school=None, effective_on=date(2021, 2, 1),
    )  # fmt: skip
    found = app.find_households(SIV)
    assert [(r["household_id"], r["role"], r["current"]) for r in found] == [
        (str(first), "applicant", False),
        (str(second), "co_applicant", True),
    ]
    assert found[0]["to"] == "2021-01-31"
    app.remove_member(second, actor=ANNA, person=SIV, effective_on=date(2021, 3, 1), reason="flyttat")
    third = single(app)  # free again
    assert [r["household_id"] for r in app.find_households(SIV) if r["current"]] == [str(third)]


def test_concurrent_registrations_of_one_person_make_one_household(settings: Settings) -> None:
    if settings.backend == "memory":
        pytest.skip("two processes cannot share an in-memory store")
    settings.ensure_home()
    apps = [BistandApplication(env=settings.event_store_env()) for _ in range(4)]
    results: list[str] = []
    barrier = threading.Barrier(len(apps))

    def register(app: BistandApplication) -> None:
        barrier.wait()
        try:
            single(app)
            results.append("registered")
        except (DomainRuleViolation, ConcurrentChange) as error:
            results.append(type(error).__name__)

    threads = [threading.Thread(target=register, args=(a,)) for a in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("registered") == 1
    assert len([r for r in apps[0].list_households() if r["applicant"] == SIV]) == 1
