"""`bistand --help` must not import the heavy read-side libraries (docs/adr/0006-fast-start.md)."""

from __future__ import annotations

import subprocess
import sys


def test_help_imports_no_duckdb_pyarrow_or_psycopg() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from bistand_es.cli.main import cli\n"
        "result = CliRunner().invoke(cli, ['--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        "print(sorted(m for m in ('duckdb', 'pyarrow', 'psycopg', 'eventsourcing') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
