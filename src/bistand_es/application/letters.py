"""A decision letter (beslut) as plain data, built from a stored decision: no I/O, no rendering.

The letter is what the applicant reads: what was applied for, what is granted or refused and why (motivering),
the legal basis in force on the decision date, every amount of the stored calculation in plain Swedish, the
conditions for återkrav stated when the aid is granted (9 kap. 2 § SoL), and the appeal route. It never shows
parameter ids, file names, rule-set hashes or internal notes, and no personnummer except the recipient's.

Renderers (text, HTML) live in ``bistand_es.cli.letter_render``; docs/adr/0023-decision-letters.md says why.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Final

from bistand_es.domain.identifiers import mask_person_ids
from bistand_es.domain.month import Month
from bistand_es.domain.rules.kinds import COST_RULES, INCOME_RULES, OTHER_LIVING
from bistand_es.domain.vocabulary import CostKind, IncomeKind, MemberRole, Outcome, RecoveryCondition

MONTHS: Final = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)

#: Keys of the ``law.citations`` table a letter cites (the table is keyed by the decision date).
CITATION_KEYS: Final = ("aid", "norm", "costs", "aid_other_form", "recovery_conditions", "appeal")

#: The riksnorm's contents in words (rules.md §1: the items inside the norm; TV-avgift until 2019).
_NORM_ITEMS: Final = "livsmedel, kläder och skor, lek och fritid, förbrukningsvaror, hälsa och hygien"
_DELEGAT_WORDS: Final = {"handlaggare": "handläggare", "enhetschef": "enhetschef", "utskott": "nämndens utskott"}
_OUTCOME_WORDS: Final = {
    Outcome.GRANTED.value: "Bifall",
    Outcome.PARTLY_GRANTED.value: "Delvis bifall",
    Outcome.REFUSED.value: "Avslag",
}
#: Disregarded income lines that do not name an income kind: what the applicant reads.
_SPECIAL_DISREGARDS: Final = {
    "jobbstimulans": "Jobbstimulans: den del av lönen som inte räknas",
    "child_wage": "Barns eller skolungdoms egen arbetsinkomst under gränsen (ett prisbasbelopp per år)",
    "adult_own_share": "Inkomst över den vuxnes egen andel av normen (räknas inte mot övriga i hushållet)",
}
_CONDITION_TEXT: Final = {
    RecoveryCondition.ADVANCE_ON_BENEFIT.value: (
        "Förskott på förmån: biståndet lämnas i väntan på en ersättning som du har ansökt om men ännu inte fått. "
        "När ersättningen betalas ut för samma period kan nämnden kräva tillbaka biståndet. Försäkringskassan kan "
        "då betala den del av ersättningen som avser samma period direkt till nämnden."
    ),
    RecoveryCondition.LABOUR_DISPUTE.value: (
        "Arbetskonflikt: biståndet lämnas till dig under en arbetskonflikt (till exempel strejk eller lockout). "
        "Nämnden kan därför kräva tillbaka biståndet."
    ),
    RecoveryCondition.ASSETS_UNAVAILABLE.value: (
        "Inkomst eller tillgång som du inte kan förfoga över: biståndet lämnas därför att du just nu inte kan "
        "använda en inkomst eller tillgång som du har. Nämnden kan kräva tillbaka biståndet när du kan använda den."
    ),
    RecoveryCondition.REPAYMENT.value: (
        "Villkor om återbetalning: biståndet lämnas utöver vad som följer av rätten till bistånd, med villkor "
        "om att du betalar tillbaka det."
    ),
}
# Anything that looks like a parameter id (x.y@2021-01-01), a file name or a path never reaches a letter.
_PARAMETER_ID: Final = re.compile(r"\b[\w.]+@\d{4}-\d{2}-\d{2}\b")
_FILE_NAME: Final = re.compile(r"\S+\.(?:ya?ml|md|py|txt|csv|json|sqlite|duckdb)\b", re.IGNORECASE)
_PLAIN_AMOUNT: Final = re.compile(r"(?<![\d.,])(-?\d+)\.(\d{2})(?![\d])")


@dataclass(frozen=True, slots=True)
class Sender:
    """Who sends the letter: the municipality, its nämnd, and how to reach it (empty when none is loaded)."""

    municipality: str
    board: str
    contact: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Row:
    """One amount line of a table: ``Boende (hyra)  7 500 kr``, with an optional remark."""

    label: str
    amount: Decimal
    note: str = ""


@dataclass(frozen=True, slots=True)
class Table:
    caption: str
    rows: tuple[Row, ...]
    total: Row | None = None


Block = str | Table


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class Letter:
    """The whole letter, top to bottom; renderers only lay it out."""

    sender: Sender
    title: str
    decided_on: date
    reference: str
    recipient: tuple[str, ...]
    subject: str
    outcome: str
    sections: tuple[Section, ...]

    def section(self, heading: str) -> Section | None:
        return next((s for s in self.sections if s.heading == heading), None)


@dataclass(frozen=True, slots=True)
class StoredDecision:
    """What the letter needs from a recorded ``DecisionMade``/``DecisionAmended`` event, as plain data."""

    decision_id: str
    month: Month
    outcome: str
    aid: Decimal
    situation: Mapping[str, Any]
    calculation: Mapping[str, Any]
    applied_costs: Mapping[str, Decimal]
    approved_costs: Mapping[str, Decimal]
    norm_adjustment: Mapping[str, Any] | None
    conditions: Sequence[str]
    delegat: str
    reason: str
    decided_on: date
    amends: str | None = None
    superseded_by: str | None = None

    @classmethod
    def from_event(cls, event: Any, superseded_by: str | None = None) -> StoredDecision:
        return cls(
            decision_id=event.decision_id,
            month=event.month,
            outcome=str(event.outcome),
            aid=Decimal(event.aid),
            situation=dict(event.situation or {}),
            calculation=dict(event.calculation or {}),
            applied_costs={k: Decimal(v) for k, v in (event.applied_costs or {}).items()},
            approved_costs={k: Decimal(v) for k, v in (event.approved_costs or {}).items()},
            norm_adjustment=event.norm_adjustment,
            conditions=list(event.conditions or []),
            delegat=str(event.delegat),
            reason=str(event.reason or ""),
            decided_on=event.decided_on,
            amends=getattr(event, "amends", None),
            superseded_by=superseded_by,
        )

    @property
    def under_4_2(self) -> bool:
        """Aid in another form or beyond the right to aid (4 kap. 2 §): recorded with a repayment condition."""
        return RecoveryCondition.REPAYMENT.value in self.conditions


# ------------------------------------------------------------------ words and amounts


def kronor(amount: Decimal | str) -> str:
    """An amount as a Swedish reader writes it: ``7 500 kr``, ``8 696,77 kr``, ``−500 kr``."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    sign = "−" if value < 0 else ""
    whole, cents = f"{abs(value):.2f}".split(".")
    grouped = f"{int(whole):,}".replace(",", " ")
    return f"{sign}{grouped}{'' if cents == '00' else ',' + cents} kr"


