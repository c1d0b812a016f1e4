"""Output formatting shared by all commands: table (default), JSON, CSV, markdown."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = ("table", "json", "csv", "markdown")


def format_option(func: F) -> F:
    """``--format table|json|csv|markdown`` plus the ``--json`` / ``--csv`` shorthands."""
    func = click.option("--json", "as_json", is_flag=True, help="Shorthand for --format json.")(func)
    return actor_free_format_option(func)


def chosen_format(fmt: str, as_json: bool, as_csv: bool) -> str:
    if as_json:
        return "json"
    if as_csv:
        return "csv"
    return fmt


def _default(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def to_json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=_default)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=_default)
    return str(value)


def render_rows(rows: Sequence[Mapping[str, Any]], fmt: str, columns: Sequence[str] | None = None) -> str:
    """Render a list of flat records in the chosen format."""
    cols = list(columns) if columns is not None else (list(rows[0].keys()) if rows else [])
    if fmt == "json":
        return to_json([dict(row) for row in rows])
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(cols)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in cols])
        return buffer.getvalue().rstrip("\n")
    table = [[_cell(row.get(c)) for c in cols] for row in rows]
    if fmt == "markdown":
        lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
        lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in r) + " |" for r in table]
        return "\n".join(lines)
    widths = [max([len(c)] + [len(r[i]) for r in table]) for i, c in enumerate(cols)]
    out = ["  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)) for r in table]
    return "\n".join(line.rstrip() for line in out)


def render_record(record: Mapping[str, Any], fmt: str) -> str:
    """Render one record: JSON object, or a two-column key/value table."""
    if fmt == "json":
        return to_json(dict(record))
    rows = [{"field": key, "value": _cell(value)} for key, value in record.items()]
    return render_rows(rows, fmt, ["field", "value"])


def actor_free_format_option(func: F) -> F:
    """``--format`` and ``--csv`` for commands that already take ``--json`` (write commands)."""
    func = click.option("--csv", "as_csv", is_flag=True, help="Shorthand for --format csv.")(func)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="Output format.",
    )(func)


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr for a person at a terminal, as a ``progress(done, total)`` callback; None for a
    script (it gets only the summary and the errors)."""
    if not sys.stderr.isatty():
        yield None
        return
    bar: Any = click.progressbar(length=1, label=label, file=sys.stderr)
    with bar:

        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        yield progress
