"""``policykg diff``: what changed between two versions of a region's list.

Rows are matched by content, not by 序号: a list that gains a row at the top renumbers
every row below it, and those rows did not change. Each version's table is rebuilt as
``export`` prints it (the list's own column headers), one entry per 序号 (a 序号 printed on
several lines joins its cells with line breaks). Then:

1. rows with identical content (all columns but 序号) pair up: same 序号 -> unchanged,
   another 序号 -> ``renumbered``;
2. of the rest, rows with the same 序号 that share at least half their cells are
   ``changed`` (the cells that differ, old and new);
3. then rows that share at least half their cells under different numbers are
   ``changed`` too (their ``row`` is the new 序号, ``from_row`` the old one);
4. what is left is ``removed`` (old) or ``added`` (new).

Derived facts are compared too: service items added or removed per key task, and the
provincial measures the list newly covers or no longer covers.
"""

from __future__ import annotations

import html
import io
import json
from collections.abc import Callable
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, Store

from . import versions
from .core import iris, regions
from .core.config import QUERY_DIR
from .core.errors import UsageError
from .graph.store import merge_default_graph, open_read_only
from .sparql import queries

VERSION_QUERIES = QUERY_DIR / "versions"
SHARED = ("ontology", "regions", "backbone")

# (store, region code) -> (the list's column headers, [(序号, {header: cell})]) as ``export``
# prints the table: supplied by the caller (``loaders.export.version_rows``), since the
# column layouts live with the loaders.
RowsOf = Callable[[Store, str], tuple[list[str], list[tuple[int, dict[str, str]]]]]


def version_store(root: Path | str, code: str, n: int, shared: list[tuple[str, bytes]] | None = None) -> Store:
    """An in-memory store: the shared graphs and version ``n`` as the region's graph."""
    st = Store()
    load_shared(root, st, shared)
    data = versions.version_ntriples(root, code, n)
    if data:
        st.load(data, format=RdfFormat.N_TRIPLES, to_graph=NamedNode(iris.region_graph(code)))
    merge_default_graph(st)
    return st


def shared_nquads(root: Path | str) -> list[tuple[str, bytes]]:
    """The shared graphs (ontology, regions, backbone) of the current generation: (IRI, N-Triples)."""
    disk = open_read_only(root)
    return [(iris.graph(name), disk.dump(format=RdfFormat.N_TRIPLES, from_graph=NamedNode(iris.graph(name))) or b"")
            for name in SHARED]


def load_shared(root: Path | str, st: Store, data: list[tuple[str, bytes]] | None = None) -> None:
    for graph, nt in shared_nquads(root) if data is None else data:
        if nt:
            st.load(nt, format=RdfFormat.N_TRIPLES, to_graph=NamedNode(graph))


def _content(cells: dict[str, str], number_header: str) -> tuple:
    return tuple(sorted((k, v) for k, v in cells.items() if k != number_header))


def _similar(a: dict[str, str], b: dict[str, str], number_header: str) -> float:
    keys = [k for k in set(a) | set(b) if k != number_header]
    return sum(a.get(k) == b.get(k) for k in keys) / len(keys) if keys else 1.0


def _changed(row: int, old: dict[str, str], new: dict[str, str], number_header: str, from_row: int | None) -> dict:
    fields = {k: {"old": old.get(k, ""), "new": new.get(k, "")} for k in new if k != number_header
              and old.get(k, "") != new.get(k, "")}
    out: dict = {"row": row, "fields": fields}
    if from_row is not None and from_row != row:
        out["from_row"] = from_row
    return out


def match_rows(old: list[tuple[int, dict]], new: list[tuple[int, dict]], number_header: str) -> dict:
    """The row part of a diff (see the module's docstring)."""
    added: list[dict] = []
    removed: list[dict] = []
    changed: list[dict] = []
    renumbered: list[dict] = []
    left_old = list(old)
    left_new: list[tuple[int, dict]] = []
    by_content: dict[tuple, list[tuple[int, dict]]] = {}
    for n, cells in left_old:
        by_content.setdefault(_content(cells, number_header), []).append((n, cells))
    for n, cells in new:
        bucket = by_content.get(_content(cells, number_header))
        if bucket:
            # prefer the same 序号, else the first in order
            pick = next((b for b in bucket if b[0] == n), bucket[0])
            bucket.remove(pick)
            if pick[0] != n:
                renumbered.append({"from": pick[0], "to": n})
        else:
            left_new.append((n, cells))
    left_old = [x for b in by_content.values() for x in b]
    left_old.sort(key=lambda x: x[0])
    for same_number in (True, False):
        rest = []
        for n, cells in left_new:
            cands = [(o_n, o) for o_n, o in left_old if (o_n == n) == same_number or not same_number]
            best = max(cands, key=lambda c: (_similar(c[1], cells, number_header), -abs(c[0] - n)), default=None)
            if best is not None and _similar(best[1], cells, number_header) >= 0.5:
                left_old.remove(best)
                changed.append(_changed(n, best[1], cells, number_header, best[0]))
            else:
                rest.append((n, cells))
        left_new = rest
    for n, cells in left_new:
        added.append({"row": n, **{k: v for k, v in cells.items() if k != number_header}})
    for n, cells in left_old:
        removed.append({"row": n, **{k: v for k, v in cells.items() if k != number_header}})
    key = lambda d: d["row"]   # noqa: E731
    return {"added": sorted(added, key=key), "removed": sorted(removed, key=key),
            "changed": sorted(changed, key=key), "renumbered": sorted(renumbered, key=lambda d: d["to"])}


