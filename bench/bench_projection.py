"""Benchmark of the DuckDB read side (docs/adr/0008-duckdb-read-side.md).

    python bench/bench_projection.py --events 1000000

Builds (or reuses) a SQLite event store under bench/out/ with at least N events, written through the library
in batches (many households per ``app.save``; personal fields sealed per household as the application stores
them), then measures in one run:

(a0) reading every notification in pages of 1 000 without decoding (the floor of any projection);
(aL) the same read + ``to_domain_event`` with the LIBRARY's plain mapper (``eventsourcing.persistence.Mapper``
    with the application's transcoder: the library's JSON decoding, no chain check, sealed fields left sealed) —
    issue 12's yardstick ("the library's mapper decode rate");
(aA) the same read + ``to_domain_event`` with the application's own mapper (chain check, opening of the sealed
    personal fields, the library's transcoding), on the first ``--app-mapper-events`` events (default: all);
(b) the projection from zero (``rebuild``: pages of 1 000 read, batches of ``--batch-size`` events per DuckDB
    transaction, decoded in a reader thread) in a fresh child process, its ratios to (aL) (target >= 1.0x) and
    (aA), and the child's peak RSS (the projection alone);
(e) where the projection's time goes, per event, on the first ``--breakdown-events`` events in this process, one
    stage after the other: read, parse (JSON only), parse + open the sealed fields the rows read, + rows, + Arrow
    tables, and the DuckDB insert + commit of those tables into a scratch file;
(d) the catch-up after one command (a new household with an application and a decision, 3 events), median of 5,
    on a small store of ``--small-households`` households (built once under bench/out/) and on the large store;
(c) typical report query times over the projected data.

The figures of the last run, with the machine's load, are in docs/performance.md ("The DuckDB projector").
"""

from __future__ import annotations

import argparse
import resource
import statistics
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


def raw_read(app: BistandApplication) -> tuple[int, float]:
    """Every notification read in pages of 1 000, nothing decoded: the floor of any projection."""
    started = time.perf_counter()
    count = 0
    start = 0
    while True:
        page = app.recorder.select_notifications(start=start, limit=1000, inclusive_of_start=False)
        count += len(page)
        if len(page) < 1000:
            break
        start = page[-1].id
    return count, time.perf_counter() - started


def raw_decode(app: BistandApplication, mapper: Any, limit: int | None = None) -> tuple[int, float]:
    """Read in pages of 1 000 and ``mapper.to_domain_event`` every notification (up to ``limit`` events)."""
    started = time.perf_counter()
    count = 0
    start = 0
    while True:
        page = app.recorder.select_notifications(start=start, limit=1000, inclusive_of_start=False)
        for notification in page:
            mapper.to_domain_event(notification)
        count += len(page)
        if len(page) < 1000 or (limit is not None and count >= limit):
            break
        start = page[-1].id
    return count, time.perf_counter() - started


def library_mapper(app: BistandApplication) -> Any:
    """The library's plain mapper with the application's transcoder (its registered transcodings), nothing else."""
    from eventsourcing.persistence import Mapper

    return Mapper(transcoder=app.mapper.transcoder)


def _project_in_child(home: str, page_size: int, batch_size: int, results: Any) -> None:
    """The rebuild in a fresh process (so that its peak RSS is the projection's own): puts (events, seconds)."""
    settings = Settings(home=Path(home))
    app = BistandApplication(env=settings.event_store_env())
    from bistand_es.projections.projector import rebuild

    started = time.perf_counter()
    status = rebuild(app, settings, page_size=page_size, batch_size=batch_size)
    results.put((status.applied, time.perf_counter() - started))


