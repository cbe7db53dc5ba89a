"""Cell by cell: does a region's export print what the document prints?

:func:`printed_rows` gives the document's own cells — the text of every printed row of the
four attachments as the text readers segment it (``loaders.text``), before any
interpretation — and :func:`differences` compares them with a :class:`loaders.export.Table`
column by column, whitespace normalised (runs of whitespace as one space). Phone numbers are
compared away on the document's side (they are personal data and never exported): in the
联系人 cell, whose phones the PDF broke over lines, whitespace is removed, then a bracket
holding only a number and every run of six or more digits.

Rows are matched in printed order, a 序号 printed twice (舟山 27) being two rows; within a
row, a column's non-empty values are compared in order (a merged cell repeated on every
sub-row counts once). ``scripts/compare_cells.py`` prints the report.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from loaders.text import engine, read_attachments, read_backbone, zhoushan
from loaders.text.document import read_document
from policykg.core.iris import norm

PHONE_IN_BRACKETS = re.compile(r"[（(][\d\-－—]+[）)]")
PHONE = re.compile(r"\d[\d\-－—]{4,}\d")
INFERRED = "_inferred_row"      # printed_rows: the 序号 a reader inferred where none is printed


@dataclass(frozen=True)
class Difference:
    region: str
    row: str                 # 序号 as printed, "27-2" for its second printing
    field: str
    document: str
    export: str

    @property
    def reason(self) -> str:
        """Why the export differs, where the cause is known."""
        if self.field == "row" and not self.document:
            return ("文件未印出该序号（该行开启新的一页），读取时按前一行推出，导出写出推出的序号 / the document prints "
                    "no 序号 here (the row opens a page); the reader infers it and the export writes it")
        return ""


def spaced(text: str) -> str:
    """Whitespace normalised: runs of spaces and line breaks as one space, none at the ends."""
    return re.sub(r"\s+", " ", text or "").strip()


def without_phones(text: str) -> str:
    """``李磊（市财金公司董事长），联系人：陈保华（15728086875）`` -> ``…联系人：陈保华``."""
    return PHONE.sub("", PHONE_IN_BRACKETS.sub("", norm(text)))


@contextmanager
def _recording() -> Iterator[dict[str, list]]:
    """Record the raw rows every text reader hands to :func:`loaders.cells.region_list`."""
    seen: dict[str, list] = {}
    original = engine.region_list

    def record(region, layout_id, raw_rows, *args, **kwargs):
        seen[region] = list(raw_rows)
        return original(region, layout_id, raw_rows, *args, **kwargs)

    engine.region_list = record
    try:
        yield seen
    finally:
        engine.region_list = original


def printed_rows(source: Path | str) -> dict[str, list[list[dict[str, str]]]]:
    """Region code -> its printed rows (each: the cells of its printed sub-rows), in order.

    A 序号 the document does not print (舟山 rows 7, 12 and 15 open a page without it; the
    reader infers it) is ``""`` here, as printed, so that the comparison shows it."""
    backbone = read_backbone(source)
    with _recording() as seen:
        read_attachments(source, backbone)
    unprinted = {(zhoushan.REGION, str(r.seq)) for r in zhoushan.parse(read_document(source).attachments[2]).rows
                 if r.number is None}
    out: dict[str, list[list[dict[str, str]]]] = {}
    for code, raws in seen.items():
        groups: list[list[dict[str, str]]] = []
        for raw in raws:
            number = norm(raw.cells.get("row", ""))
            if number or not groups:
                cells = dict(raw.cells)
                if (code, number) in unprinted:
                    cells["row"], cells[INFERRED] = "", number
                groups.append([cells])
            else:
                groups[-1].append(raw.cells)
        out[code] = groups
    return out


def _values(cells: list[dict[str, str]], fld: str) -> list[str]:
    out: list[str] = []
    for c in cells:
        v = without_phones(c.get(fld, "")) if fld == "contacts" else spaced(c.get(fld, ""))
        if v and (not out or out[-1] != v):
            out.append(v)
    return out


def differences(code: str, document: list[list[dict[str, str]]], table) -> list[Difference]:
    """Every cell of ``table`` (the export) whose text is not the document's."""
    fields = table.fields()
    out: list[Difference] = []
    if len(document) != len(table.groups):
        out.append(Difference(code, "", "row count", str(len(document)), str(len(table.groups))))
    seen: dict[str, int] = {}
    for doc_rows, exp_rows in zip(document, table.groups, strict=False):
        number = norm(doc_rows[0].get("row", "")) or doc_rows[0].get(INFERRED, "")
        seen[number] = seen.get(number, 0) + 1
        label = number if seen[number] == 1 else f"{number}-{seen[number]}"
        for fld in fields:
            d, e = _values(doc_rows, fld), _values(exp_rows, fld)
            if d != e:
                out.append(Difference(code, label, fld, "｜".join(d), "｜".join(e)))
    return out