def _derived(store: Store, code: str) -> tuple[set[tuple[int | None, str]], set[int]]:

    graph = {"graph": f"<{iris.region_graph(code)}>"}
    items = queries.run(store, (VERSION_QUERIES / "items-by-key-task.rq").read_text(encoding="utf-8"),
                        substitutions=graph).values()
    measures = queries.run(store, (VERSION_QUERIES / "provincial-measures-covered.rq").read_text(encoding="utf-8"),
                           substitutions=graph).values()
    return ({(int(r["keyTask"]) if r["keyTask"] else None, r["item"] or "") for r in items},
            {int(r["number"]) for r in measures})


def diff(root: Path | str, code: str, v_from: int | None = None, v_to: int | None = None, *,
         rows_of: RowsOf) -> dict:
    """The diff of two versions of ``code`` (default: the previous version to the current one)."""
    code = regions.get(code).code
    hist = versions.history(root, code)
    if not hist:
        raise UsageError(f"地区 {code} 没有任何版本", f"region {code} has no versions")
    to = versions.get(root, code, v_to).version
    if v_from is None:
        earlier = [v.version for v in hist if v.version < to]
        frm = earlier[-1] if earlier else to
    else:
        frm = versions.get(root, code, v_from).version
    shared = shared_nquads(root)
    a, b = version_store(root, code, frm, shared), version_store(root, code, to, shared)
    h_a, rows_a = rows_of(a, code)
    h_b, rows_b = rows_of(b, code)
    headers = h_b or h_a
    number_header = headers[0] if headers else "序号"
    out: dict = {"region": code, "from": frm, "to": to, "headers": headers}
    out.update(match_rows(rows_a, rows_b, number_header))
    items_a, pm_a = _derived(a, code)
    items_b, pm_b = _derived(b, code)
    per_kt: dict[str, dict[str, list[str]]] = {}
    for kind, items in (("added", items_b - items_a), ("removed", items_a - items_b)):
        for kt, name in sorted(items, key=lambda x: (x[0] or 0, x[1])):
            per_kt.setdefault(str(kt) if kt else "", {"added": [], "removed": []})[kind].append(name)
    out["derived"] = {
        "service_items": [{"key_task": int(k) if k else None, **v}
                          for k, v in sorted(per_kt.items(), key=lambda kv: int(kv[0] or 0))],
        "provincial_measures": {"covered": sorted(pm_b - pm_a), "lost": sorted(pm_a - pm_b)},
    }
    return out


# ------------------------------------------------------------------ rendering

