"""The report's measure-level landing section (issue 15), HTML and XLSX.

From :func:`policykg.landing.compute`: the measures landed nowhere, each region's landing
rate (converted / refined / none out of the 146), the measures most often missing (with
whether a centre can take them on, or the cue why not) and the recommendations per region.
"""

from __future__ import annotations

from html import escape
from typing import Any

from policykg.landing import Landing
from policykg.landing_render import rate_rows

LANDING_SHEETS = ("措施落地率 LandingRate", "措施缺口与建议 LandingGaps")
MOST_MISSING = 15
RECS_PER_REGION = 10


def _h(zh: str, en: str, level: int = 2, anchor: str = "") -> str:
    ident = f' id="{anchor}"' if anchor else ""
    return f"<h{level}{ident}>{escape(zh)} <span class='en'>{escape(en)}</span></h{level}>"


def _table(head: list[tuple[str, str]], rows: list[list[Any]]) -> str:
    out = ["<table><tr>" + "".join(f"<th>{escape(z)}<br><span class='en'>{escape(e)}</span></th>" for z, e in head)
           + "</tr>"]
    for row in rows:
        cells = []
        for v in row:
            attr = ' class="n"' if isinstance(v, int) else ""
            cells.append(f"<td{attr}>{'' if v is None else escape(str(v))}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "".join(out)


def _rec_text(r: dict[str, Any]) -> str:
    cats = " / ".join(x for x in (r["level1"], r["level2"], r["level3"]) if x)
    return f"{r['name']}（{cats}；{r['block'] or '—'}；{r['region_name']}第{r['row']}行）"


def section_html(land: Landing) -> list[str]:
    out = [_h("省级细化措施落地（146条×地区）", "Landing of the 146 provincial measures", anchor="landing")]
    out.append("<p>状态：已转化 = 至少一项服务事项落实该措施；已细化 = 有地方举措或清单行对应但无服务事项；未落地 = 都没有。"
               "依据为清单原文引用，以及（如有）对应图中的预测对应（带置信度）。"
               "<span class='en'>converted = a service item implements it; refined = local measures or rows answer it, "
               "no item; none = neither. From printed citations and, where present, predicted alignments.</span></p>")
    out.append(_h("各地区落地率", "Landing rate per region", 3))
    out.append(_table([("地区", "region"), ("已转化", "converted"), ("已细化", "refined"), ("未落地", "none"),
                       ("总数", "of"), ("转化率", "rate")],
                      [[f"{r['name']}（{r['region']}）", r["service-item"], r["local-measure"], r["none"], r["total"],
                        f"{100 * r['rate']:.0f}%"] for r in rate_rows(land)]))
    nowhere = land.landed_nowhere()
    out.append(_h(f"无任何地区落地的措施：{len(nowhere)} 条", f"Measures landed nowhere: {len(nowhere)}", 3))
    if nowhere:
        out.append(_table([("编号", "no."), ("重点工作", "key task"), ("措施", "measure"), ("研判线索", "cue")],
                          [[m, land.measures[m].key_task, land.measures[m].label, land.convertibility(m)["summary"]]
                           for m in nowhere]))
    else:
        out.append("<p>每条措施至少在一个地区有地方举措、清单行或服务事项对应。<span class='en'>Every measure is "
                   "answered in at least one region.</span></p>")
    review = [m for m in land.measures if not land.converted_by(m)]
    out.append(_h(f"无地区转化为服务事项、待研判的措施：{len(review)} 条",
                  f"Measures no region converted, for review: {len(review)}", 3))
    out.append("<p>原因仅为原文关键词线索（面向政府部门的“机制”“制度”“执法”等，或面向企业的“企业”“融资”等），须人工研判。"
               "<span class='en'>The reasons are keyword cues from the measure's text only, for a person to judge.</span></p>")
    out.append(_table([("编号", "no."), ("重点工作", "key task"), ("措施", "measure"), ("研判线索", "cue")],
                      [[m, land.measures[m].key_task, land.measures[m].label, land.convertibility(m)["summary"]]
                       for m in review]))
    out.append(_h("最常缺少服务事项的措施", "Measures most often missing a service item", 3))
    out.append(_table([("编号", "no."), ("措施", "measure"), ("未转化地区数", "regions lacking"),
                       ("能否由企业综合服务中心承接", "can a centre take it on")],
                      [[m, land.measures[m].label, n, land.convertibility(m)["summary"]]
                       for m, n in land.most_missing(MOST_MISSING)]))
    out.append(_h("各地区的落地建议（其他地区的真实服务事项）", "Recommendations per region (real items of other regions)", 3))
    for code, name in land.regions.items():
        recs = land.recommendations(code)
        out.append(f"<details><summary>{escape(name)}（{code}）：{len(recs)} 条措施有建议 "
                   f"<span class='en'>{len(recs)} measures with suggestions</span></summary><ul>")
        for r in recs[:RECS_PER_REGION]:
            items = "；".join(_rec_text(x) for x in r["recommendations"][:3])
            out.append(f"<li>措施{r['measure']} {escape(land.measures[r['measure']].label)}：{escape(items)}</li>")
        if len(recs) > RECS_PER_REGION:
            out.append(f"<li>……其余 {len(recs) - RECS_PER_REGION} 条见 <code>policykg landing --region {code}</code>"
                       f" <span class='en'>the rest: policykg landing --region {code}</span></li>")
        out.append("</ul></details>")
    return out


def add_sheets(wb: Any, land: Landing) -> None:
    ws = wb.create_sheet(LANDING_SHEETS[0])
    ws.append(["地区代码 code", "地区 region", "已转化 converted", "已细化 refined", "未落地 none", "总数 of"])
    for r in rate_rows(land):
        ws.append([r["region"], r["name"], r["service-item"], r["local-measure"], r["none"], r["total"]])
    ws = wb.create_sheet(LANDING_SHEETS[1])
    ws.append(["地区代码 code", "措施 measure", "状态 status", "建议服务事项 suggested item", "一级 level 1", "二级 level 2",
               "三级 level 3", "承接板块 block", "来源地区 from region", "序号 row"])
    for code in land.regions:
        for r in land.recommendations(code):
            for x in r["recommendations"]:
                ws.append([code, r["measure"], r["status"], x["name"], x["level1"], x["level2"], x["level3"],
                           x["block"], x["region"], x["row"]])
