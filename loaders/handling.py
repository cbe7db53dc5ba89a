"""``policykg handling load FILE``: a handling (办件) file, XLSX or CSV (UTF-8, GBK), into the store.

The reader finds the header row (the first of the top rows naming 地区代码 and 服务事项),
maps columns by name (extra columns such as 备注 are ignored) and gives every data row as
text with its file row number; :func:`policykg.handling.records.check` judges the cells.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from pathlib import Path

from policykg.core.errors import LoadError
from policykg.handling.catalogue import service_items
from policykg.handling.graph import HandlingLoad, write
from policykg.handling.records import COLUMNS, ITEM, MONTH, REGION, RawTable, check, normalize_header

from .csvfile import decode
from .xlsx import check_bytes

HEADER_SEARCH = 10


def _text(value: object, column: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.datetime, dt.date)):
        return f"{value.year:04d}-{value.month:02d}" if column == MONTH else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _table(file: str, sha: str, grid: list[tuple[int, list[object]]], sheet: str | None) -> RawTable:
    for k, (_line, cells) in enumerate(grid[:HEADER_SEARCH]):
        names = [normalize_header(_text(c)) for c in cells]
        if REGION in names and ITEM in names:
            header = {n: i for i, n in reversed(list(enumerate(names))) if n in COLUMNS}
            by_index = {i: n for n, i in header.items()}
            rows = []
            for ln, row in grid[k + 1:]:
                texts = [_text(c, by_index.get(i, "")) for i, c in enumerate(row)]
                if any(texts):
                    rows.append((ln, texts))
            return RawTable(file, sha, header, rows, sheet)
    raise LoadError(f"前 {HEADER_SEARCH} 行中找不到表头（须有“地区代码”和“服务事项”列）：请使用 `policykg template "
                    f"--kind handling` 生成的模板 / no header in the first {HEADER_SEARCH} rows (it needs the columns "
                    "地区代码 and 服务事项): use the template from `policykg template --kind handling`", where=file)


def read(path: Path | str) -> RawTable:
    """The file's header and rows as text (no judgement of the values yet)."""
    path = Path(path)
    where = str(path)
    if not path.is_file():
        raise LoadError("文件不存在", "no such file", where=where)
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    suffix = path.suffix.lower()
    if suffix == ".csv":
        text, _ = decode(data, where)
        grid = [(i, list(r)) for i, r in enumerate(csv.reader(io.StringIO(text)), start=1)]
        return _table(path.name, sha, grid, None)
    if suffix == ".xlsx":
        check_bytes(path)
        from openpyxl import load_workbook  # heavy optional dependency: imported only when needed

        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            sheets = [wb["办件"]] if "办件" in wb.sheetnames else [ws for ws in wb.worksheets]
            for ws in sheets:
                grid = [(i, list(r)) for i, r in enumerate(ws.iter_rows(values_only=True), start=1)]
                try:
                    return _table(path.name, sha, grid, ws.title)
                except LoadError:
                    if ws is sheets[-1]:
                        raise
        finally:
            wb.close()
    raise LoadError(f"办件文件须为 .xlsx 或 .csv：{path.name}", f"a handling file must be .xlsx or .csv: {path.name}",
                    where=where)


def load_file(store_dir: Path | str, path: Path | str) -> HandlingLoad:
    """Read, check every row against the store's service items, then publish atomically."""
    table = read(path)
    cat = service_items(store_dir)
    table.file = str(path)
    records = check(table, cat.known_region, cat.match)
    res = write(store_dir, records, Path(path).name, table.sha256,
                {code: cat.region_name(code) for code in {r.region for r in records}})
    return res
