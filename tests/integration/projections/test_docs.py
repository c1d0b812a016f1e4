"""Must-show 4: docs/reporting.md documents every table and view, and its example queries run as shown."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from bistand_es.application.config import Settings
from bistand_es.cli.output import render_rows
from bistand_es.projections.projector import catch_up
from bistand_es.projections.reports import run_query
from bistand_es.projections.schema import TABLES, VIEWS

from .recovery_scenario import recovery_sample
from .reimbursement_scenario import reimbursement_sample
from .scenario import memory_app, sample

DOC = Path(__file__).resolve().parents[3] / "docs" / "reporting.md"
EXAMPLE = re.compile(r"```sql\n(.*?)```\s*```text\n(.*?)```", re.S)


@pytest.fixture(scope="module")
def projected(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    app = memory_app()
    sample(app)
    recovery_sample(app)
    reimbursement_sample(app)
    settings = Settings(home=tmp_path_factory.mktemp("docs"))
    catch_up(app, settings)
    return settings


def sections() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    found: dict[str, str] = {}
    for part in re.split(r"^### ", text, flags=re.M)[1:]:
        heading, _, body = part.partition("\n")
        for name in re.findall(r"`([a-z_]+)`", heading):
            found[name] = heading + "\n" + body
    return found


def test_every_relation_and_column_is_documented(projected: Settings) -> None:
    documented = sections()
    con = duckdb.connect(str(projected.reports_path), read_only=True)
    try:
        for relation in (*TABLES, *VIEWS):
            assert relation in documented, f"docs/reporting.md has no section for {relation}"
            columns = [
                row[0]
                for row in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                    [relation],
                ).fetchall()
            ]
            missing = [c for c in columns if f"`{c}`" not in documented[relation]]
            assert not missing, f"{relation}: columns not documented: {missing}"
    finally:
        con.close()


def test_the_example_queries_give_the_results_shown(projected: Settings) -> None:
    examples = EXAMPLE.findall(DOC.read_text(encoding="utf-8"))
    assert len(examples) >= 5
    con = duckdb.connect(str(projected.reports_path), read_only=True)
    try:
        for sql, expected in examples:
            result = run_query(con, sql)
            assert render_rows(result.rows, "csv", result.columns) == expected.strip(), sql
    finally:
        con.close()
