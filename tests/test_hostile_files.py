"""Hostile files (issue 19): XLSX bombs refused before openpyxl, formula-safe exports.

XLSX: a merged range ``J1:XFD1048576``, a lone cell at ``XFD1048576``, a far
``<dimension>``, a ZIP member inflating 1000 times: each refused in well under a second with
a message naming the file, the sheet and the reference. Exports: cells beginning with
``= + - @``, tab or CR are text in XLSX and carry the ``'`` guard in CSV (OWASP).
"""

from __future__ import annotations

import csv
import io
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from loaders import xlsxguard
from loaders.export import Table, to_csv, to_xlsx
from loaders.xlsx import read_segments
from policykg.core import cellsafe
from policykg.core.errors import LoadError

PAYLOADS = ['=HYPERLINK("http://127.0.0.1:9/x","点击")', "=cmd|' /C calc'!A0", "+1+2", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+2", "\r=1+2", "=1+2"]


def _workbook(tmp_path: Path, patch=None, name: str = "list.xlsx") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "重点工作", "具体举措"])
    ws.append([1, "一、", "测试"])
    path = tmp_path / name
    wb.save(path)
    if patch is None:
        return path
    out = tmp_path / ("bomb-" + name)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = patch(data)
            dst.writestr(info, data)
    return out


def _merged(data: bytes) -> bytes:
    return data.replace(b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="J1:XFD1048576"/>'
                                        b"</mergeCells>")


def _far_cell(data: bytes) -> bytes:
    return data.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>'
                                        b"</row></sheetData>")


def _dimension(data: bytes) -> bytes:
    import re

    return re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', data)


def _many_rows_merged(data: bytes) -> bytes:
    cells = b"".join(b'<mergeCell ref="A%d:IV%d"/>' % (i, i + 99) for i in range(1, 90000, 100))
    return data.replace(b"</sheetData>", b"</sheetData><mergeCells>" + cells + b"</mergeCells>")


@pytest.mark.parametrize("patch, says", [
    (_merged, "XFD1048576"), (_far_cell, "1048576"), (_dimension, "XFD1048576"),
    (_many_rows_merged, "合并单元格"),
])
def test_xlsx_bombs_refused_before_openpyxl(tmp_path, patch, says):
    path = _workbook(tmp_path, patch)
    assert path.stat().st_size < 64 * 1024
    t0 = time.monotonic()
    with pytest.raises(LoadError) as err:
        read_segments(path)
    assert time.monotonic() - t0 < 10.0          # generous: the bombs ran 78-108 s
    msg = str(err.value)
    assert says in msg and path.name in msg and "sheet1.xml" in msg


def test_zip_bomb_member_refused(tmp_path):
    path = _workbook(tmp_path)
    bomb = tmp_path / "zipbomb.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("xl/media/padding.bin", b"\0" * (20 << 20))
    with pytest.raises(LoadError) as err:
        xlsxguard.check(bomb)
    assert "压缩炸弹" in str(err.value) and "ZIP bomb" in str(err.value)


def test_ordinary_workbook_passes(tmp_path):
    path = _workbook(tmp_path)
    xlsxguard.check(path)
    assert read_segments(path)[0].rows[0].cells[:1] == ["序号"]


# ------------------------------------------------------------------ formula injection

def _table(values: list[str]) -> Table:
    from loaders.layouts import get

    fields = [c.field for c in get("standard").columns]
    rows = [{f: v for f in fields} for v in values]
    return Table(region="330800", layout="standard", groups=[rows])


@pytest.mark.parametrize("payload", PAYLOADS)
def test_csv_export_guards_formulas(payload):
    body = to_csv(_table([payload])).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert all(cell == "'" + payload for cell in rows[1])


def test_csv_export_leaves_text_and_numbers():
    body = to_csv(_table(["衢州市发改委", "-3", "+1.5", "a=b", "1"])).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert [r[0] for r in rows[1:]] == ["衢州市发改委", "-3", "+1.5", "a=b", "1"]


def test_xlsx_export_writes_formulas_as_text(tmp_path):
    path = tmp_path / "out.xlsx"
    path.write_bytes(to_xlsx(_table(PAYLOADS)))
    with zipfile.ZipFile(path) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet and b"<f " not in sheet          # no formula element anywhere
    ws = openpyxl.load_workbook(path).active
    texts = [ws.cell(r, 3).value for r in range(2, 2 + len(PAYLOADS))]
    assert texts == [p.replace("\r", "\n") for p in PAYLOADS]       # XML reads a CR as LF
    assert all(ws.cell(r, 3).data_type == "s" and ws.cell(r, 3).quotePrefix for r in range(2, 2 + len(PAYLOADS)))


def test_validation_csv_writes_formulas_as_text():
    """A finding whose value or message a list controls (a cell's text) is no live formula in
    the validation CSV (OWASP's guard prefix)."""
    from policykg.validate import render
    from policykg.validate.model import Finding, Report

    bad = Finding("Warning", "https://w3id.org/policykg/id/x", None, "https://w3id.org/policykg/shapes#s",
                  '=HYPERLINK("http://x")', "+1+2", region="330800", row=1, value="@SUM(1)")
    rows = list(csv.reader(io.StringIO(render(Report(False, [bad]), "csv"))))
    assert rows[1][7:] == ["'@SUM(1)", '\'=HYPERLINK("http://x")', "'+1+2"]
    assert cellsafe.csv_row(["=1", "x", 3, "-1"]) == ["'=1", "x", 3, "-1"]


def test_report_xlsx_writes_formulas_as_text(tmp_path):
    """The report's XLSX guards its cells like the export (a region name here stands for any text)."""
    from policykg.report.data import Region, ReportData
    from policykg.report.xlsx import write_xlsx

    reg = Region("330800", '=HYPERLINK("http://x")', rows=1)
    data = ReportData([reg], {}, [], [], {}, {})
    path = tmp_path / "r.xlsx"
    write_xlsx(data, path)
    with zipfile.ZipFile(path) as zf:
        sheets = [zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and all(b"<f>" not in x and b"<f " not in x for x in sheets)
    cells = [c for ws in openpyxl.load_workbook(path) for row in ws.iter_rows() for c in row
             if c.value == '=HYPERLINK("http://x")']
    assert cells and all(c.data_type == "s" for c in cells)


def test_csv_size_cap_refuses_at_once(tmp_path, monkeypatch):
    from loaders import csvfile, limits

    path = tmp_path / "huge.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "序号,重点工作\r\n".encode() + b"1,x\r\n" * 50_000)
    monkeypatch.setitem(limits.MAX_BYTES, "csv", 100_000)
    t0 = time.monotonic()
    with pytest.raises(LoadError) as err:
        csvfile.read_segments(path)
    assert time.monotonic() - t0 < 10.0
    assert "huge.csv" in str(err.value) and "CSV 文件过大" in str(err.value) and "too large" in str(err.value)
    assert limits.MAX_BYTES["xlsx"] == xlsxguard.MAX_FILE_BYTES
