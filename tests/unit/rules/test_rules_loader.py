"""The strict parameter loader: each failure mode has its own bad fixture file."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from bistand_es.domain.errors import ParameterFileError
from bistand_es.domain.money import Money
from bistand_es.domain.rules.loader import load_parameter_file
from bistand_es.domain.rules.model import Confidence, ValueType

BAD = Path(__file__).resolve().parents[2] / "fixtures" / "parameters_bad"

# file -> text the error message must contain (besides the file name)
CASES = {
    "bad_date.yaml": "'2021-13-01' is not a calendar date",
    "bad_date_format.yaml": "'2021-1-1' is not a date written as \"YYYY-MM-DD\"",
    "duplicate_key.yaml": "duplicate key '2021-01-01'",
    "missing_source.yaml": "values.2021-01-01: missing field 'source'",
    "source_without_reference.yaml": "values.2021-01-01.source: missing field 'reference'",
    "bad_confidence.yaml": "values.2021-01-01.confidence: 'VERY_HIGH' is not one of HIGH, MEDIUM, LOW, DERIVED",
    "non_decimal.yaml": "values.2021-01-01.value: 'about 100' is not a decimal number",
    "float_value.yaml": "values.2021-01-01.value: 1.5 is a YAML float",
    "unquoted_float_money.yaml": "values.2021-01-01.value: 3160.5 is a YAML float",
    "too_many_decimals.yaml": "values.2021-01-01.value: '100.123' has more than two decimals",
    "unsorted_dates.yaml": "'2021-01-01' comes after '2022-01-01'",
    "unknown_field.yaml": "values.2021-01-01: unknown field 'comment'",
    "unknown_top_field.yaml": "unknown field 'valid_from'",
    "id_mismatch.yaml": "id: 'fixture.something_else' does not match the file name 'id_mismatch'",
    "bad_type.yaml": "type: 'percent' is not one of money",
    "table_number_key.yaml": "values.2021-01-01.value: key 3 must be text",
    "missing_value.yaml": "values.2021-01-01: missing field 'value'",
    "not_a_mapping.yaml": "a parameter file must be a mapping",
    "invalid_yaml.yaml": "not valid YAML (line",
    "boolean_value.yaml": "values.2021-01-01.value: True is not a whole number",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_parameter_file_is_refused_naming_file_key_and_value(name: str) -> None:
    with pytest.raises(ParameterFileError) as caught:
        load_parameter_file(BAD / name)
    message = str(caught.value)
    assert name in message
    assert CASES[name] in message
    assert "\n" not in message


def test_every_bad_fixture_has_a_test() -> None:
    assert sorted(p.name for p in BAD.glob("*.yaml")) == sorted(CASES)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_keeps_dates_as_text_and_money_as_decimal(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "x.rate.yaml",
        """
id: x.rate
type: money
description: good
unit: kr
values:
  2021-01-01:            # unquoted: still read as text, not a YAML date
    value: "3160.50"
    source: {title: T, reference: R, address: "https://example.invalid/"}
    confidence: DERIVED
    published: "2020-12-01"
    note: a note
  "2022-01-01": null
""",
    )
    parsed = load_parameter_file(path)
    assert parsed.param_id == "x.rate"
    assert parsed.value_type is ValueType.MONEY
    first, gap = parsed.entries
    assert first.effective == "2021-01-01"
    assert first.value == Money.of("3160.50")
    assert first.confidence is Confidence.DERIVED
    assert first.source is not None and first.source.address == "https://example.invalid/"
    assert gap.value is None


def test_decimal_values_are_exact(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "rate.yaml",
        'id: x.rate\ntype: decimal\ndescription: d\nvalues:\n  "2021-01-01":\n    value: "0.25"\n'
        "    source: {title: T, reference: R}\n    confidence: HIGH\n",
    )
    assert load_parameter_file(path).entries[0].value == Decimal("0.25")


def test_a_bad_published_date_is_refused(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "x.yaml",
        'id: x\ntype: integer\ndescription: d\nvalues:\n  "2021-01-01":\n    value: 6\n'
        '    source: {title: T, reference: R}\n    confidence: HIGH\n    published: "2021-02-30"\n',
    )
    with pytest.raises(ParameterFileError, match=r"values.2021-01-01.published: '2021-02-30' is not a calendar date"):
        load_parameter_file(path)


def test_a_file_that_cannot_be_read_is_named(tmp_path: Path) -> None:
    with pytest.raises(ParameterFileError, match=r"missing.yaml: no such file"):
        load_parameter_file(tmp_path / "missing.yaml")


# --- the one safe YAML loader: bounded before anything is built (docs/adr/0014-input-limits.md) -----------


def test_aliases_are_refused() -> None:
    from bistand_es.domain.rules.loader import safe_load

    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b]\n"
    with pytest.raises(ParameterFileError, match=r"bomb.yaml: YAML aliases \(\*a\) are not allowed \(line 2\)"):
        safe_load(bomb, "bomb.yaml")


def test_an_anchor_without_alias_is_harmless() -> None:
    from bistand_es.domain.rules.loader import safe_load

    assert safe_load("a: &x 1\n", "f.yaml") == {"a": 1}


def test_too_many_values_are_refused() -> None:
    from bistand_es.domain.rules.loader import MAX_NODES, safe_load

    with pytest.raises(ParameterFileError, match=f"more than {MAX_NODES} values"):
        safe_load("- 1\n" * (MAX_NODES + 1), "long.yaml")


def test_deep_nesting_is_refused() -> None:
    from bistand_es.domain.rules.loader import MAX_DEPTH, safe_load

    assert safe_load("[" * MAX_DEPTH + "]" * MAX_DEPTH, "ok.yaml") is not None
    with pytest.raises(ParameterFileError, match="nest"):
        safe_load("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "deep.yaml")
    with pytest.raises(ParameterFileError, match=r"deeper\.yaml"):
        safe_load("[" * 200_000, "deeper.yaml")


def test_size_is_checked_before_reading(tmp_path: Path) -> None:
    from bistand_es.domain.rules.loader import MAX_DOCUMENT_BYTES, read_document

    big = tmp_path / "big.yaml"
    with big.open("wb") as stream:
        stream.truncate(MAX_DOCUMENT_BYTES + 1)  # sparse: refused by its size
    with pytest.raises(ParameterFileError, match="larger than 1 MB"):
        read_document(big)
    with pytest.raises(ParameterFileError, match="larger than 1 MB"):
        from bistand_es.domain.rules.loader import safe_load

        safe_load("x" * (MAX_DOCUMENT_BYTES + 1), "text.yaml")


def test_non_utf8_file_is_named(tmp_path: Path) -> None:
    from bistand_es.domain.rules.loader import read_document

    latin = tmp_path / "latin.yaml"
    latin.write_bytes("description: Förhöjt\n".encode("latin-1"))
    with pytest.raises(ParameterFileError, match=r"latin.yaml: not UTF-8 text \(byte 15\)"):
        # "description: F" is 14 bytes; the 15th is ö in Latin-1 (0xf6), which is not UTF-8
        read_document(latin)


def test_situations_use_the_same_loader() -> None:
    from bistand_es.domain.rules.errors import InvalidSituation
    from bistand_es.domain.rules.input import parse_document

    with pytest.raises(InvalidSituation, match="aliases"):
        parse_document("a: &a [1]\nb: *a\n", "situation.yaml")
    with pytest.raises(InvalidSituation, match="nested too deeply"):
        parse_document('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", "situation.json")
