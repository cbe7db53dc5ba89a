"""A validation :class:`Report` as text (grouped by region, severity, key task), JSON, CSV or HTML."""


from __future__ import annotations

import csv
import html
import io
import json
from collections import Counter

from policykg.core import cellsafe
from policykg.core.errors import UsageError
from policykg.core.regions import get as get_region

from .model import RANK, SEVERITIES, SEVERITY_ZH, Finding, Report

# ------------------------------------------------------------------ rendering

def render(report: Report, fmt: str = "text") -> str | bytes:
    if fmt == "json":
        return json.dumps({"conforms": report.conforms, "results": [f.to_json() for f in report.results]},
                          ensure_ascii=False, indent=1) + "\n"
    if fmt == "csv":
        return _csv(report)
    if fmt == "html":
        return _html(report)
    if fmt == "text":
        return _text(report)
    raise UsageError(f"不支持的格式 {fmt}（text、json、html、csv）", f"unknown format {fmt} (text, json, html, csv)")


def _region_name(code: str | None) -> str:
    if not code:
        return "省级骨架及其他 / provincial backbone and other"
    try:
        return f"{get_region(code).full_name}（{code}）"
    except UsageError:
        return code


def _grouped(report: Report) -> dict[str | None, dict[str, dict[int | None, list[Finding]]]]:
    out: dict = {}
    for f in report.results:
        out.setdefault(f.region, {}).setdefault(f.severity, {}).setdefault(f.key_task, []).append(f)
    return out


def _summary_line(c: Counter) -> str:
    return "，".join(f"{SEVERITY_ZH[s]} {s} {c.get(s, 0)}" for s in SEVERITIES)


def _text(report: Report) -> str:
    c = report.counts()
    lines = [
        f"SHACL 校验：{'通过' if report.conforms else '未通过'} / {'conforms' if report.conforms else 'does not conform'}"
        f"（{len(report.results)} 条结果 results：{_summary_line(c)}）",
        "",
        "按地区 / by region:",
    ]
    groups = _grouped(report)
    for region in sorted(groups, key=lambda r: r or ""):
        rc = Counter({s: sum(len(v) for v in groups[region].get(s, {}).values()) for s in SEVERITIES})
        lines.append(f"  {_region_name(region)}：{_summary_line(rc)}")
    lines += ["", "按形状 / by shape:"]
    for (shape, sev), n in sorted(Counter((f.shape_name, f.severity) for f in report.results).items(),
                                  key=lambda kv: (RANK[kv[0][1]], kv[0][0])):
        lines.append(f"  {sev:<9} {n:>5}  {shape}")
    for region in sorted(groups, key=lambda r: r or ""):
        lines += ["", f"== {_region_name(region)} =="]
        for sev in SEVERITIES:
            by_kt = groups[region].get(sev)
            if not by_kt:
                continue
            lines.append(f"-- {SEVERITY_ZH[sev]} {sev}（{sum(len(v) for v in by_kt.values())}）--")
            for kt in sorted(by_kt, key=lambda k: k or 0):
                items = by_kt[kt]
                head = f"重点工作 {kt} / key task {kt}" if kt else "未关联重点工作 / no key task"
                lines.append(f"  [{head}]（{len(items)}）")
                for f in items:
                    lines.append(f"    {f.shape_name}: {f.message_zh}")
                    if f.message_en:
                        lines.append(f"      {f.message_en}")
    return "\n".join(lines) + "\n"


def _csv(report: Report) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["severity", "region", "row", "key_task", "shape", "focus", "path", "value", "message_zh", "message_en"])
    for f in report.results:
        w.writerow(cellsafe.csv_row([f.severity, f.region or "", "" if f.row is None else f.row, f.key_task or "",
                                     f.shape_name, f.focus, f.path or "", f.value or "", f.message_zh, f.message_en]))
    return buf.getvalue()


_CSS = """body{font-family:"Noto Sans CJK SC","Noto Sans SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}td,th{border:1px solid #ccc;padding:.25em .5em;vertical-align:top}
th{background:#f3f3f3}.Violation{color:#a40000}.Warning{color:#8a5a00}.Info{color:#245c9a}
.en{color:#666;font-size:.9em}details{margin:.3em 0}summary{cursor:pointer}"""


def _html(report: Report) -> str:
    e = html.escape
    c = report.counts()
    status = ("通过（无违规）", "conforms: no Violation") if report.conforms else ("未通过（有违规）", "does not conform")
    out = ["<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
           "<title>SHACL 校验报告 / Validation report</title>", f"<style>{_CSS}</style></head><body>",
           "<h1>SHACL 校验报告 <span class='en'>Validation report</span></h1>",
           f"<p><b>{e(status[0])}</b> <span class='en'>{e(status[1])}</span>："
           + "，".join(f"<span class='{s}'>{SEVERITY_ZH[s]} {s} {c.get(s, 0)}</span>" for s in SEVERITIES) + "</p>",
           "<table><tr><th>地区 region</th>" + "".join(f"<th class='{s}'>{SEVERITY_ZH[s]} {s}</th>" for s in SEVERITIES)
           + "</tr>"]
    groups = _grouped(report)
    order = sorted(groups, key=lambda r: r or "")
    for region in order:
        out.append(f"<tr><td>{e(_region_name(region))}</td>" + "".join(
            f"<td>{sum(len(v) for v in groups[region].get(s, {}).values())}</td>" for s in SEVERITIES) + "</tr>")
    out.append("</table>")
    for region in order:
        out.append(f"<h2>{e(_region_name(region))}</h2>")
        for sev in SEVERITIES:
            by_kt = groups[region].get(sev)
            if not by_kt:
                continue
            n = sum(len(v) for v in by_kt.values())
            out.append(f"<details{' open' if sev == 'Violation' else ''}><summary class='{sev}'>"
                       f"{SEVERITY_ZH[sev]} {sev}（{n}）</summary><table><tr><th>重点工作 key task</th><th>序号 row</th>"
                       "<th>形状 shape</th><th>说明 message</th></tr>")
            for kt in sorted(by_kt, key=lambda k: k or 0):
                for f in by_kt[kt]:
                    out.append(f"<tr><td>{kt or ''}</td><td>{'' if f.row is None else f.row}</td>"
                               f"<td>{e(f.shape_name)}</td><td>{e(f.message_zh)}<br>"
                               f"<span class='en'>{e(f.message_en)}</span></td></tr>")
            out.append("</table></details>")
    out.append("</body></html>\n")
    return "\n".join(out)
