"""Issue 11, must show 3: decision letters (beslut) an applicant can read, built from the stored calculation.

Figures worked by hand from figures.md (riksnorm 2021, SFS 2020:1013), for sambor Anna and Bo and Cleo (born
2016-06-01, 4–6 years in 2021):
    norm = sambor 5 700 + child 4–6 2 440 + common costs 3 persons 1 420 = 9 560
- March 2021, rent 7 500 applied, no income:        need 9 560 + 7 500 = 17 060; aid 17 060 (bifall).
- April 2021, rent 7 500 applied, 7 000 approved,
  barnbidrag 1 250 received in March (income month): need 9 560 + 7 000 = 16 560; aid 16 560 − 1 250 = 15 310
  (delvis bifall: 500 kr of the rent refused).
- May 2021, rent 7 500, wages 20 000 in April:       need 17 060; counted 20 000; surplus 2 940 (avslag).
- August 2025 (decided 2025-08-05, after the new SoL 2025:400), DERIVED 2025 figures: sambor 7 040 + child 7–10
  (Cleo is 9) 3 770 + common 3 persons 1 770 = 12 580; + rent 7 500 = need 20 080; aid 20 080.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bistand_es.application.bootstrap import bootstrap
from bistand_es.application.config import Settings
from bistand_es.domain.household import Household
from bistand_es.domain.month import Month
from tests.e2e.cli import Bistand

ANNA = "640823-3234"
ANNA_CANONICAL = "19640823-3234"
BO = "701063-2391"
CLEO = "20160601-0005"

ROW = re.compile(r"^  (?P<label>\S.*?)\s{2,}(?P<amount>−?\d{1,3}(?: \d{3})*(?:,\d{2})?) kr$")
ENGLISH = re.compile(
    r"\b(the|and|of|income|rent|granted|refused|decision|warning|parameter|norm_total|applicant)\b", re.IGNORECASE
)


def amount(text: str) -> Decimal:
    number = text.replace("\xa0", " ").removesuffix(" kr").replace(" ", "")
    return Decimal(number.replace("−", "-").replace(",", "."))


def rows(letter: str) -> dict[str, Decimal]:
    """Every amount row of a text letter, label → amount (the last row of a label wins)."""
    found = {}
    for line in letter.splitlines():
        match = ROW.match(line)
        if match:
            found[match["label"]] = amount(match["amount"])
    return found


@pytest.fixture
def cli(tmp_path: Path) -> Bistand:
    return Bistand(tmp_path / "data")


@pytest.fixture
def family(cli: Bistand) -> str:
    h = cli.json("household", "register", "--municipality", "1765", "--applicant", ANNA, "--on", "2020-06-01")
    hid = str(h["household_id"])
    cli.ok("household", "add-member", hid, "--person", BO, "--role", "co_applicant", "--from", "2020-06-01")
    cli.ok("household", "add-member", hid, "--person", CLEO, "--role", "child", "--from", "2020-06-01")
    cli.ok("household", "set-cohabiting", hid, "yes", "--from", "2020-06-01")
    return hid


def decide(cli: Bistand, hid: str, month: str, *args: str) -> str:
    recorded = cli.json("decide", hid, "--month", month, "--yes", *args)
    return str(recorded["id"])


def stored(cli: Bistand, hid: str, decision_id: str) -> dict[str, Any]:
    events = [e for e in cli.json("history", hid) if e["type"] in ("DecisionMade", "DecisionAmended")]
    return next(e["details"] for e in events if e["details"]["decision_id"] == decision_id)


def three_months(cli: Bistand, hid: str) -> tuple[str, str, str]:
    for month in ("2021-03", "2021-04", "2021-05"):
        cli.ok("apply", hid, "--month", month, "--cost", "rent=7500")
    cli.ok(
        "income", "report", hid, "--member", ANNA, "--kind", "child_allowance", "--month", "2021-03", "--amount", "1250"
    )
    cli.ok("income", "report", hid, "--member", ANNA, "--kind", "employment", "--month", "2021-04", "--amount", "20000")
    granted = decide(cli, hid, "2021-03", "--on", "2021-03-01")
    partly = decide(cli, hid, "2021-04", "--on", "2021-04-01", "--approve", "rent=7000")
    refused = decide(cli, hid, "2021-05", "--on", "2021-05-03", "--refuse", "--reason", "Inkomsterna täcker behovet.")
    return granted, partly, refused


def assert_common_parts(letter: str, decided_on: str, reference: str) -> None:
    for heading in ("Din ansökan", "Beslut", "Motivering", "Beräkning", "Hur man överklagar"):
        assert f"\n{heading}\n" in letter, heading
    flat = " ".join(letter.split())
    assert "förvaltningsrätten" in flat and "inom tre veckor från den dag då du fick del av beslutet" in flat
    assert "Skicka eller lämna överklagandet till Socialnämnden, inte direkt till förvaltningsrätten" in flat
    assert f"Datum: {decided_on}" in letter and f"Beslutsnummer: {reference}" in letter
    # Nothing internal: no parameter ids, file names, hashes, English; the only personnummer is the recipient's.
    assert not re.search(r"@\d{4}-\d{2}-\d{2}|riksnorm\.|law\.citations|\.ya?ml|\.md\b|\.py\b", letter)
    assert not ENGLISH.search(letter), ENGLISH.search(letter)
    assert re.findall(r"\d{6,8}-\d{4}", letter) == [ANNA_CANONICAL]
    assert "701063" not in letter and "20160601" not in letter


def assert_amounts_match(letter: str, calculation: dict[str, Any]) -> None:
    found = rows(letter)
    assert found["Summa riksnorm"] == Decimal(calculation["norm_total"])
    assert found["Behov (riksnorm och kostnader)"] == Decimal(calculation["need"])
    assert found["Behov"] == Decimal(calculation["need"])
    assert found["Minus inkomster som räknats"] == -Decimal(calculation["income_counted"])
    if Decimal(calculation["surplus"]) > 0:
        assert found["Överskott (inkomster över behovet)"] == Decimal(calculation["surplus"])
    else:
        assert found["Beräknat bistånd"] == Decimal(calculation["aid"])
    # Every line of the stored calculation appears with its own amount.
    shown = sorted(v for k, v in found.items() if not k.startswith(("Summa", "Behov", "Minus", "Beräknat")))
    for line in calculation["lines"]:
        assert abs(Decimal(line["amount"])) in shown, line


def test_granted_partly_granted_and_refused_letters(cli: Bistand, family: str) -> None:
    granted, partly, refused = three_months(cli, family)

    text = cli.ok("decision", "letter", granted).stdout
    assert_common_parts(text, "2021-03-01", granted[:8])
    calc = stored(cli, family, granted)["calculation"]
    assert (calc["norm_total"], calc["need"], calc["aid"]) == ("9560.00", "17060.00", "17060.00")
    assert_amounts_match(text, calc)
    flat = " ".join(text.split())
    assert "Socialnämnden beviljar dig ekonomiskt bistånd med 17 060 kr för mars 2021." in flat
    assert "Beslutet: bifall." in flat
    assert "Lagrum: SoL (2001:453) 4 kap. 1 §; SoL (2001:453) 4 kap. 3 §." in flat
    assert "Lagrum: SoL (2001:453) 16 kap. 3 §." in flat
    assert rows(text)["Boende (hyra)"] == Decimal("7500")
    assert rows(text)["Personliga kostnader, sambor/makar (du och medsökande)"] == Decimal("5700")
    assert rows(text)["Personliga kostnader, barn 4–6 år (barn född 2016)"] == Decimal("2440")
    assert rows(text)["Gemensamma hushållskostnader, 3 personer"] == Decimal("1420")
    assert "Inkomster som räknats (inkomster under februari 2021): inga." in flat

    text = cli.ok("decision", "letter", partly).stdout
    assert_common_parts(text, "2021-04-01", partly[:8])
    calc = stored(cli, family, partly)["calculation"]
    assert (calc["need"], calc["income_counted"], calc["aid"]) == ("16560.00", "1250.00", "15310.00")
    assert_amounts_match(text, calc)
    flat = " ".join(text.split())
    assert "Socialnämnden beviljar dig ekonomiskt bistånd med 15 310 kr för april 2021." in flat
    assert "Beslutet: delvis bifall." in flat
    assert "avslås i övrigt, det vill säga i fråga om: boende (hyra): 500 kr av sökta 7 500 kr" in flat
    assert "Nämnden bedömer att 7 000 kr är en skälig kostnad" in flat
    assert rows(text)["Barnbidrag (du)"] == Decimal("1250")
    assert rows(text)["Boende (hyra) (du ansökte om 7 500 kr)"] == Decimal("7000")
    assert "Inkomster som räknats (inkomster under mars 2021)" in flat

    text = cli.ok("decision", "letter", refused).stdout
    assert_common_parts(text, "2021-05-03", refused[:8])
    calc = stored(cli, family, refused)["calculation"]
    assert (calc["need"], calc["income_counted"], calc["surplus"]) == ("17060.00", "20000.00", "2940.00")
    assert_amounts_match(text, calc)
    flat = " ".join(text.split())
    assert "Socialnämnden avslår din ansökan om ekonomiskt bistånd för maj 2021." in flat
    assert "Beslutet: avslag." in flat
    assert "Skälen för beslutet: Inkomsterna täcker behovet." in flat
    assert "De inkomster som räknas är 20 000 kr, alltså 2 940 kr mer än behovet." in flat
    assert "beviljar" not in flat


def test_legal_basis_follows_the_decision_date(cli: Bistand, family: str) -> None:
    cli.ok("apply", family, "--month", "2025-08", "--cost", "rent=7500")
    after = decide(cli, family, "2025-08", "--on", "2025-08-05")
    text = cli.ok("decision", "letter", after).stdout
    assert_common_parts(text, "2025-08-05", after[:8])
    calc = stored(cli, family, after)["calculation"]
    assert (calc["norm_total"], calc["need"], calc["aid"]) == ("12580.00", "20080.00", "20080.00")
    assert_amounts_match(text, calc)
    flat = " ".join(text.split())
    assert "Lagrum: SoL (2025:400) 12 kap. 1 §; SoL (2025:400) 12 kap. 7 §." in flat
    assert "Lagrum: SoL (2025:400), motsvarande 16 kap. 3 § SoL (2001:453)." in flat
    assert "2001:453) 4 kap. 1 §" not in flat


def test_conditions_and_4_2_aid_get_their_wording_and_laglighetsprovning(cli: Bistand, family: str) -> None:
    cli.ok("apply", family, "--month", "2021-03", "--cost", "rent=7500")
    cli.ok("apply", family, "--month", "2021-04", "--cost", "rent=7500")
    advance = decide(cli, family, "2021-03", "--on", "2021-03-01", "--condition", "advance_on_benefit")
    beyond = decide(cli, family, "2021-04", "--on", "2021-04-01", "--condition", "repayment_condition")

    flat = " ".join(cli.ok("decision", "letter", advance).stdout.split())
    assert "Villkor för återbetalning" in flat and "Förskott på förmån" in flat
    assert "Du får veta grunden nu, när biståndet beviljas" in flat
    assert "Lagrum: SoL (2001:453) 9 kap. 2 §." in flat
    assert "förvaltningsbesvär" in flat  # a 4:1 decision with a condition is still appealed as usual

    flat = " ".join(cli.ok("decision", "letter", beyond).stdout.split())
    assert "Villkor om återbetalning" in flat
    assert "Lagrum: SoL (2001:453) 4 kap. 2 §; SoL (2001:453) 4 kap. 1 §" in flat
    assert "laglighetsprövning enligt kommunallagen" in flat
    assert "inom tre veckor från den dag då det tillkännagavs på kommunens anslagstavla" in flat
    assert "Skicka eller lämna överklagandet till Socialnämnden" not in flat


def test_html_letter_is_well_formed_and_written_to_a_file(cli: Bistand, family: str, tmp_path: Path) -> None:
    _granted, partly, _refused = three_months(cli, family)
    target = tmp_path / "beslut.html"
    result = cli.ok("decision", "letter", partly[:10], "--format", "html", "--output", str(target))
    assert result.stdout == ""
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>\n")
    root = ET.fromstring(html.split("\n", 1)[1])  # raises on any unclosed or mismatched tag
    assert root.tag == "html" and root.get("lang") == "sv"
    assert root.find(".//script") is None
    headings = [h.text for h in root.iter("h2")]
    assert headings[:5] == ["Din ansökan", "Beslut", "Motivering", "Beräkning", "Hur man överklagar"]
    cells = {}
    for row in root.iter("tr"):
        label, value = row.find("th"), row.find("td")
        assert label is not None and value is not None
        cells["".join(label.itertext()).strip()] = amount(value.text or "")
    assert cells["Beräknat bistånd"] == Decimal("15310")
    assert cells["Summa riksnorm"] == Decimal("9560")
    text = "".join(root.itertext())
    assert re.findall(r"\d{6,8}-\d{4}", text) == [ANNA_CANONICAL]


def test_municipality_file_names_the_sender(cli: Bistand, family: str) -> None:
    cli.home.mkdir(parents=True, exist_ok=True)
    (cli.home / "municipality.yaml").write_text(
        'kommunkod: "1765"\nname: Exempel kommun\nboard: Individ- och familjenämnden\n'
        'contact:\n  - "Socialkontoret, Exempelgatan 1"\n',
        encoding="utf-8",
    )
    cli.ok("apply", family, "--month", "2021-03", "--cost", "rent=7500")
    decision = decide(cli, family, "2021-03", "--on", "2021-03-01")
    text = cli.ok("decision", "letter", decision).stdout
    assert text.startswith("Exempel kommun\nIndivid- och familjenämnden\n")
    flat = " ".join(text.split())
    assert "Individ- och familjenämnden beviljar dig" in flat
    assert "Kontakt: Socialkontoret, Exempelgatan 1." in flat


def test_unknown_and_ambiguous_decision_ids_are_one_line_errors(cli: Bistand, family: str) -> None:
    cli.ok("apply", family, "--month", "2021-03", "--cost", "rent=7500")
    decision = decide(cli, family, "2021-03", "--on", "2021-03-01")

    for text, code in (("ffffffff", 3), ("0123", 3), ("not-an-id!", 3)):
        result = cli.run("decision", "letter", text)
        assert result.exit_code == code, (text, result.output)
        assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
        assert result.stdout == ""

    # A second decision whose id shares the first 8 characters (a synthetic history on the real store).
    app = bootstrap(Settings.from_env({"BISTAND_HOME": str(cli.home), "BISTAND_DATABASE_URL": ""}))
    original = next(e for e in app.iter_events(topics=(Household.DecisionMade.TOPIC,)) if e.decision_id == decision)
    fields = {k: v for k, v in vars(original).items() if k not in ("originator_id", "originator_version", "timestamp")}
    fields.update(decision_id=decision[:8] + "-0000-4000-8000-000000000000", month=Month.parse("2021-09"))
    app.change_household(original.originator_id, lambda h: h.trigger_event(Household.DecisionMade, **fields))

    result = cli.run("decision", "letter", decision[:8])
    assert result.exit_code == 2, result.output
    assert "ambiguous" in result.stderr and result.stderr.count("\n") == 1
    assert cli.run("decision", "letter", decision).exit_code == 0  # the whole id is never ambiguous
    assert cli.run("decision", "letter", decision, "--format", "pdf").exit_code == 2


def test_show_and_the_decide_printout_use_the_same_plain_language(cli: Bistand, family: str) -> None:
    cli.ok("apply", family, "--month", "2021-03", "--cost", "rent=7500")
    draft = cli.ok("decide", family, "--month", "2021-03", "--on", "2021-03-01", "--dry-run").stdout
    assert "Summa riksnorm" in draft and "9 560 kr" in draft and "Beräknat bistånd" in draft
    assert "parameter" not in draft and "norm_total" not in draft
    decision = decide(cli, family, "2021-03", "--on", "2021-03-01")
    shown = cli.ok("decision", "show", decision).stdout
    assert "Socialnämnden beviljar dig ekonomiskt bistånd med 17 060 kr för mars 2021." in " ".join(shown.split())
    data = cli.json("decision", "show", decision[:8])
    assert (data["decision_id"], data["aid"], data["month"]) == (decision, "17060.00", "2021-03")
