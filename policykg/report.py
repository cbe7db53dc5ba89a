"""``policykg report``: the landing-analysis report the notice asks for (定期分析评估、梳理堵点难点).

Numbers come from SPARQL files (``queries/reports/*.rq`` and the catalogue's
``key-task-coverage`` and ``measures-lacking-service-items``), run on the store's default
graph; this module only arranges them. One self-contained HTML file (inline CSS and SVG,
no script, no network, Chinese first) or one XLSX workbook with a sheet per section.

Cross-region comparison of service items is by *normalized name*: NFKC, whitespace and
quotation marks removed (the PDF broke names across lines; lists differ in quote style).
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from . import report_svg as svg
from .config import QUERY_DIR
from .errors import UsageError
from .progress import Progress, silent
from .queries import load_query
from .queries import run as run_query

REPORTS_DIR = QUERY_DIR / "reports"
KEY_TASKS = 32
PROVINCIAL_MEASURES = 146


# ------------------------------------------------------------------ data

def _value(term: Any) -> Any:
    if term is None:
        return None
    v = term.value
    dt = getattr(getattr(term, "datatype", None), "value", "")
    if dt.endswith(("#integer", "#int", "#long", "#decimal")):
        try:
            return int(float(v))
        except ValueError:
            return v
    return v


def _rows(store: Any, path: Path) -> list[dict[str, Any]]:
    res = run_query(store, load_query(path).text)
    return [{k: _value(r.get(k)) for k in res.variables} for r in res.rows]


def normalize_name(name: str) -> str:
    """The key service items are compared by across regions."""
    s = unicodedata.normalize("NFKC", name or "")
    return re.sub(r"[\s\"'“”‘’「」『』]", "", s)


@dataclass
class Region:
    code: str
    name: str
    rows: int = 0
    local_measures: int = 0
    service_items: int = 0
    key_tasks_with_measures: int = 0
    key_tasks_with_items: int = 0
    measures_lacking: int = 0
    linked: bool = False                 # its list links rows to provincial measures
    measures_cited: int = 0
    measures_landed: int = 0             # provincial measures with ≥1 service item
    blocks: list[tuple[str, int]] = field(default_factory=list)
    level1: list[tuple[str, int]] = field(default_factory=list)
    lacking: list[dict[str, Any]] = field(default_factory=list)
    standard: dict[str, int] = field(default_factory=dict)
    key_tasks: dict[int, tuple[int, int]] = field(default_factory=dict)     # kt -> (measures, items)
    measures: dict[int, tuple[int, int]] = field(default_factory=dict)      # pm -> (cited, items)
    names: dict[str, dict[str, Any]] = field(default_factory=dict)          # normalized -> item row

    @property
    def label(self) -> str:
        return f"{self.name}（{self.code}）"


@dataclass
class ReportData:
    regions: list[Region]
    key_task_titles: dict[int, str]
    key_task_bottlenecks: list[dict[str, Any]]
    measure_bottlenecks: list[dict[str, Any]]
    measure_labels: dict[int, str]
    measure_key_task: dict[int, int]
    generation: str = ""
    created: str = ""
    landing: Any = None                  # policykg.landing.Landing (issue 15), when the store has the statuses

    def differences(self) -> list[tuple[Region, Region, list[dict[str, Any]]]]:
        """(A, B, items A offers that B lacks) for every ordered pair of regions with items."""
        with_items = [r for r in self.regions if r.names]
        out = []
        for a in with_items:
            for b in with_items:
                if a is not b:
                    out.append((a, b, [a.names[k] for k in sorted(a.names, key=lambda k: (
                        a.names[k].get("row") or 0, k)) if k not in b.names]))
        return out


def collect(store: Any, progress: Progress = silent) -> ReportData:
    """Run the report queries on an open store and arrange their rows by region."""
    progress("运行报告查询 / running report queries")
    overview = _rows(store, REPORTS_DIR / "region-overview.rq")
    regions = {r["region"]: Region(
        r["region"], r["name"], r["rows"], r["localMeasures"], r["serviceItems"], r["keyTasksWithMeasures"],
        r["keyTasksWithItems"], r["measuresLacking"]) for r in overview}
    for r in _rows(store, QUERY_DIR / "key-task-coverage.rq"):
        if r["region"] in regions:
            regions[r["region"]].key_tasks[r["keyTask"]] = (r["localMeasures"], r["serviceItems"])
    for r in _rows(store, REPORTS_DIR / "provincial-measure-coverage.rq"):
        reg = regions.get(r["region"])
        if reg is None:
            continue
        reg.linked = reg.linked or bool(r["linked"])
        reg.measures[r["measure"]] = (r["cited"], r["serviceItems"])
    for reg in regions.values():
        reg.measures_cited = sum(1 for c, _ in reg.measures.values() if c)
        reg.measures_landed = sum(1 for _, n in reg.measures.values() if n)
    for name, attr in (("items-per-block.rq", "blocks"), ("items-per-level1.rq", "level1")):
        col = "block" if attr == "blocks" else "level1"
        for r in _rows(store, REPORTS_DIR / name):
            if r["region"] in regions:
                getattr(regions[r["region"]], attr).append((r[col], r["items"]))
    for r in _rows(store, REPORTS_DIR / "measures-lacking.rq"):
        if r["region"] in regions:
            regions[r["region"]].lacking.append(r)
    for r in _rows(store, REPORTS_DIR / "standardization.rq"):
        if r["region"] in regions:
            regions[r["region"]].standard = {k: v for k, v in r.items() if k != "region"}
    for r in _rows(store, REPORTS_DIR / "service-item-names.rq"):
        reg = regions.get(r["region"])
        if reg is not None:
            reg.names.setdefault(normalize_name(r["title"]), r)
    kt_bottle = _rows(store, REPORTS_DIR / "key-task-bottlenecks.rq")
    pm_bottle = _rows(store, REPORTS_DIR / "measure-bottlenecks.rq")
    progress(f"{len(regions)} 个地区 / regions")
    data = ReportData(
        regions=[regions[c] for c in sorted(regions)],
        key_task_titles={r["keyTask"]: r["title"] or "" for r in kt_bottle},
        key_task_bottlenecks=[r for r in kt_bottle if r["regions"] <= 1],
        measure_bottlenecks=[r for r in pm_bottle if r["regions"] <= 1],
        measure_labels={r["measure"]: r["label"] or "" for r in pm_bottle},
        measure_key_task={r["measure"]: r["keyTask"] for r in pm_bottle},
        created=_dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
    )
    data.landing = _landing(store)
    return data


def _landing(store: Any) -> Any:
    from . import landing

    try:
        return landing.compute(store)
    except UsageError:               # a store derived before the landing statistics existed
        return None


def write_report(store_dir: Path | str, output_path: Path | str, progress: Progress = silent) -> Path:
    """Write the report to ``output_path``: ``.html`` or ``.xlsx`` by its suffix."""
    from .store import generation_name, open_read_only

    out = Path(output_path)
    suffix = out.suffix.lower()
    if suffix not in (".html", ".htm", ".xlsx"):
        raise UsageError(f"报告文件须以 .html 或 .xlsx 结尾：{out.name}",
                         f"the report file must end in .html or .xlsx: {out.name}")
    data = collect(open_read_only(store_dir), progress)
    data.generation = generation_name(store_dir) or ""
    if not data.regions:
        raise UsageError("图谱中没有任何地区清单，无从分析", "the store holds no regional list to analyse")
    if suffix == ".xlsx":
        from .report_xlsx import write_xlsx

        progress(f"写出 XLSX / writing {out.name}")
        write_xlsx(data, out)
    else:
        progress(f"写出 HTML / writing {out.name}")
        out.write_text(render_html(data), encoding="utf-8")
    return out


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


def _h(zh: str, en: str, level: int = 2, anchor: str = "") -> str:
    ident = f' id="{anchor}"' if anchor else ""
    return f"<h{level}{ident}>{escape(zh)} <span class='en'>{escape(en)}</span></h{level}>"


def _table(head: list[tuple[str, str]], rows: list[list[Any]], numeric: set[int] | None = None,
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
    parts.append(_h("各地区落地情况", "Per region", anchor="regions"))
    for reg in data.regions:
        parts += _region(data, reg)
    parts += _cross(data)
    parts += _bottlenecks(data)
    if data.landing is not None:
        from .report_landing import section_html

        parts += section_html(data.landing)
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
    return [_h("概况", "Overview", anchor="overview"), _table(head, rows, {1, 2, 3, 8}, gaps)] + \
        [f"<p class='note'>{n}</p>" for n in notes]


def _region(data: ReportData, r: Region) -> list[str]:
    out = [_h(r.label, f"region {r.code}", 3, anchor=f"r{r.code}")]
    kt_cells = []
    for k in range(1, KEY_TASKS + 1):
        m, i = r.key_tasks.get(k, (0, 0))
        state = "landed" if i else ("cited" if m else "missing")
        kt_cells.append((f"重点工作{k} {data.key_task_titles.get(k, '')}：举措 {m}，服务事项 {i}", state, str(k)))
    out.append(_h("32项重点工作", "The 32 key tasks", 4))
    out.append(f"<figure>{svg.grid(kt_cells, per_row=32, cell=24, caption='key tasks')}</figure>")
    missing_kt = [k for k in range(1, KEY_TASKS + 1) if not r.key_tasks.get(k, (0, 0))[1]]
    listed = "全部 all" if len(missing_kt) == KEY_TASKS else "、".join(str(k) for k in missing_kt)
    out.append(f"<p>有服务事项的重点工作 {KEY_TASKS - len(missing_kt)}/{KEY_TASKS}"
               + (f"；没有服务事项的：{listed}" if missing_kt else "")
               + f" <span class='en'>key tasks with service items: {KEY_TASKS - len(missing_kt)}/{KEY_TASKS}</span></p>")
    out.append(_legend())
    out.append(_h("146条省级细化措施", "The 146 provincial measures", 4))
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
        out.append("<div class='cols'><div>" + _h("各承接板块的服务事项", "Service items per block", 4)
                   + f"<figure>{svg.hbar(r.blocks, caption='blocks')}</figure></div><div>"
                   + _h("各一级事项的服务事项", "Service items per level-1 category", 4)
                   + f"<figure>{svg.hbar(r.level1, colour='#7a5ea8', caption='level-1')}</figure></div></div>")
        s = r.standard
        out.append(_h("服务事项标准化", "Standardization of service items", 4))
        out.append(_table([("服务事项", "items"), ("写明服务内容", "with content"), ("写明服务流程", "with process"),
                           ("写明办理渠道", "with channel"), ("只写服务内容", "content only"),
                           ("三者皆无", "none stated"), ("三者齐全", "standardized")],
                          [[s.get("items"), s.get("withContent"), s.get("withProcess"), s.get("withChannel"),
                            s.get("contentOnly"), s.get("noneStated"), s.get("standardized")]],
                          set(range(7))))
    out.append(_h(f"未转化为服务事项的地方举措（{len(r.lacking)}）", f"Local measures lacking service items ({len(r.lacking)})", 4))
    if r.lacking:
        rows = [[x.get("row"), x.get("keyTask"), x.get("text") or x.get("measure")] for x in r.lacking]
        table = _table([("序号", "row"), ("重点工作", "key task"), ("举措原文", "measure")], rows, {0, 1})
        out.append(f"<details{' open' if len(rows) <= 10 else ''}><summary>列出 {len(rows)} 条 / list {len(rows)}"
                   f"</summary>{table}</details>")
    else:
        out.append("<p>无。<span class='en'>None.</span></p>")
    return out


def _legend() -> str:
    return ("<p class='legend'><span style='background:#0f6b5c'></span>有服务事项 with service items"
            "<span style='background:#9fd3c7'></span>仅有举措或引用 measure or citation only"
            "<span style='background:#f4a6a1'></span>缺 missing</p>")


def _cross(data: ReportData) -> list[str]:
    out = [_h("跨地区比较", "Across regions", anchor="cross")]
    labels = [r.name for r in data.regions]
    cols = [str(k) for k in range(1, KEY_TASKS + 1)]
    for zh, en, idx in (("各地区各重点工作的服务事项数", "Service items per region and key task", 1),
                        ("各地区各重点工作的地方举措数", "Local measures per region and key task", 0)):
        values = [[r.key_tasks.get(k, (0, 0))[idx] for k in range(1, KEY_TASKS + 1)] for r in data.regions]
        titles = [[f"{r.name} · 重点工作{k} {data.key_task_titles.get(k, '')}: {values[i][k - 1]}"
                   for k in range(1, KEY_TASKS + 1)] for i, r in enumerate(data.regions)]
        out.append(_h(zh, en, 3))
        out.append(f"<figure>{svg.heatmap(labels, cols, values, titles=titles, caption=en)}</figure>")
    out.append(_h("一地有、另一地没有的服务事项", "Service items one region offers and another lacks", 3))
    out.append("<p>按规范化名称比较（去空白、统一全半角与引号）。行：提供方；列：缺少方。"
               "<span class='en'>Compared by normalized name. Row: the region offering; column: the region "
               "lacking.</span></p>")
    with_items = [r for r in data.regions if r.names]
    diffs = {(a.code, b.code): items for a, b, items in data.differences()}
    head = [("提供方＼缺少方", "offers \\ lacks")] + [(r.name, r.code) for r in with_items]
    rows = [[a.label] + [("—" if a is b else len(diffs[(a.code, b.code)])) for b in with_items] for a in with_items]
    out.append(_table(head, rows, set(range(1, len(with_items) + 1))))
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
                   + _table([("序号", "row"), ("重点工作", "key task"), ("服务事项", "service item"),
                             ("一级事项", "level 1"), ("承接板块", "block")], rows, {0, 1}) + "</details>")
    return out


def _bottlenecks(data: ReportData) -> list[str]:
    names = {r.code: r.name for r in data.regions}
    out = [_h("堵点：没有或只有一个地区落地为服务事项", "Bottlenecks: no region, or only one, has a service item",
              anchor="bottlenecks")]
    out.append(_h("重点工作", "Key tasks", 3))
    if data.key_task_bottlenecks:
        rows = [[r["keyTask"], r["title"], r["regions"], "、".join(names.get(c, c) for c in r["regionCodes"].split())
                 or "（无 none）", r["serviceItems"]] for r in data.key_task_bottlenecks]
        out.append(_table([("编号", "no."), ("重点工作", "key task"), ("地区数", "regions"), ("地区", "which"),
                           ("服务事项", "items")], rows, {0, 2, 4}))
    else:
        out.append("<p>每项重点工作都至少有两个地区落地为服务事项。<span class='en'>Every key task has service "
                   "items in at least two regions.</span></p>")
    out.append(_h("省级细化措施", "Provincial measures", 3))
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
               + _table([("编号", "no."), ("重点工作", "key task"), ("省级细化措施", "measure"), ("地区数", "regions"),
                         ("地区", "which")], rows, {0, 1, 3}) + "</details>")
    return out
