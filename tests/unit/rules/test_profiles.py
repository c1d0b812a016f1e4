"""Municipal profiles end to end: the kommunkod selects the profile, a decision pins it, and changing the profile
afterwards changes no recorded decision (issue 11, must-show 4). Figures by hand (SFS 2020:1013, 2021): a single
adult's norm 3 160 + 1 020 = 4 180; March 2021 has 31 days.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest

from bistand_es.application.app import BistandApplication
from bistand_es.application.audit import verify_history
from bistand_es.application.decisions import DecisionRequest, check_application
from bistand_es.domain.errors import InvalidInput, NotAuthorised
from bistand_es.domain.month import Month
from bistand_es.domain.records import Actor
from bistand_es.domain.rules.calculation import calculate
from bistand_es.domain.rules.profiles import load_profile, profile_for_municipality
from bistand_es.domain.rules.rule_set import RuleSet, load_rule_set
from bistand_es.domain.rules.situation import parse_situation
from bistand_es.domain.vocabulary import NormAdjustment, RecoveryCondition

ANNA = Actor("anna", "handlaggare")
CHEF = Actor("cecilia", "enhetschef")
SIV = "19850402-1232"
MARCH = Month(2021, 3)


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rule_set(None)


def household(app: BistandApplication, municipality: str) -> UUID:
    return app.register_household(
        actor=ANNA,
        municipality=municipality,
        applicant=SIV,
        birth_date=date(1985, 4, 2),
        registered_on=date(2021, 1, 4),
    ).household_id


def apply_march(app: BistandApplication, hid: UUID, *, complete_on: date | None) -> None:
    app.submit_application(
        hid,
        actor=ANNA,
        month=MARCH,
        received_on=date(2021, 2, 20),
        complete_on=complete_on,
        cost_lines=[{"kind": "rent", "amount": Decimal("6000"), "note": ""}],
        first_time=False,
    )


def test_the_kommunkod_selects_the_profile(rules: RuleSet) -> None:
    day = date(2021, 3, 1)
    assert profile_for_municipality(rules, "1763", day) == "forshaga"
    assert profile_for_municipality(rules, "1480", day) == "goteborg"
    assert profile_for_municipality(rules, "0662", day) == "gislaved"
    assert profile_for_municipality(rules, "0180", day) == "national"


def test_a_forshaga_household_is_decided_pro_rata_and_records_its_profile(
    app: BistandApplication, rules: RuleSet
) -> None:
    hid = household(app, "1763")
    apply_march(app, hid, complete_on=date(2021, 3, 12))
    _, draft = app.decide(hid, DecisionRequest(month=MARCH, actor=ANNA, decided_on=date(2021, 3, 12)), rules)
    # 3 160 × 20 ÷ 31 = 2 038.71 and 1 020 × 20 ÷ 31 = 658.06 → 2 696.77 + rent 6 000 = 8 696.77
    assert draft.calculation["aid"] == "8696.77"
    assert draft.calculation["profile"] == "forshaga"
    assert draft.calculation["profile_version"] == load_profile(rules, "forshaga", MARCH).version
    assert draft.situation["profile_data"]["name"] == "forshaga"
    assert draft.situation["application"]["complete_on"] == "2021-03-12"
    stored = app.get_history(hid)[-1]
    assert stored.situation["profile_data"]["version"] == draft.calculation["profile_version"]


def test_decide_profile_overrides_the_kommunkod(app: BistandApplication, rules: RuleSet) -> None:
    hid = household(app, "1763")
    apply_march(app, hid, complete_on=date(2021, 3, 12))
    request = DecisionRequest(month=MARCH, actor=ANNA, decided_on=date(2021, 3, 12), profile="national")
    draft = app.draft_decision(hid, request, rules)
    assert draft.calculation["aid"] == "10180.00"  # 4 180 + 6 000: national has no timing rule
    assert draft.calculation["profile"] == "national"


def _changed_forshaga(tmp_path: Path) -> RuleSet:
    """Forshaga with a different pocket money and completion day, loaded as a municipality would."""
    folder = tmp_path / "parameters" / "profiles" / "forshaga"
    folder.mkdir(parents=True)
    (folder / "complete_by_day.yaml").write_text(
        'id: profile.forshaga.complete_by_day\nvalues:\n  "2014-01-01":\n    value: 20\n'
        "    source: {title: test, reference: changed}\n    confidence: HIGH\n",
        encoding="utf-8",
    )
    return load_rule_set(tmp_path / "parameters")


def test_changing_a_profile_changes_no_recorded_decision(
    app: BistandApplication, rules: RuleSet, tmp_path: Path
) -> None:
    hid = household(app, "1763")
    apply_march(app, hid, complete_on=date(2021, 3, 12))
    app.decide(hid, DecisionRequest(month=MARCH, actor=ANNA, decided_on=date(2021, 3, 12)), rules)
    changed = _changed_forshaga(tmp_path)
    assert changed.hash != rules.hash
    assert load_profile(changed, "forshaga", MARCH).version != load_profile(rules, "forshaga", MARCH).version
    # Under the changed profile (complete by the 20th) a new decision would give the whole month: 10 180.
    fresh = parse_situation(
        {
            "month": "2021-03",
            "profile": "forshaga",
            "household": {"members": [{"id": "a", "role": "applicant", "birth_date": "1985-04-02"}]},
            "costs": [{"kind": "rent", "amount": "6000"}],
            "application": {"first_time": False, "received_on": "2021-02-20", "complete_on": "2021-03-12"},
        }
    )
    assert str(calculate(fresh, changed).aid) == "10180.00"
    # The recorded decision still reproduces under its recorded profile version: 8 696.77.
    checks = verify_history(app.get_history(hid), changed)
    assert [c.status for c in checks] == ["reproduced"], [c.problems for c in checks]
    assert checks[0].aid == "8696.77"
    assert app.get_household(hid).decisions[MARCH].aid == Decimal("8696.77")


def test_an_application_for_next_month_before_the_15th_is_refused(app: BistandApplication, rules: RuleSet) -> None:
    hid = household(app, "1763")
    with pytest.raises(InvalidInput, match="can be made from 2021-02-15 at the earliest"):
        check_application(app.get_household(hid), MARCH, date(2021, 2, 14), "", rules)
    assert check_application(app.get_household(hid), MARCH, date(2021, 2, 15), "", rules) == []
    # National rules have no such date.
    assert check_application(app.get_household(hid), MARCH, date(2021, 2, 1), "", rules, profile="national") == []


def test_a_retroactive_application_needs_a_reason(app: BistandApplication, rules: RuleSet) -> None:
    hid = household(app, "1763")
    with pytest.raises(InvalidInput, match="retroactive application needs the caseworker's reason"):
        check_application(app.get_household(hid), MARCH, date(2021, 4, 2), "", rules)
    notes = check_application(app.get_household(hid), MARCH, date(2021, 4, 2), "sjukhusvistelse", rules)
    assert notes == ["2021-03 is applied for retroactively (received 2021-04-02): sjukhusvistelse"]


def test_a_nybesok_records_its_contact_day_and_the_surplus_assessed(app: BistandApplication, rules: RuleSet) -> None:
    hid = household(app, "1763")
    may = Month(2021, 5)
    for month, amount in (("2021-02", "12000"), ("2021-04", "2000")):
        app.report_income(
            hid, actor=ANNA, member=SIV, kind="employment", month=Month.parse(month), amount=Decimal(amount), source="x"
        )
    app.submit_application(
        hid,
        actor=ANNA,
        month=may,
        received_on=date(2021, 5, 3),
        complete_on=None,
        cost_lines=[{"kind": "rent", "amount": Decimal("6000"), "note": ""}],
        first_time=True,
        contact_on=date(2021, 5, 1),
    )
    request = DecisionRequest(
        month=may,
        actor=ANNA,
        decided_on=date(2021, 5, 3),
        surplus_considered=Decimal("1820"),
        reason="överskottet i mars kunde sparas",
    )
    _, draft = app.decide(hid, request, rules)
    # March from February's 12 000: 12 000 − 10 180 = 1 820 surplus; May: 10 180 − (2 000 + 1 820) = 6 360
    assert draft.calculation["earlier_months"][0] == {
        "month": "2021-03",
        "income_month": "2021-02",
        "need": "10180.00",
        "income_counted": "12000.00",
        "surplus": "1820.00",
    }
    assert draft.calculation["aid"] == "6360.00"
    assert draft.situation["application"]["contact_on"] == "2021-05-01"
    assert draft.situation["surplus_considered"] == {"amount": "1820.00", "reason": "överskottet i mars kunde sparas"}
    assert [c.status for c in verify_history(app.get_history(hid), rules)] == ["reproduced"]
    no_reason = DecisionRequest(month=may, actor=ANNA, decided_on=date(2021, 5, 3), surplus_considered=Decimal("1"))
    with pytest.raises(InvalidInput, match="earlier normöverskott needs a reason"):
        app.draft_decision(hid, no_reason, rules)


def test_delegation_levels_come_from_the_profile(app: BistandApplication, rules: RuleSet) -> None:
    hid = household(app, "1763")
    apply_march(app, hid, complete_on=None)
    raised = DecisionRequest(
        month=MARCH,
        actor=ANNA,
        decided_on=date(2021, 3, 1),
        norm_adjustment=NormAdjustment.RAISED,
        norm_adjustment_amount=Decimal("500"),
        reason="särskilda behov",
    )
    with pytest.raises(NotAuthorised, match="needs delegat enhetschef"):
        app.draft_decision(hid, raised, rules)
    # Aid beyond the guidelines under 4 kap. 2 § (a repayment condition): utskott in Forshaga's guideline, p. 9.
    beyond = DecisionRequest(
        month=MARCH,
        actor=CHEF,
        decided_on=date(2021, 3, 1),
        conditions=[RecoveryCondition.REPAYMENT.value],
    )
    with pytest.raises(NotAuthorised, match="needs delegat utskott"):
        app.draft_decision(hid, beyond, rules)
    # Under the national profile nobody names a level for it: the enhetschef may decide.
    national = DecisionRequest(
        month=MARCH,
        actor=CHEF,
        decided_on=date(2021, 3, 1),
        conditions=[RecoveryCondition.REPAYMENT.value],
        profile="national",
    )
    assert app.draft_decision(hid, national, rules).calculation["profile"] == "national"