def month_words(month: Month) -> str:
    return f"{MONTHS[month.month - 1]} {month.year}"


def _plain(text: str) -> str:
    """A rule text fit for a letter: no parameter ids, no file names, amounts in Swedish, personnummer masked."""
    text = _PARAMETER_ID.sub("", text)
    text = _FILE_NAME.sub("", text)
    text = _PLAIN_AMOUNT.sub(lambda m: kronor(f"{m.group(1)}.{m.group(2)}").removesuffix(" kr"), text)
    text = mask_person_ids(text)
    return re.sub(r"\s+([,;)])", r"\1", re.sub(r"\(\s*\)", "", re.sub(r"\s{2,}", " ", text))).strip(" ;,")


def _head(rule: str) -> str:
    """The first part of a rule text, before any parenthesis or colon with its working."""
    return re.split(r" \(|: | ×| ÷", rule, maxsplit=1)[0].strip()


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


class _Members:
    """Describes members without their personnummer: "du", "medsökande född 1970", "barn född 2016"."""

    def __init__(self, situation: Mapping[str, Any]) -> None:
        rows = list((situation.get("household") or {}).get("members") or [])
        self.roles = {str(r.get("id")): str(r.get("role")) for r in rows}
        born = {str(r.get("id")): str(r.get("birth_date") or "") for r in rows}
        keys = [(self.roles[i], born[i][:4]) for i in self.roles]
        self.words: dict[str, str] = {}
        for person, role in self.roles.items():
            if role == MemberRole.APPLICANT.value:
                self.words[person] = "du"
                continue
            name = {"co_applicant": "medsökande", "child": "barn", "adult": "vuxen"}.get(role, "hushållsmedlem")
            when = born[person][:4] if keys.count((role, born[person][:4])) == 1 else born[person]
            self.words[person] = f"{name} född {when}" if when else name

    def of(self, person: object) -> str:
        return self.words.get(str(person), "hushållsmedlem") if person else ""

    def household(self) -> str:
        everyone = ["du", *(w for w in self.words.values() if w != "du")]
        return everyone[0] if len(everyone) == 1 else ", ".join(everyone[:-1]) + " och " + everyone[-1]


