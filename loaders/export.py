"""``policykg export``: a region's table rebuilt from the graph, with the source's own headers.

The rows come from SPARQL over the store (``queries/export/*.rq``), never from a cached
copy of the cells: each column of the region's layout (``loaders/mappings``) is formatted
from the entities the row produced. One output row per printed row, in 序号 order: a row
with several service items (a merged 序号 in the source) gets one output row per item, the
序号 and the row's other cells repeated on each (merged cells are repeated on every row they
cover). Cell texts carry no line breaks (the PDF's are gone; real spaces between words stay).

Responsible units and contacts come in printed order with what was printed between them
(``、``, ``，``, ``等``, ``联系人：``) and after them (``，列第一位为牵头单位``), from the rows'
qualified entries (pk:unitListing / pk:contactListing, each with pk:position and
pk:printedBefore). A 序号 printed twice (舟山 27) is two rows, each with its own cells.
钱塘's provincial texts come in printed order too (pk:provincialTextListing). Measures are
ordered by number. Phone numbers are personal data and are not exported.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from policykg.core import cellsafe, iris, regions
from policykg.core.config import QUERY_DIR
from policykg.core.errors import LoadError, UsageError
from policykg.graph.store import open_read_only
from policykg.sparql import queries

from .layouts import get as get_layout

EXPORT_QUERIES = QUERY_DIR / "export"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
ROW_FIELDS = ("row", "general_task", "key_task", "key_task_number", "provincial_measures",
              "provincial_measure_numbers", "local_measure", "target", "stage", "units", "contacts", "remark")


@dataclass
class Table:
    """A region's table as printed: columns of its layout, rows grouped by 序号."""

    region: str
    layout: str
    title: str = ""
    attachment: int | None = None
    groups: list[list[dict[str, str]]] = field(default_factory=list)   # per 序号: its printed rows

    @property
    def rows(self) -> list[dict[str, str]]:
        return [r for g in self.groups for r in g]

    def headers(self) -> list[str]:
        return get_layout(self.layout).headers

    def fields(self) -> list[str]:
        return [c.field for c in get_layout(self.layout).columns]


def _clean(text: str | None) -> str:
    """No line breaks (the graph's texts have none; real spaces between words stay)."""
    return re.sub(r"[\r\n]+", "", text or "").strip()


def _query(store, name: str, graph: str) -> list[dict[str, str | None]]:
    text = (EXPORT_QUERIES / f"{name}.rq").read_text(encoding="utf-8")
    return queries.run(store, text, substitutions={"graph": f"<{graph}>"}).values()


def _circled(n: int) -> str:
    return CIRCLED[n - 1] if 1 <= n <= len(CIRCLED) else f"({n})"


