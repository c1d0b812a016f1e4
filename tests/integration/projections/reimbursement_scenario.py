"""An återsökning history for read-model tests, written through the application services (docs/reporting.md uses it).

Household M (kommun 0662), one adult, M1, an asylum seeker from 2021-05-01 (received 2021-05-10, anvisad), rent
5 000. By the riksnorm 2021 (SFS 2020:1013) a single adult's norm is 3 160 personal + 1 020 common costs =
4 180 kr; with rent 5 000 and no income the aid is 9 180 kr a month. Aid paid to an asylum seeker is tagged
``asylum.lma_aid`` by the default rule (förordning 2017:193), the whole 9 180 for M1, the only member.

- 2021-08 and 2021-09 paid 9 180 each (2021-08-25, 2021-09-24): quarter 2021-Q3, 18 360.
- 2021-10 paid 9 180 on 2021-10-25, then cancelled (makulerad): no cost to claim.
- 2021-11 paid 9 180 on 2021-11-25: quarter 2021-Q4, 9 180.
- Deadlines (19 § förordning 2017:193, SFS 2021:804: the last day of the 6th month after the quarter):
  2021-Q3 ends 2021-09-30 → October … March → 2022-03-31; 2021-Q4 ends 2021-12-31 → January … June → 2022-06-30.
- 2022-01-17: the claim for 2021-Q3 is filed (18 360).
- 2022-03-01: Migrationsverket grants 15 000 of it (partly): the difference is 18 360 − 15 000 = 3 360.

2021-Q4 remains open until 2022-06-30 (on 2022-03-01: 31 + 30 + 31 + 29 = 121 days left; 0 on 2022-06-30) and is
lost from 2022-07-01 (−1).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from bistand_es.application.app import BistandApplication
from bistand_es.application.decisions import DecisionRequest
from bistand_es.application.payments import PaymentOrder
from bistand_es.application.units import Units
from bistand_es.domain.household.migration import ClaimOutcome
from bistand_es.domain.month import Month
from bistand_es.domain.records import Actor
from bistand_es.domain.reimbursement.case import MigrationStatus, Reception
from bistand_es.domain.rules.rule_set import load_rule_set

ANNA = Actor("anna", "handlaggare")
ERIK = Actor("erik", "ekonom")
M1 = "M1"
LMA = "asylum.lma_aid"
D = Decimal


def _paid(app: BistandApplication, hid: UUID, month: str, paid_on: date) -> str:
    """Apply (rent 5 000), decide with the rules engine (aid 9 180) and pay the month (another person pays)."""
    m = Month.parse(month)
    app.submit_application(
        hid,
        actor=ANNA,
        month=m,
        received_on=(m - 1).first_day.replace(day=20),
        complete_on=None,
        cost_lines=[{"kind": "rent", "amount": D("5000"), "note": ""}],
    )
    request = DecisionRequest(month=m, actor=ANNA, decided_on=(m - 1).first_day.replace(day=25))
    app.decide(hid, request, load_rule_set(None))
    return str(app.issue_payment(hid, PaymentOrder(m, ERIK, paid_on)).result)


def reimbursement_sample(app: BistandApplication, *, until: str = "outcome") -> dict[str, Any]:
    """Write the history above (up to ``until``: "paid", "filed" or "outcome"); returns the ids."""
    hid = app.register_household(
        actor=ANNA, municipality="0662", applicant=M1, birth_date=date(1990, 3, 14), registered_on=date(2021, 7, 1)
    ).household_id
    app.record_migration_status(
        hid, actor=ANNA, person=M1, status=MigrationStatus.ASYLUM_SEEKER, valid_from=date(2021, 5, 1)
    )
    app.record_reception(hid, actor=ANNA, person=M1, received_on=date(2021, 5, 10), reception=Reception.ANVISAD)
    ids: dict[str, Any] = {"M": hid}
    ids["august"] = _paid(app, hid, "2021-08", date(2021, 8, 25))
    ids["september"] = _paid(app, hid, "2021-09", date(2021, 9, 24))
    ids["october"] = _paid(app, hid, "2021-10", date(2021, 10, 25))
    app.cancel_payment(ids["october"], actor=ERIK, reason="Återkommen")
    ids["november"] = _paid(app, hid, "2021-11", date(2021, 11, 25))
    if until == "paid":
        return ids
    plan = app.prepare_filing(
        type_name=LMA, period_text="2021-Q3", filed_on=date(2022, 1, 17), rule_set=load_rule_set(None),
        units=Units((), None),
    )  # fmt: skip
    app.record_filing(plan, actor=ANNA)
    ids["claim"] = plan.claim_id
    if until == "filed":
        return ids
    app.record_reimbursement_outcome(
        plan.claim_id, actor=ANNA, outcome=ClaimOutcome.PARTLY, granted=D("15000"), decided_on=date(2022, 3, 1)
    )
    return ids