# ------------------------------------------------------------------ the letter


def build_letter(
    decision: StoredDecision,
    *,
    applicant: str,
    sender: Sender,
    citations: Mapping[str, str],
) -> Letter:
    """The letter for a stored decision. ``citations``: the ``law.citations`` texts in force on its decision date."""
    members = _Members(decision.situation)
    board = sender.board
    when = month_words(decision.month)
    sections = [
        _application_section(decision, members, when),
        _decision_section(decision, board, when, citations),
        _reasons_section(decision, members, when),
        _calculation_section(decision.calculation, decision.applied_costs, decision.month, members),
    ]
    if decision.conditions and decision.outcome != Outcome.REFUSED.value:
        sections.append(_conditions_section(decision, citations))
    sections.append(_appeal_section(decision, board, citations))
    sections.append(_signature_section(decision, sender))
    amended = decision.amends is not None
    return Letter(
        sender=sender,
        title="Ändrat beslut" if amended else "Beslut",
        decided_on=decision.decided_on,
        reference=decision.decision_id[:8],
        recipient=("Till den sökande", f"Personnummer {applicant}"),
        subject=f"{'Ändrat beslut' if amended else 'Beslut'} om ekonomiskt bistånd för {when}",
        outcome=decision.outcome,
        sections=tuple(sections),
    )


def _application_section(decision: StoredDecision, members: _Members, when: str) -> Section:
    blocks: list[Block] = [
        f"Du har ansökt om ekonomiskt bistånd (försörjningsstöd) för {when} för ditt hushåll: {members.household()}."
    ]
    applied = sorted(decision.applied_costs.items(), key=lambda kv: _cost_order(kv[0]))
    if applied:
        rows = tuple(Row(_cost_name(kind), amount) for kind, amount in applied)
        total = Row("Summa sökta kostnader", sum((r.amount for r in rows), Decimal("0.00")))
        blocks.append(Table("Du har ansökt om bistånd till riksnormen och till dessa kostnader:", rows, total))
    else:
        blocks.append("Du har ansökt om bistånd till riksnormen.")
    return Section("Din ansökan", tuple(blocks))


def _decision_section(decision: StoredDecision, board: str, when: str, citations: Mapping[str, str]) -> Section:
    calc = decision.calculation
    blocks: list[Block] = []
    if decision.amends is not None:
        blocks.append(f"Detta beslut ersätter nämndens tidigare beslut om ekonomiskt bistånd för {when}.")
    if decision.outcome == Outcome.REFUSED.value:
        blocks.append(f"{board} avslår din ansökan om ekonomiskt bistånd för {when}.")
    else:
        blocks.append(f"{board} beviljar dig ekonomiskt bistånd med {kronor(decision.aid)} för {when}.")
        other = Decimal(str(calc.get("other_aid") or "0"))
        if other > 0:
            blocks.append(
                f"Av beloppet är {kronor(decision.aid - other)} försörjningsstöd och {kronor(other)} bistånd "
                "till din livsföring i övrigt."
            )
        refused = _refused_parts(decision)
        if refused:
            blocks.append("Din ansökan avslås i övrigt, det vill säga i fråga om: " + "; ".join(refused) + ".")
    blocks.append(f"Beslutet: {_OUTCOME_WORDS.get(decision.outcome, decision.outcome).lower()}.")
    blocks.append("Lagrum: " + "; ".join(_legal_basis(decision, citations)) + ".")
    return Section("Beslut", tuple(blocks))


def _legal_basis(decision: StoredDecision, citations: Mapping[str, str]) -> list[str]:
    keys = ["aid", "norm"]
    if decision.under_4_2:
        keys.insert(0, "aid_other_form")
    found: list[str] = []
    for key in keys:
        text = citations.get(key)
        if text and text not in found:
            found.append(text)
    return found


