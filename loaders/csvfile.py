"""CSV lists: UTF-8 (with or without BOM), GBK and GB18030; anything else is refused.

Encoding is decided from the bytes, not guessed statistically: a UTF-8 BOM, else a strict
UTF-8 decode, else a strict GB18030 decode (a superset of GBK and GB2312, what Excel on a
Chinese Windows writes). UTF-16/32, NUL bytes (binary files, UTF-16 without BOM) and
control characters are refused with a message saying how to save the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

from policykg.core.errors import LoadError
from policykg.core.progress import Progress, silent
from policykg.core.records import Backbone, RegionList

from .grid import GridRow, Segment, to_region_list
from .headers import ReadOptions
from .limits import check_size

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SAVE_AS = ("请在 Excel 中另存为“CSV UTF-8（逗号分隔）”", "save it from Excel as 'CSV UTF-8 (comma delimited)'")


def decode(data: bytes, where: str) -> tuple[str, str]:
    """(text, encoding name) or LoadError."""
    if not data.strip():
        raise LoadError("文件为空", "the file is empty", where=where)
    for bom, name in ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
                      (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16")):
        if data.startswith(bom):
            raise LoadError(f"不支持 {name} 编码；{_SAVE_AS[0]}", f"{name} is not supported; {_SAVE_AS[1]}",
                            where=where)
    if data.startswith(codecs.BOM_UTF8):
        text, enc = _strict(data[3:], "utf-8", where), "UTF-8 (BOM)"
    elif b"\x00" in data[:4096]:
        raise LoadError(f"不是文本文件（含 NUL 字节，可能是二进制或无 BOM 的 UTF-16）；{_SAVE_AS[0]}",
                        f"not a text file (NUL bytes: binary, or UTF-16 without BOM); {_SAVE_AS[1]}", where=where)
    else:
        try:
            text, enc = data.decode("utf-8"), "UTF-8"
        except UnicodeDecodeError as utf8:
            try:
                text, enc = data.decode("gb18030"), "GB18030/GBK"
            except UnicodeDecodeError as gb:
                # the decoder that got further is most likely the file's: report where it stopped
                _raise_undecodable(data, max(utf8.start, gb.start), where, gb)
    bad = _CONTROL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise LoadError(f"第{line}行含控制字符 {bad.group()!r}（按 {enc} 解码）：文件不是可读的文本；{_SAVE_AS[0]}",
                        f"line {line} holds control character {bad.group()!r} (decoded as {enc}): not readable "
                        f"text; {_SAVE_AS[1]}", where=where)
    return text, enc


def _strict(data: bytes, encoding: str, where: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        _raise_undecodable(data, exc.start, where, exc)
        raise


def _raise_undecodable(data: bytes, pos: int, where: str, exc: Exception) -> None:
    line = data[:pos].count(b"\n") + 1
    raise LoadError(f"第{line}行（字节 {pos}）无法按 UTF-8 或 GB18030/GBK 解码：编码不受支持；{_SAVE_AS[0]}",
                    f"line {line} (byte {pos}) is neither UTF-8 nor GB18030/GBK: unsupported encoding; "
                    f"{_SAVE_AS[1]}", where=where) from exc


def read_segments(path: Path, progress: Progress = silent) -> tuple[list[Segment], str]:
    check_size(path, "csv")
    text, enc = decode(path.read_bytes(), str(path))
    delimiter = _delimiter(text, "\t" if path.suffix.lower() == ".tsv" else ",")
    rows: list[GridRow] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        start = 1
        for record in reader:
            rows.append(GridRow(cells=list(record), sheet_row=start))   # the record's first line
            start = reader.line_num + 1
            if len(rows) % 100 == 0:
                progress(f"{path.name}: 已读 {len(rows)} 行 / {len(rows)} records read")
    except csv.Error as exc:
        raise LoadError(f"CSV 格式错误（第{reader.line_num}行）：{exc}", f"malformed CSV (line {reader.line_num}): {exc}",
                        where=str(path)) from exc
    return [Segment(rows)], enc


def _delimiter(text: str, default: str) -> str:
    """The candidate that splits most of the first lines into a table's worth of fields
    (title lines above the header have none, so csv.Sniffer is easily misled)."""
    sample = "\n".join(text.splitlines()[:40])
    best, best_score = default, 0
    for cand in (default, ",", "\t", ";"):
        try:
            score = sum(1 for rec in csv.reader(io.StringIO(sample), delimiter=cand) if len(rec) >= 4)
        except csv.Error:
            continue
        if score > best_score:
            best, best_score = cand, score
    return best


class CsvLoader:
    form = "csv"
    suffixes = (".csv", ".tsv", ".txt")

    def load(self, path: Path, layout: str | None, region: str, progress: Progress = silent, *,
             backbone: Backbone | None = None, strict: bool = True, options: ReadOptions | None = None) -> RegionList:
        segments, enc = read_segments(path, progress)
        progress(f"{path.name}: {len(segments[0].rows)} 行，{enc} / {len(segments[0].rows)} records, {enc}")
        return to_region_list(segments, path, region, layout, backbone=backbone, strict=strict, options=options)
