"""PDF lists through pdfplumber's table finder (ruled tables).

Every ruled table of every page becomes one :class:`loaders.grid.Segment`, in page order and
top to bottom on a page (a page where one list ends and the next begins, or a small table
above a large one, loses nothing); the text above the first table is the list's title (``附件 N`` and the title lines). Page numbers and
other text outside the ruling are never part of a table. A cell's line breaks are the
PDF's wrapping, so they are removed here (``line1\\nline2`` -> ``line1line2``).

``None`` cells (no cell boundary at that row and column) are told apart by geometry:
covered by a cell that starts on a row above -> ``None`` (merged, filled down); covered
by a cell that starts on the same row further left -> ``""`` (a cell spanning columns).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from policykg.core.errors import LoadError
from policykg.core.progress import Progress, silent
from policykg.core.records import Backbone, RegionList

from .grid import GridRow, Segment, to_region_list
from .headers import ReadOptions

TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines", "snap_tolerance": 3,
                  "join_tolerance": 3, "intersection_tolerance": 3}
MIN_CELLS = 4


def _check_bytes(path: Path) -> None:
    with open(path, "rb") as fh:
        head = fh.read(1024)
    if not head.strip():
        raise LoadError("文件为空", "the file is empty", where=str(path))
    if b"%PDF-" not in head:
        raise LoadError("不是 PDF 文件（扩展名为 .pdf，但内容不是 PDF）",
                        "not a PDF file (named .pdf, but its bytes are not a PDF)", where=str(path))


def _open(path: Path) -> Any:
    # pdfplumber / pdfminer: heavy optional dependencies, imported only when a PDF is read
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    try:
        pdf = pdfplumber.open(path)
        _ = pdf.pages                              # parses the page tree
        return pdf
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many kinds for a broken file
        cause = exc.__cause__ or exc.__context__ or exc
        if isinstance(exc, PDFPasswordIncorrect) or isinstance(cause, PDFPasswordIncorrect) \
                or "password" in repr(exc).lower() or "encrypt" in repr(exc).lower():
            raise LoadError("PDF 已加密（需要密码）：请提供未加密的文件",
                            "the PDF is encrypted (password protected): provide an unencrypted file",
                            where=str(path)) from exc
        raise LoadError(f"PDF 文件已损坏或无法解析：{type(exc).__name__} {exc}",
                        f"corrupt or unreadable PDF: {type(exc).__name__} {exc}", where=str(path)) from exc


def _cell_text(text: str | None) -> str:
    return "".join(line.strip() for line in (text or "").splitlines())


def _page_segments(page: Any, page_no: int, first: bool) -> list[Segment]:
    """Every ruled table of the page, top to bottom (then left to right): one segment each.
    Only the first may continue the previous page's last row; page rows run on across them."""
    tables = [t for t in page.find_tables(TABLE_SETTINGS) if len(t.cells) >= MIN_CELLS]
    tables.sort(key=lambda t: (round(t.bbox[1], 1), t.bbox[0]))
    out: list[Segment] = []
    offset = 0
    for k, table in enumerate(tables):
        seg = _table_segment(page, table, page_no, first and k == 0, offset)
        seg.page_top = k == 0
        offset += len(seg.rows)
        out.append(seg)
    return out


def _table_segment(page: Any, table: Any, page_no: int, first: bool, offset: int) -> Segment:
    texts = table.extract()
    rows = table.rows
    xs = sorted({c[0] for c in table.cells})
    out: list[GridRow] = []
    for i, (row, row_texts) in enumerate(zip(rows, texts, strict=True)):
        top = row.bbox[1]
        cells: list[str | None] = []
        for j, (bbox, text) in enumerate(zip(row.cells, row_texts, strict=True)):
            if bbox is not None:
                cells.append(_cell_text(text))
                continue
            x = (xs[j] + (xs[j + 1] if j + 1 < len(xs) else table.bbox[2])) / 2
            y = top + 1
            cover = next((c for c in table.cells if c[0] <= x < c[2] and c[1] <= y < c[3]), None)
            cells.append(None if cover is not None and cover[1] < top - 0.5 else "")
        out.append(GridRow(cells=cells, page=page_no, page_row=offset + i + 1))
    above = ""
    if first:                                   # the title and 附件 N, above the first table
        above = page.crop((0, 0, page.width, max(table.bbox[1], 1))).extract_text() or ""
    return Segment(out, above=[ln for ln in above.splitlines() if ln.strip()], page_top=True)


def read_segments(path: Path, progress: Progress = silent) -> list[Segment]:
    _check_bytes(path)
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    segments: list[Segment] = []
    with _open(path) as pdf:
        n = len(pdf.pages)
        for no, page in enumerate(pdf.pages, start=1):
            try:
                segs = _page_segments(page, no, first=not segments)
            except Exception as exc:  # noqa: BLE001
                raise LoadError(f"第{no}页无法解析：{type(exc).__name__} {exc}",
                                f"page {no} cannot be parsed: {type(exc).__name__} {exc}", where=str(path)) from exc
            finally:
                page.close()
            segments += segs
            progress(f"{path.name}: 第 {no}/{n} 页 / page {no} of {n}")
    if not segments:
        raise LoadError(f"PDF 中找不到带框线的表格（共 {n} 页）；扫描件或无框线表格请先转为 XLSX",
                        f"no ruled table found in the PDF ({n} pages); convert scans or unruled tables to XLSX first",
                        where=str(path))
    return segments


class PdfLoader:
    form = "pdf"
    suffixes = (".pdf",)

    def load(self, path: Path, layout: str | None, region: str, progress: Progress = silent, *,
             backbone: Backbone | None = None, strict: bool = True, options: ReadOptions | None = None) -> RegionList:
        return to_region_list(read_segments(path, progress), path, region, layout, backbone=backbone, strict=strict,
                              options=options)
