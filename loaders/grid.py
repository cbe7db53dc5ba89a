"""Grids of cell texts -> :class:`loaders.cells.RawRow`s: what PDF, XLSX and CSV share.

Each form reads its file into *segments* of :class:`GridRow`s (a PDF page's table, a sheet,
a CSV file). This module then

* finds the header: the first row naming 序号 or at least two known column headers, plus a
  second header row below it when that row holds only header texts (``服务事项`` over
  ``一级事项 | 二级事项 | 三级事项``); rows above it are the title (``附件 N`` gives the
  attachment number);
* picks the layout (``--layout``, else the best of :func:`loaders.headers.choose`) and maps
  columns to the layout's canonical fields; unknown extra columns are kept as notes (备注);
* skips repeated headers (every PDF page), blank rows and page numbers (``12``, ``- 12 -``,
  ``第12页``, ``12/60`` alone in a row);
* fills merged cells down: a ``None`` cell is covered by the cell above (PDF: no cell
  boundary; XLSX: a merged range). The 序号 column is never filled: a row without 序号
  is a sub-row of the row above (several service items under one merged 序号), which
  :func:`loaders.cells.build_rows` understands;
* joins rows cut by a page break (PDF only): at the top of a page, a row with an empty 序号
  and no service-item level (一级/二级事项) continues the last row of the page before —
  its texts are appended to that row's cells, and to the whole merged cell where the cut
  went through one. A merged column's empty cell at the top of a page continues the merged
  cell above (a merged cell's text is printed once, on its first page);
* makes a repeated 序号 on consecutive rows (how ``policykg export`` writes a merged 序号)
  a sub-row when the rows agree on the key task and on the row's own cells (measures, units,
  contacts); a 序号 printed again with other measures (舟山 27) and other repeats are left to
  :func:`loaders.cells.build_rows` (a second printing, or a duplicate).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from policykg.core.errors import LoadError
from policykg.core.iris import norm
from policykg.core.records import Backbone, RegionList, SourceRef

from . import headers, layouts
from .cells import RawRow, region_list
from .layouts import Layout

MAX_TITLE_ROWS = 30
PAGE_NUMBER_RE = re.compile(r"^[-—–\s]*(?:第\s*)?\d{1,4}\s*(?:页)?(?:\s*/\s*(?:共\s*)?\d{1,4}\s*页?)?[-—–\s]*$")
ATTACHMENT_RE = re.compile(r"^\s*附件\s*(\d{1,2})\s*[:：]?\s*$")
SUBROW_FIELDS = ("level1", "level2")
# cells a sub-row repeats from its row; differing ones make a 序号 printed again a row of its own (舟山 27)
OWN_FIELDS = ("local_measure", "units", "contacts")


@dataclass
class GridRow:
    """One printed row. ``None`` = covered by a merged cell above; ``""`` = an empty cell."""

    cells: list[str | None]
    page: int | None = None            # PDF page (1-based)
    page_row: int | None = None        # row within the page's table (1-based)
    sheet: str | None = None
    sheet_row: int | None = None       # spreadsheet row / CSV record (1-based)

    def texts(self) -> list[str]:
        return [c or "" for c in self.cells]

    def is_blank(self) -> bool:
        return not any((c or "").strip() for c in self.cells)


@dataclass
class Segment:
    """Rows of one page / sheet / file, with the text printed above its table (if any)."""

    rows: list[GridRow]
    above: list[str] = field(default_factory=list)
    page_top: bool = False             # a PDF page: its first data row may continue the previous page
    warnings: list[str] = field(default_factory=list)   # e.g. hidden rows and columns left out


@dataclass
class Grid:
    layout: Layout
    raw_rows: list[RawRow]
    title: str = ""
    attachment: int | None = None
    warnings: list[str] = field(default_factory=list)
    recognition: headers.Recognition | None = None


@dataclass
class _Header:
    index: int                          # row index of the (first) header row in its segment
    depth: int                          # 1 or 2 rows
    leaves: list[str]                   # per column: the lowest header text
    texts: set[str]                     # every normalised header text (for repeated headers)


class _Merged:
    """A merged cell's text, shared by all rows it covers (so a continuation extends all)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _where(path_name: str, row: GridRow) -> str:
    if row.page is not None:
        return f"{path_name} 第{row.page}页 第{row.page_row}行"
    if row.sheet is not None:
        return f"{path_name} 工作表“{row.sheet}” 第{row.sheet_row}行"
    return f"{path_name} 第{row.sheet_row}行"


def known_header_texts() -> set[str]:
    out: set[str] = set()
    for lay in layouts.layouts().values():
        for c in lay.columns:
            out.update(headers.key(n) for n in headers.names(c))
            out.update(headers.bare(n) for n in headers.names(c))
            if c.group:
                out.add(headers.key(c.group))
    return out


