"""The landing-analysis report as one self-contained HTML page (inline CSS and SVG, no script,
no network, Chinese first)."""

from __future__ import annotations

from html import escape
from typing import Any

from policykg.core.records import KEY_TASKS, PROVINCIAL_MEASURES

from . import svg as svg
from .data import Region, ReportData
from .handling import html_section
from .landing import section_html

# ------------------------------------------------------------------ HTML

CSS = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC","Microsoft YaHei",sans-serif;margin:24px auto;max-width:1180px;
color:#1d1d1d;line-height:1.5;padding:0 16px}
h1{font-size:1.6em;margin-bottom:.1em}h2{font-size:1.3em;margin-top:2em;border-bottom:2px solid #0f6b5c}
h3{font-size:1.1em;margin-top:1.4em}h4{font-size:1em;margin:1em 0 .3em}
.en{color:#666;font-weight:normal;font-size:.88em}.meta{color:#555}
table{border-collapse:collapse;margin:.4em 0 1em;font-size:.9em}td,th{border:1px solid #cfd8dc;padding:.25em .55em;
vertical-align:top}th{background:#eef4f3;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
.gap{background:#fde2e1}.cols{display:flex;flex-wrap:wrap;gap:24px}.cols>div{flex:1 1 420px}
details{margin:.4em 0}summary{cursor:pointer;font-weight:bold}.legend span{display:inline-block;width:12px;height:12px;
border-radius:2px;margin:0 4px 0 12px;vertical-align:middle}figure{margin:.5em 0;overflow-x:auto}
nav a{margin-right:1em}.note{background:#f6f8f8;border-left:4px solid #0f6b5c;padding:.4em .8em}
"""


def heading(zh: str, en: str, level: int = 2, anchor: str = "") -> str:
    ident = f' id="{anchor}"' if anchor else ""
    return f"<h{level}{ident}>{escape(zh)} <span class='en'>{escape(en)}</span></h{level}>"


def html_table(head: list[tuple[str, str]], rows: list[list[Any]], numeric: set[int] | None = None,
           gaps: set[tuple[int, int]] | None = None) -> str:
    numeric = numeric or set()
    gaps = gaps or set()
    out = ["<table><tr>" + "".join(f"<th>{escape(z)}<br><span class='en'>{escape(e)}</span></th>" for z, e in head)
           + "</tr>"]
    for i, row in enumerate(rows):
        cells = []
        for j, v in enumerate(row):
            cls = " ".join(c for c in ("n" if j in numeric else "", "gap" if (i, j) in gaps else "") if c)
            attr = f' class="{cls}"' if cls else ""
            cells.append(f"<td{attr}>{'' if v is None else escape(str(v))}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "".join(out)


def _pct(n: int, d: int) -> str:
    return f"{100 * n / d:.0f}%" if d else "—"


def render_html(data: ReportData) -> str:
    parts = ['<!DOCTYPE html>', '<html lang="zh-CN"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             "<title>民营经济32条落地分析报告 / Landing analysis of the 32 measures</title>",
             f"<style>{CSS}</style></head><body>",
             "<h1>“民营经济32条”落地分析报告</h1>",
             "<p class='en'>Landing analysis: how the 32 key tasks and 146 provincial measures land in each region</p>",
             f"<p class='meta'>生成于 {escape(data.created)}；图谱版本 {escape(data.generation or '—')}；"
             f"{len(data.regions)} 个地区清单。<span class='en'>Generated {escape(data.created)} from store "
             f"generation {escape(data.generation or '—')}; {len(data.regions)} regional lists.</span></p>",
             "<nav><a href='#overview'>概况</a><a href='#regions'>各地区</a><a href='#cross'>跨地区比较</a>"
             "<a href='#bottlenecks'>堵点</a><a href='#landing'>措施落地</a></nav>"]
    parts += _overview(data)
    parts.append(heading("各地区落地情况", "Per region", anchor="regions"))
    for reg in data.regions:
        parts += _region(data, reg)
    parts += _cross(data)
    parts += _bottlenecks(data)
    if data.landing is not None:
        parts += section_html(data.landing)
    parts += data.updates
    if data.handling:
        parts += html_section(data.handling)
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _overview(data: ReportData) -> list[str]:
    head = [("地区", "region"), ("清单行", "rows"), ("地方举措", "local measures"), ("服务事项", "service items"),
            ("有举措的重点工作", "key tasks with measures"), ("有服务事项的重点工作", "key tasks with items"),
            ("引用的省级细化措施", "provincial measures cited"), ("落地为服务事项的细化措施", "measures with items"),
            ("未转化举措", "measures lacking items"), ("标准化服务事项", "standardized items")]
    rows, gaps = [], set()
    for i, r in enumerate(data.regions):
        cited = f"{r.measures_cited}/{PROVINCIAL_MEASURES}" if r.linked else "未对应 not linked"
        landed = f"{r.measures_landed}/{PROVINCIAL_MEASURES}" if r.linked else "—"
        std = r.standard.get("standardized", 0)
        rows.append([r.label, r.rows, r.local_measures, r.service_items,
                     f"{r.key_tasks_with_measures}/{KEY_TASKS}", f"{r.key_tasks_with_items}/{KEY_TASKS}",
                     cited, landed, r.measures_lacking, f"{std}/{r.service_items}" if r.service_items else "—"])
        if r.service_items == 0:
            gaps.add((i, 3))
        if r.key_tasks_with_items < KEY_TASKS:
            gaps.add((i, 5))
        if r.measures_lacking:
            gaps.add((i, 8))
    notes = []
    for r in data.regions:
        if r.service_items == 0:
            notes.append(f"{r.label}清单没有服务事项栏，全部 {r.local_measures} 条举措均未转化为服务事项。"
                         f"<span class='en'>{escape(r.name)}'s list has no service-item columns: all "
                         f"{r.local_measures} measures lack service items.</span>")
        elif not r.linked:
            notes.append(f"{r.label}清单未对应到省级细化措施（无编号、无原文），细化措施的承接情况无从判断。"
                         f"<span class='en'>{escape(r.name)}'s list does not link rows to provincial measures; "
                         "their uptake cannot be told.</span>")
    return [heading("概况", "Overview", anchor="overview"), html_table(head, rows, {1, 2, 3, 8}, gaps)] + \
        [f"<p class='note'>{n}</p>" for n in notes]


def _region(data: ReportData, r: Region) -> list[str]:
    out = [heading(r.label, f"region {r.code}", 3, anchor=f"r{r.code}")]
    kt_cells = []
    for k in range(1, KEY_TASKS + 1):
        m, i = r.key_tasks.get(k, (0, 0))
        state = "landed" if i else ("cited" if m else "missing")
        kt_cells.append((f"重点工作{k} {data.key_task_titles.get(k, '')}：举措 {m}，服务事项 {i}", state, str(k)))
    out.append(heading("32项重点工作", "The 32 key tasks", 4))
    out.append(f"<figure>{svg.grid(kt_cells, per_row=32, cell=24, caption='key tasks')}</figure>")
    missing_kt = [k for k in range(1, KEY_TASKS + 1) if not r.key_tasks.get(k, (0, 0))[1]]
    listed = "全部 all" if len(missing_kt) == KEY_TASKS else "、".join(str(k) for k in missing_kt)
    out.append(f"<p>有服务事项的重点工作 {KEY_TASKS - len(missing_kt)}/{KEY_TASKS}"
               + (f"；没有服务事项的：{listed}" if missing_kt else "")
               + f" <span class='en'>key tasks with service items: {KEY_TASKS - len(missing_kt)}/{KEY_TASKS}</span></p>")
    out.append(_legend())
    out.append(heading("146条省级细化措施", "The 146 provincial measures", 4))
    if r.linked:
        cells = []
        for n in range(1, PROVINCIAL_MEASURES + 1):
            cited, items = r.measures.get(n, (0, 0))
            state = "landed" if items else ("cited" if cited else "missing")
            cells.append((f"{data.measure_labels.get(n, n)}：{'已引用' if cited else '未引用'}，服务事项 {items}",
                          state, str(n)))
        out.append(f"<figure>{svg.grid(cells, per_row=30, cell=22, caption='provincial measures')}</figure>")
        out.append(f"<p>引用 {r.measures_cited}/{PROVINCIAL_MEASURES}（{_pct(r.measures_cited, PROVINCIAL_MEASURES)}），"
                   f"落地为服务事项 {r.measures_landed}/{PROVINCIAL_MEASURES} <span class='en'>cited "
                   f"{r.measures_cited}, with service items {r.measures_landed}</span></p>")
    else:
        out.append("<p>清单未对应到省级细化措施，无从判断。<span class='en'>The list does not link rows to "
                   "provincial measures.</span></p>")
    if r.service_items:
        out.append("<div class='cols'><div>" + heading("各承接板块的服务事项", "Service items per block", 4)
                   + f"<figure>{svg.hbar(r.blocks, caption='blocks')}</figure></div><div>"
                   + heading("各一级事项的服务事项", "Service items per level-1 category", 4)
                   + f"<figure>{svg.hbar(r.level1, colour='#7a5ea8', caption='level-1')}</figure></div></div>")
        s = r.standard
        out.append(heading("服务事项标准化", "Standardization of service items", 4))
        out.append(html_table([("服务事项", "items"), ("写明服务内容", "with content"), ("写明服务流程", "with process"),
                           ("写明办理渠道", "with channel"), ("只写服务内容", "content only"),
                           ("三者皆无", "none stated"), ("三者齐全", "standardized")],
                          [[s.get("items"), s.get("withContent"), s.get("withProcess"), s.get("withChannel"),
                            s.get("contentOnly"), s.get("noneStated"), s.get("standardized")]],
                          set(range(7))))
    out.append(heading(f"未转化为服务事项的地方举措（{len(r.lacking)}）", f"Local measures lacking service items ({len(r.lacking)})", 4))
    if r.lacking:
        rows = [[x.get("row"), x.get("keyTask"), x.get("text") or x.get("measure")] for x in r.lacking]
        table = html_table([("序号", "row"), ("重点工作", "key task"), ("举措原文", "measure")], rows, {0, 1})
        out.append(f"<details{' open' if len(rows) <= 10 else ''}><summary>列出 {len(rows)} 条 / list {len(rows)}"
                   f"</summary>{table}</details>")
    else:
        out.append("<p>无。<span class='en'>None.</span></p>")
    if r.highlights:
        out.append(heading(f"地方特色亮点（{len(r.highlights)}）", f"Local highlights ({len(r.highlights)})", 4))
        out.append("<p>对齐引擎找不到对应省级细化措施的地方举措（policykg align）：可能是特色亮点，也可能需要人工核对。"
                   "<span class='en'>Local measures the alignment matches to no provincial measure: local "
                   "initiatives, or links to review.</span></p>")
        rows = [[x.get("row"), x.get("text"), x.get("bestNumber"), x.get("bestConfidence")] for x in r.highlights]
        out.append(html_table([("序号", "row"), ("举措原文", "measure"), ("最接近的省级措施", "nearest provincial"),
                           ("置信度", "confidence")], rows, {0, 2}))
    return out


def _legend() -> str:
    return ("<p class='legend'><span style='background:#0f6b5c'></span>有服务事项 with service items"
            "<span style='background:#9fd3c7'></span>仅有举措或引用 measure or citation only"
            "<span style='background:#f4a6a1'></span>缺 missing</p>")


def _cross(data: ReportData) -> list[str]:
    out = [heading("跨地区比较", "Across regions", anchor="cross")]
    labels = [r.name for r in data.regions]
    cols = [str(k) for k in range(1, KEY_TASKS + 1)]
    for zh, en, idx in (("各地区各重点工作的服务事项数", "Service items per region and key task", 1),
                        ("各地区各重点工作的地方举措数", "Local measures per region and key task", 0)):
        values = [[r.key_tasks.get(k, (0, 0))[idx] for k in range(1, KEY_TASKS + 1)] for r in data.regions]
        titles = [[f"{r.name} · 重点工作{k} {data.key_task_titles.get(k, '')}: {values[i][k - 1]}"
                   for k in range(1, KEY_TASKS + 1)] for i, r in enumerate(data.regions)]
        out.append(heading(zh, en, 3))
        out.append(f"<figure>{svg.heatmap(labels, cols, values, titles=titles, caption=en)}</figure>")
    out.append(heading("一地有、另一地没有的服务事项", "Service items one region offers and another lacks", 3))
    out.append("<p>按规范化名称比较（去空白、统一全半角与引号）。行：提供方；列：缺少方。"
               "<span class='en'>Compared by normalized name. Row: the region offering; column: the region "
               "lacking.</span></p>")
    with_items = [r for r in data.regions if r.names]
    diffs = {(a.code, b.code): items for a, b, items in data.differences()}
    head = [("提供方＼缺少方", "offers \\ lacks")] + [(r.name, r.code) for r in with_items]
    rows = [[a.label] + [("—" if a is b else len(diffs[(a.code, b.code)])) for b in with_items] for a in with_items]
    out.append(html_table(head, rows, set(range(1, len(with_items) + 1))))
    lacking_all = [r for r in data.regions if not r.names]
    if lacking_all:
        out.append("<p>" + "、".join(r.label for r in lacking_all) + "没有服务事项，其他地区的服务事项它都没有。"
                   "<span class='en'>(no service items at all)</span></p>")
    for a, b, items in data.differences():
        if not items:
            continue
        rows = [[x.get("row"), x.get("keyTask"), x.get("title"), x.get("level1"), x.get("block")] for x in items]
        out.append(f"<details><summary>{escape(a.name)}有、{escape(b.name)}没有：{len(items)} 项 "
                   f"<span class='en'>{escape(a.code)} offers, {escape(b.code)} lacks</span></summary>"
                   + html_table([("序号", "row"), ("重点工作", "key task"), ("服务事项", "service item"),
                             ("一级事项", "level 1"), ("承接板块", "block")], rows, {0, 1}) + "</details>")
    return out


def _bottlenecks(data: ReportData) -> list[str]:
    names = {r.code: r.name for r in data.regions}
    out = [heading("堵点：没有或只有一个地区落地为服务事项", "Bottlenecks: no region, or only one, has a service item",
              anchor="bottlenecks")]
    out.append(heading("重点工作", "Key tasks", 3))
    if data.key_task_bottlenecks:
        rows = [[r["keyTask"], r["title"], r["regions"], "、".join(names.get(c, c) for c in r["regionCodes"].split())
                 or "（无 none）", r["serviceItems"]] for r in data.key_task_bottlenecks]
        out.append(html_table([("编号", "no."), ("重点工作", "key task"), ("地区数", "regions"), ("地区", "which"),
                           ("服务事项", "items")], rows, {0, 2, 4}))
    else:
        out.append("<p>每项重点工作都至少有两个地区落地为服务事项。<span class='en'>Every key task has service "
                   "items in at least two regions.</span></p>")
    out.append(heading("省级细化措施", "Provincial measures", 3))
    linked = [r for r in data.regions if r.linked]
    out.append("<p>只统计清单对应到省级细化措施的地区：" + ("、".join(r.label for r in linked) or "无")
               + "。<span class='en'>Only regions whose list links rows to provincial measures count.</span></p>")
    rows = [[r["measure"], r["keyTask"], r["label"], r["regions"],
             "、".join(names.get(c, c) for c in r["regionCodes"].split()) or "（无 none）"]
            for r in data.measure_bottlenecks]
    none = sum(1 for r in data.measure_bottlenecks if r["regions"] == 0)
    out.append(f"<p>没有地区落地：{none} 条；只有一个地区：{len(rows) - none} 条。"
               f"<span class='en'>No region: {none}; one region only: {len(rows) - none}.</span></p>")
    out.append(f"<details><summary>列出 {len(rows)} 条 / list {len(rows)}</summary>"
               + html_table([("编号", "no."), ("重点工作", "key task"), ("省级细化措施", "measure"), ("地区数", "regions"),
                         ("地区", "which")], rows, {0, 1, 3}) + "</details>")
    return out
