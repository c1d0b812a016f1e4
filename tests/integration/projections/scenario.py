"""Builders for read-model tests: a small, hand-checkable case history written through the real library."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from bistand_es.application.app import BistandApplication
from bistand_es.application.config import Settings
from bistand_es.domain.household import Household
from bistand_es.domain.month import Month
from bistand_es.domain.records import Actor
from bistand_es.domain.vocabulary import ActorRole, MemberRole, Outcome

ANNA = Actor("anna", "handlaggare")


def memory_app() -> BistandApplication:
    return BistandApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def alias(app: BistandApplication, identity: str) -> str:
    """The pseudonym the read model shows for ``identity`` (the application's key store's secret)."""
    from bistand_es.application.integrity.pseudonyms import key_store_of, pseudonym_of

    return pseudonym_of(key_store_of(app), identity)


def sqlite_app(home: Path) -> tuple[BistandApplication, Settings]:
    settings = Settings(home=home)
    return BistandApplication(env=settings.event_store_env()), settings


def calculation(
    month: Month,
    aid: str,
    members: list[str],
    *,
    norm: str | None = None,
    rent: str = "0.00",
    employment: str = "0.00",
    disregarded: str = "0.00",
    subsistence_aid: str | None = None,
    other_aid: str | None = None,
) -> dict[str, Any]:
    """A synthetic calc-contract dict whose lines add up: norm on the first member, rent, counted income.

    Line kinds as the rules engine names them: ``income.counted`` and ``income.disregarded.jobbstimulans``, each
    with the ``income_kind`` it comes from; ``income_month`` is the month before (the national profile).
    ``subsistence_aid`` and ``other_aid`` (the försörjningsstöd part and livsföring i övrigt) are left out unless
    given, as in decisions recorded before the engine kept the parts apart.
    """
    aid_d = Decimal(aid)
    rent_d = Decimal(rent)
    counted = Decimal(employment) - Decimal(disregarded)
    norm_d = Decimal(norm) if norm is not None else aid_d - rent_d + counted
    lines: list[dict[str, Any]] = [
        {
            "kind": "norm.personal",
            "member": members[0],
            "amount": f"{norm_d:.2f}",
            "rule": "riksnorm",
            "reference": "SoL 4:3",
            "parameter": "riksnorm.personal@2021-01-01",
            "confidence": "HIGH",
        },
    ]
    if rent_d:
        lines.append(
            {
                "kind": "cost.rent",
                "member": None,
                "amount": f"{rent_d:.2f}",
                "rule": "skaliga",
                "reference": "SoL 4:3",
                "parameter": None,
                "confidence": "HIGH",
            }
        )
    if counted:
        lines.append(
            {
                "kind": "income.counted",
                "member": members[0],
                "amount": f"{counted:.2f}",
                "rule": "income",
                "reference": "SoL 4:1",
                "parameter": None,
                "confidence": "HIGH",
                "income_kind": "employment",
            }
        )
    if Decimal(disregarded):
        lines.append(
            {
                "kind": "income.disregarded.jobbstimulans",
                "member": members[0],
                "amount": f"{Decimal(disregarded):.2f}",
                "rule": "jobbstimulans",
                "reference": "SoL 4:1 b",
                "parameter": "jobbstimulans.share@2013-07-01",
                "confidence": "HIGH",
                "income_kind": "employment",
            }
        )
    need = norm_d + rent_d
    parts = {
        key: f"{Decimal(value):.2f}"
        for key, value in (("subsistence_aid", subsistence_aid), ("other_aid", other_aid))
        if value is not None
    }
    return {
        **parts,
        "month": str(month),
        "norm_total": f"{norm_d:.2f}",
        "costs_total": f"{rent_d:.2f}",
        "need": f"{need:.2f}",
        "income_counted": f"{counted:.2f}",
        "income_disregarded": f"{Decimal(disregarded):.2f}",
        "aid": f"{aid_d:.2f}",
        "surplus": "0.00",
        "lines": lines,
        "warnings": [],
        "income_month": str(month - 1),
    }


def register(app: BistandApplication, applicant: str, municipality: str = "1765", on: date = date(2021, 1, 5)) -> UUID:
    return app.register_household(
        actor=ANNA, municipality=municipality, applicant=applicant, birth_date=date(1985, 4, 2), registered_on=on
    ).household_id


def add_member(
    app: BistandApplication,
    hid: UUID,
    person: str,
    role: MemberRole,
    on: date = date(2021, 1, 5),
    birth: date = date(1986, 1, 1),
) -> None:
    app.add_member(
        hid,
        actor=ANNA,
        person=person,
        role=role,
        birth_date=birth,
        in_school=True if role == MemberRole.CHILD else None,
        effective_on=on,
    )


def apply(app: BistandApplication, hid: UUID, month: Month, rent: str = "0.00") -> None:
    lines = [{"kind": "rent", "amount": rent, "note": ""}] if Decimal(rent) else []
    app.submit_application(
        hid, actor=ANNA, month=month, received_on=month.first_day, complete_on=None, cost_lines=lines
    )


def decide(
    app: BistandApplication,
    hid: UUID,
    month: Month,
    aid: str,
    members: list[str],
    *,
    amends: bool = False,
    refused: bool = False,
    **calc: str,
) -> str:
    outcome = Outcome.REFUSED if refused else Outcome.GRANTED
    situation = {"month": str(month), "household": {"members": [{"id": m} for m in members]}}
    calc_dict = calculation(month, aid, members, **calc)

    def command(h: Household) -> str:
        return h.make_decision(
            actor=ANNA,
            month=month,
            outcome=outcome,
            situation=situation,
            calculation=calc_dict,
            rule_set_hash="rs-1",
            parameters=["riksnorm.personal@2021-01-01"],
            approved_costs={},
            norm_adjustment=None,
            conditions=[],
            delegat=ActorRole.CASEWORKER,
            reason="ändrad hyra" if (amends or refused) else "",
            decided_on=month.first_day,
            amends=amends,
        )

    _, decision_id = app.change_household(hid, command)
    return decision_id


def pay(app: BistandApplication, hid: UUID, month: Month, amount: str, paid_on: date) -> str:
    _, payment_id = app.change_household(
        hid,
        lambda h: h.issue_payment(
            actor=ANNA, month=month, amount=Decimal(amount), payee="applicant", method="bank_transfer", paid_on=paid_on
        ),
    )
    return payment_id


def cancel(app: BistandApplication, hid: UUID, payment_id: str) -> None:
    app.change_household(hid, lambda h: h.cancel_payment(actor=ANNA, payment_id=payment_id, reason="fel konto"))


def sample(app: BistandApplication) -> dict[str, UUID]:
    """The sample history the report and doc tests check by hand (docs/reporting.md uses it too).

    Household A (1765): applicant A1, co-applicant A2, child A3. Months 2021-01..2021-07 granted 10 000 kr
    (rent 6 000); 2021-03 amended to 11 000 kr. A2 removed 2021-06-15. Payments: 2021-03 paid 2021-02-25 (11 000).
    Six consecutive months 2021-01..06 → A1 and A3's window 2021-07..2023-06 (A2 left, their last month 2021-06:
    also six months → same window). A1's July decision disregards 500 kr jobbstimulans.
    Household B (1780): applicant B1. 2021-01 refused; 2021-02 granted 5 000; payment 5 000 on 2021-02-03
    cancelled, 4 000 paid 2021-03-01 for 2021-02. Employment income 2021-01 2 000 corrected to 2 500.
    Försörjningshinder 6 for B1 in 2021-02; case closed 2021-02-28 with reason 01.
    """
    a = register(app, "A1", "1765")
    add_member(app, a, "A2", MemberRole.CO_APPLICANT)
    add_member(app, a, "A3", MemberRole.CHILD, birth=date(2015, 6, 1))
    for offset in range(7):
        month = Month(2021, 1) + offset
        apply(app, a, month, rent="6000.00")
        members = ["A1", "A2", "A3"] if offset < 6 else ["A1", "A3"]
        if offset == 6:
            decide(app, a, month, "10000.00", members, rent="6000.00", employment="2000.00", disregarded="500.00")
        else:
            decide(app, a, month, "10000.00", members, rent="6000.00")
        if offset == 4:
            app.remove_member(a, actor=ANNA, person="A2", effective_on=date(2021, 6, 15), reason="flyttat")
    decide(app, a, Month(2021, 3), "11000.00", ["A1", "A2", "A3"], amends=True, rent="6000.00")
    pay(app, a, Month(2021, 3), "11000.00", date(2021, 2, 25))

    b = register(app, "B1", "1780")
    income = app.report_income(
        b,
        actor=ANNA,
        member="B1",
        kind="employment",
        month=Month(2021, 1),
        amount=Decimal("2000.00"),
        source="applicant",
    ).result
    app.correct_income(b, actor=ANNA, income_id=str(income), reason="lönespec", amount=Decimal("2500.00"))
    apply(app, b, Month(2021, 1))
    decide(app, b, Month(2021, 1), "0.00", ["B1"], refused=True, norm="3000.00")
    apply(app, b, Month(2021, 2))
    decide(app, b, Month(2021, 2), "5000.00", ["B1"], employment="2500.00")
    first = pay(app, b, Month(2021, 2), "5000.00", date(2021, 2, 3))
    cancel(app, b, first)
    pay(app, b, Month(2021, 2), "4000.00", date(2021, 3, 1))
    app.change_household(
        b,
        lambda h: h.record_support_obstacle(
            actor=ANNA, person="B1", month=Month(2021, 2), code="6", label="Arbetslös – ingen ersättning/stöd"
        ),
    )
    app.change_household(
        b,
        lambda h: h.close_case(actor=ANNA, closed_on=date(2021, 2, 28), reason_code="01", reason_label="Arbetsinkomst"),
    )
    return {"A": a, "B": b}


def table_contents(con: Any, relation: str) -> list[tuple[Any, ...]]:
    """Every row of a relation, sorted (timestamps of projection runs are not part of any relation)."""
    rows = con.execute(f'SELECT * FROM "{relation}"').fetchall()
    return sorted(rows, key=repr)
