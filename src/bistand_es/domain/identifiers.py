"""Person identifiers as a typed value: personnummer, samordningsnummer, dossiernummer, reservnummer.

Every identifier has a ``kind`` and a ``canonical`` text form; the canonical form is what events store,
and :func:`parse_person_id` reads it back without needing a date:

=================  ==========================  =====================================
kind               canonical                   written as (accepted by the parser)
=================  ==========================  =====================================
personnummer       ``19640823-3234``           ``640823-3234``, ``640823+3234``,
                                               ``6408233234``, ``196408233234``,
                                               ``19640823-3234``
samordningsnummer  ``19701063-2391``           as a personnummer, day + 60 (61–91)
dossiernummer      ``dossier:123456``          ``dossier:123 456`` (or bare digits with
                                               ``kind="dossiernummer"``)
reservnummer       ``reserv:ABC123``           ``reserv:abc123`` (or bare with
                                               ``kind="reservnummer"``)
=================  ==========================  =====================================

The 10-digit forms leave the century out, so parsing them needs ``today`` (the domain has no
clock; the caller passes the date). Nothing here is ever derived by hashing a personnummer: the
space of personnummer is small enough that a hash can be reversed by trying them all.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from typing import ClassVar, Final, Literal, Self

from bistand_es.domain.errors import InvalidPersonId

PersonIdKind = Literal["personnummer", "samordningsnummer", "dossiernummer", "reservnummer"]
Sex = Literal["male", "female"]

KINDS: Final[tuple[PersonIdKind, ...]] = (
    "personnummer",
    "samordningsnummer",
    "dossiernummer",
    "reservnummer",
)

_SAMORDNING_OFFSET: Final = 60
_DOSSIER_PREFIX: Final = "dossier:"
_RESERV_PREFIX: Final = "reserv:"
_CIVIC_PATTERN: Final = re.compile(r"^(\d{6}|\d{8})([-+]?)(\d{4})$")
_CIVIC_CHARACTERS: Final = re.compile(r"^[\d+\- ]+$")
_RESERV_PATTERN: Final = re.compile(r"^[A-Z0-9]{1,20}$")
_WRITE_CIVIC: Final = "write YYMMDD-NNNC or YYYYMMDDNNNC"


def luhn_check_digit(nine_digits: str) -> int:
    """Check digit of a personnummer or samordningsnummer from the first nine digits of its 10-digit form.

    Multiply the digits by 2, 1, 2, 1, …; add the digit sums of the products;
    the check digit is ``(10 − sum mod 10) mod 10``.

    >>> luhn_check_digit("640823323")
    4
    """
    if len(nine_digits) != 9 or not nine_digits.isascii() or not nine_digits.isdigit():
        raise InvalidPersonId(f"{mask_person_id(nine_digits)!r}: the check digit is computed from exactly nine digits")
    total = 0
    for position, char in enumerate(nine_digits):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


class PersonId(ABC):
    """A person identifier of one of the four :data:`KINDS`.

    Values are frozen and compare equal only to the same kind with the same canonical form.
    ``verifiable`` says whether the identifier carries a check digit (only personnummer and
    samordningsnummer do).
    """

    __slots__ = ()

    kind: ClassVar[PersonIdKind]
    verifiable: ClassVar[bool]

    @property
    @abstractmethod
    def canonical(self) -> str:
        """The stable text form stored in events; :func:`parse_person_id` reads it back."""

    def __str__(self) -> str:
        return self.canonical

    @classmethod
    def parse(cls, text: object, *, today: date | None = None) -> Self:
        """Parse ``text`` as this kind (``PersonId.parse`` detects the kind)."""
        kind: str | None = getattr(cls, "kind", None)
        result = parse_person_id(text, today=today, kind=kind)
        if not isinstance(result, cls):  # pragma: no cover - parse_person_id honours kind
            raise InvalidPersonId(f"{mask_person_id(str(text))} is a {result.kind}, not a {cls.__name__}")
        return result


# --- masking: error messages never show a whole identifier ------------------------------------------

_MASK_SHOWN: Final = 6
_MASK_STARS: Final = 4
# A personnummer-like run of digits inside a message: 6 or 8 date digits, an optional separator, 4 digits;
# not part of a longer word, id (uuid groups follow a '-') or decimal number.
_CIVIC_IN_TEXT: Final = re.compile(r"(?<![\w.,:\-])([0-9]{6}|[0-9]{8})([-+]?)([0-9]{4})(?![\w]|[.,][0-9])")


def mask_person_id(text: str) -> str:
    """The identifier as an error message may show it: the date part and ``-****`` (``640823-****``).

    Anything that is not a well-formed personnummer keeps its first six characters; the rest become stars
    (at most four, so the length does not tell the rest either). Messages about a person id use this, so
    that a caseworker's screen, a log or a terminal recording never carries a whole personnummer.
    """
    written = text.strip()
    match = _CIVIC_PATTERN.match(written)
    if match is not None:
        return f"{match.group(1)}{match.group(2) or '-'}****"
    for prefix in (_DOSSIER_PREFIX, _RESERV_PREFIX):
        if written.lower().startswith(prefix):
            rest = written[len(prefix) :]
            return written[: len(prefix)] + rest[:2] + ("*" * _MASK_STARS if len(rest) > 2 else "")
    if len(written) <= _MASK_SHOWN:
        return "*" * len(written) if any(char.isdigit() for char in written) else written
    return written[:_MASK_SHOWN] + "*" * _MASK_STARS


def _plausible_date(date_part: str) -> bool:
    month, day = int(date_part[-4:-2]), int(date_part[-2:])
    return 1 <= month <= 12 and (1 <= day <= 31 or 61 <= day <= 91)


def mask_person_ids(message: str) -> str:
    """Every personnummer-like number in ``message`` masked (``19640823-3234`` becomes ``19640823-****``).

    A last safeguard for error lines: numbers that cannot be a date of birth (amounts, positions) are kept.
    """

    def masked(match: re.Match[str]) -> str:
        date_part = match.group(1)
        return f"{date_part}-****" if _plausible_date(date_part) else match.group(0)

    return _CIVIC_IN_TEXT.sub(masked, message)


# --- personnummer and samordningsnummer -------------------------------------------------------------


def _civic_problem(year: int, month: int, raw_day: int, ten: str, kind: str) -> str | None:
    """What is wrong with a personnummer/samordningsnummer, or None.

    ``raw_day`` is the day as written (+ 60 for a samordningsnummer); ``ten`` is the 10-digit form
    without separator.
    """
    if not 1 <= month <= 12:
        return f"{month:02d} is not a month"
    day = raw_day - _SAMORDNING_OFFSET if kind == "samordningsnummer" else raw_day
    if kind == "samordningsnummer" and not 61 <= raw_day <= 91:
        return f"{raw_day:02d} is not a samordningsnummer day (the day of birth + 60, i.e. 61–91)"
    if kind == "personnummer" and not 1 <= raw_day <= 31:
        return f"{raw_day:02d} is not a day (01–31, or 61–91 for a samordningsnummer)"
    if not 1 <= year <= 9999:
        return f"{year:04d} is not a year"
    if day > monthrange(year, month)[1]:
        return f"{day:02d} is not a day of {year:04d}-{month:02d}"
    expected = luhn_check_digit(ten[:9])
    if int(ten[9]) != expected:
        return f"check digit should be {expected}"
    return None


@dataclass(frozen=True, slots=True)
class _CivicNumber(PersonId):
    """Shared behaviour of personnummer and samordningsnummer; ``digits`` is ``YYYYMMDDNNNC``."""

    digits: str

    verifiable: ClassVar[bool] = True

    def __post_init__(self) -> None:
        digits = self.digits
        if len(digits) != 12 or not digits.isascii() or not digits.isdigit():
            raise InvalidPersonId(f"{self.kind} {mask_person_id(digits)!r}: give the 12 digits YYYYMMDDNNNC")
        problem = _civic_problem(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]), digits[2:], self.kind)
        if problem is not None:
            raise InvalidPersonId(f"{self.kind} {digits[:8]}-****: {problem}")

    @classmethod
    def from_parts(cls, birth_date: date, serial: int | str) -> Self:
        """Build the number for ``birth_date`` and the three-digit ``serial``, computing the check digit."""
        serial_text = f"{serial:03d}" if isinstance(serial, int) else serial
        if len(serial_text) != 3 or not serial_text.isascii() or not serial_text.isdigit():
            raise InvalidPersonId(f"{cls.kind} serial {serial!r}: the serial is three digits, 000–999")
        day = birth_date.day + (_SAMORDNING_OFFSET if cls.kind == "samordningsnummer" else 0)
        date_part = f"{birth_date.year:04d}{birth_date.month:02d}{day:02d}"
        check = luhn_check_digit(date_part[2:] + serial_text)
        return cls(f"{date_part}{serial_text}{check}")

    @property
    def canonical(self) -> str:
        return f"{self.digits[:8]}-{self.digits[8:]}"

    @property
    def birth_date(self) -> date:
        day = int(self.digits[6:8])
        if self.kind == "samordningsnummer":
            day -= _SAMORDNING_OFFSET
        return date(int(self.digits[0:4]), int(self.digits[4:6]), day)

    @property
    def serial(self) -> str:
        """The three digits after the date (*födelsenummer*)."""
        return self.digits[8:11]

    @property
    def check_digit(self) -> int:
        return int(self.digits[11])

    @property
    def sex(self) -> Sex:
        """Digit 9 of the 10-digit form: odd for a man, even for a woman."""
        return "male" if int(self.digits[10]) % 2 == 1 else "female"

    @property
    def born_on_day_5_15_25(self) -> bool:
        """Born on the 5th, 15th or 25th: the research selection kept when records are culled (gallring)."""
        return self.birth_date.day in (5, 15, 25)

    def ten_digit(self, on: date) -> str:
        """The 10-digit form as written on ``on``: ``+`` from the year the person turns 100, else ``-``."""
        separator = "+" if on.year - int(self.digits[0:4]) >= 100 else "-"
        return f"{self.digits[2:8]}{separator}{self.digits[8:]}"


@dataclass(frozen=True, slots=True)
class Personnummer(_CivicNumber):
    """A personnummer (folkbokföringslagen 18 §), e.g. ``19640823-3234``.

    >>> Personnummer.parse("640823-3234", today=date(2024, 1, 1)).canonical
    '19640823-3234'
    """

    kind: ClassVar[PersonIdKind] = "personnummer"


@dataclass(frozen=True, slots=True)
class Samordningsnummer(_CivicNumber):
    """A samordningsnummer (folkbokföringslagen 18 a §): a personnummer whose day is the day of birth + 60.

    >>> Samordningsnummer.parse("701063-2391", today=date(2024, 1, 1)).birth_date
    datetime.date(1970, 10, 3)
    """

    kind: ClassVar[PersonIdKind] = "samordningsnummer"


def _century_year(yy: int, month: int, raw_day: int, separator: str, today: date) -> int:
    """The full year of a 10-digit number written on ``today``.

    With ``-`` (or no separator): the latest year ending in ``yy`` whose birth day is not after
    ``today``. With ``+`` (from the year the person turns 100): the latest year ending in ``yy``
    that is at least 100 years before ``today``'s year. The ``+`` rule also covers numbers
    written by the person's age rather than by the calendar year.
    """
    if separator == "+":
        latest = today.year - 100
        return latest - (latest - yy) % 100
    year = today.year - (today.year - yy) % 100
    day = raw_day - _SAMORDNING_OFFSET if raw_day > _SAMORDNING_OFFSET else raw_day
    if year == today.year and (month, day) > (today.month, today.day):
        year -= 100
    return year


def _parse_civic(written: str, *, today: date | None, kind: str | None) -> _CivicNumber:
    match = _CIVIC_PATTERN.match(written)
    shown = mask_person_id(written)
    label = kind or "personnummer"
    if match is None:
        if _CIVIC_CHARACTERS.match(written):
            count = sum(char.isdigit() for char in written)
            if count in (10, 12):
                raise InvalidPersonId(
                    f"{label} {shown}: the only separator is one '-' or '+' before the last four digits; {_WRITE_CIVIC}"
                )
            raise InvalidPersonId(f"{label} {shown}: has {count} digits; {_WRITE_CIVIC}")
        raise InvalidPersonId(
            f"{label} {shown!r}: not a personnummer or samordningsnummer; {_WRITE_CIVIC} "
            f"(a dossiernummer as {_DOSSIER_PREFIX}NNNNNN, a reservnummer as {_RESERV_PREFIX}XXXX)"
        )
    date_part, separator, tail = match.groups()
    month, raw_day = int(date_part[-4:-2]), int(date_part[-2:])
    detected: PersonIdKind = "samordningsnummer" if 61 <= raw_day <= 91 else "personnummer"
    if kind is not None and kind != detected:
        raise InvalidPersonId(f"{kind} {shown}: day {raw_day:02d} makes it a {detected}, not a {kind}")
    if len(date_part) == 8:
        if separator == "+":
            raise InvalidPersonId(f"{detected} {shown}: '+' belongs to the 10-digit form; write YYYYMMDD-NNNC")
        year = int(date_part[:4])
    else:
        if today is None:
            raise InvalidPersonId(
                f"{detected} {shown}: the 10-digit form needs today's date to tell the century; write YYYYMMDD-NNNC"
            )
        if not 1 <= month <= 12:
            raise InvalidPersonId(f"{detected} {shown}: {month:02d} is not a month")
        year = _century_year(int(date_part[:2]), month, raw_day, separator, today)
    ten = date_part[-6:] + tail
    problem = _civic_problem(year, month, raw_day, ten, detected)
    if problem is not None:
        raise InvalidPersonId(f"{detected} {shown}: {problem}")
    cls = Samordningsnummer if detected == "samordningsnummer" else Personnummer
    return cls(f"{year:04d}{date_part[-4:]}{tail}")


# --- dossiernummer and reservnummer -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Dossiernummer(PersonId):
    """Migrationsverket's dossier number, the only identifier some asylum seekers have.

    Assumption (no public specification was found): the number is digits only, 4–12 of them once
    spaces and dashes are removed; leading zeros are kept. It carries no check digit, so a typing
    error cannot be detected (``verifiable`` is False). Canonical form: ``dossier:<digits>``.
    """

    digits: str

    kind: ClassVar[PersonIdKind] = "dossiernummer"
    verifiable: ClassVar[bool] = False

    def __post_init__(self) -> None:
        if not self.digits:
            raise InvalidPersonId("dossiernummer: empty; give 4–12 digits")
        if not self.digits.isascii() or not self.digits.isdigit():
            raise InvalidPersonId("dossiernummer: only digits (spaces and dashes are ignored)")
        if not 4 <= len(self.digits) <= 12:
            raise InvalidPersonId(f"dossiernummer: has {len(self.digits)} digits; give 4–12")

    @classmethod
    def _from_text(cls, written: str) -> Dossiernummer:
        text = written[len(_DOSSIER_PREFIX) :] if written.lower().startswith(_DOSSIER_PREFIX) else written
        digits = text.replace(" ", "").replace("-", "")
        if not digits:
            raise InvalidPersonId(f"dossiernummer {mask_person_id(written)!r}: empty; give 4–12 digits")
        if not digits.isascii() or not digits.isdigit():
            raise InvalidPersonId(
                f"dossiernummer {mask_person_id(written)!r}: only digits (spaces and dashes are ignored)"
            )
        if not 4 <= len(digits) <= 12:
            raise InvalidPersonId(f"dossiernummer {mask_person_id(written)}: has {len(digits)} digits; give 4–12")
        return cls(digits)

    @property
    def canonical(self) -> str:
        return f"{_DOSSIER_PREFIX}{self.digits}"


@dataclass(frozen=True, slots=True)
class Reservnummer(PersonId):
    """A reserve number given by a region or municipality when the person's identity is not known.

    Formats vary between issuers, so any 1–20 ASCII letters and digits are accepted, stored
    upper-case. It cannot be verified (``verifiable`` is False). Canonical form: ``reserv:<value>``.
    """

    value: str

    kind: ClassVar[PersonIdKind] = "reservnummer"
    verifiable: ClassVar[bool] = False

    def __post_init__(self) -> None:
        normalised = self.value.strip().upper()
        if not normalised:
            raise InvalidPersonId("reservnummer: empty; give 1–20 letters and digits")
        if len(normalised) > 20:
            raise InvalidPersonId(f"reservnummer: {len(normalised)} characters; at most 20")
        if not _RESERV_PATTERN.match(normalised):
            raise InvalidPersonId(f"reservnummer {mask_person_id(self.value)!r}: only letters A–Z and digits 0–9")
        object.__setattr__(self, "value", normalised)

    @classmethod
    def _from_text(cls, written: str) -> Reservnummer:
        text = written[len(_RESERV_PREFIX) :] if written.lower().startswith(_RESERV_PREFIX) else written
        return cls(text)

    @property
    def canonical(self) -> str:
        return f"{_RESERV_PREFIX}{self.value}"


# --- parsing ----------------------------------------------------------------------------------------


def parse_person_id(text: object, *, today: date | None = None, kind: str | None = None) -> PersonId:
    """Parse a person identifier, detecting its kind unless ``kind`` is given.

    Detection: ``dossier:…`` is a dossiernummer, ``reserv:…`` a reservnummer; anything else must be
    a personnummer (day 01–31) or a samordningsnummer (day 61–91) in 10- or 12-digit form. Bare
    digits are never taken for a dossiernummer: pass ``kind="dossiernummer"`` for that.
    ``today`` is needed only for the 10-digit forms (it fixes the century). Canonical forms
    round-trip: ``parse_person_id(pid.canonical) == pid``.
    """
    if kind is not None and kind not in KINDS:
        raise InvalidPersonId(f"unknown kind of person id {kind!r}; use one of {', '.join(KINDS)}")
    if isinstance(text, PersonId):
        if kind is not None and text.kind != kind:
            raise InvalidPersonId(f"{mask_person_id(text.canonical)}: is a {text.kind}, not a {kind}")
        return text
    if not isinstance(text, str):
        raise InvalidPersonId(f"{type(text).__name__} is not a person id; give it as text, e.g. 19640823-3234")
    written = text.strip()
    if not written:
        raise InvalidPersonId(f"{kind or 'person id'}: empty")
    lowered = written.lower()
    if kind == "dossiernummer" or (kind is None and lowered.startswith(_DOSSIER_PREFIX)):
        return Dossiernummer._from_text(written)
    if kind == "reservnummer" or (kind is None and lowered.startswith(_RESERV_PREFIX)):
        return Reservnummer._from_text(written)
    return _parse_civic(written, today=today, kind=kind)
