"""Benchmark of the DuckDB read side (docs/adr/0008-duckdb-read-side.md).

    python bench/bench_projection.py --events 1000000

Builds (or reuses) a SQLite event store under bench/out/ with at least N events, written through the library
in batches (many households per ``app.save``), then measures:

(a) the raw read + decode rate of all notifications (``select_notifications`` pages of 1 000 +
    ``mapper.to_domain_event``), without projecting;
(b) the projection throughput from zero (``rebuild``: pages of 1 000 read, batches of ``--batch-size`` events
    per DuckDB transaction, decoded in a reader thread), and its ratio to (a) (target ≥ 50 %);
(c) typical report query times over the projected data.

Measured on the 2-core development machine, 1 000 026 events (projection version 2):
(a) 49 600–55 000 events/s; (b) 29 800–33 200 events/s = 58–67 % of (a) with batches of 20 000 (before:
10 800 events/s = 20 %, one transaction per page of 1 000; now 17 300 = 32 % with --batch-size 1000). Runs vary
by about ±10 % on this machine.
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from bistand_es.application.app import BistandApplication
from bistand_es.application.config import Settings
from bistand_es.domain.household import Household
from bistand_es.domain.month import Month
from bistand_es.domain.records import Actor
from bistand_es.domain.vocabulary import ActorRole, MemberRole, Outcome

OUT = Path(__file__).resolve().parent / "out"
ACTOR = Actor("bench", "handlaggare")
MONTHS = 12
EVENTS_PER_HOUSEHOLD = 2 + MONTHS * 4 + 4  # register, co-applicant, 12 × (apply, income, decide, pay), 4 more


def calculation(month: Month, applicant: str, partner: str, wage: Decimal) -> dict[str, Any]:
    counted = wage * Decimal("0.75")
    disregarded = wage - counted
    norm, rent = Decimal("5700.00"), Decimal("7500.00")
    aid = norm + Decimal("1420.00") + rent - counted
    lines = [
        {"kind": "norm.personal", "member": applicant, "amount": "5700.00", "rule": "riksnorm.personal",
         "reference": "SoL 4:3", "parameter": "riksnorm.personal.sambor@2021-01-01", "confidence": "HIGH"},
        {"kind": "norm.common", "member": None, "amount": "1420.00", "rule": "riksnorm.common",
         "reference": "SoL 4:3", "parameter": "riksnorm.common.2@2021-01-01", "confidence": "HIGH"},
        {"kind": "cost.rent", "member": None, "amount": "7500.00", "rule": "cost.rent", "reference": "SoL 4:3",
         "parameter": None, "confidence": "HIGH"},
        {"kind": "income.counted", "member": applicant, "amount": f"{counted:.2f}",
         "rule": "income.employment", "reference": "SoL 4:1", "parameter": None, "confidence": "HIGH",
         "income_kind": "employment"},
        {"kind": "income.disregarded.jobbstimulans", "member": applicant, "amount": f"{disregarded:.2f}",
         "rule": "jobbstimulans", "reference": "SoL 4:1 b", "parameter": "jobbstimulans.share@2013-07-01",
         "confidence": "HIGH", "income_kind": "employment"},
    ]  # fmt: skip
    return {
        "month": str(month), "norm_total": "7120.00", "costs_total": "7500.00", "need": "14620.00",
        "income_counted": f"{counted:.2f}", "income_disregarded": f"{disregarded:.2f}", "aid": f"{aid:.2f}",
        "surplus": "0.00", "lines": lines, "warnings": [], "income_month": str(month - 1),
    }  # fmt: skip


def household(number: int) -> Household:
    applicant, partner = f"B{number:07d}-1", f"B{number:07d}-2"
    h = Household.register(actor=ACTOR, municipality=("1765", "1780", "0180")[number % 3], applicant=applicant,
                           birth_date=date(1980, 1, 1), registered_on=date(2020, 12, 1))  # fmt: skip
    h.add_member(actor=ACTOR, person=partner, role=MemberRole.CO_APPLICANT, birth_date=date(1982, 5, 5),
                 in_school=None, effective_on=date(2020, 12, 1))  # fmt: skip
    situation = {"household": {"members": [{"id": applicant}, {"id": partner}]}}
    payments = []
    for offset in range(MONTHS):
        month = Month(2021, 1) + offset
        wage = Decimal(1000 + (number * 37 + offset * 11) % 3000)
        h.submit_application(
            actor=ACTOR,
            month=month,
            received_on=month.first_day,
            complete_on=None,
            cost_lines=[{"kind": "rent", "amount": "7500.00", "note": ""}],
            first_time=None,
        )
        h.report_income(
            actor=ACTOR, member=applicant, kind="employment", month=month - 1, amount=wage, source="applicant"
        )
        calc = calculation(month, applicant, partner, wage)
        h.make_decision(
            actor=ACTOR,
            month=month,
            outcome=Outcome.GRANTED,
            situation=situation,
            calculation=calc,
            rule_set_hash="bench",
            parameters=["riksnorm@2021-01-01"],
            approved_costs={},
            norm_adjustment=None,
            conditions=[],
            delegat=ActorRole.CASEWORKER,
            reason="",
            decided_on=month.first_day,
        )
        payments.append(
            h.issue_payment(
                actor=ACTOR,
                month=month,
                amount=Decimal("1000.00"),
                payee="applicant",
                method="bank_transfer",
                paid_on=month.first_day,
            )
        )
    month = Month(2021, 3)
    calc = calculation(month, applicant, partner, Decimal("500"))
    h.make_decision(
        actor=ACTOR,
        month=month,
        outcome=Outcome.GRANTED,
        situation=situation,
        calculation=calc,
        rule_set_hash="bench",
        parameters=[],
        approved_costs={},
        norm_adjustment=None,
        conditions=[],
        delegat=ActorRole.CASEWORKER,
        reason="ny lön",
        decided_on=date(2021, 3, 20),
        amends=True,
    )
    h.cancel_payment(actor=ACTOR, payment_id=payments[0], reason="fel konto")
    h.record_support_obstacle(
        actor=ACTOR, person=applicant, month=Month(2021, 6), code="3", label="Arbetar heltid – otillräcklig inkomst"
    )
    h.close_case(actor=ACTOR, closed_on=date(2021, 12, 31), reason_code="01", reason_label="Arbetsinkomst")
    return h


def build_store(settings: Settings, events: int) -> BistandApplication:
    app = BistandApplication(env=settings.event_store_env())
    have = app.max_position()
    if have >= events:
        print(f"reusing {settings.events_path} ({have} events)")
        return app
    households = -(-(events - have) // EVENTS_PER_HOUSEHOLD)
    first = have // EVENTS_PER_HOUSEHOLD + 1
    print(f"writing {households} households ({households * EVENTS_PER_HOUSEHOLD} events) to {settings.events_path}")
    started = time.perf_counter()
    batch: list[Household] = []
    for number in range(first, first + households):
        batch.append(household(number))
        if len(batch) == 200:
            app.save(*batch)
            batch.clear()
    if batch:
        app.save(*batch)
    elapsed = time.perf_counter() - started
    print(f"  wrote {app.max_position() - have} events in {elapsed:.1f} s "
          f"({(app.max_position() - have) / elapsed:,.0f} events/s, domain commands included)")  # fmt: skip
    return app


def raw_decode(app: BistandApplication) -> tuple[int, float]:
    started = time.perf_counter()
    count = 0
    start = 0
    while True:
        page = app.recorder.select_notifications(start=start, limit=1000, inclusive_of_start=False)
        for notification in page:
            app.mapper.to_domain_event(notification)
        count += len(page)
        if len(page) < 1000:
            break
        start = page[-1].id
    return count, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=None, help="events per transaction (default: projector's)")
    args = parser.parse_args()

    settings = Settings(home=OUT / f"store-{args.events}")
    app = build_store(settings, args.events)

    count, seconds = raw_decode(app)
    raw_rate = count / seconds
    print(f"(a) raw read + decode: {count} events in {seconds:.1f} s = {raw_rate:,.0f} events/s")

    from bistand_es.projections.projector import DEFAULT_BATCH_SIZE, rebuild

    batch_size = args.batch_size or DEFAULT_BATCH_SIZE
    started = time.perf_counter()
    status = rebuild(app, settings, page_size=args.page_size, batch_size=batch_size)
    seconds = time.perf_counter() - started
    rate = status.applied / seconds
    print(f"(b) projection from zero: {status.applied} events in {seconds:.1f} s = {rate:,.0f} events/s "
          f"({rate / raw_rate:.0%} of the raw decode rate; target >= 50 %; pages of {args.page_size}, "
          f"{batch_size} events per transaction)")  # fmt: skip

    from bistand_es.projections.reports import report
    from bistand_es.projections.store import ReadModelStore

    con = ReadModelStore(settings.reports_path).connect_reader()
    try:
        for name, month in (("monthly", None), ("payments", None), ("jobbstimulans", "2021-09"),
                            ("statistics", "2021-06")):  # fmt: skip
            started = time.perf_counter()
            result = report(con, name, month)
            print(
                f"(c) report {name:<13} {len(result.rows):>7} rows in {(time.perf_counter() - started) * 1000:8.1f} ms"
            )
        started = time.perf_counter()
        con.execute("SELECT municipality, month, sum(aid) FROM decisions GROUP BY ALL ORDER BY ALL").fetchall()
        print(f"(c) aid per municipality and month (decisions view): {(time.perf_counter() - started) * 1000:.1f} ms")
    finally:
        con.close()
    print(f"read model size: {settings.reports_path.stat().st_size / 1e6:.0f} MB; "
          f"event store: {settings.events_path.stat().st_size / 1e6:.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