def project_from_zero(settings: Settings, page_size: int, batch_size: int) -> tuple[int, float, float]:
    """(events, seconds, peak RSS in MiB) of a rebuild from zero run in a fresh child process."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    child = context.Process(target=_project_in_child, args=(str(settings.home), page_size, batch_size, results))
    child.start()
    applied, seconds = results.get()
    child.join()
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # float-ok: MiB (Linux gives KiB)
    return applied, seconds, peak


def breakdown(app: BistandApplication, limit: int, batch_size: int, repeat: int = 3) -> list[tuple[str, float]]:
    """Seconds per event and stage for the first ``limit`` events, each stage timed on its own in batches of
    ``batch_size``, best of ``repeat``: read, parse, parse + open, + rows, + Arrow, DuckDB insert + commit (of the
    Arrow tables, into a scratch file; once)."""
    import tempfile

    import duckdb

    from bistand_es.projections.batches import prepare_batch, write_batch
    from bistand_es.projections.decoding import loads
    from bistand_es.projections.projector import WRITER_MEMORY, _migrate
    from bistand_es.projections.rows import opener_of, page_rows

    started = time.perf_counter()
    notifications: list[Any] = []
    start = 0
    while len(notifications) < limit:
        page = app.recorder.select_notifications(start=start, limit=1000, inclusive_of_start=False)
        notifications.extend(page)
        if len(page) < 1000:
            break
        start = page[-1].id
    stages = [("read (pages of 1 000)", time.perf_counter() - started)]
    batches = [notifications[i : i + batch_size] for i in range(0, len(notifications), batch_size)]

    prepare_batch(notifications[:500], opener_of(app))  # imports and first-use costs out of the timings

    def timed(name: str, work: Any) -> list[Any]:
        """The stage run ``repeat`` times over every batch: the best run counts (the machine is shared)."""
        best, out = float("inf"), []  # float-ok: seconds
        for _ in range(repeat):
            began = time.perf_counter()
            out = [work(batch) for batch in batches]
            best = min(best, time.perf_counter() - began)
        stages.append((name, best))
        return out

    timed("parse only (JSON)", lambda batch: [loads(n.state) for n in batch])

    def parse_and_open(batch: list[Any]) -> None:
        opener = opener_of(app)
        if opener is not None:
            for n in batch:
                opener.parse(n.topic, str(n.originator_id), n.state)

    timed("parse + open the sealed fields rows read", parse_and_open)
    timed("parse + open + rows (tuples)", lambda batch: page_rows(batch, opener_of(app)))
    prepared = timed("parse + open + rows + Arrow tables", lambda batch: prepare_batch(batch, opener_of(app)))
    with tempfile.TemporaryDirectory() as scratch:
        con = duckdb.connect(str(Path(scratch) / "breakdown.duckdb"))
        con.execute(f"SET memory_limit = '{WRITER_MEMORY}'")
        _migrate(con)
        began = time.perf_counter()
        for batch in prepared:
            write_batch(con, batch)
        stages.append(("DuckDB insert + commit (of those tables)", time.perf_counter() - began))
        con.close()
    return [(name, seconds / len(notifications)) for name, seconds in stages]


def one_command(app: BistandApplication, number: int) -> int:
    """One write command's events: a new household registered, with an application and its decision (3 events in
    one save, two persons whose jobbstimulans windows the projector recomputes). The events written."""
    applicant, partner = f"C{number:07d}-1", f"C{number:07d}-2"
    h = Household.register(actor=ACTOR, municipality="1780", applicant=applicant, birth_date=date(1981, 2, 2),
                           registered_on=date(2022, 1, 3))  # fmt: skip
    month = Month(2022, 1)
    h.submit_application(actor=ACTOR, month=month, received_on=month.first_day, complete_on=None,
                         cost_lines=[{"kind": "rent", "amount": "7500.00", "note": ""}], first_time=None)  # fmt: skip
    h.make_decision(
        actor=ACTOR, month=month, outcome=Outcome.GRANTED,
        situation={"household": {"members": [{"id": applicant}]}},
        calculation=calculation(month, applicant, partner, Decimal("1200")), rule_set_hash="bench",
        parameters=["riksnorm@2021-01-01"], approved_costs={}, norm_adjustment=None, conditions=[],
        delegat=ActorRole.CASEWORKER, reason="", decided_on=month.first_day,
    )  # fmt: skip
    before = app.max_position()
    app.save(h)
    return app.max_position() - before


def catch_up_after_one_command(app: BistandApplication, settings: Settings, repeat: int = 5) -> tuple[float, int]:
    """The median seconds of bringing the read model up to date after one command (and the events it wrote)."""
    from bistand_es.domain.rules.rule_set import load_rule_set
    from bistand_es.projections.projector import catch_up

    rules = load_rule_set(None)
    catch_up(app, settings, rule_set=rules)  # up to date first
    samples: list[float] = []  # float-ok: timings
    written = 0
    for attempt in range(repeat):
        written = one_command(app, 9_000_000 + app.max_position() + attempt)
        started = time.perf_counter()
        status = catch_up(app, settings, rule_set=rules, skip_if_busy=False)
        samples.append(time.perf_counter() - started)
        if status.lag:
            raise SystemExit(f"catch-up left {status.lag} events behind")
    return statistics.median(samples), written


def _print_breakdown(app: BistandApplication, events: int, batch_size: int, library_rate: float | None) -> None:
    stages = breakdown(app, events, batch_size)
    previous = 0.0  # float-ok: seconds
    for name, per_event in stages:
        step = per_event if name.startswith(("read", "parse only", "DuckDB")) else per_event - previous
        if name.startswith("parse"):
            previous = per_event
        print(f"(e) {name:<45} {per_event * 1e6:7.1f} µs/event (this stage {step * 1e6:6.1f} µs)")
    if library_rate is not None:
        print(f"(e) the library's plain mapper decode, for scale:   {1e6 / library_rate:7.1f} µs/event incl. read")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=None, help="events per transaction (default: projector's)")
    parser.add_argument(
        "--app-mapper-events", type=int, default=None,
        help="measure (aA), the application's mapper, on the first N events only (default: all)",
    )  # fmt: skip
    parser.add_argument(
        "--breakdown-events", type=int, default=100_000, help="events for (e), the per-stage breakdown (0: skip)"
    )
    parser.add_argument("--breakdown-only", action="store_true", help="only (e), the per-stage breakdown")
    parser.add_argument(
        "--small-households", type=int, default=1000,
        help="households of the small store for (d), the catch-up after one command (0: skip (d))",
    )  # fmt: skip
    args = parser.parse_args()

    settings = Settings(home=OUT / f"store-{args.events}")
    app = build_store(settings, args.events)

    import os

    print(f"load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.breakdown_only:
        _print_breakdown(app, args.breakdown_events, args.batch_size or 20_000, None)
        return
    count, seconds = raw_read(app)
    print(f"(a0) raw read (no decode): {count} events in {seconds:.1f} s = {count / seconds:,.0f} events/s")
    count, seconds = raw_decode(app, library_mapper(app))
    library_rate = count / seconds
    print(f"(aL) raw read + decode (the LIBRARY's plain mapper): {count} events in {seconds:.1f} s = "
          f"{library_rate:,.0f} events/s")  # fmt: skip
    count, seconds = raw_decode(app, app.mapper, args.app_mapper_events)
    app_rate = count / seconds
    print(f"(aA) raw read + decode (the application's mapper): {count} events in {seconds:.1f} s = "
          f"{app_rate:,.0f} events/s")  # fmt: skip

    from bistand_es.projections.projector import DEFAULT_BATCH_SIZE

    batch_size = args.batch_size or DEFAULT_BATCH_SIZE
    applied, seconds, peak = project_from_zero(settings, args.page_size, batch_size)
    rate = applied / seconds
    print(f"(b) projection from zero: {applied} events in {seconds:.1f} s = {rate:,.0f} events/s "
          f"(pages of {args.page_size}, {batch_size} events per transaction); peak RSS of the projecting "
          f"process {peak:,.0f} MiB")  # fmt: skip
    met = "met" if rate >= library_rate else "NOT met"
    print(f"    = {rate / library_rate:.2f}x the library's plain mapper decode (aL; issue 12 target >= 1.0x: {met})")
    print(f"    = {rate / app_rate:.2f}x the application's mapper decode (aA)")
    print(f"load average after (b): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    if args.breakdown_events:
        _print_breakdown(app, args.breakdown_events, batch_size, library_rate)

    if args.small_households:
        small_settings = Settings(home=OUT / f"households-{args.small_households}")
        small = build_store(small_settings, args.small_households * EVENTS_PER_HOUSEHOLD)
        large_households = app.max_position() // EVENTS_PER_HOUSEHOLD
        small_s, written = catch_up_after_one_command(small, small_settings)
        large_s, _ = catch_up_after_one_command(app, settings)
        print(f"(d) catch-up after one command ({written} events), median of 5: {small_s * 1000:.0f} ms on "
              f"{args.small_households:,} households, {large_s * 1000:.0f} ms on ~{large_households:,} households "
              f"({large_s / small_s:.2f}x)")  # fmt: skip

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
