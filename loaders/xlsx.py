"""XLSX lists (openpyxl): the sheet whose header matches best (or ``--sheet``); merged ranges
filled down; hidden rows and columns left out (with a warning).

A merged range keeps its text in the top-left cell. Cells below it become ``None``
(covered: :mod:`loaders.grid` repeats the text on every row the range covers); cells to
its right on the top row become empty (a header like 服务事项 spanning three columns).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

from policykg.core.errors import LoadError
from policykg.core.progress import Progress, silent
from policykg.core.records import Backbone, RegionList

from . import xlsxguard
from .grid import MAX_TITLE_ROWS, GridRow, Segment, is_header_row, known_header_texts, to_region_list
from .headers import ReadOptions
from .sheets import best_sheet, hidden, hidden_warnings

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def check_bytes(path: Path) -> None:
    with open(path, "rb") as fh:
        head = fh.read(8)
    where = str(path)
    if not head:
        raise LoadError("文件为空", "the file is empty", where=where)
    if head.startswith(OLE2):
        raise LoadError("这是旧版 Excel（.xls）或加密的工作簿：请另存为 .xlsx（不加密码）",
                        "this is a legacy Excel .xls or an encrypted workbook: save it as .xlsx without a password",
                        where=where)
    if not head.startswith(b"PK\x03\x04"):
        raise LoadError("不是 XLSX 文件（扩展名为 .xlsx，但内容不是 Excel 工作簿）",
                        "not an XLSX file (named .xlsx, but its bytes are not an Excel workbook)", where=where)
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except zipfile.BadZipFile as exc:
        raise LoadError(f"XLSX 文件已损坏：{exc}", f"corrupt XLSX file: {exc}", where=where) from exc
    if "xl/workbook.xml" not in names:
        raise LoadError("不是 XLSX 文件（ZIP 压缩包中没有 xl/workbook.xml）",
                        "not an XLSX file (the ZIP archive has no xl/workbook.xml)", where=where)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    return str(value)


def read_segments(path: Path, progress: Progress = silent, options: ReadOptions | None = None) -> list[Segment]:
    check_bytes(path)
    xlsxguard.check(path)               # bounds before openpyxl builds anything (XLSX bombs)
    import openpyxl  # heavy optional dependency: imported only when an XLSX is read

    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except MemoryError as exc:
        raise LoadError("XLSX 文件展开后内存不足：请删除多余的行列后另存", "out of memory expanding the XLSX file: "
                        "delete unused rows and columns and save again", where=str(path)) from exc
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken workbook
        raise LoadError(f"无法读取 XLSX 文件：{exc}", f"cannot read the XLSX file: {exc}", where=str(path)) from exc
    known = known_header_texts()
    found: list[Segment] = []
    sheet = options.sheet if options else None
    if sheet is not None and sheet not in wb.sheetnames:
        raise LoadError(f"工作簿中没有工作表“{sheet}”；工作表：{'、'.join(wb.sheetnames)}",
                        f"the workbook has no sheet '{sheet}'; sheets: {', '.join(wb.sheetnames)}", where=str(path))
    for ws in wb.worksheets:
        if sheet is not None and ws.title != sheet:
            continue
        hidden_rows, hidden_cols = hidden(ws)
        covered: dict[tuple[int, int], None | str] = {}
        for rng in ws.merged_cells.ranges:
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    if (r, c) != (rng.min_row, rng.min_col):
                        covered[(r, c)] = "" if r == rng.min_row else None
        rows: list[GridRow] = []
        for r_no, values in enumerate(ws.iter_rows(values_only=True), start=1):
            if r_no in hidden_rows:
                continue
            cells: list[str | None] = []
            for c_no, v in enumerate(values, start=1):
                if c_no not in hidden_cols:
                    cells.append(covered[(r_no, c_no)] if (r_no, c_no) in covered else _text(v))
            rows.append(GridRow(cells=cells, sheet=ws.title, sheet_row=r_no))
            if r_no % 100 == 0:
                progress(f"{path.name} 工作表“{ws.title}”：已读 {r_no} 行 / {r_no} rows read")
        if any(is_header_row(row, known) for row in rows[:MAX_TITLE_ROWS]):
            found.append(Segment(rows, warnings=hidden_warnings(path.name, ws.title, hidden_rows, hidden_cols)))
    if found:
        return [best_sheet(found, path.name, options)]
    sheets = "、".join(ws.title for ws in wb.worksheets)
    raise LoadError(f"没有一个工作表含有表头（需有“序号”列）；工作表：{sheets}",
                    f"no sheet holds a table header (a 序号 column is needed); sheets: {sheets}", where=str(path))


class XlsxLoader:
    form = "xlsx"
    suffixes = (".xlsx", ".xlsm")

    def load(self, path: Path, layout: str | None, region: str, progress: Progress = silent, *,
             backbone: Backbone | None = None, strict: bool = True, options: ReadOptions | None = None) -> RegionList:
        return to_region_list(read_segments(path, progress, options), path, region, layout, backbone=backbone,
                              strict=strict, options=options)
