"""Events → rows, without a database: the stored JSON is decoded as the library stores it."""

from dataclasses import dataclass
from uuid import UUID

from bistand_es.application.integrity.keystore import MemoryKeyStore
from bistand_es.application.integrity.pseudonyms import pseudonym_of
from bistand_es.projections.rows import Opener, page_rows

HID = UUID("12345678-1234-5678-1234-567812345678")


@dataclass(frozen=True)
class Stored:
    id: int
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes


def stored(position: int, topic: str, state: str) -> Stored:
    return Stored(position, HID, position, "bistand_es.household:" + topic, state.encode())


TS = (
    '"timestamp":{"_type_":"datetime_iso","_data_":"2021-03-01T10:00:00+00:00"},'
    '"actor":{"user":"anna","role":"handlaggare"}'
)


def test_a_version_1_application_is_upcast_and_its_costs_summed() -> None:
    rows = page_rows(
        [
            stored(
                7,
                "ApplicationSubmitted",
                "{" + TS + ',"month":{"_type_":"month","_data_":"2021-03"},'
                '"received_on":{"_type_":"date_iso","_data_":"2021-03-02"},"complete_on":null,'
                '"costs":{"rent":{"_type_":"decimal_str","_data_":"6500.00"},'
                '"electricity":{"_type_":"decimal_str","_data_":"300.50"}},"first_time":true}',
            )
        ]
    )
    app = rows.columns["applications"]
    assert app["month"] == ["2021-03"]
    assert app["costs_total"] == ["6800.50"]
    assert app["received_on"] == ["2021-03-02"]
    assert rows.columns["events"]["event_type"] == ["ApplicationSubmitted"]
    assert rows.columns["events"]["actor_user"] == ["anna"]
    assert rows.last_position == 7 and rows.count == 1


def test_a_decision_gives_one_row_and_one_row_per_line_and_marks_its_members() -> None:
    state = (
        "{" + TS + ',"decision_id":"d2","amends":"d1","month":{"_type_":"month","_data_":"2021-03"},'
        '"outcome":"granted","aid":{"_type_":"decimal_str","_data_":"4180.00"},"members":["p1","p2"],'
        '"calculation":{"month":"2021-03","norm_total":"3180.00","costs_total":"1000.00","need":"4180.00",'
        '"income_counted":"0.00","income_disregarded":"0.00","aid":"4180.00","surplus":"0.00","warnings":["w"],'
        '"lines":[{"kind":"norm.personal","member":"p1","amount":"3180.00","rule":"r","reference":"SoL",'
        '"parameter":"riksnorm@2021-01-01","confidence":"HIGH"},{"kind":"cost.rent","member":null,'
        '"amount":"1000.00","rule":"r","reference":"SoL","parameter":null,"confidence":"HIGH"}]},'
        '"rule_set_hash":"h","parameters":[],"conditions":[],"delegat":"handlaggare","reason":"x",'
        '"decided_on":{"_type_":"date_iso","_data_":"2021-03-01"},"norm_adjustment":null}'
    )
    keys = MemoryKeyStore()
    rows = page_rows([stored(3, "DecisionAmended", state)], Opener(keys))
    p1, p2 = pseudonym_of(keys, "p1"), pseudonym_of(keys, "p2")
    decision = rows.columns["f_decisions"]
    assert decision["aid"] == ["4180.00"] and decision["amends"] == ["d1"] and decision["members"] == [[p1, p2]]
    assert decision["reason"] == [None]  # free text stays sealed in the event store
    lines = rows.columns["f_decision_lines"]
    assert lines["line_no"] == [1, 2]
    assert lines["kind"] == ["norm.personal", "cost.rent"]
    assert lines["amount"] == ["3180.00", "1000.00"]
    assert lines["member"] == [p1, None]
    assert rows.dirty_persons == {p1, p2} and rows.amended_decisions == ["d1"]
    # the persons' resolution rows are in the key store, one per (pseudonym, household)
    assert [(p, h) for p, h, _ in keys.resolutions([p1, p2])] == sorted([(p1, str(HID)), (p2, str(HID))])


def test_an_unknown_event_type_still_enters_the_audit_log() -> None:
    rows = page_rows([stored(9, "SomethingNew", "{" + TS + ',"x":1}')])
    assert list(rows.columns) == ["events"]
    # The stored bytes, as they are (never re-serialised).
    assert rows.columns["events"]["payload"] == [("{" + TS + ',"x":1}').encode()]


def test_identity_numbers_become_pseudonyms_and_free_text_stays_out() -> None:
    keys = MemoryKeyStore()
    removed = (
        "{" + TS + ',"person":"19640823-3234","effective_on":{"_type_":"date_iso","_data_":"2021-04-01"},'
        '"reason":"flyttade till mormor"}'
    )
    paid = (
        "{" + TS + ',"payment_id":"p1","decision_id":"d1","month":{"_type_":"month","_data_":"2021-03"},'
        '"amount":{"_type_":"decimal_str","_data_":"100.00"},"payee":"landlord","method":"bank_transfer",'
        '"paid_on":{"_type_":"date_iso","_data_":"2021-03-01"}}'
    )
    rows = page_rows([stored(4, "MemberRemoved", removed), stored(5, "PaymentIssued", paid)], Opener(keys))
    member = rows.columns["f_member_changes"]
    assert member["person"] == [pseudonym_of(keys, "640823-3234")]  # any written form: the same pseudonym
    assert member["reason"] == [None]
    assert rows.columns["f_payments_issued"]["payee"] == ["landlord"]  # a code, not a person


def test_an_older_events_clear_personal_fields_are_withheld_from_the_audit_log() -> None:
    # Stored before encryption: the personnummer is in clear in the stored state, not sealed.
    state = (
        "{" + TS + ',"municipality":"1765","applicant":"19640823-3234",'
        '"birth_date":{"_type_":"date_iso","_data_":"1964-08-23"},'
        '"registered_on":{"_type_":"date_iso","_data_":"2021-01-04"}}'
    )
    keys = MemoryKeyStore()
    rows = page_rows([stored(1, "HouseholdRegistered", state)], Opener(keys))
    [payload] = rows.columns["events"]["payload"]
    assert b"3234" not in payload and b'"applicant":"[personuppgift]"' in payload
    assert b'"municipality":"1765"' in payload  # the rest as stored
    assert rows.columns["f_households_registered"]["applicant"] == [pseudonym_of(keys, "19640823-3234")]