def _cn(n: int) -> str:
    """1 -> 一, 12 -> 十二, 20 -> 二十 (general and key task numbering)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def _general_task(number: str | None, label: str | None) -> str:
    if not label:
        return ""
    return f"{_cn(int(number))}、{label}" if number else label


def _measure_cell(kind: str, measures: list[dict]) -> str:
    parts = []
    for m in measures:
        n, text = m["number"], m["text"]
        if kind == "city-rule" and n:
            parts.append(f"{n}.{text}")
        elif kind == "city-measure" and n:
            parts.append(f"{_circled(n)}{text}")
        else:
            parts.append(text)
    return "".join(parts)


def _stage_cell(measures: list[dict]) -> str:
    """One stage for all -> that stage; else ``①②2023—2027年③长期实施`` (see people.stage_for)."""
    stages = [(m["number"], m["stage"]) for m in measures if m["stage"]]
    distinct = list(dict.fromkeys(s for _, s in stages))
    if len(distinct) <= 1:
        return distinct[0] if distinct else ""
    return "".join("".join(_circled(n) for n, s in stages if s == st and n) + st for st in distinct)


def _units_cell(measures: list[dict]) -> str:
    units = sorted({u for m in measures for u in m["units"]})
    lead = next((m["lead"] for m in measures if m["lead"]), "")
    if not lead:
        return "、".join(units)
    return "、".join([lead, *[u for u in units if u != lead]]) + "，列第一位为牵头单位"


def _measure_cells(kind: str, ms: list[dict]) -> dict[str, str]:
    return {
        "local_measure": _measure_cell(kind, ms),
        "target": next((m["target"] for m in ms if m["target"]), ""),
        "stage": _stage_cell(ms) if kind == "city-measure" else next((m["stage"] for m in ms if m["stage"]), ""),
        "units": _units_cell(ms),
    }


def region_table(store_dir: Path | str, region_code: str) -> Table:
    """The region's table from the store's graph (a LoadError if the region has no list)."""
    try:
        reg = regions.get(region_code)
    except UsageError as exc:
        raise LoadError(exc.zh, exc.en) from None
    return table_from_store(open_read_only(store_dir), reg.code)


def table_from_store(store, region_code: str) -> Table:
    """The region's table from an open store (the current one, or a version's: policykg.diff)."""
    reg = regions.get(region_code)
    graph = iris.region_graph(reg.code)
    meta = _query(store, "table", graph)
    if not meta:
        raise LoadError(f"图谱中没有 {reg.full_name}（{reg.code}）的清单：请先 policykg load",
                        f"the store holds no list for {reg.code}: run policykg load first")
    layout = get_layout(meta[0]["layout"] or "standard")
    table = Table(region=reg.code, layout=layout.id, title=meta[0]["title"] or "",
                  attachment=int(meta[0]["attachment"]) if meta[0]["attachment"] else None)

    # keyed by the row's IRI: a 序号 printed twice (舟山 27) is two rows, row/27 and row/27-2
    measures: dict[str, dict[str, dict]] = defaultdict(dict)
    for r in _query(store, "measures", graph):
        m = measures[r["row"]].setdefault(r["key"], {
            "number": int(r["number"]) if r["number"] else 0, "text": r["text"] or "", "target": r["target"] or "",
            "stage": r["stage"] or "", "units": [], "lead": r["lead"] or ""})
        if r["unit"] and r["unit"] not in m["units"]:
            m["units"].append(r["unit"])
    cited: dict[str, dict[int, str]] = defaultdict(dict)
    printed: dict[str, list[str]] = defaultdict(list)
    for r in _query(store, "provincial", graph):
        if r["number"]:
            cited[r["row"]][int(r["number"])] = r["text"] or ""
        if r["printed"]:
            printed[r["row"]].append(r["printed"])
    items: dict[str, list[tuple[int, dict]]] = defaultdict(list)
    for r in _query(store, "items", graph):
        k = int(r["id"].rsplit("-", 2)[-1]) if r["id"].count("-") >= 2 else 0
        items[r["row"]].append((k, r))
    contacts: dict[str, list[str]] = defaultdict(list)
    for r in _query(store, "contacts", graph):      # in printed order, with "、" / "，联系人：" as printed
        contacts[r["row"]].append(f"{r['before'] or ''}{r['name']}" + (f"（{r['role']}）" if r["role"] else ""))
    units: dict[str, list[str]] = defaultdict(list)
    notes: dict[str, str] = {}
    for r in _query(store, "units", graph):
        units[r["row"]].append(f"{r['before'] or ''}{r['unit']}")
        notes[r["row"]] = r["note"] or ""

    for r in _query(store, "rows", graph):
        n, row = int(r["n"]), r["row"]
        ms = sorted(measures[row].values(), key=lambda m: (m["number"], m["text"]))
        base = {
            "row": str(n),
            "general_task": _general_task(r["generalTask"], r["generalTaskLabel"]),
            "key_task": r["keyTaskLabel"] or "",
            "key_task_number": r["keyTask"] or "",
            "provincial_measures": "".join(f"{k}.{t}" for k, t in sorted(cited[row].items())),
            "provincial_measure_numbers": ",".join(str(k) for k in sorted(cited[row])),
            "contacts": "".join(contacts[row]),
            "remark": r["remark"] or "",
        }
        part = _measure_cells(layout.local_measure_kind, ms) if ms else {}
        if units[row]:
            part["units"] = "".join(units[row]) + notes[row]
        texts = printed[row]                      # in printed order (pk:provincialTextListing)
        row_items = [it for _, it in sorted(items[row], key=lambda x: x[0])]
        subrows = max(1, len(row_items), len(texts) if "provincial_texts" in table.fields() else 0)
        group = []
        for i in range(subrows):
            cells = dict(base)
            cells.update(part)
            it = row_items[i] if i < len(row_items) else {}
            cells.update({
                "level1": it.get("level1") or "", "level2": it.get("level2") or "", "level3": it.get("level3") or "",
                "block": it.get("block") or it.get("printedBlock") or "", "content": it.get("content") or "",
                "process": it.get("process") or "", "channel": it.get("channel") or "",
                "responsible_unit": it.get("unit") or "",
            })
            if not cells["responsible_unit"]:
                cells["responsible_unit"] = "、".join(sorted({u for m in ms for u in m["units"]}))
            cells["provincial_texts"] = texts[i] if len(texts) == subrows else ("\n".join(texts) if i == 0 else "")
            group.append({f: _clean(cells.get(f, "")) if f != "provincial_texts" else cells[f]
                          for f in table.fields()})
        table.groups.append(group)
    return table



def version_rows(store, code: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """(headers, [(序号, {header: cell})]) as ``export`` prints the table: the rows
    :func:`policykg.diff.diff` compares (``rows_of``), from any store (the current one or a
    version's)."""

    try:
        table = table_from_store(store, code)
    except (LoadError, UsageError):        # an emptied region (DELETE) has no table
        return [], []
    headers, fields = table.headers(), table.fields()
    out = []
    for group in table.groups:
        cells = {}
        for h, f in zip(headers, fields, strict=False):
            vals = [r.get(f, "") for r in group]
            cells[h] = vals[0] if len(set(vals)) == 1 else "\n".join(vals)
        out.append((int(group[0]["row"]), cells))
    return headers, out


def to_csv(table: Table) -> bytes:
    """UTF-8 with BOM (Excel opens it as UTF-8), CRLF line ends."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(table.headers())
    fields = table.fields()
    for row in table.rows:
        w.writerow(cellsafe.csv_row([row.get(f, "") for f in fields]))   # no live formulas (OWASP)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    # openpyxl: heavy optional dependency, imported only when an XLSX is written
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = table.region
    ws.append(table.headers())
    for c in ws[1]:
        c.font = Font(bold=True)
    fields = table.fields()
    for row in table.rows:
        ws.append([_xlsx_value(f, row.get(f, "")) for f in fields])
        cellsafe.xlsx_text(ws)
    for col in ws.columns:
        width = max(len(str(c.value or "")) for c in col[:50])
        ws.column_dimensions[col[0].column_letter].width = min(60, max(8, width * 1.6))
        for c in col[1:]:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _xlsx_value(fld: str, text: str) -> str | int:
    return int(text) if fld in ("row", "key_task_number") and text.isdigit() else text


def export_region(store_dir: Path | str, region_code: str, fmt: str = "csv") -> bytes:
    table = region_table(store_dir, region_code)
    if fmt == "csv":
        return to_csv(table)
    if fmt == "xlsx":
        return to_xlsx(table)
    raise UsageError(f"不支持的导出格式 {fmt}（csv 或 xlsx）", f"unsupported export format {fmt} (csv or xlsx)")
