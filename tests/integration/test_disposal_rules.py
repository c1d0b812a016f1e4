"""Gallring's rule (12 kap. 1–2 §§ SoL, rules.md §8), worked out by hand, and the household's ``dispose`` command.

A personakt is disposed of five years after the last entry, by the end of the following calendar year; the yearly
gallring of year Y disposes of the files whose five years ended in Y − 1 or earlier:

- last entry 2020-03-14 → five years end 2025-03-14 (in 2025) → gallring of 2026 (by 2026-12-31);
- last entry 2020-12-31 → five years end 2025-12-31 → gallring of 2026;
- last entry 2021-01-01 → five years end 2026-01-01 → gallring of 2027;
- last entry 2020-02-29 → five years end 2025-02-28 (no 29th in 2025) → gallring of 2026.
"""

from __future__ import annotations

from datetime import date

import pytest

from bistand_es.domain.errors import DomainRuleViolation, HouseholdDisposedOf
from bistand_es.domain.household import Household
from bistand_es.domain.household.disposal import (
    DUE,
    HELD,
    NOT_DUE,
    FileFacts,
    disposal_year,
    judge,
    last_entry_of,
    plan_verdicts,
    research_selection,
)
from bistand_es.domain.identifiers import Personnummer, Samordningsnummer
from bistand_es.domain.records import Actor
from bistand_es.domain.vocabulary import MemberRole

ADMIN = Actor("admin", "administrator")
CASEWORKER = Actor("anna", "handlaggare")


@pytest.mark.parametrize(
    ("last_entry", "year"),
    [
        (date(2020, 3, 14), 2026),
        (date(2020, 12, 31), 2026),
        (date(2021, 1, 1), 2027),
        (date(2020, 2, 29), 2026),
    ],
)
def test_the_gallring_year_of_a_last_entry(last_entry: date, year: int) -> None:
    assert disposal_year(last_entry) == year
    facts = FileFacts("h", last_entry, frozenset({"p"}))
    assert judge(facts, year).status == DUE
    assert judge(facts, year + 1).status == DUE  # a late gallring still disposes of it
    assert judge(facts, year - 1).status == NOT_DUE


def test_research_selection_is_born_on_day_5_15_or_25() -> None:
    on_5th = Personnummer.from_parts(date(1980, 3, 5), 123).canonical
    on_25th = Personnummer.from_parts(date(1980, 3, 25), 123).canonical
    on_24th = Personnummer.from_parts(date(1980, 3, 24), 123).canonical
    # A samordningsnummer writes the day + 60: day 75 is a person born on the 15th.
    coordination = Samordningsnummer.from_parts(date(1980, 3, 15), 123).canonical
    assert coordination[6:8] == "75"
    assert research_selection([on_5th, on_24th, on_25th, coordination, "dossier:1234567"]) == tuple(
        sorted([on_5th, on_25th, coordination])
    )


def test_held_files_and_another_file_on_the_same_person() -> None:
    old = date(2019, 6, 1)  # gallring of 2025
    files = [
        FileFacts("due", old, frozenset({"p1"})),
        FileFacts("research", old, frozenset({"p2"}), never=("research selection",)),
        FileFacts("shares-research", old, frozenset({"p2", "p3"})),  # p2's other file is kept
        FileFacts("shares-shares", old, frozenset({"p3"})),  # p3's other file is held in turn: held too
        FileFacts("claim", old, frozenset({"p4"}), open_matters=("återkrav open",)),
        FileFacts("newer", date(2024, 1, 2), frozenset({"p5"})),  # gallring of 2030
        FileFacts("shares-newer", old, frozenset({"p5"})),
        FileFacts("due-together-1", old, frozenset({"p6"})),  # both due: disposed of together
        FileFacts("due-together-2", old, frozenset({"p6"})),
    ]
    verdicts = {v.household_id: v for v in plan_verdicts(files, 2025)}
    status = {hid: v.status for hid, v in verdicts.items()}
    assert status == {
        "due": DUE,
        "research": HELD,
        "shares-research": HELD,
        "shares-shares": HELD,
        "claim": HELD,
        "newer": NOT_DUE,
        "shares-newer": HELD,
        "due-together-1": DUE,
        "due-together-2": DUE,
    }
    assert verdicts["shares-research"].reasons == (
        "another personakt on the same person is kept (household research)",
        "another personakt on the same person is kept (household shares-shares)",
    )
    assert verdicts["shares-newer"].reasons == ("another personakt on the same person is kept (household newer)",)
    assert verdicts["claim"].reasons == ("återkrav open",)


def registered(applicant: str) -> Household:
    return Household.register(
        actor=CASEWORKER, municipality="1765", applicant=applicant, birth_date=date(1985, 4, 2),
        registered_on=date(2021, 2, 1),
    )  # fmt: skip


