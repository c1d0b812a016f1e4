"""An återkrav history for read-model tests, written through the application services (docs/reporting.md uses it).

Household R (kommun 1784): one adult, R1, rent 5 000. By the riksnorm 2021 (SFS 2020:1013) a single adult's norm
is 3 160 personal + 1 020 common costs = 4 180 kr; with rent 5 000 and no income the aid is 9 180 kr a month.

- 2021-03 granted without a condition, paid 9 180 on 2021-03-25 (court deadline 2024-03-25);
  2021-04 and 2021-05 granted with the condition ``advance_on_benefit``, paid 9 180 on 2021-04-23 and 2021-05-25
  (deadlines 2024-04-23, 2024-05-25).
- 2021-04-02: förskott på förmån asked of Försäkringskassan (sickness benefit for 2021-04, 3 000 a month).
- C1 (wrongful_payment, March payment) 2 000, decided 2021-06-10.
- C2 (advance_on_benefit, April payment) 3 000, decided 2021-06-15.
- 2021-07-01 Försäkringskassan refunds 3 000 for April → received on C2 (the period's only advance claim).
- C3 (wrongful_payment, April + May payments) 7 000, decided 2021-07-05: April has 9 180 − 3 000 (C2) = 6 180
  left, so April 6 180 and May 820 (oldest payment first); deadline the earliest, 2024-04-23.
- C1: 500 received 2021-07-20, 1 500 received 2021-08-20 → settled.
- C3: 1 000 waived (eftergift) 2021-08-31; plan of 2 × 1 000 agreed 2021-09-01; 1 000 received 2021-09-30;
  filed in förvaltningsrätten 2021-10-15.

Ledger by hand: C1 2 000 − 2 000 received = 0 (settled); C2 3 000 − 3 000 (agency) = 0 (settled);
C3 7 000 − 1 000 received − 1 000 waived = 5 000 (open). Household: claimed 12 000, received 6 000, waived 1 000,
outstanding 5 000.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from bistand_es.application.app import BistandApplication
from bistand_es.application.decisions import DecisionRequest
from bistand_es.application.payments import PaymentOrder
from bistand_es.domain.household.recovery import Instalment
from bistand_es.domain.month import Month
from bistand_es.domain.records import Actor
from bistand_es.domain.rules.rule_set import load_rule_set
from bistand_es.domain.vocabulary import IncomeKind, RecoveryGround

ANNA = Actor("anna", "handlaggare")
ERIK = Actor("erik", "ekonom")
R1 = "R1"
D = Decimal


def _granted(app: BistandApplication, hid: UUID, month: str, conditions: list[str], paid_on: date) -> str:
    """Apply (rent 5 000), decide with the rules engine (aid 9 180) and pay the month."""
    m = Month.parse(month)
    app.submit_application(
        hid,
        actor=ANNA,
        month=m,
        received_on=(m - 1).first_day.replace(day=20),
        complete_on=None,
        cost_lines=[{"kind": "rent", "amount": D("5000"), "note": ""}],
    )
    request = DecisionRequest(month=m, actor=ANNA, decided_on=(m - 1).first_day.replace(day=25), conditions=conditions)
    app.decide(hid, request, load_rule_set(None))
    return str(app.issue_payment(hid, PaymentOrder(m, ERIK, paid_on)).result)


def _claim(app: BistandApplication, hid: UUID, ground: str, payments: list[str], amount: str, on: date) -> str:
    recorded = app.claim_repayment(
        hid,
        actor=ANNA,
        ground=RecoveryGround(ground),
        payment_ids=payments,
        amount=D(amount),
        decided_on=on,
        reason="Lön som inte redovisats" if ground == "wrongful_payment" else "Sjukpenning retroaktivt",
    )
    return str(recorded.result)


def recovery_sample(app: BistandApplication) -> dict[str, Any]:
    """Write the history above; returns the ids (household ``R``, claims ``C1``–``C3``, payments, request)."""
    hid = app.register_household(
        actor=ANNA, municipality="1784", applicant=R1, birth_date=date(1985, 4, 2), registered_on=date(2021, 2, 1)
    ).household_id
    march = _granted(app, hid, "2021-03", [], date(2021, 3, 25))
    april = _granted(app, hid, "2021-04", ["advance_on_benefit"], date(2021, 4, 23))
    may = _granted(app, hid, "2021-05", ["advance_on_benefit"], date(2021, 5, 25))
    request = app.request_advance(
        hid,
        actor=ANNA,
        member=R1,
        benefit=IncomeKind.SICKNESS_BENEFIT,
        months=[Month(2021, 4)],
        amount_per_month=D("3000"),
        requested_on=date(2021, 4, 2),
    ).result
    c1 = _claim(app, hid, "wrongful_payment", [march], "2000", date(2021, 6, 10))
    c2 = _claim(app, hid, "advance_on_benefit", [april], "3000", date(2021, 6, 15))
    app.record_advance_refund(str(request), actor=ERIK, amount=D("3000"), refunded_on=date(2021, 7, 1))
    c3 = _claim(app, hid, "wrongful_payment", [april, may], "7000", date(2021, 7, 5))
    app.receive_repayment(c1, actor=ERIK, amount=D("500"), received_on=date(2021, 7, 20))
    app.receive_repayment(c1, actor=ERIK, amount=D("1500"), received_on=date(2021, 8, 20))
    app.waive_repayment(c3, actor=ANNA, amount=D("1000"), reason="Synnerliga skäl", waived_on=date(2021, 8, 31))
    app.agree_plan(
        c3,
        actor=ANNA,
        agreed_on=date(2021, 9, 1),
        instalments=[Instalment(date(2021, 9, 30), D("1000")), Instalment(date(2021, 10, 31), D("1000"))],
    )
    app.receive_repayment(c3, actor=ERIK, amount=D("1000"), received_on=date(2021, 9, 30))
    app.file_in_court(
        c3, actor=ANNA, filed_on=date(2021, 10, 15), court="Förvaltningsrätten i Karlstad", case_number="4711-21"
    )
    return {"R": hid, "C1": c1, "C2": c2, "C3": c3, "march": march, "april": april, "may": may, "request": request}
