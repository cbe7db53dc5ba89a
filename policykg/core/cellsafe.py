"""Spreadsheet cells that cannot run: the defence against formula (CSV) injection.

A list's text is the users' data: a cell reading ``=HYPERLINK("http://…")`` or
``=cmd|' /C calc'!A0`` must reach the reader as text, never as a formula that Excel,
LibreOffice or WPS evaluates. Following OWASP's advice on CSV injection:

* **CSV**: a field beginning with ``=``, ``+``, ``-``, ``@``, tab or CR gets a guard prefix,
  a single quote (``'=1+2``): spreadsheets show it as text, people can still read it;
  plain numbers (``-3``, ``+1.5``) are left alone, they are not formulas;
* **XLSX**: such a cell is written as a string cell with the "quote prefix" style, so it is
  stored and shown as text (no prefix is added to the value itself).

SPARQL CSV/TSV *results* (``/sparql`` with ``text/csv``) are data for programs, in a
W3C format: they are not altered (a prefix would change the values). Open them in a
spreadsheet with "import as text".
"""

from __future__ import annotations

import re
from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")


def dangerous(value: Any) -> bool:
    """Whether a spreadsheet would read this text as a formula (numbers excepted)."""
    return isinstance(value, str) and value.startswith(TRIGGERS) and not _NUMBER.match(value)


def csv_field(value: Any) -> Any:
    """The value to give ``csv.writer``: formula-like text gets the ``'`` guard prefix."""
    return "'" + value if dangerous(value) else value


def csv_row(values: list[Any]) -> list[Any]:
    return [csv_field(v) for v in values]


def xlsx_text(ws: Any, row: int | None = None) -> None:
    """Make the formula-like cells of row ``row`` (default: the last) of openpyxl sheet ``ws`` text."""
    for cell in ws[row or ws.max_row]:
        if dangerous(cell.value):
            cell.data_type = "s"
            cell.quotePrefix = True
