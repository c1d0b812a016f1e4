"""Socialstyrelsen's monthly statistics (HSLF-FS 2015:30): code lists and the per-person export.

- **Försörjningshinder**: the vendor list of statistics.md ships as data (``data/forsorjningshinder.yaml``,
  MEDIUM: labels with a vendor's numbering, not official codes).
- **Avslutsorsaker**: none ship (not found in any source). A municipality puts its own list in
  ``BISTAND_HOME/avslutsorsaker.yaml``::

      source: "Socialstyrelsen, filspecifikation 2024 (bilaga 2)"   # optional, free text
      codes:
        "01": "Label of code 01"
        "02": "Label of code 02"

  When the file exists, closing a case with a code not in it is an error; without it any code is accepted.
- The export (:data:`STATISTICS_SQL`) is derived only from events (never from today's date): the same month gives
  the same rows whenever it is run on the same events.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Final

from bistand_es.domain.errors import ConfigurationError
from bistand_es.projections.errors import UnknownCode

AVSLUTSORSAKER_FILE: Final = "avslutsorsaker.yaml"


@dataclass(frozen=True)
class CodeList:
    name: str
    codes: dict[str, str]
    source: str

    def label(self, code: str) -> str:
        code = code.strip()
        if code not in self.codes:
            shown = ", ".join(sorted(self.codes, key=_code_order))
            raise UnknownCode(f"{self.name}: {code!r} is not in the list ({self.source}); known codes: {shown}")
        return self.codes[code]


def _code_order(code: str) -> tuple[int, str]:
    return (int(code), code) if code.isdigit() else (10**9, code)


def _parse(text: str, name: str, origin: str) -> CodeList:
    import yaml

    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigurationError(f"{origin}: not valid YAML ({error})") from None
    if not isinstance(data, dict) or not isinstance(data.get("codes"), dict) or not data["codes"]:
        raise ConfigurationError(f"{origin}: expected a mapping with `codes:` of code → label")
    codes = {str(code).strip(): str(label).strip() for code, label in data["codes"].items()}
    return CodeList(name, codes, str(data.get("source") or origin))


def obstacle_codes() -> CodeList:
    """The shipped försörjningshinder list (MEDIUM; labels, not official codes)."""
    text = resources.files("bistand_es.projections").joinpath("data/forsorjningshinder.yaml").read_text("utf-8")
    return _parse(text, "försörjningshinder", "the vendor list shipped with bistand (MEDIUM)")


def closure_reasons(home: Path) -> CodeList | None:
    """The municipality's avslutsorsaker from ``BISTAND_HOME/avslutsorsaker.yaml``, or None if not loaded."""
    path = Path(home) / AVSLUTSORSAKER_FILE
    if not path.exists():
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigurationError(f"cannot read {path}: {error.strerror}") from None
    return _parse(text, "avslutsorsak", str(path))


STATISTICS_COLUMNS: Final = (
    "month",
    "person_id",
    "household_id",
    "municipality",
    "role",
    "aid_granted",
    "forsorjningsstod",
    "livsforing_ovrigt",
    "aid_paid",
    "forsorjningshinder_code",
    "forsorjningshinder_label",
    "case_ended_on",
    "avslutsorsak_code",
    "avslutsorsak_label",
)

#: One row per person in a household that got aid for the month (decision with aid > 0 or a payment for the
#: month concerned) or whose case ended in the month. Amounts are per household, as the decision states them:
#: ``forsorjningsstod`` and ``livsforing_ovrigt`` are the calculation's own parts (``subsistence_aid`` and
#: ``other_aid`` of the ``decisions`` view), never worked out again here.
STATISTICS_SQL: Final = """
WITH span AS (
    SELECT CAST($month || '-01' AS DATE) AS first_day, last_day(CAST($month || '-01' AS DATE)) AS last_day
),
decided AS (SELECT * FROM decisions WHERE month = $month),
paid AS (
    SELECT household_id, sum(amount) AS paid FROM payments
    WHERE month_concerned = $month AND NOT cancelled GROUP BY household_id
),
ended AS (
    SELECT c.* FROM case_closures c, span WHERE c.closed_on BETWEEN span.first_day AND span.last_day
),
chosen AS (
    SELECT household_id FROM decided WHERE aid > 0
    UNION SELECT household_id FROM paid
    UNION SELECT household_id FROM ended
),
people AS (
    SELECT m.household_id, m.person, m.role FROM members m, span
    WHERE m.household_id IN (SELECT household_id FROM chosen)
      AND m.valid_from <= span.last_day AND (m.valid_to IS NULL OR m.valid_to > span.first_day)
    QUALIFY row_number() OVER (PARTITION BY m.household_id, m.person ORDER BY m.added_position DESC) = 1
),
amounts AS (
    SELECT household_id, aid, subsistence_aid, other_aid FROM decided
)
SELECT $month AS month, p.person AS person_id, p.household_id, h.municipality, p.role,
    coalesce(a.aid, 0)::DECIMAL(18,2) AS aid_granted,
    coalesce(a.subsistence_aid, 0)::DECIMAL(18,2) AS forsorjningsstod,
    coalesce(a.other_aid, 0)::DECIMAL(18,2) AS livsforing_ovrigt,
    coalesce(pd.paid, 0)::DECIMAL(18,2) AS aid_paid,
    CASE WHEN p.role <> 'child' THEN o.code END AS forsorjningshinder_code,
    CASE WHEN p.role <> 'child' THEN o.label END AS forsorjningshinder_label,
    e.closed_on AS case_ended_on, e.reason_code AS avslutsorsak_code, e.reason_label AS avslutsorsak_label
FROM people p
JOIN households h USING (household_id)
LEFT JOIN amounts a USING (household_id)
LEFT JOIN paid pd USING (household_id)
LEFT JOIN support_obstacles o ON o.household_id = p.household_id AND o.person = p.person AND o.month = $month
LEFT JOIN ended e ON e.household_id = p.household_id
ORDER BY h.municipality, p.household_id, p.person
"""


def statistics_parameters(month: str) -> dict[str, Any]:
    return {"month": month}