def _refused_parts(decision: StoredDecision) -> list[str]:
    parts = []
    for kind, applied in sorted(decision.applied_costs.items(), key=lambda kv: _cost_order(kv[0])):
        approved = decision.approved_costs.get(kind, Decimal("0.00"))
        if approved < applied:
            parts.append(
                f"{_cost_name(kind).lower()}: {kronor(applied - approved)} av sökta {kronor(applied)} "
                f"(godtaget {kronor(approved)})"
            )
    adjustment = decision.norm_adjustment or {}
    if adjustment.get("kind") == "reduced":
        parts.append(f"riksnormen, som har reducerats med {kronor(Decimal(str(adjustment.get('amount'))))}")
    return parts


def _reasons_section(decision: StoredDecision, members: _Members, when: str) -> Section:
    calc = decision.calculation
    need, counted = Decimal(str(calc["need"])), Decimal(str(calc["income_counted"]))
    surplus, aid = Decimal(str(calc["surplus"])), Decimal(str(calc["aid"]))
    blocks: list[Block] = []
    reason = mask_person_ids(decision.reason.strip())
    adjustment = decision.norm_adjustment or {}
    if decision.outcome == Outcome.REFUSED.value:
        if reason:
            blocks.append(f"Skälen för beslutet: {reason}")
        if surplus > 0:
            blocks.append(
                f"Ditt hushålls behov för {when} är {kronor(need)} (riksnormen och de skäliga kostnader som har "
                f"godtagits). De inkomster som räknas är {kronor(counted)}, alltså {kronor(surplus)} mer än behovet. "
                "Du har därför inte rätt till försörjningsstöd för månaden."
            )
        else:
            blocks.append(
                f"Enligt beräkningen nedan är ditt hushålls behov {kronor(need)} och de inkomster som räknas "
                f"{kronor(counted)}."
            )
        return Section("Motivering", tuple(blocks))
    blocks.append(
        f"Ditt hushålls behov för {when} är {kronor(need)}: riksnormen och de skäliga kostnader som har godtagits. "
        f"De inkomster som räknas är {kronor(counted)}. Skillnaden, {kronor(aid)}, är det bistånd du har rätt till "
        "för att uppnå en skälig levnadsnivå."
    )
    for kind, applied in sorted(decision.applied_costs.items(), key=lambda kv: _cost_order(kv[0])):
        approved = decision.approved_costs.get(kind, Decimal("0.00"))
        if approved < applied:
            blocks.append(
                f"{_cost_name(kind)}: du har ansökt om {kronor(applied)}. Nämnden bedömer att {kronor(approved)} "
                "är en skälig kostnad och godtar det beloppet."
            )
    if adjustment.get("kind") == "raised":
        blocks.append(f"Riksnormen har höjts med {kronor(Decimal(str(adjustment.get('amount'))))} (förhöjd norm).")
    elif adjustment.get("kind") == "reduced":
        blocks.append(f"Riksnormen har sänkts med {kronor(Decimal(str(adjustment.get('amount'))))} (reducerad norm).")
    if reason:
        blocks.append(f"Skälen för beslutet: {reason}")
    if decision.under_4_2:
        blocks.append(
            "Biståndet lämnas utöver vad som följer av rätten till bistånd (bistånd i annan form eller utöver "
            "riktlinjerna)."
        )
    return Section("Motivering", tuple(blocks))


def calculation_section(
    calculation: Mapping[str, Any],
    *,
    situation: Mapping[str, Any],
    applied_costs: Mapping[str, Decimal],
    month: Month,
) -> Section:
    """The "Beräkning" section alone, in the letter's words (``bistand decide`` prints it for the caseworker)."""
    return _calculation_section(calculation, applied_costs, month, _Members(situation))


