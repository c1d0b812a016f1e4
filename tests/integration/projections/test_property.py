"""Must-show 1: a rebuild from zero gives exactly the tables that incremental updates after every event give."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bistand_es.application.app import BistandApplication
from bistand_es.application.config import Settings
from bistand_es.application.units import Units
from bistand_es.domain.errors import BistandError
from bistand_es.domain.household.migration import ClaimOutcome
from bistand_es.domain.money import Money
from bistand_es.domain.month import Month
from bistand_es.domain.reimbursement.case import MigrationStatus, Reception
from bistand_es.domain.rules.rule_set import load_rule_set
from bistand_es.domain.vocabulary import MemberRole, RecoveryGround
from bistand_es.projections.projector import catch_up, rebuild
from bistand_es.projections.schema import MODEL_TABLES, PROJECTION_VERSION, VIEWS

from .scenario import ANNA, apply, cancel, decide, memory_app, pay, register, table_contents

MONTHS = [Month(2021, 1) + i for i in range(9)]
PEOPLE = ["P0", "P1", "P2", "P3"]

index = st.integers(min_value=0, max_value=3)
repaid = st.sampled_from(["100.00", "250.50", "1000.00"])
CLAIM_DATES = [date(2021, 6, 1), date(2021, 7, 15)]
MOVEMENT_DATES = [date(2021, 7, 20), date(2021, 7, 31), date(2021, 9, 1)]
STATUS_DATES = [date(2020, 12, 1), date(2021, 3, 1), date(2021, 6, 1)]
FILINGS = [("asylum.lma_aid", "2021-Q1"), ("asylum.lma_aid", "2021-Q3"), ("permit.housing_support", "2021")]
amount = st.sampled_from(["1000.00", "2500.50", "4000.00", "7200.00"])
operation = st.one_of(
    st.tuples(st.just("register")),
    st.tuples(st.just("add"), index, st.sampled_from(PEOPLE), st.sampled_from(list(MemberRole)[1:])),
    st.tuples(st.just("remove"), index, st.sampled_from(PEOPLE)),
    st.tuples(st.just("apply"), index, index),
    st.tuples(st.just("income"), index, index, amount),
    st.tuples(st.just("correct"), index, index, amount),
    st.tuples(st.just("decide"), index, index, amount, st.booleans()),
    st.tuples(st.just("decide"), index, index, amount, st.just(False)),
    st.tuples(st.just("decide"), index, index, amount, st.just(False)),
    st.tuples(st.just("amend"), index, index, amount),
    st.tuples(st.just("pay"), index, index, amount),
    st.tuples(st.just("pay"), index, index, st.just("500.00")),
    st.tuples(st.just("cancel"), index, index),
    st.tuples(st.just("external"), index, st.lists(index, min_size=1, max_size=3)),
    st.tuples(st.just("close"), index),
    # Återkrav (9:1 needs no decision condition): a claim on a payment, repayments and waivers on a claim.
    st.tuples(st.just("claim"), index, index, amount, st.sampled_from(CLAIM_DATES)),
    st.tuples(st.just("claim"), index, index, st.just("500.00"), st.sampled_from(CLAIM_DATES)),
    st.tuples(st.just("receive"), index, repaid, st.sampled_from(MOVEMENT_DATES)),
    st.tuples(st.just("waive"), index, repaid, st.sampled_from(MOVEMENT_DATES)),
    # Återsökning: migration facts, tagged payments and costs, claims and their outcomes.
    st.tuples(st.just("status"), index, index, st.sampled_from(list(MigrationStatus)), st.sampled_from(STATUS_DATES)),
    st.tuples(st.just("reception"), index, index, st.sampled_from(STATUS_DATES)),
    st.tuples(st.just("tag"), index, index, st.sampled_from(["asylum.lma_aid", "permit.illness"])),
    st.tuples(st.just("cost"), index, index, index, st.sampled_from([("1000.00", "0.00"), ("2000.00", "500.00")])),
    st.tuples(st.just("file"), st.sampled_from(FILINGS)),
    st.tuples(st.just("file"), st.just(FILINGS[-1])),
    st.tuples(st.just("outcome"), index, st.sampled_from(list(ClaimOutcome))),
)


class World:
    def __init__(self, app: BistandApplication) -> None:
        self.app = app
        self.households: list[Any] = []
        self.incomes: list[tuple[Any, str]] = []
        self.payments: list[tuple[Any, str]] = []
        self.claims: list[str] = []
        self.reimbursements: list[str] = []

    def payment_of(self, hid: Any, number: int, amount: str) -> str:
        """One of the household's payments; without one, apply, decide and pay a month first (several events)."""
        mine = [payment_id for owner, payment_id in self.payments if owner == hid]
        if mine:
            return mine[number % len(mine)]
        month = MONTHS[number % 4]
        household = self.app.get_household(hid)
        if month not in household.applications:
            apply(self.app, hid, month, rent="3000.00")
        if month not in household.decisions:
            decide(self.app, hid, month, amount, [m.person for m in household.current_members()])
        payment_id = pay(self.app, hid, month, amount, date(2021, 5, 25))
        self.payments.append((hid, payment_id))
        return payment_id

    def run(self, op: tuple[Any, ...]) -> None:
        app = self.app
        if op[0] == "register":
            self.households.append(register(app, f"A{len(self.households)}"))
            return
        if op[0] == "file":
            type_name, period = op[1]
            plan = app.prepare_filing(
                type_name=type_name, period_text=period, filed_on=date(2022, 1, 10), rule_set=load_rule_set(None),
                units=Units((), None),
            )  # fmt: skip
            app.record_filing(plan, actor=ANNA)
            self.reimbursements.append(plan.claim_id)
            return
        if not self.households:
            return
        hid = self.households[op[1] % len(self.households)]
        household = app.get_household(hid)
        if op[0] == "add":
            app.add_member(
                hid,
                actor=ANNA,
                person=f"{hid.hex[:4]}-{op[2]}",
                role=op[3],
                birth_date=date(1990, 1, 1),
                in_school=None,
                effective_on=date(2021, 1, 1) + (date(2021, 3, 1) - date(2021, 1, 1)),
            )
        elif op[0] == "remove":
            app.remove_member(
                hid, actor=ANNA, person=f"{hid.hex[:4]}-{op[2]}", effective_on=date(2021, 4, 1), reason="flyttat"
            )
        elif op[0] == "apply":
            apply(app, hid, MONTHS[op[2]], rent="3000.00")
        elif op[0] == "income":
            recorded = app.report_income(
                hid,
                actor=ANNA,
                member=household.applicant,
                kind="employment",
                month=MONTHS[op[2]],
                amount=Decimal(op[3]),
                source="applicant",
            )
            self.incomes.append((hid, str(recorded.result)))
        elif op[0] == "correct" and self.incomes:
            owner, income_id = self.incomes[op[2] % len(self.incomes)]
            app.correct_income(owner, actor=ANNA, income_id=income_id, reason="rättelse", amount=Decimal(op[3]))
        elif op[0] == "decide":
            month = MONTHS[op[2] % 4]
            if month not in household.applications:
                apply(app, hid, month, rent="3000.00")  # one event; the next decide of this month decides
                return
            members = [m.person for m in household.current_members()]
            refused = bool(op[4])
            if refused:
                decide(app, hid, month, "0.00", members, refused=True, norm="5000.00")
            else:
                decide(app, hid, month, op[3], members)
        elif op[0] == "amend" and household.decisions:
            month = sorted(household.decisions)[op[2] % len(household.decisions)]
            members = [m.person for m in household.current_members()]
            decide(app, hid, month, op[3], members, amends=True)
        elif op[0] == "pay" and household.decisions:
            month = sorted(household.decisions)[op[2] % len(household.decisions)]
            self.payments.append((hid, pay(app, hid, month, op[3], date(2021, 5, 25))))
        elif op[0] == "cancel" and self.payments:
            owner, payment_id = self.payments.pop(op[2] % len(self.payments))
            cancel(app, owner, payment_id)
        elif op[0] == "external":
            app.change_household(
                hid,
                lambda h: h.record_external_support(
                    actor=ANNA, person=household.applicant, months=[MONTHS[i] for i in op[2]], source="Karlstad"
                ),
            )
        elif op[0] == "claim":
            payment_id = self.payment_of(hid, op[2], op[3])
            recorded = app.claim_repayment(
                hid,
                actor=ANNA,
                ground=RecoveryGround.WRONGFUL_PAYMENT,
                payment_ids=[payment_id],
                amount=Decimal(op[3]),
                decided_on=op[4],
                reason="felaktig utbetalning",
            )
            self.claims.append(str(recorded.result))
        elif op[0] == "receive" and self.claims:
            claim_id = self.claims[op[1] % len(self.claims)]
            app.receive_repayment(claim_id, actor=ANNA, amount=Decimal(op[2]), received_on=op[3])
        elif op[0] == "waive" and self.claims:
            claim_id = self.claims[op[1] % len(self.claims)]
            app.waive_repayment(claim_id, actor=ANNA, amount=Decimal(op[2]), reason="eftergift", waived_on=op[3])
        elif op[0] in ("status", "reception", "cost"):
            members = [m.person for m in household.current_members()]
            person = members[op[2] % len(members)]
            if op[0] == "status":
                permit = "permanent" if op[3] is MigrationStatus.RESIDENCE_PERMIT else None
                app.record_migration_status(
                    hid, actor=ANNA, person=person, status=op[3], valid_from=op[4], permit_type=permit
                )
            elif op[0] == "reception":
                app.record_reception(hid, actor=ANNA, person=person, received_on=op[3], reception=Reception.ANVISAD)
            else:
                if not household.facts_of(person).statuses:  # setup: eligible for stöd i boendet (22 §)
                    app.record_migration_status(
                        hid, actor=ANNA, person=person, status=MigrationStatus.RESIDENCE_PERMIT,
                        valid_from=STATUS_DATES[0], permit_type=None,
                    )  # fmt: skip
                    app.record_reception(
                        hid, actor=ANNA, person=person, received_on=STATUS_DATES[0], reception=Reception.EGENBOSATT
                    )
                app.record_reimbursable_cost(
                    hid, actor=ANNA, rule_set=load_rule_set(None), person=person, month=MONTHS[op[3] * 2],
                    type_name="permit.housing_support", amount=Money.of(op[4][0]), fees=Money.of(op[4][1]),
                    evidence="faktura",
                )  # fmt: skip
        elif op[0] == "tag" and self.payments:
            owner, payment_id = self.payments[op[2] % len(self.payments)]
            app.tag_payment(owner, payment_id, actor=ANNA, rule_set=load_rule_set(None), type_name=op[3], person=None)
        elif op[0] == "outcome" and self.reimbursements:
            claim_id = self.reimbursements[op[1] % len(self.reimbursements)]
            granted = Decimal("100.00") if op[2] is ClaimOutcome.PARTLY else None
            app.record_reimbursement_outcome(
                claim_id, actor=ANNA, outcome=op[2], granted=granted, reason="avslag", decided_on=date(2022, 3, 1)
            )
        elif op[0] == "close":
            app.change_household(
                hid,
                lambda h: h.close_case(
                    actor=ANNA, closed_on=date(2021, 6, 30), reason_code="01", reason_label="Arbetsinkomst"
                ),
            )


