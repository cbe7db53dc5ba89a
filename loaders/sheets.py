"""Workbooks as offices send them: which sheet holds the list, hidden rows and columns.

A workbook may hold several sheets with a table header (an instructions sheet, last year's
list, a summary): the one whose header scores best (:func:`loaders.headers.choose`) is read,
unless ``--sheet`` names one. Hidden rows and columns are left out — an office hides what
it does not mean to send (helper columns, withdrawn rows) — and each is reported.
"""

from __future__ import annotations

from typing import Any

from policykg.core.errors import LoadError

from . import headers
from .grid import Segment, find_header


def hidden(ws: Any) -> tuple[set[int], set[int]]:
    """(hidden row numbers, hidden column numbers), 1-based, of an openpyxl worksheet."""
    rows = {r for r, dim in ws.row_dimensions.items() if dim.hidden}
    cols: set[int] = set()
    for dim in ws.column_dimensions.values():
        if dim.hidden and dim.min:
            cols.update(range(dim.min, (dim.max or dim.min) + 1))
    return rows, cols


def hidden_warnings(name: str, sheet: str, rows: set[int], cols: set[int]) -> list[str]:
    from openpyxl.utils import get_column_letter  # heavy optional dependency: only when an XLSX is read

    out = []
    if rows:
        shown = "、".join(str(r) for r in sorted(rows)[:20]) + ("…" if len(rows) > 20 else "")
        out.append(f"{name} 工作表“{sheet}”: 隐藏的第 {shown} 行未读入 / hidden rows {shown} left out")
    if cols:
        shown = "、".join(get_column_letter(c) for c in sorted(cols)[:20])
        out.append(f"{name} 工作表“{sheet}”: 隐藏的 {shown} 列未读入 / hidden columns {shown} left out")
    return out


def sheet_score(seg: Segment, options: headers.ReadOptions | None) -> float:
    """How well a sheet's header matches a layout (0 when none fits)."""
    try:
        hdr = find_header(seg.rows, "")
        rec = headers.choose(hdr.leaves, "", options.layout if options else None, None)
    except LoadError:
        return 0.0
    return rec.score


def best_sheet(found: list[Segment], name: str, options: headers.ReadOptions | None) -> Segment:
    """The sheet whose header matches best; with several, the choice is reported."""
    if len(found) == 1:
        return found[0]
    scored = [(sheet_score(seg, options), i) for i, seg in enumerate(found)]
    best_score, best = max(scored, key=lambda s: (s[0], -s[1]))
    seg = found[best]
    title = seg.rows[0].sheet if seg.rows else "?"
    others = "、".join(f"“{found[i].rows[0].sheet}” {s:.2f}" for s, i in scored if i != best and found[i].rows)
    seg.warnings.append(f"{name}: 读入工作表“{title}”（表头得分 {best_score:.2f}；其他：{others}；可用 --sheet 指定） / "
                        f"read sheet '{title}' (header score {best_score:.2f}; others: {others}; use --sheet)")
    return seg