def test_the_household_disposes_of_itself_only_when_due() -> None:
    household = registered(Personnummer.from_parts(date(1985, 4, 2), 123).canonical)
    due_in = last_entry_of(household).year + 6  # the events are stamped now
    with pytest.raises(DomainRuleViolation, match=f"disposed of in the gallring of {due_in}"):
        household.dispose(actor=ADMIN, year=due_in - 1, disposed_on=date(2030, 1, 10), kept_elsewhere=[])
    with pytest.raises(DomainRuleViolation, match="another personakt on the same person is kept"):
        household.dispose(actor=ADMIN, year=due_in, disposed_on=date(2030, 1, 10), kept_elsewhere=["other"])
    household.dispose(actor=ADMIN, year=due_in, disposed_on=date(2030, 1, 10), kept_elsewhere=[])
    assert household.disposed_on == date(2030, 1, 10)
    with pytest.raises(HouseholdDisposedOf, match="hushållet är gallrat"):
        household.add_member(
            actor=CASEWORKER, person=Personnummer.from_parts(date(2012, 6, 11), 457).canonical,
            role=MemberRole.CHILD, birth_date=date(2012, 6, 11), in_school=None, effective_on=date(2030, 2, 1),
        )  # fmt: skip
    with pytest.raises(HouseholdDisposedOf):
        household.dispose(actor=ADMIN, year=due_in, disposed_on=date(2030, 1, 11), kept_elsewhere=[])


def test_the_research_selection_is_never_disposed_of() -> None:
    household = registered(Personnummer.from_parts(date(1985, 4, 25), 123).canonical)
    with pytest.raises(DomainRuleViolation, match="research selection"):
        household.dispose(actor=ADMIN, year=2200, disposed_on=date(2200, 1, 10), kept_elsewhere=[])
    assert household.disposed_on is None


def test_a_run_stopped_after_the_record_is_finished_by_the_next_one() -> None:
    from bistand_es.application.app import BistandApplication
    from bistand_es.application.gallring import key_store_of, plan, record_disposal, run

    app = BistandApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    applicant = Personnummer.from_parts(date(1985, 4, 2), 123).canonical
    hid = app.register_household(
        actor=CASEWORKER, municipality="1765", applicant=applicant, birth_date=date(1985, 4, 2),
        registered_on=date(2021, 2, 1),
    ).household_id  # fmt: skip
    keys = key_store_of(app)
    assert keys.key(str(hid), create=False) is not None
    # The first run recorded HouseholdDisposed and stopped before deleting the key.
    record_disposal(app, hid, year=2200, actor=ADMIN, disposed_on=date(2200, 1, 10))
    assert plan(app, 2200).disposed == [str(hid)]
    with pytest.raises(HouseholdDisposedOf, match="hushållet är gallrat"):
        app.get_household(hid)
    finished = run(app, 2200, actor=ADMIN, disposed_on=date(2200, 1, 11))
    assert (finished.disposed, finished.finished) == ([], [str(hid)])
    assert keys.key(str(hid), create=False) is None  # shredded
    again = run(app, 2200, actor=ADMIN, disposed_on=date(2200, 1, 12))
    assert (again.disposed, again.finished) == ([], [])
    # The person may be registered anew: the disposed household let its members go.
    app.register_household(
        actor=CASEWORKER, municipality="1765", applicant=applicant, birth_date=date(1985, 4, 2),
        registered_on=date(2200, 2, 1),
    )  # fmt: skip


def test_a_snapshotted_household_is_disposed_of_and_still_verifies() -> None:
    from bistand_es.application.app import BistandApplication
    from bistand_es.application.audit import verify_store
    from bistand_es.application.gallring import run
    from bistand_es.domain.month import Month
    from bistand_es.domain.rules.rule_set import load_rule_set

    app = BistandApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    hid = app.register_household(
        actor=CASEWORKER, municipality="1765", applicant=Personnummer.from_parts(date(1985, 4, 2), 123).canonical,
        birth_date=date(1985, 4, 2), registered_on=date(2021, 2, 1),
    ).household_id  # fmt: skip
    for number in range(25):  # 26 events: households are snapshotted every 20 versions
        month = Month(2021 + number // 12, number % 12 + 1)
        reason = f"ansökan {number}, skriven av en handläggare"
        lines = [{"kind": "rent", "amount": "5000.00", "note": ""}]
        app.submit_application(
            hid, actor=CASEWORKER, month=month, received_on=month.first_day, complete_on=None, cost_lines=lines,
            reason=reason,
        )  # fmt: skip
    done = run(app, 2200, actor=ADMIN, disposed_on=date(2200, 1, 10))
    assert (done.disposed, done.finished) == ([str(hid)], [str(hid)])
    with pytest.raises(HouseholdDisposedOf):
        app.get_household(hid)
    history = app.get_history(hid)
    assert len(history) == 27 and history[0].applicant == "[gallrad]" and history[5].reason == "[gallrad]"
    rows = verify_store(app, load_rule_set(None), [hid]).rows
    assert [r["status"] for r in rows if r["household_id"] == str(hid)] == ["gallrad"]
