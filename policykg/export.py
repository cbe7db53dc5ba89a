"""``policykg export``: a region's table rebuilt from the graph, with the source's own headers.

The rows come from SPARQL over the store (``queries/export/*.rq``), never from a cached
copy of the cells: each column of the region's layout (``loaders/mappings``) is formatted
from the entities the row produced. One output row per printed row, in 序号 order: a row
with several service items (a merged 序号 in the source) gets one output row per item, the
序号 and the row's other cells repeated on each (merged cells are repeated on every row they
cover). Cell texts carry no line breaks (the PDF's are gone; real spaces between words stay).

Where the graph keeps a set, the export picks an order: provincial texts, responsible units
(lead unit first) and contacts alphabetically. Phone numbers are personal data and are not
exported.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from . import cellsafe, iris, regions
from .config import QUERY_DIR
from .errors import LoadError, UsageError
from .store import open_read_only

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
        from loaders.layouts import get

        return get(self.layout).headers

    def fields(self) -> list[str]:
        from loaders.layouts import get

        return [c.field for c in get(self.layout).columns]


def _clean(text: str | None) -> str:
    """No line breaks (the graph's texts have none; real spaces between words stay)."""
    return re.sub(r"[\r\n]+", "", text or "").strip()


def _query(store, name: str, graph: str) -> list[dict[str, str | None]]:
    from . import queries

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


def _parts(measures: dict[str, dict]) -> list[list[dict]]:
    """Measures by printing: key ``27-1`` is the first, ``27p2-1`` the second (see loaders.cells)."""
    by_part: dict[int, list[dict]] = defaultdict(list)
    for key, m in measures.items():
        head = key.split("-", 1)[0]
        part = int(head.split("p", 1)[1]) if "p" in head and head.split("p", 1)[1].isdigit() else 1
        by_part[part].append(m)
    return [sorted(by_part[k], key=lambda m: (m["number"], m["text"])) for k in sorted(by_part)]


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
    store = open_read_only(store_dir)
    graph = iris.region_graph(reg.code)
    meta = _query(store, "table", graph)
    if not meta:
        raise LoadError(f"图谱中没有 {reg.full_name}（{reg.code}）的清单：请先 policykg load",
                        f"the store holds no list for {reg.code}: run policykg load first")
    from loaders.layouts import get as get_layout

    layout = get_layout(meta[0]["layout"] or "standard")
    table = Table(region=reg.code, layout=layout.id, title=meta[0]["title"] or "",
                  attachment=int(meta[0]["attachment"]) if meta[0]["attachment"] else None)

    measures: dict[int, dict[str, dict]] = defaultdict(dict)
    for r in _query(store, "measures", graph):
        m = measures[int(r["n"])].setdefault(r["key"], {
            "number": int(r["number"]) if r["number"] else 0, "text": r["text"] or "", "target": r["target"] or "",
            "stage": r["stage"] or "", "units": [], "lead": r["lead"] or ""})
        if r["unit"] and r["unit"] not in m["units"]:
            m["units"].append(r["unit"])
    cited: dict[int, dict[int, str]] = defaultdict(dict)
    printed: dict[int, list[str]] = defaultdict(list)
    for r in _query(store, "provincial", graph):
        if r["number"]:
            cited[int(r["n"])][int(r["number"])] = r["text"] or ""
        if r["printed"]:
            printed[int(r["n"])].append(r["printed"])
    items: dict[int, list[tuple[int, dict]]] = defaultdict(list)
    for r in _query(store, "items", graph):
        n = int(r["n"])
        k = int(r["id"].rsplit("-", 2)[-1]) if r["id"].count("-") >= 2 else 0
        items[n].append((k, r))
    contacts: dict[int, list[str]] = defaultdict(list)
    for r in _query(store, "contacts", graph):
        contacts[int(r["n"])].append(f"{r['name']}（{r['role'] or ''}）")   # （） keeps a name without role

    for r in _query(store, "rows", graph):
        n = int(r["n"])
        ms = sorted(measures[n].values(), key=lambda m: (m["number"], m["text"]))
        base = {
            "row": str(n),
            "general_task": _general_task(r["generalTask"], r["generalTaskLabel"]),
            "key_task": r["keyTaskLabel"] or "",
            "key_task_number": r["keyTask"] or "",
            "provincial_measures": "".join(f"{k}.{t}" for k, t in sorted(cited[n].items())),
            "provincial_measure_numbers": ",".join(str(k) for k in sorted(cited[n])),
            "contacts": "、".join(contacts[n]),
            "remark": r["remark"] or "",
        }
        # a 序号 printed twice (舟山 27: keys 27-1…, 27p2-1…) comes back as two printed rows
        parts = [_measure_cells(layout.local_measure_kind, part) for part in _parts(measures[n])] or [{}]
        texts = sorted(printed[n])
        row_items = [it for _, it in sorted(items[n], key=lambda x: x[0])]
        subrows = max(len(parts), len(row_items), len(texts) if "provincial_texts" in table.fields() else 0)
        group = []
        for i in range(subrows):
            cells = dict(base)
            cells.update(parts[i] if i < len(parts) else parts[0] if len(parts) == 1 else {})
            if i > 0 and len(parts) > 1:
                cells["contacts"] = ""             # the row's contacts are printed once
            it = row_items[i] if i < len(row_items) else {}
            cells.update({
                "level1": it.get("level1") or "", "level2": it.get("level2") or "", "level3": it.get("level3") or "",
                "block": it.get("block") or "", "content": it.get("content") or "",
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