def _calculation_section(
    calc: Mapping[str, Any], applied_costs: Mapping[str, Decimal], month: Month, members: _Members
) -> Section:
    lines: list[Mapping[str, Any]] = list(calc.get("lines") or [])
    norm_rows, cost_rows, counted_rows, disregarded_rows = [], [], [], []
    for line in lines:
        kind = str(line.get("kind") or "")
        amount = Decimal(str(line.get("amount")))
        who = members.of(line.get("member"))
        if kind.startswith("norm."):
            norm_rows.append(_norm_row(kind, amount, line, who))
        elif kind.startswith("cost."):
            cost_rows.append(_cost_row(kind[5:], amount, line, applied_costs))
        elif kind == "income.counted":
            counted_rows.append(Row(_with_who(_income_name(line), who), amount))
        elif kind.startswith("income.disregarded."):
            disregarded_rows.append(Row(_with_who(_disregard_name(kind, line), who), abs(amount)))
    tv = ", TV-avgift" if month.year < 2019 else ""
    blocks: list[Block] = [
        f"Riksnormen ska täcka kostnader för {_NORM_ITEMS} samt dagstidning och telefon{tv}. Den består av "
        "personliga kostnader för var och en i hushållet och hushållets gemensamma kostnader.",
        Table("Riksnormen", tuple(norm_rows), Row("Summa riksnorm", Decimal(str(calc["norm_total"])))),
    ]
    if cost_rows:
        blocks.append(
            Table(
                "Skäliga kostnader utöver riksnormen",
                tuple(cost_rows),
                Row("Summa kostnader", Decimal(str(calc["costs_total"]))),
            )
        )
    blocks.append(Table("Ditt hushålls behov", (), Row("Behov (riksnorm och kostnader)", Decimal(str(calc["need"])))))
    income_month = calc.get("income_month")
    caption = "Inkomster som räknats"
    if income_month:
        caption += f" (inkomster under {month_words(Month.parse(str(income_month)))})"
    blocks.append(
        Table(caption, tuple(counted_rows), Row("Summa inkomster som räknats", Decimal(str(calc["income_counted"]))))
        if counted_rows
        else f"{caption}: inga."
    )
    if disregarded_rows:
        blocks.append(Table("Inkomster som inte räknats", tuple(disregarded_rows)))
    surplus = Decimal(str(calc["surplus"]))
    result = (
        Row("Behov", Decimal(str(calc["need"]))),
        Row("Minus inkomster som räknats", -Decimal(str(calc["income_counted"]))),
    )
    if surplus > 0:
        blocks.append(Table("Resultat", result, Row("Överskott (inkomster över behovet)", surplus)))
    else:
        blocks.append(Table("Resultat", result, Row("Beräknat bistånd", Decimal(str(calc["aid"])))))
    return Section("Beräkning", tuple(blocks))


def _with_who(label: str, who: str) -> str:
    return f"{label} ({who})" if who else label


def _norm_row(kind: str, amount: Decimal, line: Mapping[str, Any], who: str) -> Row:
    rule = str(line.get("rule") or "")
    if kind == "norm.adjustment.raised":
        return Row("Förhöjd norm", amount)
    if kind == "norm.adjustment.reduced":
        return Row("Reducerad norm", amount)
    if kind in ("norm.personal", "norm.common"):
        head = _capital(_plain(_head(rule))) or ("Personliga kostnader" if kind == "norm.personal" else "Gemensamma")
        if "sambor" in head:
            return Row(f"{head} (du och medsökande)", amount)
        return Row(_with_who(head, who), amount)
    return Row(_with_who(_capital(_plain(rule)) or "Riksnorm", who), amount)


def _cost_row(kind: str, amount: Decimal, line: Mapping[str, Any], applied_costs: Mapping[str, Decimal]) -> Row:
    note = ""
    applied = applied_costs.get(kind)
    if applied is not None and applied != amount:
        note = f"du ansökte om {kronor(applied)}"
    label = _cost_name(kind)
    if line.get("part") == OTHER_LIVING:
        label += " (livsföring i övrigt)"
    return Row(label, amount, note)


def _cost_name(kind: str) -> str:
    try:
        return _capital(COST_RULES[CostKind(kind)].name)
    except ValueError:
        return _capital(_plain(kind.replace("_", " ")))


def _cost_order(kind: str) -> int:
    values = [k.value for k in CostKind]
    return values.index(kind) if kind in values else len(values)


def _income_name(line: Mapping[str, Any]) -> str:
    income_kind = line.get("income_kind")
    if income_kind:
        try:
            name = INCOME_RULES[IncomeKind(str(income_kind))].name
        except ValueError:
            name = str(income_kind).replace("_", " ")
        rule = str(line.get("rule") or "")
        percent = re.search(r"räknas utom (\d+ %)", rule)
        if percent:
            name += f" (utom {percent.group(1)}, jobbstimulans)"
        elif "över gränsen" in rule:
            name = "Barns eller skolungdoms arbetsinkomst över gränsen"
        return _capital(name)
    return _capital(_plain(_head(str(line.get("rule") or "inkomst"))))


