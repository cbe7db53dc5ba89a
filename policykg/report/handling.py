"""The landing report's 办件 section: bars by block, the monthly trend as lines, the bottlenecks.

Self-contained: it takes the summary (:func:`policykg.handling.summary.summarize`) and returns
HTML fragments (inline SVG, no script) that the report appends; :func:`section_or_empty`
returns nothing when the store holds no handling records, so the report is unchanged then.
"""

from __future__ import annotations

from html import escape
from typing import Any

from policykg.handling.render import KIND_ZH, pct
from policykg.handling.summary import summarize

from .svg import FONT, hbar

BOTTLENECKS_SHOWN = 30


def line_chart(months: list[str], series: list[tuple[str, list[float], str]], *, width: int = 640,
               height: int = 240, caption: str = "") -> str:
    """One line per series over the months, with a dot and a hover title per point."""
    left, right, top, bottom = 48, 16, 16, 40
    vmax = max((v for _, vals, _ in series for v in vals), default=0) or 1
    span_x = (width - left - right) / max(1, len(months) - 1)
    span_y = height - top - bottom

    def xy(i: int, v: float) -> tuple[float, float]:
        return left + i * span_x, top + span_y * (1 - v / vmax)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'role="img" aria-label="{escape(caption)}" font-family="{FONT}" font-size="11">']
    for k in range(5):
        v = vmax * k / 4
        _, y = xy(0, v)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e3e8e8"/>'
                   f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#666">{v:.0f}</text>')
    for i, m in enumerate(months):
        x, _ = xy(i, 0)
        out.append(f'<text x="{x:.1f}" y="{height - bottom + 16}" text-anchor="middle" fill="#444">{escape(m[2:])}</text>')
    for j, (label, vals, colour) in enumerate(series):
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, v in enumerate(vals)))
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{pts}"/>')
        for i, v in enumerate(vals):
            x, y = xy(i, v)
            out.append(f'<g><title>{escape(label)} {escape(months[i])}: {v:g}</title>'
                       f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/></g>')
        lx = left + j * 160
        out.append(f'<rect x="{lx}" y="{height - 14}" width="12" height="4" fill="{colour}"/>'
                   f'<text x="{lx + 16}" y="{height - 9}" fill="#333">{escape(label)}</text>')
    out.append("</svg>")
    return "".join(out)


def _h(zh: str, en: str, level: int, anchor: str = "") -> str:
    ident = f' id="{anchor}"' if anchor else ""
    return f"<h{level}{ident}>{escape(zh)} <span class='en'>{escape(en)}</span></h{level}>"


def _table(head: list[tuple[str, str]], rows: list[list[Any]], numeric: set[int]) -> str:
    out = ["<table><tr>" + "".join(f"<th>{escape(z)}<br><span class='en'>{escape(e)}</span></th>" for z, e in head)
           + "</tr>"]
    num = ' class="n"'
    for row in rows:
        out.append("<tr>" + "".join(f"<td{num if j in numeric else ''}>{escape(str(v))}</td>"
                                    for j, v in enumerate(row)) + "</tr>")
    out.append("</table>")
    return "".join(out)


def trend_chart(trend: list[dict[str, Any]]) -> str:
    months = [t["month"] for t in trend]
    return line_chart(months, [("受理 received", [t["received"] for t in trend], "#2b7a9b"),
                               ("办结 completed", [t["completed"] for t in trend], "#0f6b5c"),
                               ("差评 bad", [t["bad"] for t in trend], "#c0392b")], caption="monthly trend")


def block_chart(s: dict[str, Any], region: str) -> str:
    bars = sorted(((b["block"], b["received"]) for b in s["by_block"] if b["region"] == region),
                  key=lambda x: (-x[1], x[0]))
    return hbar(bars, caption=f"cases received per block {region}")


def bottleneck_table(s: dict[str, Any], limit: int = BOTTLENECKS_SHOWN, names: dict[str, str] | None = None) -> str:
    names = names or {r["region"]: r["name"] for r in s["regions"]}
    rows = [[b["rank"], "、".join(KIND_ZH[k] for k in b["kinds"]), names.get(b["region"], b["region"]), b["row"],
             b["item"], b["received"], b["completed"], pct(b["completion_rate"]), b["bad"], b["reason"]["zh"]]
            for b in s["bottlenecks"][:limit]]
    return _table([("排序", "rank"), ("类型", "kind"), ("地区", "region"), ("序号", "row"), ("服务事项", "item"),
                   ("受理", "received"), ("办结", "completed"), ("办结率", "completion"), ("差评", "bad"),
                   ("原因", "reason")], rows, {0, 3, 5, 6, 7, 8})


def html_section(s: dict[str, Any]) -> list[str]:
    p = s["period"]["months"]
    span = f"{p[0]}–{p[-1]}" if p else "—"
    out = [_h("办件：服务事项的使用情况", "Service handling: how the items are used", 2, anchor="handling"),
           f"<p>统计月份 {escape(span)}，{len(p)} 个月。一个服务事项在统计期内受理过至少一件即为“有办件”。"
           f"<span class='en'>Months {escape(span)}. An item is handled when it received at least one case.</span></p>"]
    rows = [[f"{r['name']}（{r['region']}）", r["items"], r["items_handled"], r["items"] - r["items_handled"],
             r["received"], r["completed"], pct(r["completion_rate"]), pct(r["satisfaction"])] for r in s["regions"]]
    out.append(_table([("地区", "region"), ("服务事项", "items"), ("有办件", "handled"), ("从未办件", "never handled"),
                       ("受理", "received"), ("办结", "completed"), ("办结率", "completion"), ("好评率", "satisfaction")],
                      rows, {1, 2, 3, 4, 5, 6, 7}))
    if s["regions_without_records"]:
        out.append("<p class='note'>尚无办件记录：" + "、".join(f"{escape(r['name'])}（{r['region']}）"
                                                          for r in s["regions_without_records"])
                   + "。<span class='en'>No handling records yet for these regions.</span></p>")
    out.append(_h("逐月趋势", "Monthly trend", 3))
    out.append(f"<figure>{trend_chart(s['trend'])}</figure>")
    out.append(_h("各承接板块的受理件数", "Cases received per block", 3))
    out.append("<div class='cols'>" + "".join(
        f"<div>{_h(r['name'], r['region'], 4)}<figure>{block_chart(s, r['region'])}</figure></div>"
        for r in s["regions"]) + "</div>")
    out.append(_h(f"办件堵点（{len(s['bottlenecks'])}）", f"Handling bottlenecks ({len(s['bottlenecks'])})", 3))
    out.append("<p>排序：从未使用的事项在前，其次办结率低于 80% 的，再次差评至少 2 条且占评价 20% 以上的。"
               "<span class='en'>Ranked: never used, then completion below 80 %, then at least 2 bad reviews making 20 % of reviews."
               "</span></p>")
    out.append(bottleneck_table(s))
    if len(s["bottlenecks"]) > BOTTLENECKS_SHOWN:
        out.append(f"<details><summary>全部 {len(s['bottlenecks'])} 项 / all {len(s['bottlenecks'])}</summary>"
                   f"{bottleneck_table(s, limit=len(s['bottlenecks']))}</details>")
    return out


def section_or_empty(store: Any) -> dict[str, Any] | None:
    """The summary for the report, or None when no handling records are loaded."""
    s = summarize(store)
    return s if s["regions"] else None
