"""Closed vocabularies of the domain (roles, kinds, outcomes), stored in events by their value.

Values are stable identifiers: they are written into stored events, so renaming one is a schema change
(docs/adr/0002-event-schema.md). Swedish terms are given for the CLI help and reports.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from bistand_es.domain.errors import InvalidInput


class ActorRole(StrEnum):
    """Who acts: the role a user has when recording an event."""

    CASEWORKER = "handlaggare"  # handläggare
    UNIT_MANAGER = "enhetschef"
    COMMITTEE = "utskott"  # socialnämndens utskott
    FINANCE_OFFICER = "ekonom"
    AUDITOR = "revisor"
    SYSTEM = "system"  # an automated run (the monthly payment run), never a decision
    ADMINISTRATOR = "administrator"  # keeps the user register; no case work


#: Delegation levels, lowest first: a decision that needs level N may be taken by any level ≥ N.
DELEGATION_LEVEL: dict[ActorRole, int] = {
    ActorRole.CASEWORKER: 1,
    ActorRole.UNIT_MANAGER: 2,
    ActorRole.COMMITTEE: 3,
}


class MemberRole(StrEnum):
    """A member's place in the application (sökande, medsökande, barn, vuxen)."""

    APPLICANT = "applicant"
    CO_APPLICANT = "co_applicant"
    CHILD = "child"
    ADULT = "adult"


class IncomeKind(StrEnum):
    """Income kinds of the calc contract; whether each is counted, and why, is the rules engine's table
    ``bistand_es.domain.rules.kinds.INCOME_RULES`` (one entry per value, tested)."""

    EMPLOYMENT = "employment"
    BUSINESS = "business"
    UNEMPLOYMENT_BENEFIT = "unemployment_benefit"
    SICKNESS_BENEFIT = "sickness_benefit"
    PARENTAL_BENEFIT = "parental_benefit"
    CHILD_ALLOWANCE = "child_allowance"
    HOUSING_ALLOWANCE = "housing_allowance"
    MAINTENANCE_SUPPORT = "maintenance_support"
    STUDY_GRANT = "study_grant"
    CSN_EXTRA_ALLOWANCE = "csn_extra_allowance"
    PENSION = "pension"
    ACTIVITY_SUPPORT = "activity_support"
    ESTABLISHMENT_BENEFIT = "establishment_benefit"
    LMA_DAILY_ALLOWANCE = "lma_daily_allowance"
    DISABILITY_ALLOWANCE = "disability_allowance"
    TAX_REFUND = "tax_refund"
    HOUSING_SUPPLEMENT = "housing_supplement"  # bostadstillägg
    ACTIVITY_COMPENSATION = "activity_compensation"  # aktivitetsersättning
    ANNUITY = "annuity"  # livränta
    RENTAL_INCOME = "rental_income"  # hyresinkomster
    LARGE_FAMILY_SUPPLEMENT = "large_family_supplement"  # flerbarnstillägg
    ELDERLY_MAINTENANCE = "elderly_maintenance"  # äldreförsörjningsstöd
    FOSTER_CARE_FEE = "foster_care_fee"  # familjehemsersättning, arvodesdelen
    DAMAGES_INCOME = "damages_income"  # skadestånd/försäkring för förlorad arbetsinkomst
    CARE_ALLOWANCE = "care_allowance"  # skattefritt vårdbidrag/omvårdnadsbidrag, merkostnadsdelen
    FOSTER_CARE_EXPENSE = "foster_care_expense"  # familjehemsersättning, omkostnadsdelen
    DAMAGES_PROPERTY = "damages_property"  # skadestånd/försäkring för förlorad egendom
    EARMARKED_GRANT = "earmarked_grant"  # stipendium/fondmedel för ett visst ändamål
    OTHER = "other"


class IncomeSource(StrEnum):
    """Where an income figure came from."""

    APPLICANT = "applicant"  # uppgift från sökande
    EXTERNAL = "external"  # extern datakälla (SSBTEK, Försäkringskassan …)
    CASEWORKER = "caseworker"  # handläggarens uppgift


class CostKind(StrEnum):
    """Reasonable costs outside the norm (skäliga kostnader); their part (försörjningsstöd or livsföring i
    övrigt) is the rules engine's table ``bistand_es.domain.rules.kinds.COST_RULES``."""

    RENT = "rent"
    ELECTRICITY = "electricity"
    HOME_INSURANCE = "home_insurance"
    WORK_TRAVEL = "work_travel"
    UNION_FEE = "union_fee"
    MEDICAL = "medical"
    DENTAL = "dental"
    GLASSES = "glasses"
    CHILDCARE = "childcare"
    SPECIAL_DIET = "special_diet"  # kosttillägg (med läkarintyg)
    OTHER = "other"


class Outcome(StrEnum):
    """Decision outcome: bifall, delvis bifall, avslag."""

    GRANTED = "granted"
    PARTLY_GRANTED = "partly_granted"
    REFUSED = "refused"


class NormAdjustment(StrEnum):
    """Förhöjd or reducerad norm (rules.md §1, §10)."""

    RAISED = "raised"
    REDUCED = "reduced"


class RecoveryCondition(StrEnum):
    """Conditions a granting decision may carry, needed later for återkrav (rules.md §7)."""

    REPAYMENT = "repayment_condition"  # återbetalningsvillkor (9:2 andra stycket)
    ADVANCE_ON_BENEFIT = "advance_on_benefit"  # förskott på förmån (9:2 första stycket)
    LABOUR_DISPUTE = "labour_dispute"  # arbetskonflikt (9:2 första stycket)
    ASSETS_UNAVAILABLE = "assets_unavailable"  # kunde inte förfoga över inkomst/tillgång (9:2 första stycket)


class RecoveryGround(StrEnum):
    """The ground of an återkrav (9 kap. SoL); which decision condition each needs is in
    ``bistand_es.domain.household.recovery.REQUIRED_CONDITION``."""

    WRONGFUL_PAYMENT = "wrongful_payment"  # felaktig utbetalning, 9:1
    ADVANCE_ON_BENEFIT = "advance_on_benefit"  # förskott på förmån, 9:2 första stycket
    LABOUR_DISPUTE = "labour_dispute"  # arbetskonflikt, 9:2 första stycket
    ASSETS_UNAVAILABLE = "assets_unavailable"  # kunde inte förfoga över inkomst/tillgång, 9:2 första stycket
    REPAYMENT_CONDITION = "repayment_condition"  # 4:2-bistånd med återbetalningsvillkor, 9:2 andra stycket


class Payee(StrEnum):
    """Who receives a payment."""

    APPLICANT = "applicant"
    GUARDIAN = "guardian"  # god man
    LANDLORD = "landlord"  # hyresvärd
    OTHER = "other"


class PaymentMethod(StrEnum):
    BANK_TRANSFER = "bank_transfer"
    BANKGIRO = "bankgiro"
    CASH_CARD = "cash_card"
    OTHER = "other"


E = TypeVar("E", bound=StrEnum)


def parse_choice(enum: type[E], value: object, field: str) -> E:
    """Parse a vocabulary value with a message that lists the allowed values."""
    if isinstance(value, enum):
        return value
    try:
        return enum(str(value))
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise InvalidInput(f"{field}: {value!r} is not one of: {allowed}") from None