def _known(text: str, known: set[str]) -> bool:
    return headers.key(text) in known or headers.bare(text) in known


def is_header_row(row: GridRow, known: set[str]) -> bool:
    cells = [headers.key(c) for c in row.texts() if headers.key(c)]
    if "序号" in cells:
        return True
    return sum(1 for c in cells if _known(c, known)) >= 2


def find_header(rows: list[GridRow], where: str) -> _Header:
    known = known_header_texts()
    for i, row in enumerate(rows[:MAX_TITLE_ROWS]):
        if not is_header_row(row, known):
            continue
        top = row.texts()
        depth = 1
        leaves = [norm(t) for t in top]
        if i + 1 < len(rows):
            below = [norm(c) for c in rows[i + 1].texts()]
            filled = [c for c in below if c]
            if filled and all(_known(c, known) for c in filled) and "序号" not in filled:
                depth = 2
                leaves = [b or t for t, b in zip(leaves, below, strict=True)]
        texts = {norm(c) for r in rows[i:i + depth] for c in r.texts() if norm(c)}
        return _Header(i, depth, leaves, texts)
    seen = "、".join(norm(c) for r in rows[:5] for c in r.texts() if norm(c))[:80] or "（空）"
    raise LoadError(f"找不到表头（需有“序号”列）；文件开头为：{seen}",
                    f"no table header found (a 序号 column is needed); the file starts with: {seen}", where=where)


def _is_page_number(row: GridRow) -> bool:
    if any(c is None for c in row.cells):
        return False
    filled = [c for c in row.texts() if c.strip()]
    return len(filled) == 1 and bool(PAGE_NUMBER_RE.match(filled[0]))


def _title(segments: list[Segment], header: _Header) -> tuple[str, int | None]:
    lines = list(segments[0].above)
    lines += [" ".join(t for t in r.texts() if t.strip()) for r in segments[0].rows[:header.index]]
    attachment = None
    title = []
    for ln in lines:
        m = ATTACHMENT_RE.match(ln)
        if m:
            attachment = int(m.group(1))
        elif ln.strip():
            title.append(ln.strip())
    return "".join(re.sub(r"\s*\n\s*", "", t) for t in title), attachment


def read_grid(segments: list[Segment], *, path_name: str, document: SourceRef,
              layout_id: str | None = None, options: headers.ReadOptions | None = None) -> Grid:
    """Header, layout, fill-down and page joins: segments -> raw rows for :mod:`loaders.cells`."""
    segments = [s for s in segments if s.rows or s.above]
    first = next((s for s in segments if s.rows), None)
    if first is None:
        raise LoadError("文件中没有表格", "the file holds no table", where=path_name)
    segments = segments[segments.index(first):]
    header = find_header(first.rows, f"{path_name}")
    hdr_row = first.rows[header.index]
    where_hdr = _where(path_name, hdr_row)
    warnings: list[str] = [w for s in segments for w in s.warnings]
    rec = headers.choose(header.leaves, where_hdr, layout_id or (options.layout if options else None),
                         options.hand if options else None)
    rec.sheet = hdr_row.sheet
    rec.header_rows = [r.sheet_row or r.page_row or 0 for r in first.rows[header.index:header.index + header.depth]]
    layout = rec.layout
    mapping = rec.mapping()
    if any(m.how == "position" for m in rec.matches):
        warnings.append(f"{where_hdr}: 表头与版式 {layout.id} 不符，按列的位置对应 / header differs from layout "
                        f"{layout.id}; columns mapped by position")
    notes = headers.notes_for(rec.extras, [r.cells for s in segments for r in s.rows], "remark" in mapping.values(),
                              where_hdr, warnings)
    rec.notes = notes
    merged_fields = {c.field for c in layout.columns if c.merged}
    row_idx = next(j for j, f in mapping.items() if f == "row")
    title, attachment = _title(segments, header)

    out: list[tuple[GridRow, list[_Merged | str]]] = []
    known = header.texts
    for s_no, seg in enumerate(segments):
        rows = seg.rows[header.index + header.depth:] if s_no == 0 else seg.rows
        at_top = s_no > 0 and seg.page_top
        for r_no, row in enumerate(rows):
            if row.is_blank() or _is_page_number(row):
                continue
            cells = row.cells + [""] * (len(hdr_row.cells) - len(row.cells))
            texts = [norm(c) for c in row.texts() if norm(c)]
            if all(t in known for t in texts) and not norm(cells[row_idx] or "").isdigit():
                continue                          # a repeated header (or part of one)
            page_top_row = at_top
            at_top = False
            if page_top_row and out and _continues(cells, mapping, row_idx):
                _append(out[-1][1], cells, mapping)
                continue
            values: list[_Merged | str] = []
            prev = out[-1][1] if out else None
            for j, c in enumerate(cells):
                fld = mapping.get(j)
                if j == row_idx:
                    values.append(headers.row_number(c))
                elif c is None and prev is not None:
                    values.append(prev[j])
                elif (page_top_row and prev is not None and fld in merged_fields and not (c or "").strip()
                      and _text(prev[j]) and _box_goes_on(rows, r_no, j, out)):
                    values.append(prev[j])        # merged cell continued from the previous page
                else:
                    values.append(_Merged(c or ""))
            out.append((row, values))

    raw_rows: list[RawRow] = []
    prev_number = prev_key = prev_own = None
    head_cells: dict[str, str] | None = None
    for row, values in out:
        cells = {fld: _text(values[j]) for j, fld in mapping.items()}
        number = norm(cells.get("row", ""))
        key = norm(cells.get("key_task", "") or cells.get("key_task_number", ""))
        own = tuple(norm(cells.get(f, "")) for f in OWN_FIELDS)
        if number and number == prev_number and key == prev_key and own == prev_own:
            cells["row"] = ""                     # a merged 序号 written on every sub-row
        elif number:
            prev_number, prev_key, prev_own = number, key, own
        if cells.get("row"):
            head_cells = cells
        kept = [f"{p}{_text(values[j]).strip()}" for j, p in notes.items() if _text(values[j]).strip()]
        if kept and head_cells is not None:       # a sub-row's notes go to its 序号's 备注
            parts = [x for x in head_cells.get("remark", "").split("；") if x]
            head_cells["remark"] = "；".join(parts + [x for x in kept if x not in parts])
        source = SourceRef(document=document.document, sha256=document.sha256, attachment=attachment,
                           page=row.page, sheet=row.sheet, sheet_row=row.sheet_row)
        raw_rows.append(RawRow(cells=cells, source=source, where=_where(path_name, row)))
    if not raw_rows:
        raise LoadError("表格中没有数据行", "the table has no data rows", where=where_hdr)
    return Grid(layout=layout, raw_rows=raw_rows, title=title, attachment=attachment, warnings=warnings,
                recognition=rec)