def everything(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        data = {name: table_contents(con, name) for name in (*MODEL_TABLES, *VIEWS)}
        data["state"] = con.execute(
            "SELECT position, events_projected, projection_version FROM projector_state"
        ).fetchall()
        return data
    finally:
        con.close()


@pytest.mark.slow
@settings(
    max_examples=12 if os.environ.get("CI") == "true" else 30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(operation, min_size=1, max_size=40))
def test_rebuild_from_zero_equals_catching_up_after_every_event(ops: list[tuple[Any, ...]]) -> None:
    root = Path(tempfile.mkdtemp(prefix="bistand-prop-"))
    try:
        app = memory_app()
        world = World(app)
        incremental = Settings(home=root / "incremental")
        world.run(("register",))
        catch_up(app, incremental)
        for op in ops:
            before = app.max_position()
            with contextlib.suppress(BistandError):  # a refused command records nothing (its setup may have)
                world.run(op)
            if app.max_position() != before:
                catch_up(app, incremental)
        rebuilt = Settings(home=root / "rebuilt")
        rebuild(app, rebuilt)
        assert everything(incremental.reports_path) == everything(rebuilt.reports_path)
    finally:
        shutil.rmtree(root, ignore_errors=True)


class CatchingUp:
    """The application, catching the read model up after every command (every command records one event)."""

    def __init__(self, app: BistandApplication, settings: Settings) -> None:
        self._app = app
        self._settings = settings

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._app, name)
        if not callable(attribute) or name.startswith(("get_", "list_", "iter_", "max_")):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            result = attribute(*args, **kwargs)
            catch_up(self._app, self._settings)
            return result

        return call


def test_the_sample_history_caught_up_event_by_event_equals_its_rebuild(tmp_path: Path) -> None:
    from .scenario import sample

    app = memory_app()
    incremental = Settings(home=tmp_path / "incremental")
    sample(CatchingUp(app, incremental))  # type: ignore[arg-type]
    rebuilt = Settings(home=tmp_path / "rebuilt")
    rebuild(app, rebuilt)
    data = everything(incremental.reports_path)
    assert data == everything(rebuilt.reports_path)
    assert data["state"] == [(app.max_position(), app.max_position(), PROJECTION_VERSION)]