def render(d: dict, fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps(d, ensure_ascii=False, indent=1).encode("utf-8")
    if fmt == "text":
        return render_text(d).encode("utf-8")
    if fmt == "html":
        return render_html(d).encode("utf-8")
    if fmt == "xlsx":
        return render_xlsx(d)
    raise UsageError(f"不支持的格式 {fmt}（text、json、xlsx、html）", f"unsupported format {fmt}")


def summary_line(d: dict) -> str:
    return (f"{d['region']} v{d['from']} → v{d['to']}：新增 {len(d['added'])} 行，删除 {len(d['removed'])} 行，"
            f"修改 {len(d['changed'])} 行，重新编号 {len(d['renumbered'])} 行 / added {len(d['added'])}, removed "
            f"{len(d['removed'])}, changed {len(d['changed'])}, renumbered {len(d['renumbered'])}")


def _short(text: str, n: int = 60) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= n else text[: n - 1] + "…"


def render_text(d: dict) -> str:
    lines = [summary_line(d)]
    for r in d["added"]:
        lines.append(f"+ 新增 / added 序号 {r['row']}: {_short(' | '.join(v for k, v in r.items() if k != 'row'))}")
    for r in d["removed"]:
        lines.append(f"- 删除 / removed 序号 {r['row']}: {_short(' | '.join(v for k, v in r.items() if k != 'row'))}")
    for r in d["changed"]:
        moved = f"（原序号 {r['from_row']} / was {r['from_row']}）" if "from_row" in r else ""
        lines.append(f"~ 修改 / changed 序号 {r['row']}{moved}:")
        for h, ch in r["fields"].items():
            lines.append(f"    {h}: {_short(ch['old'], 50)!r} → {_short(ch['new'], 50)!r}")
    if d["renumbered"]:
        lines.append("# 重新编号 / renumbered: " + ", ".join(f"{r['from']}→{r['to']}" for r in d["renumbered"]))
    for kt in d["derived"]["service_items"]:
        label = f"重点工作 {kt['key_task']}" if kt["key_task"] else "无重点工作"
        for name in kt["added"]:
            lines.append(f"  {label}：新增服务事项 / item added: {name}")
        for name in kt["removed"]:
            lines.append(f"  {label}：删除服务事项 / item removed: {name}")
    pm = d["derived"]["provincial_measures"]
    if pm["covered"]:
        lines.append("省级细化措施新覆盖 / provincial measures newly covered: " + ", ".join(map(str, pm["covered"])))
    if pm["lost"]:
        lines.append("省级细化措施不再覆盖 / provincial measures no longer covered: " + ", ".join(map(str, pm["lost"])))
    return "\n".join(lines) + "\n"


CSS = """.diff{border-collapse:collapse;font-size:13px}.diff td,.diff th{border:1px solid #ccc;padding:3px 6px;
vertical-align:top}.added{background:#e6ffec}.removed{background:#ffebe9}.old{background:#ffebe9}
.new{background:#e6ffec}"""


def diff_table_html(d: dict) -> str:
    """The diff as an HTML fragment (also the web page's diff view): added rows green,
    removed rows red, changed cells old | new side by side."""
    e = html.escape
    headers = [h for h in d["headers"][1:]]
    out = [f"<p class='summary'>{e(summary_line(d))}</p>"]
    if d["added"] or d["removed"]:
        out.append("<table class='diff rows'><tr><th></th><th>序号</th>"
                   + "".join(f"<th>{e(h)}</th>" for h in headers) + "</tr>")
        for kind, sign, rows in (("added", "+", d["added"]), ("removed", "−", d["removed"])):
            for r in rows:
                out.append(f"<tr class='{kind}'><td>{sign}</td><td>{r['row']}</td>"
                           + "".join(f"<td>{e(r.get(h, ''))}</td>" for h in headers) + "</tr>")
        out.append("</table>")
    if d["changed"]:
        out.append("<table class='diff changed'><tr><th>序号</th><th>列 / column</th><th>原 / old</th>"
                   "<th>新 / new</th></tr>")
        for r in d["changed"]:
            for h, ch in r["fields"].items():
                out.append(f"<tr><td>{r['row']}</td><td>{e(h)}</td><td class='old'>{e(ch['old'])}</td>"
                           f"<td class='new'>{e(ch['new'])}</td></tr>")
        out.append("</table>")
    if d["renumbered"]:
        out.append("<p class='renumbered'>重新编号 / renumbered: "
                   + e(", ".join(f"{r['from']}→{r['to']}" for r in d["renumbered"])) + "</p>")
    return "\n".join(out)


def render_html(d: dict) -> str:
    return (f"<!doctype html><html lang='zh'><meta charset='utf-8'><title>{d['region']} v{d['from']}→v{d['to']}"
            f"</title><style>{CSS}</style><body><h1>清单版本比较 / list diff {d['region']}</h1>"
            f"{diff_table_html(d)}</body></html>")


def render_xlsx(d: dict) -> bytes:
    from openpyxl import Workbook  # heavy optional dependency: imported only when needed
    from openpyxl.styles import PatternFill  # heavy optional dependency: imported only when needed

    green, red = PatternFill("solid", fgColor="E6FFEC"), PatternFill("solid", fgColor="FFEBE9")
    wb = Workbook()
    ws = wb.active
    ws.title = "行 rows"
    headers = d["headers"][1:]
    ws.append(["变化 / change", "序号", *headers])
    for kind, fill, rows in (("新增 added", green, d["added"]), ("删除 removed", red, d["removed"])):
        for r in rows:
            ws.append([kind, r["row"], *[_safe(r.get(h, "")) for h in headers]])
            for c in ws[ws.max_row]:
                c.fill = fill
    ch = wb.create_sheet("修改 changed")
    ch.append(["序号", "列 / column", "原 / old", "新 / new"])
    for r in d["changed"]:
        for h, v in r["fields"].items():
            ch.append([r["row"], h, _safe(v["old"]), _safe(v["new"])])
    rn = wb.create_sheet("重新编号 renumbered")
    rn.append(["原序号 / from", "新序号 / to"])
    for r in d["renumbered"]:
        rn.append([r["from"], r["to"]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _safe(text: str) -> str:
    """A cell that would start a formula is written as text (OWASP CSV/formula injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