def _box_goes_on(rows: list[GridRow], r_no: int, j: int, out: list) -> bool:
    """An empty cell at a page top continues the merged cell above when its box spans more
    rows on this page, or the merged cell above already spanned several rows."""
    below = rows[r_no + 1].cells[j] if r_no + 1 < len(rows) and j < len(rows[r_no + 1].cells) else ""
    if below is None:
        return True
    return len(out) >= 2 and out[-1][1][j] is out[-2][1][j]


def _text(v: _Merged | str) -> str:
    return v.text if isinstance(v, _Merged) else v


def _continues(cells: list[str | None], mapping: dict[int, str], row_idx: int) -> bool:
    """At a page top: no 序号 and no service-item level -> the rest of the row cut by the break."""
    if (cells[row_idx] or "").strip():
        return False
    levels = [j for j, f in mapping.items() if f in SUBROW_FIELDS]
    return not any((cells[j] or "").strip() for j in levels)


def _append(values: list[_Merged | str], cells: list[str | None], mapping: dict[int, str]) -> None:
    for j, c in enumerate(cells):
        if j not in mapping or not (c or "").strip():
            continue
        v = values[j]
        if norm(c) == norm(_text(v)):
            continue                          # a merged cell's text printed again on the new page
        if isinstance(v, _Merged):
            v.text = v.text + c               # the same text, cut by the page break
        else:
            values[j] = v + c


def file_source(path: Path) -> SourceRef:
    """The file as a provenance record: its name and the sha256 of its bytes."""
    return SourceRef(document=path.name, sha256=hashlib.sha256(path.read_bytes()).hexdigest())


def to_region_list(segments: list[Segment], path: Path, region: str, layout_id: str | None, *,
                   backbone: Backbone | None, strict: bool,
                   options: headers.ReadOptions | None = None) -> RegionList:
    """Segments of one file -> the region's :class:`RegionList` (the same for every form)."""
    doc = file_source(path)
    grid = read_grid(segments, path_name=path.name, document=doc, layout_id=layout_id, options=options)
    if options is not None:
        options.recognition, options.sample, options.raw_rows = grid.recognition, grid.raw_rows[:5], len(grid.raw_rows)
    source = replace(doc, attachment=grid.attachment)
    rl = region_list(region, grid.layout.id, grid.raw_rows, source, title=grid.title, backbone=backbone,
                     strict=strict)
    rl.warnings[:0] = grid.warnings
    return rl
