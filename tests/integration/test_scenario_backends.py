"""One scenario, three backends: in-memory, SQLite file and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bistand_es.application.app import BistandApplication
from bistand_es.application.config import Settings
from bistand_es.domain.errors import ConcurrentChange, DecisionConflict, NotFound, UnknownMember
from bistand_es.domain.household import event_type_name
from bistand_es.domain.month import Month
from bistand_es.domain.records import Actor
from tests.conftest import store_digest
from tests.scenario import ANNA, APPLICANT, CHILD, EXPECTED_TYPES, PARTNER, synthetic_decision, tell_story

ERIK = Actor("erik", "ekonom")  # four-eyes: the payer is not the one who decided (docs/security.md)


def test_story_is_recorded_in_order_with_actors(app: BistandApplication) -> None:
    hid, _ = tell_story(app)
    history = app.get_history(hid)
    assert [(event_type_name(e), e.actor["user"]) for e in history] == EXPECTED_TYPES
    assert [e.originator_version for e in history] == list(range(1, 11))


def test_state_after_the_story(app: BistandApplication) -> None:
    hid, wages = tell_story(app)
    household = app.get_household(hid)
    assert household.cohabiting_in(Month.parse("2021-02"))
    assert {m.person for m in household.members_in(Month.parse("2021-03"))} == {APPLICANT, PARTNER, CHILD}
    assert household.incomes[wages].amount == Decimal("8100.00")
    assert household.incomes[wages].corrections == 1
    assert sorted(str(m) for m in household.applications) == ["2021-01", "2021-02", "2021-03"]
    assert household.applications[Month.parse("2021-01")].first_time is True
    assert household.applications[Month.parse("2021-02")].first_time is False


def test_as_of_between_two_events_shows_the_earlier_state(app: BistandApplication) -> None:
    hid, wages = tell_story(app)
    history = app.get_history(hid)
    reported, corrected = history[-2], history[-1]
    assert reported.timestamp < corrected.timestamp
    moment = reported.timestamp + (corrected.timestamp - reported.timestamp) / 2
    before = app.get_household(hid, as_of=moment)
    assert before.incomes[wages].amount == Decimal("8000.00")
    assert before.version == 9
    with pytest.raises(NotFound, match="did not exist yet"):
        app.get_household(hid, as_of=history[0].timestamp.replace(year=2000))


def test_rejected_commands_store_nothing(app: BistandApplication) -> None:
    hid, _ = tell_story(app)
    before = store_digest(app)
    with pytest.raises(UnknownMember):
        app.remove_member(hid, actor=ANNA, person="19121212-1212", effective_on=date(2021, 3, 1), reason="")
    with pytest.raises(DecisionConflict):
        synthetic_decision(app, hid, "2025-01", "1.00")
    assert store_digest(app) == before


def test_two_caseworkers_on_one_household(settings: Settings) -> None:
    """A stale write is refused when the version the caseworker saw is given, and retried once when not."""
    if settings.backend == "memory":
        pytest.skip("two processes cannot share an in-memory store")
    first = BistandApplication(env=settings.event_store_env())
    second = BistandApplication(env=settings.event_store_env())
    hid, _ = tell_story(first)
    seen = second.get_household(hid).version
    first.submit_application(
        hid, actor=ANNA, month=Month.parse("2021-04"), received_on=date(2021, 3, 20), complete_on=None, cost_lines=[]
    )
    before = store_digest(first)
    with pytest.raises(ConcurrentChange, match="changed since you read it — retry"):
        second.submit_application(
            hid,
            actor=Actor("berit", "handlaggare"),
            month=Month.parse("2021-05"),
            received_on=date(2021, 4, 20),
            complete_on=None,
            cost_lines=[],
            expected_version=seen,
        )
    assert store_digest(first) == before


def test_a_conflicting_save_is_retried_once_from_fresh_state(settings: Settings) -> None:
    if settings.backend == "memory":
        pytest.skip("two processes cannot share an in-memory store")
    first = BistandApplication(env=settings.event_store_env())
    second = BistandApplication(env=settings.event_store_env())
    hid, _ = tell_story(first)
    calls = []

    def command(household: object) -> None:
        calls.append(1)
        if len(calls) == 1:  # someone else writes between our read and our save
            first.submit_application(
                hid,
                actor=ANNA,
                month=Month.parse("2021-04"),
                received_on=date(2021, 3, 20),
                complete_on=None,
                cost_lines=[],
            )
        household.set_cohabiting(actor=ANNA, cohabiting=False, effective_on=date(2021, 5, 1))  # type: ignore[attr-defined]

    recorded, _ = second.change_household(hid, command)
    assert len(calls) == 2
    assert recorded.version == 12
    assert not first.get_household(hid).cohabiting


def test_list_households(app: BistandApplication) -> None:
    hid, _ = tell_story(app)
    rows = app.list_households()
    assert [(r["household_id"], r["applicant"], r["municipality"]) for r in rows] == [(str(hid), APPLICANT, "1765")]


@pytest.mark.parametrize("command", ["report_income", "pay_stated_amount"])
def test_commands_that_could_record_a_twin_are_not_retried(settings: Settings, command: str) -> None:
    """A concurrent income report or stated payment may be the same fact: surface it, never record it twice."""
    if settings.backend == "memory":
        pytest.skip("two processes cannot share an in-memory store")
    from bistand_es.application.payments import PaymentOrder

    first = BistandApplication(env=settings.event_store_env())
    second = BistandApplication(env=settings.event_store_env())
    hid, _ = tell_story(first)
    twin = dict(
        member=APPLICANT, kind="pension", month=Month.parse("2021-03"), amount=Decimal("900.00"), source="applicant"
    )
    second.get_household(hid)  # the second caseworker's process has read (and cached) the household
    if command == "report_income":
        first.report_income(hid, actor=ANNA, **twin)  # type: ignore[arg-type]
    else:
        synthetic_decision(first, hid, "2021-03", "5000.00")
        second.get_household(hid)
        first.issue_payment(
            hid, PaymentOrder(Month.parse("2021-03"), ERIK, date(2021, 2, 25), amount=Decimal("1000.00"))
        )

    calls: list[int] = []
    original = second.repository.get

    def stale_get(*args: object, **kwargs: object) -> object:  # the read happened before the other write
        calls.append(1)
        household = original(*args, **kwargs)  # type: ignore[arg-type]
        if len(calls) == 1:
            household = first.get_household(hid, as_of=first.get_history(hid)[-2].timestamp)
        return household

    second.repository.get = stale_get  # type: ignore[method-assign]
    before = store_digest(first)
    with pytest.raises(ConcurrentChange):
        if command == "report_income":
            second.report_income(hid, actor=ANNA, **twin)  # type: ignore[arg-type]
        else:
            second.issue_payment(
                hid, PaymentOrder(Month.parse("2021-03"), ERIK, date(2021, 2, 25), amount=Decimal("1000.00"))
            )
    assert len(calls) == 1
    assert store_digest(first) == before
