"""The variant corpus of issue 20: files as other regions' offices would send them.

Each variant is made, deterministically, from one of the four real lists as ``policykg
export`` gives it (:func:`loaders.export.region_table`): headers renamed or written with
full-width forms, spaces and line breaks, columns reordered, a title above the header, a
two-row header, extra columns, several sheets, hidden rows and columns, merged cells, CSV in
GBK/GB18030, 序号 written as ``1.0``, ``１`` or ``1、``. ``tests/test_headers_corpus.py`` loads
each and compares the graph with the original's. ``python tests/header_variants.py STORE``
prints the corpus table (for the issue's closing note).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from loaders.export import Table

Rows = list[list[str | None]]
LEVELS = ("level1", "level2", "level3")


@dataclass
class Variant:
    id: str
    code: str                      # the real list it comes from
    varies: str                    # what it varies (Chinese first)
    build: Callable[[Table, Path], Path]
    load_as: str = ""              # region code it is loaded as ("" = its own)
    hand: tuple[str, ...] = ()     # --map items
    notes: dict[str, str] | None = None   # 序号 -> the 备注 its extra columns add

    @property
    def region(self) -> str:
        return self.load_as or self.code


# ------------------------------------------------------------------ table -> cells

def columns(table: Table, rename: dict[str, str] | None = None, order: list[str] | None = None,
            extra: list[tuple[str, Callable[[int, dict], str]]] = ()) -> tuple[list[str], list[str | None], Rows]:
    """(headers, fields (None = extra column), rows) with headers renamed, columns reordered
    (``order``: fields, the others after in their order) and extra columns appended."""
    rename = rename or {}
    fields = table.fields()
    heads = dict(zip(fields, table.headers(), strict=True))
    if order:
        fields = [f for f in order if f in heads] + [f for f in fields if f not in order]
    out_h = [rename.get(f, heads[f]) for f in fields] + [h for h, _ in extra]
    out_f: list[str | None] = [*fields, *[None] * len(extra)]
    rows = [[r.get(f, "") for f in fields] + [fn(i, r) for _, fn in extra] for i, r in enumerate(table.rows)]
    return out_h, out_f, rows


def two_row(headers: list[str], fields: list[str | None], group: str = "服务事项") -> tuple[Rows, list[str]]:
    """A header of two rows: ``group`` over the service-item levels, the rest merged down.
    Returns the two rows and the merge ranges (A1 notation) an XLSX gets."""
    from openpyxl.utils import get_column_letter as col

    top: list[str | None] = []
    below: list[str | None] = []
    merges = []
    levels = [j for j, f in enumerate(fields) if f in LEVELS]
    for j, h in enumerate(headers):
        if j in levels:
            top.append(group if j == levels[0] else "")
            below.append(h)
        else:
            top.append(h)
            below.append("")
            merges.append(f"{col(j + 1)}1:{col(j + 1)}2")
    if levels and levels == list(range(levels[0], levels[-1] + 1)):
        merges.append(f"{col(levels[0] + 1)}1:{col(levels[-1] + 1)}1")
    return [top, below], merges


def serial_forms(rows: Rows, fields: list[str | None]) -> Rows:
    """序号 as offices write it: ``1.0``, ``１`` (full-width) or ``1、``, by 序号."""
    j = fields.index("row")
    full = str.maketrans("0123456789", "０１２３４５６７８９")
    out = []
    for r in rows:
        r = list(r)
        n = r[j] or ""
        if n.isdigit():
            r[j] = (f"{n}.0", n.translate(full), f"{n}、")[int(n) % 3]
        out.append(r)
    return out


def write_csv(path: Path, rows: Rows, encoding: str = "utf-8-sig") -> Path:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([[c or "" for c in r] for r in rows])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def merge_runs(rows: Rows, cols: list[int], start_row: int, key_col: int | None = None) -> list[str]:
    """Merge ranges for runs of equal, non-empty cells in ``cols`` (within one 序号 when
    ``key_col`` is given: a merged cell that spans two 序号 is only allowed for key columns)."""
    from openpyxl.utils import get_column_letter as col

    out = []
    for j in cols:
        i = 0
        while i < len(rows):
            k = i
            while (k + 1 < len(rows) and rows[k + 1][j] == rows[i][j] and rows[i][j]
                   and (key_col is None or rows[k + 1][key_col] == rows[i][key_col])):
                k += 1
            if k > i:
                out.append(f"{col(j + 1)}{start_row + i}:{col(j + 1)}{start_row + k}")
            i = k + 1
    return out


def write_xlsx(path: Path, sheets: list[tuple[str, Rows, list[str]]], hidden_rows: dict[str, list[int]] | None = None,
               hidden_cols: dict[str, list[str]] | None = None, numbers: bool = False) -> Path:
    """Sheets of (name, rows, merge ranges); merged-over cells are left empty as Excel keeps them.
    ``numbers``: 序号-like digit cells written as numbers (1 or 1.0 as Excel stores them)."""
    from openpyxl import Workbook
    from openpyxl.utils import range_boundaries

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows, merges in sheets:
        ws = wb.create_sheet(name)
        covered = set()
        for rng in merges:
            c1, r1, c2, r2 = range_boundaries(rng)
            covered |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)} - {(r1, c1)}
        for i, r in enumerate(rows, start=1):
            for j, v in enumerate(r, start=1):
                if (i, j) in covered or v in (None, ""):
                    continue
                if numbers and j == 1 and isinstance(v, str) and v.replace(".0", "").isdigit():
                    v = float(v) if v.endswith(".0") else int(v)
                ws.cell(i, j, v)
        for rng in merges:
            ws.merge_cells(rng)
        for r in (hidden_rows or {}).get(name, []):
            ws.row_dimensions[r].hidden = True
        for c in (hidden_cols or {}).get(name, []):
            ws.column_dimensions[c].hidden = True
    wb.save(path)
    return path


def title_rows(width: int, *lines: str) -> Rows:
    return [[ln] + [""] * (width - 1) for ln in lines]


# ------------------------------------------------------------------ the variants

def _yuhang(t: Table, p: Path) -> Path:
    """The issue's example: 德清's list, three headers renamed, two columns swapped, a title
    row and a 备注 column, sent by 余杭区."""
    h, f, rows = columns(t, rename={"key_task": "重点工作", "local_measure": "细化举措", "block": "承接板块（专区）"},
                         order=["row", "key_task", "content", "local_measure"], extra=[("备注", lambda i, r: "")])
    title = title_rows(len(h), "2024年余杭区政务服务增值化改革与“民营经济32条”一体融合细化清单")
    return write_xlsx(p.with_suffix(".xlsx"), [("Sheet1", title + [h] + rows, [f"A1:{_last(h)}1"])])


def _last(h: list[str]) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(len(h))


def _gbk(title: str, encoding: str = "gbk") -> Callable[[Table, Path], Path]:
    def build(t: Table, p: Path) -> Path:
        h, _, rows = columns(t)
        return write_csv(p.with_suffix(".csv"), title_rows(len(h), title) + [h] + rows, encoding)
    return build


def _two_row_xlsx(rename: dict[str, str] | None = None, title: str = "") -> Callable[[Table, Path], Path]:
    def build(t: Table, p: Path) -> Path:
        h, f, rows = columns(t, rename=rename)
        hdr, merges = two_row(h, f)
        top = title_rows(len(h), title) if title else []
        from openpyxl.utils import range_boundaries

        shifted = []
        for m in merges:                          # move the header's merges below the title
            c1, r1, c2, r2 = range_boundaries(m)
            a, b = m.split(":")
            shifted.append(f"{a[:-1]}{r1 + len(top)}:{b[:-1]}{r2 + len(top)}")
        return write_xlsx(p.with_suffix(".xlsx"), [("清单", top + hdr + rows, shifted)])
    return build


def _two_row_csv(rename: dict[str, str], encoding: str) -> Callable[[Table, Path], Path]:
    def build(t: Table, p: Path) -> Path:
        h, f, rows = columns(t, rename=rename)
        hdr, _ = two_row(h, f)
        return write_csv(p.with_suffix(".csv"), hdr + rows, encoding)
    return build


def _reordered(fmt: str, rename: dict[str, str] | None = None) -> Callable[[Table, Path], Path]:
    def build(t: Table, p: Path) -> Path:
        fields = t.fields()
        order = fields[::-1] if fmt == "xlsx" else fields[1::2] + fields[0::2]
        h, _, rows = columns(t, rename=rename, order=order)
        if fmt == "csv":
            return write_csv(p.with_suffix(".csv"), [h] + rows, "utf-8")
        return write_xlsx(p.with_suffix(".xlsx"), [("Sheet1", [h] + rows, [])])
    return build


def _renamed_csv(rename: dict[str, str], encoding: str = "utf-8-sig") -> Callable[[Table, Path], Path]:
    def build(t: Table, p: Path) -> Path:
        h, _, rows = columns(t, rename=rename)
        return write_csv(p.with_suffix(".csv"), [h] + rows, encoding)
    return build


def _serials(fmt: str) -> Callable[[Table, Path], Path]:
    def build(t: Table, p: Path) -> Path:
        h, f, rows = columns(t)
        rows = serial_forms(rows, f)
        if fmt == "csv":
            return write_csv(p.with_suffix(".csv"), [h] + rows, "utf-8")
        return write_xlsx(p.with_suffix(".xlsx"), [("Sheet1", [h] + rows, [])], numbers=True)
    return build


def _sheets(t: Table, p: Path) -> Path:
    h, _, rows = columns(t)
    notes = [["填表说明：请按附件格式填写，勿改动表头。"], ["联系人：区营商办"]]
    summary = [["序号", "地区", "事项数"], ["1", "衢州市", str(len(rows))], ["2", "柯城区", "0"]]
    return write_xlsx(p.with_suffix(".xlsx"), [("填表说明", notes, []), ("汇总", summary, []), ("清单", [h] + rows, [])])


def _merged(t: Table, p: Path) -> Path:
    """Merged cells as a region's workbook has them: 序号 over its service items, the key task
    and local measure over their rows, the block over equal neighbours, the title across."""
    h, f, rows = columns(t)
    title = title_rows(len(h), "附件4", "德清县政务服务增值化改革与“民营经济32条”一体融合细化清单")
    start = len(title) + 2
    row_col = f.index("row")
    merges = [f"A1:{_last(h)}1", f"A2:{_last(h)}2"]
    merges += merge_runs(rows, [row_col], start)
    merges += merge_runs(rows, [f.index("key_task")], start)
    merges += merge_runs(rows, [f.index("local_measure"), f.index("block")], start, key_col=row_col)
    return write_xlsx(p.with_suffix(".xlsx"), [("Sheet1", title + [h] + rows, merges)])


def _hidden(t: Table, p: Path) -> Path:
    """A hidden helper column (内部编号) and a hidden withdrawn row (a duplicate 序号 1)."""
    h, f, rows = columns(t)
    h = [h[0], "内部编号", *h[1:]]
    rows = [[r[0], f"ZS-{i:03d}", *r[1:]] for i, r in enumerate(rows)]
    withdrawn = list(rows[0])
    withdrawn[2:] = ["（已撤回）"] * (len(withdrawn) - 2)
    rows = [rows[0], withdrawn, *rows[1:]]
    return write_xlsx(p.with_suffix(".xlsx"), [("舟山市", [h] + rows, [])], hidden_rows={"舟山市": [3]},
                      hidden_cols={"舟山市": ["B"]})


def _extra_cols(t: Table, p: Path) -> Path:
    """Extra columns: 完成情况 (kept as notes), 联系电话 with phone numbers (left out)."""
    done = {"1": "已完成", "2": "推进中"}
    h, _, rows = columns(t, extra=[("完成情况", lambda i, r: done.get(r["row"], "")),
                                   ("联系电话", lambda i, r: "0580-2281234" if i % 5 == 0 else "")])
    return write_xlsx(p.with_suffix(".xlsx"), [("Sheet1", [h] + rows, [])])


def _spaced(t: Table, p: Path) -> Path:
    """Headers as typed: full-width brackets and digits, spaces, line breaks, a trailing colon."""
    rename = {"row": "序　号", "key_task": "省级\n重点工作", "provincial_texts": "省级 细化 措施",
              "block": "承接板块(专区)", "remark": "备注：", "level1": "一级\n事项"}
    h, _, rows = columns(t, rename=rename)
    return write_csv(p.with_suffix(".csv"), title_rows(len(h), "附件３") + [h] + rows, "utf-8-sig")


def _unmatchable(t: Table, p: Path) -> Path:
    h, _, rows = columns(t, rename={"local_measure": "工作举措内容"})
    return write_csv(p.with_suffix(".csv"), [h] + rows, "utf-8")


def _quzhou_titled(t: Table, p: Path) -> Path:
    h, _, rows = columns(t)
    title = title_rows(len(h), "附件1", "2024年衢州市政务服务增值化改革与“民营经济32条”一体融合细化清单")
    return write_csv(p.with_suffix(".csv"), title + [h] + rows, "gb18030")


QZ, ZS, QT, DQ = "330800", "330900", "330114", "330521"
VARIANTS: list[Variant] = [
    Variant("dq-yuhang", DQ, "余杭区（330110）：德清清单改三个表头、换两列、加标题行和备注列（XLSX） / the issue's "
            "example: 3 headers renamed, 2 columns swapped, title row, 备注 column", _yuhang, load_as="330110"),
    Variant("dq-gb18030-title", DQ, "GB18030 编码 CSV（德清清单含 GBK 没有的“▪”），标题行 / GB18030 CSV, title row",
            _gbk("德清县政务服务增值化改革与“民营经济32条”一体融合细化清单", "gb18030")),
    Variant("dq-two-row", DQ, "两行表头（服务事项合并在一级/二级/三级事项之上），标题行（XLSX） / two-row header, title",
            _two_row_xlsx(title="德清县细化清单")),
    Variant("dq-merged", DQ, "各处合并单元格：标题、序号、重点工作、细化举措、承接板块（XLSX） / merged cells anywhere",
            _merged),
    Variant("dq-aliases-csv", DQ, "别名表头：重点任务、区级细化举措、服务事项内容、承接部门，UTF-8 无 BOM / aliases",
            _renamed_csv({"key_task": "重点任务", "local_measure": "区级细化举措", "content": "服务事项内容",
                          "block": "承接部门"}, "utf-8")),
    Variant("dq-hand-map", DQ, "认不出的表头“工作举措内容”，用 --map 指定 / an unrecognisable header, mapped by hand",
            _unmatchable, hand=("工作举措内容=local_measure",)),
    Variant("qz-reversed", QZ, "列序倒置（XLSX） / columns in reverse order", _reordered("xlsx")),
    Variant("qz-aliases", QZ, "别名与近似表头：省级细化举措、落实细则、一级服务事项、承接部门（CSV） / aliases",
            _renamed_csv({"provincial_measures": "省级细化举措", "local_measure": "落实细则", "level1": "一级服务事项",
                          "block": "承接部门"})),
    Variant("qz-sheets", QZ, "三个工作表：填表说明、汇总（也有序号表头）、清单 / several sheets", _sheets),
    Variant("qz-serials-xlsx", QZ, "序号写作 1.0（数值）、１、1、（XLSX） / 序号 forms", _serials("xlsx")),
    Variant("qz-title-gb18030", QZ, "GB18030 CSV，附件行与标题行（写明衢州市） / GB18030, title naming 衢州市",
            _quzhou_titled),
    Variant("qz-two-row-gbk", QZ, "两行表头的 GBK CSV，表头改名为别名 / two-row header in a GBK CSV, aliases",
            _two_row_csv({"key_task": "重点任务", "level2": "二级服务事项"}, "gbk")),
    Variant("zs-fuzzy", ZS, "近似表头：市级细化举措、责任单位（部门）、重点 工作、联系人员（CSV） / fuzzy headers",
            _renamed_csv({"local_measure": "市级细化举措", "units": "责任单位（部门）", "key_task": "重点 工作",
                          "contacts": "联系人员"})),
    Variant("zs-gbk", ZS, "GBK 编码 CSV（含①②…），标题行 / GBK CSV with a title row", _gbk("舟山市细化表（2024年）")),
    Variant("zs-hidden", ZS, "隐藏列（内部编号）与隐藏行（已撤回的重复序号），工作表名“舟山市” / hidden row and column",
            _hidden),
    Variant("zs-reordered-csv", ZS, "列序打乱（CSV） / columns reordered", _reordered("csv")),
    Variant("zs-serials-csv", ZS, "序号写作 1.0、１、1、（CSV） / 序号 forms", _serials("csv")),
    Variant("qt-spaced", QT, "全角/半角、空格、换行、冒号的表头，附件３（CSV，BOM） / full-width, spaces, line breaks",
            _spaced),
    Variant("qt-two-row", QT, "两行表头与标题（XLSX），承接专区、重点任务 / two-row header, title, aliases",
            _two_row_xlsx({"block": "承接专区", "key_task": "重点任务"}, "2024年度钱塘区省级举措细化清单")),
    Variant("qt-extra-cols", QT, "多出两列：完成情况（记入备注）、联系电话（电话号码，不读入） / extra columns",
            _extra_cols, notes={"1": "完成情况：已完成", "2": "完成情况：推进中"}),
    Variant("qt-reordered", QT, "列序打乱，别名“说明”作备注（CSV） / reordered, 说明 for 备注",
            _reordered("csv", {"remark": "说明"})),
    Variant("qt-serials-xlsx", QT, "序号写作 1.0、１、1、（XLSX） / 序号 forms", _serials("xlsx")),
]


if __name__ == "__main__":                      # the corpus table for the closing note
    import sys
    import tempfile

    from loaders.export import region_table

    store = Path(sys.argv[1])
    with tempfile.TemporaryDirectory() as d:
        for v in VARIANTS:
            path = v.build(region_table(store, v.code), Path(d) / v.id)
            print(f"| {v.id} | {v.code}→{v.region} | {path.suffix} | {v.varies} |")