def _disregard_name(kind: str, line: Mapping[str, Any]) -> str:
    key = kind.removeprefix("income.disregarded.")
    if key in _SPECIAL_DISREGARDS:
        return _SPECIAL_DISREGARDS[key]
    try:
        rule = INCOME_RULES[IncomeKind(key)]
    except ValueError:
        return _capital(_plain(_head(str(line.get("rule") or key))))
    reason = _head(rule.reason or "räknas inte som inkomst")
    return f"{_capital(rule.name)}: {reason}"


def _conditions_section(decision: StoredDecision, citations: Mapping[str, str]) -> Section:
    blocks: list[Block] = [
        "Biståndet beviljas på följande villkor. Du får veta grunden nu, när biståndet beviljas, eftersom nämnden "
        "bara kan kräva tillbaka bistånd på en grund som har angetts i beslutet:"
    ]
    blocks.extend(_CONDITION_TEXT.get(c, _plain(c)) for c in decision.conditions)
    blocks.append(
        "Betalar du inte tillbaka frivilligt kan nämnden ansöka hos förvaltningsrätten om att du ska betala. "
        "Nämnden kan också helt eller delvis avstå från att kräva tillbaka biståndet (eftergift)."
    )
    law = citations.get("recovery_conditions")
    if law:
        blocks.append(f"Lagrum: {law}.")
    return Section("Villkor för återbetalning", tuple(blocks))


def _appeal_section(decision: StoredDecision, board: str, citations: Mapping[str, str]) -> Section:
    if decision.under_4_2:
        return Section(
            "Hur man överklagar",
            (
                "Beslut om bistånd utöver vad som följer av rätten till bistånd kan inte överklagas med "
                "förvaltningsbesvär. Varje medlem av kommunen kan i stället begära laglighetsprövning enligt "
                "kommunallagen. Förvaltningsrätten prövar då bara om beslutet har kommit till på ett lagligt sätt, "
                "till exempel om nämnden har gått utöver sina befogenheter eller om beslutet strider mot lag, och "
                "kan bara upphäva beslutet, inte sätta ett nytt i dess ställe.",
                "Skriv till förvaltningsrätten. Ange vilket beslut du överklagar (beslutsdatum "
                f"{decision.decided_on.isoformat()} och beslutsnummer {decision.decision_id[:8]}) och de "
                "omständigheter du stöder dig på. Skrivelsen ska ha kommit in till förvaltningsrätten inom tre "
                "veckor från den dag då det tillkännagavs på kommunens anslagstavla att protokollet där beslutet "
                "finns eller har anmälts har justerats.",
            ),
        )
    law = citations.get("appeal")
    blocks: tuple[Block, ...] = (
        "Om du inte är nöjd med beslutet kan du överklaga det till förvaltningsrätten (förvaltningsbesvär).",
        "Skriv till nämnden och tala om vilket beslut du överklagar (beslutsdatum "
        f"{decision.decided_on.isoformat()} och beslutsnummer {decision.decision_id[:8]}) och hur du vill att "
        "beslutet ska ändras. Skriv gärna varför du tycker att beslutet är fel och skicka med det du vill att "
        "domstolen ska ta hänsyn till. Skriv under skrivelsen och skriv ditt namn, personnummer, adress och "
        "telefonnummer.",
        f"Skicka eller lämna överklagandet till {board}, inte direkt till förvaltningsrätten. Överklagandet måste "
        "ha kommit in till nämnden inom tre veckor från den dag då du fick del av beslutet. Kommer det in för sent "
        "kan det inte prövas.",
        "Nämnden prövar först om beslutet ska ändras. Ändras det inte som du vill skickar nämnden överklagandet "
        "vidare till förvaltningsrätten. Vill du ha hjälp med överklagandet kan du kontakta din handläggare.",
        *((f"Lagrum: {law}.",) if law else ()),
    )
    return Section("Hur man överklagar", blocks)


def _signature_section(decision: StoredDecision, sender: Sender) -> Section:
    delegat = _DELEGAT_WORDS.get(decision.delegat, decision.delegat)
    blocks: list[Block] = [
        f"Beslutet har fattats av {delegat} på delegation från {sender.board}, {sender.municipality}."
    ]
    if sender.contact:
        blocks.append("Kontakt: " + ", ".join(sender.contact) + ".")
    else:
        blocks.append("Har du frågor om beslutet kan du kontakta socialtjänsten i din kommun.")
    if decision.superseded_by:
        blocks.append(f"Observera: beslutet har senare ersatts av beslut {decision.superseded_by[:8]}.")
    return Section("Underskrift", tuple(blocks))
