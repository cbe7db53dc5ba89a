"""Bounds checked on an XLSX file before openpyxl opens it (issue 19: XLSX bombs).

A 31 KB workbook with one merged range ``J1:XFD1048576``, or a single cell at
``XFD1048576``, made openpyxl build 17 billion cells (78–108 s, 5.6 GB, then MemoryError).
Here the ZIP directory and each worksheet's XML are read as a stream, without building
anything, and the file is refused with a clear message when

* the file is larger than MAX_FILE_BYTES, has more than MAX_MEMBERS members, a member
  larger than MAX_MEMBER_BYTES once inflated, more than MAX_TOTAL_BYTES inflated in all,
  or a member inflating more than MAX_RATIO times (a ZIP bomb);
* a sheet's ``<dimension>``, a cell, a row or a merged range reaches past row MAX_ROWS or
  column MAX_COLS (a list has about a dozen columns and a few hundred rows), or the merged
  ranges cover more than MAX_MERGED_CELLS cells.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from policykg.core.errors import LoadError

MAX_FILE_BYTES = 32 << 20
MAX_MEMBERS = 2000
MAX_MEMBER_BYTES = 128 << 20
MAX_TOTAL_BYTES = 256 << 20
MAX_RATIO = 200
MAX_ROWS = 100_000
MAX_COLS = 256                     # IV: far beyond any list's columns
MAX_MERGED_CELLS = 2_000_000

_REF = re.compile(rb'<(?:\w+:)?(c|row|dimension|mergeCell)\b[^>]*?\b(r|ref)="([A-Za-z]{0,3})([0-9]{0,7})'
                  rb'(?::([A-Za-z]{0,3})([0-9]{0,7}))?"')


def col_number(letters: bytes | str) -> int:
    n = 0
    for ch in (letters.decode() if isinstance(letters, bytes) else letters).upper():
        n = n * 26 + ord(ch) - 64
    return n


def col_letters(n: int) -> str:
    s = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def check(path: Path) -> None:
    """Raise LoadError naming the file (and sheet) when a bound is exceeded."""
    where = str(path)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise LoadError(f"XLSX 文件过大：{size} 字节，上限 {MAX_FILE_BYTES} 字节",
                        f"XLSX file too large: {size} bytes, limit {MAX_FILE_BYTES}", where=where)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            _check_members(infos, where)
            for info in infos:
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    _check_sheet(zf, info, where)
    except zipfile.BadZipFile as exc:
        raise LoadError(f"XLSX 文件已损坏：{exc}", f"corrupt XLSX file: {exc}", where=where) from exc


def _check_members(infos: list[zipfile.ZipInfo], where: str) -> None:
    if len(infos) > MAX_MEMBERS:
        raise LoadError(f"XLSX 压缩包成员过多：{len(infos)} 个，上限 {MAX_MEMBERS}",
                        f"too many members in the XLSX archive: {len(infos)}, limit {MAX_MEMBERS}", where=where)
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(1, info.compress_size)
        if info.file_size > MAX_MEMBER_BYTES or (info.file_size > (1 << 20) and ratio > MAX_RATIO):
            raise LoadError(
                f"XLSX 中的 {info.filename} 解压后 {info.file_size} 字节（压缩比 {ratio:.0f}）：超出上限，疑似压缩炸弹",
                f"{info.filename} in the XLSX inflates to {info.file_size} bytes (ratio {ratio:.0f}): over the limit, "
                "a likely ZIP bomb", where=where)
    if total > MAX_TOTAL_BYTES:
        raise LoadError(f"XLSX 解压后共 {total} 字节，上限 {MAX_TOTAL_BYTES}",
                        f"the XLSX inflates to {total} bytes in all, limit {MAX_TOTAL_BYTES}", where=where)


def _check_sheet(zf: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> None:
    sheet = info.filename.rsplit("/", 1)[-1]
    merged = 0
    tail = b""
    read = 0
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(1 << 20)
            if not chunk:
                break
            read += len(chunk)
            if read > MAX_MEMBER_BYTES:          # the directory lied about the size
                raise LoadError(f"XLSX 工作表 {sheet} 解压后超过 {MAX_MEMBER_BYTES} 字节",
                                f"sheet {sheet} inflates beyond {MAX_MEMBER_BYTES} bytes", where=where)
            data = tail + chunk
            cut = data.rfind(b"<")
            body, tail = (data[:cut], data[cut:]) if cut >= 0 else (data, b"")
            if len(tail) > (1 << 20):
                raise LoadError(f"XLSX 工作表 {sheet} 含有异常长的 XML 标签", f"sheet {sheet} holds an abnormally long XML tag",
                                where=where)
            for m in _REF.finditer(body):
                tag = m.group(1)
                c1, r1, c2, r2 = m.group(3), m.group(4), m.group(5), m.group(6)
                for col, row in ((c1, r1), (c2, r2)):
                    _bound(sheet, tag.decode(), col or b"", row or b"", where)
                if tag == b"mergeCell" and c2 is not None:
                    rows = abs(int(r2 or 1) - int(r1 or 1)) + 1
                    cols = abs(col_number(c2) - col_number(c1)) + 1
                    merged += rows * cols
                    if merged > MAX_MERGED_CELLS:
                        raise LoadError(f"XLSX 工作表 {sheet} 的合并单元格覆盖超过 {MAX_MERGED_CELLS} 个单元格",
                                        f"merged ranges in sheet {sheet} cover more than {MAX_MERGED_CELLS} cells",
                                        where=where)


def _bound(sheet: str, tag: str, col: bytes, row: bytes, where: str) -> None:
    c = col_number(col) if col else 0
    r = int(row) if row else 0
    if c > MAX_COLS or r > MAX_ROWS:
        ref = f"{col.decode()}{row.decode()}"
        raise LoadError(
            f"XLSX 工作表 {sheet} 的 {tag} 引用 {ref} 超出范围（上限 {MAX_ROWS} 行、{MAX_COLS} 列即 {col_letters(MAX_COLS)} 列）："
            "可能是合并了整行/整列，或在远处有一个单元格；请删除多余的行列后另存",
            f"sheet {sheet}: {tag} reference {ref} is out of bounds (limit {MAX_ROWS} rows, {MAX_COLS} columns, "
            f"i.e. column {col_letters(MAX_COLS)}): a whole row/column merged, or a stray far cell? delete them "
            "and save again", where=where)
