"""Person identifiers: personnummer, samordningsnummer, dossiernummer, reservnummer (rules.md §9).

Check digits in this file were computed by hand with the rule of §9; the working is in the comments.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bistand_es.domain.errors import InvalidInput, InvalidPersonId
from bistand_es.domain.identifiers import (
    KINDS,
    Dossiernummer,
    PersonId,
    Personnummer,
    Reservnummer,
    Samordningsnummer,
    luhn_check_digit,
    parse_person_id,
)

TODAY = date(2024, 3, 1)

# Hand-computed examples (digits × 2,1,2,1,2,1,2,1,2; digit sums of the products; (10 − sum mod 10) mod 10):
# 640823-323: 12→3, 4, 0, 8, 4, 3, 6, 2, 6 = 36 → 4                         (given in rules.md)
# 701063-239: 14→5, 0, 2, 0, 12→3, 3, 4, 3, 18→9 = 29 → 1                   (given in rules.md)
# 200101-123: 4, 0, 0, 1, 0, 1, 2, 2, 6 = 16 → 4                            → 200101+1234 (born 1920)
# 850515-246: 16→7, 5, 0, 5, 2, 5, 4, 4, 12→3 = 35 → 5                      → 850515-2465 (woman)
# 900265-987: 18→9, 0, 0, 2, 12→3, 5, 18→9, 8, 14→5 = 41 → 9                → 900265-9879 (samordn.)
# 300101-111: 6, 0, 0, 1, 0, 1, 2, 1, 2 = 13 → 7                            → 300101-1117
# 240501-123: 4, 4, 0, 5, 0, 1, 2, 2, 6 = 24 → 6                            → 240501-1236
# 240201-123: 4, 4, 0, 2, 0, 1, 2, 2, 6 = 21 → 9                            → 240201-1239
# 000229-001: 0, 0, 0, 2, 4, 9, 0, 0, 2 = 17 → 3                            → 000229-0013 (leap day)
# 650775-424: 12→3, 5, 0, 7, 14→5, 5, 8, 2, 8 = 43 → 7                      → 650775-4247 (samordn., day 15)


@pytest.mark.parametrize(
    ("nine", "check"),
    [
        ("640823323", 4),
        ("701063239", 1),
        ("200101123", 4),
        ("850515246", 5),
        ("900265987", 9),
        ("300101111", 7),
        ("240501123", 6),
        ("240201123", 9),
        ("000229001", 3),
        ("650775424", 7),
    ],
)
def test_luhn_check_digit_matches_hand_computation(nine: str, check: int) -> None:
    assert luhn_check_digit(nine) == check


def test_luhn_check_digit_needs_nine_digits() -> None:
    with pytest.raises(InvalidPersonId, match="nine digits"):
        luhn_check_digit("64082332")


# --- valid personnummer ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written", ["640823-3234", "6408233234", "196408233234", "19640823-3234", " 640823-3234 "]
)
def test_known_valid_personnummer_in_every_form(written: str) -> None:
    pnr = parse_person_id(written, today=TODAY)
    assert isinstance(pnr, Personnummer)
    assert pnr.kind == "personnummer"
    assert pnr.digits == "196408233234"
    assert pnr.canonical == "19640823-3234"
    assert str(pnr) == "19640823-3234"
    assert pnr.birth_date == date(1964, 8, 23)
    assert pnr.serial == "323"
    assert pnr.check_digit == 4
    assert pnr.sex == "male"
    assert pnr.verifiable is True
    assert pnr.ten_digit(TODAY) == "640823-3234"


def test_known_valid_samordningsnummer() -> None:
    sam = parse_person_id("701063-2391", today=TODAY)
    assert isinstance(sam, Samordningsnummer)
    assert sam.kind == "samordningsnummer"
    assert sam.canonical == "19701063-2391"
    assert sam.birth_date == date(1970, 10, 3)
    assert sam.sex == "male"  # digit 9 is 9
    assert sam.ten_digit(TODAY) == "701063-2391"
    assert sam.born_on_day_5_15_25 is False


def test_own_samordningsnummer_example() -> None:
    sam = parse_person_id("900265-9879", today=TODAY)
    assert isinstance(sam, Samordningsnummer)
    assert sam.birth_date == date(1990, 2, 5)
    assert sam.sex == "male"  # digit 9 is 7
    assert sam.born_on_day_5_15_25 is True  # day 65 − 60 = 5


def test_sex_from_digit_nine() -> None:
    woman = parse_person_id("850515-2465", today=TODAY)
    assert isinstance(woman, Personnummer)
    assert woman.sex == "female"  # digit 9 is 6
    also_woman = parse_person_id("650775-4247", today=TODAY)
    assert isinstance(also_woman, Samordningsnummer)
    assert also_woman.sex == "female"  # digit 9 is 4
    assert also_woman.birth_date == date(1965, 7, 15)


def test_born_on_day_5_15_25_uses_the_real_day() -> None:
    assert Personnummer.parse("850515-2465", today=TODAY).born_on_day_5_15_25 is True
    assert Personnummer.parse("640823-3234", today=TODAY).born_on_day_5_15_25 is False
    assert Samordningsnummer.parse("650775-4247", today=TODAY).born_on_day_5_15_25 is True  # 75 − 60
    assert Personnummer.from_parts(date(1999, 12, 25), 1).born_on_day_5_15_25 is True
    assert Personnummer.from_parts(date(1999, 12, 26), 1).born_on_day_5_15_25 is False


# --- the century of 10-digit forms ----------------------------------------------------------------


def test_plus_means_a_hundred_years_or_more() -> None:
    old = parse_person_id("200101+1234", today=TODAY)
    assert isinstance(old, Personnummer)
    assert old.birth_date == date(1920, 1, 1)
    assert old.ten_digit(TODAY) == "200101+1234"
    assert old.canonical == "19200101-1234"


def test_minus_with_the_same_digits_is_the_later_century() -> None:
    young = parse_person_id("200101-1234", today=TODAY)
    assert isinstance(young, Personnummer)
    assert young.birth_date == date(2020, 1, 1)


def test_a_date_after_today_goes_to_the_previous_century() -> None:
    assert Personnummer.parse("300101-1117", today=TODAY).birth_date == date(1930, 1, 1)
    assert Personnummer.parse("300101-1117", today=date(2030, 6, 1)).birth_date == date(2030, 1, 1)
    assert Personnummer.parse("300101-1117", today=date(2030, 1, 1)).birth_date == date(2030, 1, 1)
    assert Personnummer.parse("300101-1117", today=date(2029, 12, 31)).birth_date == date(1930, 1, 1)


def test_current_year_later_in_the_year_is_the_previous_century() -> None:
    # On 2024-03-01, 24-05-01 has not happened yet this year: the person was born 1924.
    assert Personnummer.parse("240501-1236", today=TODAY).birth_date == date(1924, 5, 1)
    # Written by the law's rule ('+' from the year the person turns 100) it is the same person,
    # not someone born in 1824.
    assert Personnummer.parse("240501+1236", today=TODAY).birth_date == date(1924, 5, 1)
    # Earlier in the year: a baby with '-', a centenarian with '+'.
    assert Personnummer.parse("240201-1239", today=TODAY).birth_date == date(2024, 2, 1)
    assert Personnummer.parse("240201+1239", today=TODAY).birth_date == date(1924, 2, 1)


def test_ten_digit_separator_changes_in_the_year_the_person_turns_100() -> None:
    pnr = Personnummer.parse("19240501-1236")
    assert pnr.ten_digit(date(2023, 12, 31)) == "240501-1236"
    assert pnr.ten_digit(date(2024, 1, 1)) == "240501+1236"
    assert pnr.ten_digit(date(2024, 6, 1)) == "240501+1236"


def test_leap_day_depends_on_the_century() -> None:
    assert Personnummer.parse("000229-0013", today=TODAY).birth_date == date(2000, 2, 29)
    with pytest.raises(InvalidPersonId, match=r"personnummer 000229\+\*\*\*\*: 29 is not a day of 1900-02"):
        parse_person_id("000229+0013", today=TODAY)


def test_ten_digit_form_needs_today() -> None:
    with pytest.raises(InvalidPersonId, match="needs today's date"):
        parse_person_id("640823-3234")
    assert parse_person_id("19640823-3234") == parse_person_id("640823-3234", today=TODAY)


# --- invalid personnummer: the message names the problem ------------------------------------------


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("640823-3235", "personnummer 640823-****: check digit should be 4"),
        ("19640823-3230", "personnummer 19640823-****: check digit should be 4"),
        ("701063-2392", "samordningsnummer 701063-****: check digit should be 1"),
        ("641323-3234", "personnummer 641323-****: 13 is not a month"),
        ("640023-3234", "personnummer 640023-****: 00 is not a month"),
        ("19641323-3234", "personnummer 19641323-****: 13 is not a month"),
        ("640832-3234", "personnummer 640832-****: 32 is not a day"),
        ("640800-3234", "personnummer 640800-****: 00 is not a day"),
        ("640231-3234", "personnummer 640231-****: 31 is not a day of 1964-02"),
        ("701092-2391", "personnummer 701092-****: 92 is not a day"),
        ("700231+1234", "personnummer 700231+****: 31 is not a day of 1870-02"),
        ("700291-1234", "samordningsnummer 700291-****: 31 is not a day of 1970-02"),
        ("640823-323", "personnummer 640823****: has 9 digits; write YYMMDD-NNNC or YYYYMMDDNNNC"),
        ("1964082332345", "has 13 digits"),
        ("", "empty"),
        ("640823 3234", "one '-' or '+' before the last four digits"),
        ("6408-233234", "one '-' or '+' before the last four digits"),
        ("19640823+3234", "'+' belongs to the 10-digit form"),
        ("abc", "not a personnummer or samordningsnummer"),
        ("00000101-0000", "0000 is not a year"),
    ],
)
def test_invalid_civic_numbers_name_the_problem(written: str, message: str) -> None:
    # The message shows the date part only: the last four digits are masked (never a whole personnummer).
    with pytest.raises(InvalidPersonId, match=re.escape(message)):
        parse_person_id(written, today=TODAY)


def test_invalid_person_id_is_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        parse_person_id("640823-3235", today=TODAY)
    with pytest.raises(ValueError):
        parse_person_id("640823-3235", today=TODAY)


def test_constructor_validates_too() -> None:
    with pytest.raises(InvalidPersonId, match="personnummer 19640823-\\*\\*\\*\\*: check digit should be 4"):
        Personnummer("196408233235")
    with pytest.raises(InvalidPersonId, match="63 is not a day"):
        Personnummer("197010632391")
    with pytest.raises(InvalidPersonId, match="23 is not a samordningsnummer day"):
        Samordningsnummer("196408233234")
    with pytest.raises(InvalidPersonId, match="12 digits"):
        Personnummer("6408233234")


def test_explicit_kind_must_match_the_day() -> None:
    with pytest.raises(InvalidPersonId, match="day 63 makes it a samordningsnummer, not a personnummer"):
        parse_person_id("701063-2391", today=TODAY, kind="personnummer")
    with pytest.raises(InvalidPersonId, match="makes it a personnummer, not a samordningsnummer"):
        Samordningsnummer.parse("640823-3234", today=TODAY)
    assert isinstance(
        parse_person_id("701063-2391", today=TODAY, kind="samordningsnummer"), Samordningsnummer
    )


def test_from_parts_computes_the_check_digit() -> None:
    assert Personnummer.from_parts(date(1964, 8, 23), 323) == Personnummer.parse("640823-3234", today=TODAY)
    assert Samordningsnummer.from_parts(date(1970, 10, 3), "239").canonical == "19701063-2391"
    with pytest.raises(InvalidPersonId, match="three digits"):
        Personnummer.from_parts(date(1964, 8, 23), 1000)


# --- dossiernummer and reservnummer ---------------------------------------------------------------


def test_dossiernummer() -> None:
    dossier = parse_person_id("dossier:12-34 56")
    assert isinstance(dossier, Dossiernummer)
    assert dossier.kind == "dossiernummer"
    assert dossier.digits == "123456"
    assert dossier.canonical == "dossier:123456"
    assert dossier.verifiable is False
    assert parse_person_id("DOSSIER:123456") == dossier
    assert parse_person_id("123456", kind="dossiernummer") == dossier
    assert Dossiernummer.parse("0012").canonical == "dossier:0012"  # leading zeros are kept


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("dossier:123", "has 3 digits; give 4–12"),
        ("dossier:1234567890123", "has 13 digits; give 4–12"),
        ("dossier:12a4", "only digits"),
        ("dossier:", "empty; give 4–12 digits"),
        ("dossier: - ", "empty"),
    ],
)
def test_invalid_dossiernummer(written: str, message: str) -> None:
    with pytest.raises(InvalidPersonId, match=f"dossiernummer .*{message}"):
        parse_person_id(written)


def test_bare_digits_are_not_taken_for_a_dossiernummer() -> None:
    with pytest.raises(InvalidPersonId, match="has 6 digits"):
        parse_person_id("123456", today=TODAY)


def test_reservnummer() -> None:
    reserv = parse_person_id("reserv:abc123")
    assert isinstance(reserv, Reservnummer)
    assert reserv.kind == "reservnummer"
    assert reserv.value == "ABC123"
    assert reserv.canonical == "reserv:ABC123"
    assert reserv.verifiable is False
    assert Reservnummer("abc123") == reserv
    assert parse_person_id("xy99", kind="reservnummer").canonical == "reserv:XY99"
    assert parse_person_id("reserv:" + "A" * 20).canonical == "reserv:" + "A" * 20


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("reserv:", "empty"),
        ("reserv:" + "A" * 21, "21 characters; at most 20"),
        ("reserv:AB-12", "only letters A–Z and digits 0–9"),
        ("reserv:ÅÄÖ1", "only letters A–Z and digits 0–9"),
    ],
)
def test_invalid_reservnummer(written: str, message: str) -> None:
    with pytest.raises(InvalidPersonId, match=f"reservnummer.*{message}"):
        parse_person_id(written)


# --- the common value behaviour -------------------------------------------------------------------


@pytest.mark.parametrize(
    "pid",
    [
        Personnummer("196408233234"),
        Personnummer("192001011234"),
        Samordningsnummer("197010632391"),
        Dossiernummer("00123456"),
        Reservnummer("ABC123"),
    ],
)
def test_canonical_round_trips(pid: PersonId) -> None:
    assert parse_person_id(pid.canonical) == pid
    assert parse_person_id(str(pid)) == pid
    assert parse_person_id(pid.canonical, kind=pid.kind) == pid
    assert type(pid).parse(pid.canonical) == pid
    assert PersonId.parse(pid.canonical) == pid
    assert pid.kind in KINDS


def test_equality_hash_and_immutability() -> None:
    a = parse_person_id("640823-3234", today=TODAY)
    b = parse_person_id("196408233234")
    assert a == b
    assert hash(a) == hash(b)
    assert len({a, b, parse_person_id("701063-2391", today=TODAY)}) == 2
    dossier: PersonId = Dossiernummer("1234")
    reserv: PersonId = Reservnummer("1234")
    assert dossier != reserv
    pnr = Personnummer("196408233234")
    with pytest.raises(dataclasses.FrozenInstanceError):
        pnr.digits = "197010632391"  # type: ignore[misc]


def test_parse_accepts_a_person_id_and_refuses_other_types() -> None:
    pnr = Personnummer("196408233234")
    assert parse_person_id(pnr) is pnr
    with pytest.raises(InvalidPersonId, match="is a personnummer, not a dossiernummer"):
        parse_person_id(pnr, kind="dossiernummer")
    with pytest.raises(InvalidPersonId, match="give it as text"):
        parse_person_id(6408233234, today=TODAY)
    with pytest.raises(InvalidPersonId, match="unknown kind"):
        parse_person_id("640823-3234", today=TODAY, kind="passport")


# --- property: any valid date and serial with its Luhn digit parses; another last digit does not ----


def _independent_luhn(nine: str) -> int:
    # Written differently from the module on purpose: double every other digit, subtract 9 if > 9.
    total = 0
    for i, char in enumerate(nine):
        value = int(char) * (2 - i % 2)
        total += value - 9 if value > 9 else value
    return -total % 10


@given(
    born=st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    serial=st.integers(min_value=0, max_value=999),
    samordning=st.booleans(),
    today=st.dates(min_value=TODAY, max_value=date(2099, 12, 31)),
    wrong_by=st.integers(min_value=1, max_value=9),
)
def test_any_valid_number_parses_and_a_wrong_check_digit_fails(
    born: date, serial: int, samordning: bool, today: date, wrong_by: int
) -> None:
    day = born.day + (60 if samordning else 0)
    ten_without_check = f"{born:%y%m}{day:02d}{serial:03d}"
    check = _independent_luhn(ten_without_check)
    separator = "+" if today.year - born.year >= 100 else "-"
    ten = f"{ten_without_check[:6]}{separator}{ten_without_check[6:]}{check}"
    twelve = f"{born.year:04d}{ten_without_check[2:]}{check}"

    from_ten = parse_person_id(ten, today=today)
    from_twelve = parse_person_id(twelve)
    assert from_ten == from_twelve
    assert isinstance(from_ten, Samordningsnummer if samordning else Personnummer)
    assert from_ten.birth_date == born
    assert from_ten.ten_digit(today) == ten
    assert parse_person_id(from_ten.canonical) == from_ten

    wrong = (check + wrong_by) % 10
    with pytest.raises(InvalidPersonId, match=f"check digit should be {check}"):
        parse_person_id(f"{ten[:-1]}{wrong}", today=today)
    with pytest.raises(InvalidPersonId, match=f"check digit should be {check}"):
        parse_person_id(f"{twelve[:-1]}{wrong}")


def test_a_day_is_never_after_today_for_a_minus_number() -> None:
    # The 10-digit '-' form of someone born yesterday and of someone born 99 years ago.
    yesterday = TODAY - timedelta(days=1)
    baby = Personnummer.from_parts(yesterday, 42)
    assert Personnummer.parse(baby.ten_digit(TODAY), today=TODAY) == baby
    old = Personnummer.from_parts(date(TODAY.year - 99, 12, 31), 42)
    assert old.ten_digit(TODAY).count("-") == 1
    assert Personnummer.parse(old.ten_digit(TODAY), today=TODAY) == old


# --- masking: messages never carry a whole personnummer ------------------------------------------------


@pytest.mark.parametrize(
    ("written", "masked"),
    [
        ("640823-3234", "640823-****"),
        ("19640823-3234", "19640823-****"),
        ("6408233234", "640823-****"),
        ("700231+1234", "700231+****"),
        ("dossier:123456", "dossier:12****"),
        ("abc", "abc"),
        ("12345", "*****"),
        ("xyz640823-3234", "xyz640****"),
    ],
)
def test_mask_person_id(written: str, masked: str) -> None:
    from bistand_es.domain.identifiers import mask_person_id

    assert mask_person_id(written) == masked


def test_mask_person_ids_in_a_message_keeps_ids_and_amounts() -> None:
    from bistand_es.domain.identifiers import mask_person_ids

    message = (
        "19640823-3234 and 6408233234 in household 3f2a9c1e-0000-4000-8000-640823323400; "
        "amount 1000000000.00, position 1000000001, 701063-2391."
    )
    # Month 00 (1000000001) is no date of birth, so a position is kept; the uuid's last group follows a '-'.
    assert mask_person_ids(message) == (
        "19640823-**** and 640823-**** in household 3f2a9c1e-0000-4000-8000-640823323400; "
        "amount 1000000000.00, position 1000000001, 701063-****."
    )
