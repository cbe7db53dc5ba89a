"""``policykg landing`` output: JSON (one cell per region × measure), XLSX and self-contained HTML."""

from __future__ import annotations

import io
import json
from html import escape

from .landing import STATUS_LABELS, STATUSES, Landing

FORMATS = ("json", "xlsx", "html")
COLOURS = {"service-item": "#2e7d32", "local-measure": "#f9a825", "none": "#e0e0e0"}
SHORT = {"service-item": "事", "local-measure": "举", "none": "·"}


def render(land: Landing, fmt: str, region: str | None = None) -> bytes:
    if fmt == "json":
        return json.dumps(land.cell_list(region), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if fmt == "xlsx":
        return _xlsx(land, region)
    return _html(land, region).encode("utf-8")


def status_label(status: str) -> str:
    zh, en = STATUS_LABELS[status]
    return f"{zh} / {en}"


def rate_rows(land: Landing) -> list[dict]:
    """Each region's landing rate: converted / refined / none out of the measures."""
    total = len(land.measures)
    out = []
    for code, name in land.regions.items():
        c = land.counts(code)
        out.append({"region": code, "name": name, "total": total,
                    **{s: c.get(s, 0) for s in STATUSES},
                    "rate": round(c.get("service-item", 0) / total, 3) if total else 0.0})
    return out


def _xlsx(land: Landing, region: str | None) -> bytes:
    from openpyxl import Workbook  # heavy optional dependency: imported only when needed
    from openpyxl.styles import PatternFill  # heavy optional dependency: imported only when needed

    codes = [region] if region else list(land.regions)
    wb = Workbook()
    ws = wb.active
    ws.title = "落地矩阵"
    ws.append(["重点工作 key task", "措施 measure", "标题 label", *[f"{land.regions[c]} {c}" for c in codes]])
    fills = {s: PatternFill("solid", fgColor=COLOURS[s].lstrip("#")) for s in STATUSES}
    for m, meas in land.measures.items():
        ws.append([meas.key_task, m, meas.label, *[STATUS_LABELS[land.cells[(c, m)]["status"]][0] for c in codes]])
        for j, c in enumerate(codes):
            ws.cell(ws.max_row, 4 + j).fill = fills[land.cells[(c, m)]["status"]]
    ws2 = wb.create_sheet("单元格")
    ws2.append(["地区 region", "措施 measure", "状态 status", "依据 kind", "置信度 confidence", "行 rows",
                "服务事项 service items", "建议 recommendations"])
    for c in land.cell_list(region):
        conf = c["confidence"] or {}
        ws2.append([c["region"], c["measure"], c["status"], conf.get("kind"), conf.get("value"),
                    "、".join(str(r["row"]) for r in c["rows"]),
                    "；".join(f"{i['name']}（第{i['row']}行）" for i in c["service_items"]),
                    "；".join(f"{r['name']}（{r['region_name']}第{r['row']}行）" for r in c["recommendations"])])
    ws3 = wb.create_sheet("可转化")
    ws3.append(["措施 measure", "可转化 convertible", "转化地区数 regions", "说明 evidence"])
    for m in land.measures:
        cv = land.convertibility(m)
        ws3.append([m, "是" if cv["convertible"] else "待研判", len(cv["regions"]), cv["summary"]])
    ws4 = wb.create_sheet("落地率")
    ws4.append(["地区 region", "名称 name", "已转化 converted", "已细化 refined", "未落地 none", "总数 total"])
    for r in rate_rows(land):
        if region is None or r["region"] == region:
            ws4.append([r["region"], r["name"], r["service-item"], r["local-measure"], r["none"], r["total"]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


CSS = """body{font-family:"Noto Sans CJK SC",sans-serif;margin:1em}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:2px 4px;font-size:12px}td.s{width:1.4em;text-align:center}
.service-item{background:#2e7d32;color:#fff}.local-measure{background:#f9a825}.none{background:#eee;color:#999}
th.kt{background:#f5f5f5;text-align:left}"""


def _html(land: Landing, region: str | None) -> str:
    codes = [region] if region else list(land.regions)
    out = ["<!doctype html><html lang=zh><meta charset=utf-8><title>省级细化措施落地矩阵 / Landing matrix</title>",
           f"<style>{CSS}</style><h1>省级细化措施落地矩阵 <small>Landing matrix</small></h1>",
           "<h2>落地率 <small>Landing rate</small></h2><table><tr><th>地区</th><th>已转化 converted</th>"
           "<th>已细化 refined</th><th>未落地 none</th><th>总数 total</th></tr>"]
    for r in rate_rows(land):
        if r["region"] in codes:
            out.append(f"<tr><td>{escape(r['name'])} {r['region']}</td><td>{r['service-item']}</td>"
                       f"<td>{r['local-measure']}</td><td>{r['none']}</td><td>{r['total']}</td></tr>")
    out.append("</table><h2>矩阵 <small>Matrix</small></h2><table><tr><th>措施</th>"
               + "".join(f"<th>{escape(land.regions[c])}</th>" for c in codes) + "<th>可转化 convertible</th></tr>")
    kt = None
    for m, meas in land.measures.items():
        if meas.key_task != kt:
            kt = meas.key_task
            out.append(f"<tr><th class=kt colspan={len(codes) + 2}>重点工作{kt} {escape(meas.key_task_title)}</th></tr>")
        cells = "".join(f"<td class='s {land.cells[(c, m)]['status']}' title='{escape(status_label(land.cells[(c, m)]['status']))}'>"
                        f"{SHORT[land.cells[(c, m)]['status']]}</td>" for c in codes)
        out.append(f"<tr><td>{escape(meas.label)}</td>{cells}<td>{escape(land.convertibility(m)['summary'])}</td></tr>")
    out.append("</table>")
    for c in codes:
        recs = land.recommendations(c)
        if not recs:
            continue
        out.append(f"<h2>{escape(land.regions[c])}的落地建议 <small>Recommendations for {c}</small></h2><ul>")
        for r in recs:
            items = "；".join(f"{escape(x['name'])}（{escape(x['level1'] or '')}/{escape(x['level2'] or '')}，"
                             f"{escape(x['block'] or '')}，{escape(x['region_name'])}第{x['row']}行）" for x in r["recommendations"])
            out.append(f"<li>措施{r['measure']}：{items}</li>")
        out.append("</ul>")
    return "\n".join(out) + "</html>"
