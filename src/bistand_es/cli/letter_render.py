"""Lay out a decision letter (``bistand_es.application.letters.Letter``) as plain text or printable HTML.

No PDF: docs/adr/0023-decision-letters.md. The HTML is one self-contained, well-formed page (no scripts, no
external files) with print styles for A4, which the municipality prints or saves as PDF from a browser.
:func:`calculation_text` is the same plain language for ``bistand decide``, wrapped to the terminal.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Mapping, Sequence
from decimal import Decimal
from html import escape
from typing import Any, Final

from bistand_es.application.letters import Letter, Row, Section, Table, calculation_section, kronor
from bistand_es.domain.month import Month

LETTER_WIDTH: Final = 76
_MIN_WIDTH: Final = 40
_MAX_WIDTH: Final = 100


def terminal_width() -> int:
    """The terminal's width, kept between 40 and 100 columns (80 when not a terminal)."""
    columns = shutil.get_terminal_size((80, 24)).columns
    return max(_MIN_WIDTH, min(_MAX_WIDTH, columns))


# ------------------------------------------------------------------ text


def render_text(letter: Letter, width: int = LETTER_WIDTH) -> str:
    """The letter as plain text lines no wider than ``width``."""
    out: list[str] = [letter.sender.municipality, letter.sender.board]
    right = [letter.title.upper(), f"Datum: {letter.decided_on.isoformat()}", f"Beslutsnummer: {letter.reference}"]
    indent = max(0, width - max(len(r) for r in right))
    out += ["", *(" " * indent + r for r in right), "", *letter.recipient, "", letter.subject.upper()]
    for section in letter.sections:
        out += ["", *section_text(section, width)]
    return "\n".join(out) + "\n"


def section_text(section: Section, width: int) -> list[str]:
    out = [section.heading, "-" * len(section.heading)]
    first = True
    for block in section.blocks:
        if not first:
            out.append("")
        first = False
        if isinstance(block, Table):
            out += _table_text(block, width)
        else:
            out += textwrap.wrap(block, width) or [""]
    return out


def _table_text(table: Table, width: int) -> list[str]:
    out = textwrap.wrap(table.caption, width)
    rows = list(table.rows)
    amount_width = max([len(kronor(r.amount)) for r in [*rows, *([table.total] if table.total else [])]] + [6])
    for row in rows:
        out += _row_text(row, width, amount_width, "  ")
    if table.total is not None:
        if rows:
            out.append(" " * (width - amount_width) + "-" * amount_width)
        out += _row_text(table.total, width, amount_width, "  ")
    return out


def _row_text(row: Row, width: int, amount_width: int, indent: str) -> list[str]:
    label = row.label + (f" ({row.note})" if row.note else "")
    room = max(10, width - amount_width - len(indent) - 2)
    parts = textwrap.wrap(label, room) or [""]
    lines = [indent + p for p in parts[:-1]]
    lines.append(f"{indent}{parts[-1]:<{room}}  {kronor(row.amount):>{amount_width}}")
    return lines


def calculation_text(
    calculation: Mapping[str, Any],
    *,
    situation: Mapping[str, Any] | None = None,
    applied_costs: Mapping[str, Decimal] | None = None,
    width: int | None = None,
) -> str:
    """The calculation in the letter's plain Swedish, wrapped to ``width`` (default: the terminal), then warnings."""
    section = calculation_section(
        calculation,
        situation=situation or {},
        applied_costs=applied_costs or {},
        month=Month.parse(str(calculation["month"])),
    )
    size = width or terminal_width()
    lines = section_text(section, size)
    for warning in calculation.get("warnings") or []:
        lines += textwrap.wrap(f"warning: {warning}", size, subsequent_indent="  ")
    return "\n".join(lines)


# ------------------------------------------------------------------ HTML

_STYLE: Final = """
body { font-family: "Liberation Serif", "Times New Roman", serif; font-size: 11pt; line-height: 1.4;
       max-width: 42em; margin: 2em auto; color: #000; }
header { display: flex; justify-content: space-between; align-items: flex-start; }
header .meta { text-align: right; }
h1 { font-size: 14pt; margin: 1.5em 0 0.5em; }
h2 { font-size: 12pt; margin: 1.2em 0 0.3em; }
table { border-collapse: collapse; margin: 0.3em 0 0.8em; width: 100%; }
caption { text-align: left; font-style: italic; padding-bottom: 0.2em; }
th { text-align: left; font-weight: normal; padding: 0.1em 0.5em 0.1em 0; }
td.belopp { text-align: right; white-space: nowrap; padding: 0.1em 0; }
tr.summa th, tr.summa td { border-top: 1px solid #000; font-weight: bold; }
.anm { font-size: 9.5pt; color: #333; }
@page { size: A4; margin: 20mm 20mm 20mm 25mm; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } table { break-inside: avoid; } }
"""


def render_html(letter: Letter) -> str:
    """The letter as one well-formed HTML page (XHTML-compatible markup, every tag closed, text escaped)."""
    e = escape
    head = (
        '<!DOCTYPE html>\n<html lang="sv">\n<head>\n<meta charset="utf-8"/>\n'
        f"<title>{e(letter.subject)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
    )
    sender = "".join(f"<div>{e(x)}</div>" for x in (letter.sender.municipality, letter.sender.board))
    meta = (
        f"<div><strong>{e(letter.title.upper())}</strong></div>"
        f"<div>Datum: {e(letter.decided_on.isoformat())}</div>"
        f"<div>Beslutsnummer: {e(letter.reference)}</div>"
    )
    parts = [
        head,
        f'<header>\n<div class="avsandare">{sender}</div>\n<div class="meta">{meta}</div>\n</header>\n',
        '<address class="mottagare">' + "<br/>".join(e(x) for x in letter.recipient) + "</address>\n",
        f"<main>\n<h1>{e(letter.subject)}</h1>\n",
    ]
    for section in letter.sections:
        parts.append(f"<section>\n<h2>{e(section.heading)}</h2>\n")
        for block in section.blocks:
            parts.append(_table_html(block) if isinstance(block, Table) else f"<p>{e(block)}</p>\n")
        parts.append("</section>\n")
    parts.append("</main>\n</body>\n</html>\n")
    return "".join(parts)


def _table_html(table: Table) -> str:
    rows: Sequence[Row] = table.rows
    body = "".join(_row_html(r, "") for r in rows)
    if table.total is not None:
        body += _row_html(table.total, ' class="summa"')
    return f"<table>\n<caption>{escape(table.caption)}</caption>\n<tbody>\n{body}</tbody>\n</table>\n"


def _row_html(row: Row, attributes: str) -> str:
    note = f' <span class="anm">({escape(row.note)})</span>' if row.note else ""
    amount = escape(kronor(row.amount)).replace(" ", "&#160;")
    return f'<tr{attributes}><th scope="row">{escape(row.label)}{note}</th><td class="belopp">{amount}</td></tr>\n'
