from pathlib import Path

import pytest

from bistand_es.domain.errors import ConfigurationError
from bistand_es.projections.errors import UnknownCode
from bistand_es.projections.statistics import closure_reasons, obstacle_codes


def test_the_vendor_list_of_forsorjningshinder_has_23_labels() -> None:
    codes = obstacle_codes()
    assert len(codes.codes) == 23
    assert codes.label("6") == "Arbetslös – ingen ersättning/stöd"
    assert codes.label("23") == "Utan försörjningshinder"
    with pytest.raises(UnknownCode, match="'24' is not in the list"):
        codes.label("24")


def test_no_avslutsorsaker_ship_and_a_loaded_list_is_enforced(tmp_path: Path) -> None:
    assert closure_reasons(tmp_path) is None
    (tmp_path / "avslutsorsaker.yaml").write_text(
        'source: "kommunens lista"\ncodes:\n  "01": "Arbetsinkomst"\n  "02": "Flyttat"\n', encoding="utf-8"
    )
    reasons = closure_reasons(tmp_path)
    assert reasons is not None
    assert reasons.label("02") == "Flyttat"
    with pytest.raises(UnknownCode, match="avslutsorsak: '99'"):
        reasons.label("99")


def test_a_malformed_list_is_a_configuration_error(tmp_path: Path) -> None:
    (tmp_path / "avslutsorsaker.yaml").write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="codes"):
        closure_reasons(tmp_path)
