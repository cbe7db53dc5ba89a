"""The handling summary as text (Chinese first) or as an XLSX workbook, one sheet per part."""

from __future__ import annotations

import io
import json
from typing import Any

KIND_ZH = {"never_used": "从未使用", "low_completion": "办结率低", "bad_reviews": "差评多"}


def pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.1%}"


def to_json(s: dict[str, Any]) -> str:
    return json.dumps(s, ensure_ascii=False, indent=2) + "\n"


def to_text(s: dict[str, Any], limit: int = 20) -> str:
    p = s["period"]
    span = f"{p['months'][0]}–{p['months'][-1]}" if p["months"] else "（无记录 none）"
    out = [f"服务事项办件情况 / service handling summary：统计月份 {span}（{len(p['months'])} 个月 months）", ""]
    out.append("地区 region | 服务事项 items | 有办件 handled | 受理 received | 办结 completed | 办结率 completion | "
               "好评率 satisfaction")
    for r in s["regions"]:
        out.append(f"{r['name']}（{r['region']}） | {r['items']} | {r['items_handled']} | {r['received']} | "
                   f"{r['completed']} | {pct(r['completion_rate'])} | {pct(r['satisfaction'])}")
    for r in s["regions_without_records"]:
        out.append(f"{r['name']}（{r['region']}）：{r['items']} 个服务事项，尚无办件记录 / no handling records yet")
    out += ["", f"从未办件的服务事项 / never handled：{len(s['never_handled'])}"]
    for n in s["never_handled"][:limit]:
        out.append(f"  {n['region']} 序号 {n['row']} {n['item']}（{n['block']}）")
    if len(s["never_handled"]) > limit:
        out.append(f"  … 另有 {len(s['never_handled']) - limit} 项 / {len(s['never_handled']) - limit} more")
    out += ["", "按承接板块 / by block：地区 | 板块 | 事项 | 有办件 | 受理 | 办结 | 办结率"]
    for b in s["by_block"]:
        out.append(f"  {b['region']} | {b['block']} | {b['items']} | {b['items_handled']} | {b['received']} | "
                   f"{b['completed']} | {pct(b['completion_rate'])}")
    out += ["", "按一级事项 / by level-1 category：地区 | 一级事项 | 事项 | 有办件 | 受理 | 办结 | 办结率"]
    for b in s["by_level1"]:
        out.append(f"  {b['region']} | {b['level1']} | {b['items']} | {b['items_handled']} | {b['received']} | "
                   f"{b['completed']} | {pct(b['completion_rate'])}")
    out += ["", f"按省级细化措施 / by provincial measure：{len(s['by_measure'])} 条有服务事项 "
                f"（措施 | 事项 | 有办件 | 受理 | 办结）"]
    for m in s["by_measure"][:limit]:
        out.append(f"  {m['measure']} | {m['items']} | {m['items_handled']} | {m['received']} | {m['completed']}")
    if len(s["by_measure"]) > limit:
        out.append(f"  … 另有 {len(s['by_measure']) - limit} 条 / {len(s['by_measure']) - limit} more")
    out += ["", "逐月趋势 / monthly trend：月份 | 受理 | 办结 | 办结率 | 好评 | 差评 | 有办件事项"]
    for t in s["trend"]:
        out.append(f"  {t['month']} | {t['received']} | {t['completed']} | {pct(t['completion_rate'])} | "
                   f"{t['good']} | {t['bad']} | {t['items_handled']}")
    out += ["", f"堵点 / bottlenecks：{len(s['bottlenecks'])}（排序：从未使用、办结率低、差评多）"]
    for b in s["bottlenecks"][:limit]:
        kinds = "、".join(KIND_ZH[k] for k in b["kinds"])
        out.append(f"  {b['rank']}. [{kinds}] {b['region']} 序号 {b['row']} {b['item']}：{b['reason']['zh']}")
    if len(s["bottlenecks"]) > limit:
        out.append(f"  … 另有 {len(s['bottlenecks']) - limit} 项（--format json 查看全部） / "
                   f"{len(s['bottlenecks']) - limit} more (all in --format json)")
    return "\n".join(out) + "\n"


SHEETS = (
    ("地区", "regions", [("region", "地区代码"), ("name", "地区"), ("items", "服务事项"), ("items_handled", "有办件事项"),
                         ("received", "受理件数"), ("completed", "办结件数"), ("good", "好评数"), ("bad", "差评数"),
                         ("completion_rate", "办结率"), ("satisfaction", "好评率")]),
    ("从未办件", "never_handled", [("region", "地区代码"), ("row", "清单序号"), ("item", "服务事项"), ("block", "承接板块"),
                                   ("level1", "一级事项")]),
    ("承接板块", "by_block", [("region", "地区代码"), ("block", "承接板块"), ("items", "服务事项"),
                              ("items_handled", "有办件事项"), ("received", "受理件数"), ("completed", "办结件数"),
                              ("completion_rate", "办结率"), ("satisfaction", "好评率")]),
    ("一级事项", "by_level1", [("region", "地区代码"), ("level1", "一级事项"), ("items", "服务事项"),
                               ("items_handled", "有办件事项"), ("received", "受理件数"), ("completed", "办结件数"),
                               ("completion_rate", "办结率"), ("satisfaction", "好评率")]),
    ("省级细化措施", "by_measure", [("measure", "省级细化措施"), ("items", "服务事项"), ("items_handled", "有办件事项"),
                                    ("received", "受理件数"), ("completed", "办结件数"), ("completion_rate", "办结率")]),
    ("逐月趋势", "trend", [("month", "月份"), ("received", "受理件数"), ("completed", "办结件数"), ("good", "好评数"),
                           ("bad", "差评数"), ("items_handled", "有办件事项"), ("completion_rate", "办结率")]),
    ("堵点", "bottlenecks", [("rank", "排序"), ("region", "地区代码"), ("row", "清单序号"), ("item", "服务事项"),
                             ("received", "受理件数"), ("completed", "办结件数"), ("bad", "差评数"), ("reason", "原因")]),
)


def add_sheets(wb, s: dict[str, Any], prefix: str = "") -> None:  # noqa: ANN001 - an openpyxl Workbook
    """One sheet per part of the summary (the landing report adds them with prefix 办件-)."""
    from openpyxl.styles import Font  # heavy optional dependency: imported only when needed

    for title, key, cols in SHEETS:
        ws = wb.create_sheet(prefix + title)
        ws.append([h for _, h in cols])
        for c in ws[1]:
            c.font = Font(bold=True)
        for row in s[key]:
            vals = []
            for k, _ in cols:
                v = row.get(k)
                if k == "reason":
                    v = v["zh"] if v else ""
                elif isinstance(v, list):
                    v = " ".join(map(str, v))
                vals.append(v)
            ws.append(vals)
        for k, (field, _) in enumerate(cols, start=1):
            if field in ("completion_rate", "satisfaction"):
                for (cell,) in ws.iter_rows(min_row=2, min_col=k, max_col=k):
                    cell.number_format = "0.0%"
        ws.freeze_panes = "A2"


def to_xlsx(s: dict[str, Any]) -> bytes:
    from openpyxl import Workbook  # heavy optional dependency: imported only when needed

    wb = Workbook()
    wb.remove(wb.active)
    add_sheets(wb, s)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def render(s: dict[str, Any], fmt: str) -> str | bytes:
    if fmt == "json":
        return to_json(s)
    if fmt == "text":
        return to_text(s)
    if fmt == "xlsx":
        return to_xlsx(s)
    raise ValueError(fmt)
