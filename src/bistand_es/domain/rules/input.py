"""Reading a situation document (JSON or YAML text) into plain data; errors name the input."""

from __future__ import annotations

import json
from typing import Any

from bistand_es.domain.rules.errors import InvalidSituation
from bistand_es.domain.rules.loader import safe_load


def parse_document(text: str, name: str) -> object:
    """JSON when the text starts with ``{`` (or the name ends in .json), otherwise YAML (safe, strict).

    Duplicate keys are refused in both; YAML dates are kept as text and validated by the situation model.
    """
    stripped = text.lstrip()
    if not stripped:
        raise InvalidSituation(f"{name}: empty input; expected a situation (JSON or YAML)")
    if name.endswith(".json") or stripped.startswith("{"):
        try:
            return json.loads(text, parse_float=_keep_float, object_pairs_hook=_no_duplicates)
        except json.JSONDecodeError as error:
            raise InvalidSituation(
                f"{name}: not valid JSON (line {error.lineno}, column {error.colno}): {error.msg}"
            ) from None
        except RecursionError:
            raise InvalidSituation(f"{name}: nested too deeply; refused") from None
    return safe_load(text, name, error=InvalidSituation)


def _keep_float(text: str) -> float:  # float-ok: kept only so that Money refuses it
    # A JSON number with decimals stays a float so that Money refuses it with a clear message.
    return float(text)  # float-ok: refused downstream with a clear message


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise InvalidSituation(f"SITUATION_FILE: duplicate key {key!r}")
        result[key] = value
    return result
