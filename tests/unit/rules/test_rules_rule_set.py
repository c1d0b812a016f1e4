"""Rule sets: the package parameters, override directories, lookups and the content hash."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bistand_es.domain.errors import InvalidInput, ParameterFileError, ParameterNotInForce
from bistand_es.domain.money import Money
from bistand_es.domain.rules.errors import UnknownParameter
from bistand_es.domain.rules.model import Confidence
from bistand_es.domain.rules.rule_set import PACKAGE_DIR, RuleSet, load_rule_set

SAMBOR_2018 = """
id: riksnorm.personal.sambor
type: money
description: Official 2018 figure loaded by a municipality (test value)
values:
  "2018-01-01":
    value: 5500
    source: {title: "Test figure", reference: "SFS test"}
    confidence: HIGH
"""


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rule_set(None)


def test_lookup_returns_value_version_source_and_file(rules: RuleSet) -> None:
    value = rules.lookup("riksnorm.personal.sambor", date(2021, 3, 1))
    assert value.money() == Money.of("5700")
    assert value.ref == "riksnorm.personal.sambor@2021-01-01"
    assert value.source.reference == "SFS 2020:1013"
    assert value.confidence is Confidence.HIGH
    assert value.file == str(PACKAGE_DIR / "riksnorm" / "riksnorm.personal.sambor.yaml")


def test_the_value_of_the_last_day_before_a_new_date_is_the_old_one(rules: RuleSet) -> None:
    assert rules.lookup("riksnorm.personal.ensamstaende", date(2020, 12, 31)).money() == Money.of("3150")
    assert rules.lookup("riksnorm.personal.ensamstaende", date(2021, 1, 1)).money() == Money.of("3160")
    assert rules.lookup("child_wage.limit_pbb", date(2013, 6, 30)).decimal() == 0.5
    assert rules.lookup("child_wage.limit_pbb", date(2013, 7, 1)).decimal() == 1


def test_2018_is_a_gap_that_names_parameter_date_and_file(rules: RuleSet) -> None:
    with pytest.raises(ParameterNotInForce) as caught:
        rules.lookup("riksnorm.personal.sambor", date(2018, 3, 1))
    message = str(caught.value)
    assert message.startswith("no riksnorm.personal.sambor in force for 2018-03-01")
    assert "riksnorm.personal.sambor.yaml" in message
    assert isinstance(caught.value, InvalidInput)


def test_before_the_first_date_nothing_is_in_force(rules: RuleSet) -> None:
    with pytest.raises(ParameterNotInForce, match=r"no riksnorm.common in force for 2010-03-01: the first value"):
        rules.lookup("riksnorm.common", date(2010, 3, 1))
    assert rules.lookup_optional("jobbstimulans.rate", date(2013, 6, 30)) is None


def test_an_unknown_parameter_is_named(rules: RuleSet) -> None:
    with pytest.raises(UnknownParameter, match=r"unknown parameter 'riksnorm.nope'"):
        rules.lookup("riksnorm.nope", date(2021, 1, 1))


def test_every_year_2013_to_2026_has_a_riksnorm_except_2018(rules: RuleSet) -> None:
    for year in range(2013, 2027):
        day = date(year, 6, 1)
        for pid in (
            "riksnorm.personal.ensamstaende",
            "riksnorm.personal.sambor",
            "riksnorm.common",
            "riksnorm.personal.children",
            "prisbasbelopp",
        ):
            if year == 2018 and pid != "prisbasbelopp":
                assert rules.lookup_optional(pid, day) is None
            else:
                assert rules.lookup(pid, day).effective == f"{year}-01-01"


def test_confidence_marks_follow_figures_md(rules: RuleSet) -> None:
    def mark(pid: str, year: int) -> str:
        return rules.lookup(pid, date(year, 1, 1)).confidence.value

    assert mark("riksnorm.personal.children", 2020) == "LOW"
    assert mark("riksnorm.personal.ensamstaende", 2020) == "MEDIUM"
    assert mark("riksnorm.personal.sambor", 2021) == "HIGH"
    assert mark("riksnorm.common", 2016) == "DERIVED"
    for year in (2024, 2025, 2026):
        assert mark("riksnorm.personal.children", year) == "DERIVED"
    assert mark("prisbasbelopp", 2013) == "MEDIUM"
    assert mark("prisbasbelopp", 2021) == "HIGH"


def test_the_2026_derived_figures_reproduce_the_official_totals(rules: RuleSet) -> None:
    day = date(2026, 1, 1)
    common = rules.lookup("riksnorm.common", day)
    single = rules.lookup("riksnorm.personal.ensamstaende", day).money() + common.money_at("persons_1")
    couple = rules.lookup("riksnorm.personal.sambor", day).money() + common.money_at("persons_2")
    assert (single, couple) == (Money.of("5220"), Money.of("8510"))


@pytest.mark.parametrize("year", [2022, 2023])
def test_the_riksnorm_items_add_up_to_the_totals(rules: RuleSet, year: int) -> None:
    day = date(year, 1, 1)
    personal = ["livsmedel", "klader_och_skor", "fritid_och_lek", "halsa_och_hygien"]
    children = rules.lookup("riksnorm.personal.children", day)
    for band in ("age_0", "age_1_2", "age_3", "age_4_6", "age_7_10", "age_11_14", "age_15_18", "age_19_20"):
        total = Money.zero()
        for item in [*personal, "barn_och_ungdomsforsakring"]:
            total += rules.lookup(f"riksnorm.items.{item}", day).money_at(band)
        assert total == children.money_at(band), band
    for key, pid in (("ensamstaende", "riksnorm.personal.ensamstaende"), ("sambor", "riksnorm.personal.sambor")):
        total = Money.zero()
        for item in personal:
            total += rules.lookup(f"riksnorm.items.{item}", day).money_at(key)
        assert total == rules.lookup(pid, day).money()
    common = rules.lookup("riksnorm.common", day)
    for persons in range(1, 8):
        key = f"persons_{persons}"
        total = rules.lookup("riksnorm.items.forbrukningsvaror", day).money_at(key) + rules.lookup(
            "riksnorm.items.dagstidning_och_telefon", day
        ).money_at(key)
        assert total == common.money_at(key)


def test_the_citation_table_changes_with_the_law_on_2025_07_01(rules: RuleSet) -> None:
    old = rules.lookup("law.citations", date(2025, 6, 30))
    new = rules.lookup("law.citations", date(2025, 7, 1))
    assert old.text_at("norm") == "SoL (2001:453) 4 kap. 3 §"
    assert new.text_at("norm") == "SoL (2025:400) 12 kap. 7 §"
    assert new.text_at("jobbstimulans") == "SoL (2025:400), motsvarande 4 kap. 1 b § SoL (2001:453)"


def test_an_override_fills_the_2018_gap_and_reports_its_file(tmp_path: Path) -> None:
    override = tmp_path / "parameters"
    override.mkdir()
    (override / "riksnorm.personal.sambor.yaml").write_text(SAMBOR_2018, encoding="utf-8")
    rules = load_rule_set(override)
    value = rules.lookup("riksnorm.personal.sambor", date(2018, 3, 1))
    assert value.money() == Money.of("5500")
    assert value.file == str(override / "riksnorm.personal.sambor.yaml")
    # the package values of other years are kept, with their own file
    assert rules.lookup("riksnorm.personal.sambor", date(2021, 3, 1)).file.startswith(str(PACKAGE_DIR))
    assert rules.parameter("riksnorm.personal.sambor").files[1] == str(override / "riksnorm.personal.sambor.yaml")


def test_an_override_replaces_a_value_of_the_same_date(tmp_path: Path) -> None:
    (tmp_path / "sambor.yaml").write_text(SAMBOR_2018.replace("2018-01-01", "2026-01-01"), encoding="utf-8")
    rules = load_rule_set(tmp_path)
    assert rules.lookup("riksnorm.personal.sambor", date(2026, 5, 1)).money() == Money.of("5500")


def test_an_override_may_add_a_new_parameter_such_as_a_profile(tmp_path: Path) -> None:
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "gotland.yaml").write_text(
        'id: profile.gotland\ntype: profile\ndescription: test\nvalues:\n  "2020-01-01":\n'
        "    value: {income_month_offset: 0}\n    source: {title: T, reference: R}\n    confidence: MEDIUM\n",
        encoding="utf-8",
    )
    rules = load_rule_set(tmp_path)
    assert rules.lookup("profile.gotland", date(2021, 1, 1)).settings() == {"income_month_offset": 0}


def test_an_override_must_keep_the_type(tmp_path: Path) -> None:
    (tmp_path / "riksnorm.common.yaml").write_text(SAMBOR_2018.replace("riksnorm.personal.sambor", "riksnorm.common"))
    with pytest.raises(ParameterFileError, match=r"riksnorm.common.yaml: type: 'money' differs from 'money_table'"):
        load_rule_set(tmp_path)


def test_an_override_table_must_have_the_same_keys(tmp_path: Path) -> None:
    (tmp_path / "riksnorm.common.yaml").write_text(
        'id: riksnorm.common\ntype: money_table\ndescription: d\nvalues:\n  "2018-01-01":\n'
        "    value: {persons_1: 1000}\n    source: {title: T, reference: R}\n    confidence: HIGH\n",
        encoding="utf-8",
    )
    with pytest.raises(ParameterFileError, match=r"values.2018-01-01.value: keys \['persons_1'\] differ"):
        load_rule_set(tmp_path)


def test_the_same_id_twice_in_an_override_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "sambor.yaml").write_text(SAMBOR_2018)
    (tmp_path / "b" / "sambor.yaml").write_text(SAMBOR_2018)
    with pytest.raises(ParameterFileError, match="is defined twice"):
        load_rule_set(tmp_path)


def test_a_missing_override_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ParameterFileError, match="not a directory"):
        load_rule_set(tmp_path / "nope")


def test_the_hash_is_stable_and_changes_when_a_value_changes(tmp_path: Path) -> None:
    base = load_rule_set(None)
    assert base.hash == load_rule_set(None).hash
    assert len(base.hash) == 64
    empty = tmp_path / "empty"
    empty.mkdir()
    assert load_rule_set(empty).hash == base.hash
    changed = tmp_path / "changed"
    changed.mkdir()
    (changed / "sambor.yaml").write_text(SAMBOR_2018)
    first = load_rule_set(changed).hash
    assert first != base.hash
    (changed / "sambor.yaml").write_text(SAMBOR_2018.replace("5500", "5501"))
    assert load_rule_set(changed).hash not in (first, base.hash)
    (changed / "sambor.yaml").write_text(SAMBOR_2018.replace("HIGH", "MEDIUM"))
    assert load_rule_set(changed).hash not in (first, base.hash)


def test_the_hash_does_not_depend_on_how_a_number_is_written(tmp_path: Path) -> None:
    one = tmp_path / "one"
    two = tmp_path / "two"
    one.mkdir()
    two.mkdir()
    (one / "sambor.yaml").write_text(SAMBOR_2018)
    (two / "sambor.yaml").write_text(SAMBOR_2018.replace("value: 5500", 'value: "5500.00"'))
    assert load_rule_set(one).hash == load_rule_set(two).hash
