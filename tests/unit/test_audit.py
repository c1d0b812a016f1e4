from bistand_es.application.audit import check_consistency


def calc(**overrides: object) -> dict:
    base = {
        "norm_total": "4180.00", "costs_total": "5000.00", "need": "9180.00", "income_counted": "1000.00",
        "income_disregarded": "0.00", "aid": "8180.00", "surplus": "0.00",
        "lines": [
            {"kind": "norm.personal", "member": "a", "amount": "3160.00"},
            {"kind": "norm.common", "member": None, "amount": "1020.00"},
            {"kind": "cost.rent", "member": None, "amount": "5000.00"},
            {"kind": "income.counted", "member": "a", "amount": "1000.00"},
        ],
    }
    base.update(overrides)
    return base


def test_a_consistent_calculation_has_no_problems() -> None:
    assert check_consistency(calc()) == []


def test_lines_that_do_not_add_up_are_named() -> None:
    problems = check_consistency(calc(norm_total="4200.00", need="9200.00", aid="8200.00"))
    assert problems == ["norm_total 4200.00 but its lines add up to 4180.00"]


def test_aid_must_follow_from_need_and_income() -> None:
    assert check_consistency(calc(aid="9180.00")) == ["aid 9180.00 should be 8180.00"]


def test_surplus_when_income_exceeds_need() -> None:
    lines = [*calc()["lines"][:3], {"kind": "income.counted", "member": "a", "amount": "10000.00"}]
    ok = calc(income_counted="10000.00", aid="0.00", surplus="820.00", lines=lines)
    assert check_consistency(ok) == []
