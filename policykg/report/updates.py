"""The report's section on updates: each region's current version and list date, the
regions whose list is older than the deadline (the tip sheet: 6月底前完成更新), and what
changed since a given version or date (rows added, removed, changed, renumbered; service
items added and removed)."""

from __future__ import annotations

import datetime as _dt
from html import escape
from pathlib import Path

from policykg import diff as pkdiff
from policykg import versions
from policykg.core import regions
from policykg.core.errors import PolicyKGError

from .html import heading, html_table


def default_deadline() -> str:
    return f"{_dt.date.today().year}-06-30"


def section(root: Path | str, since: str | None = None, deadline: str | None = None, *,
            rows_of: pkdiff.RowsOf | None = None) -> list[str]:
    """HTML parts (headed ``updates``); empty when the store has no versions. What changed
    since ``since`` needs ``rows_of`` (the list's own columns: :func:`loaders.export.version_rows`)."""
    codes = versions.regions_with_history(root)
    if not codes:
        return []
    deadline = deadline or default_deadline()
    stale = {v.region for v in versions.older_than(root, deadline)}
    rows = []
    for code in codes:
        v = versions.current_version(root, code)
        if v is None:
            continue
        rows.append([f"{regions.get(code).full_name}（{code}）", f"v{v.version}", len(versions.history(root, code)),
                     versions.list_date(v), v.loaded[:19] + "Z", v.source,
                     f"未更新 / not updated since {deadline}" if code in stale else "已更新 / updated"])
    parts = [f"<style>{pkdiff.CSS}</style>", heading("清单更新与版本", "Updates and versions", anchor="updates"),
             f"<p class='note'>按提示单要求，各地清单应于 6 月底前完成更新。截止日期 {escape(deadline)}："
             f"{len(stale)} 个地区的当前清单早于该日期。<span class='en'>Lists are to be updated by the end of "
             f"June; {len(stale)} region(s) have a current list older than {escape(deadline)}.</span></p>",
             html_table([("地区", "region"), ("当前版本", "current"), ("版本数", "versions"), ("清单日期", "list date"),
                     ("加载时间", "loaded"), ("来源", "source"), ("状态", "status")], rows, numeric={2})]
    if since and rows_of is not None:
        parts.append(heading(f"自 {since} 以来的变化", f"Changes since {since}", level=3))
        for code in codes:
            parts += _changes(root, code, since, rows_of)
    return parts


def _changes(root: Path | str, code: str, since: str, rows_of: pkdiff.RowsOf) -> list[str]:
    name = f"{regions.get(code).full_name}（{code}）"
    try:
        base = versions.changed_since(root, code, since)
        cur = versions.current_version(root, code)
    except PolicyKGError as exc:
        return [f"<p>{escape(name)}：{escape(exc.message)}</p>"]
    if cur is None:
        return []
    if base is None:
        return [f"<p>{escape(name)}：该时间之后才有清单（当前 v{cur.version}） / first list after that time</p>"]
    if base == cur.version:
        return [f"<p>{escape(name)}：无变化（仍为 v{cur.version}） / unchanged</p>"]
    d = pkdiff.diff(root, code, base, cur.version, rows_of=rows_of)
    items = d["derived"]["service_items"]
    added = sum(len(k["added"]) for k in items)
    removed = sum(len(k["removed"]) for k in items)
    pm = d["derived"]["provincial_measures"]
    return [f"<h4>{escape(name)}</h4>", f"<p>{escape(pkdiff.summary_line(d))}；服务事项新增 {added}、删除 {removed}"
            f"；省级细化措施新覆盖 {len(pm['covered'])}、不再覆盖 {len(pm['lost'])} / items added {added}, removed "
            f"{removed}; provincial measures newly covered {len(pm['covered'])}, lost {len(pm['lost'])}</p>",
            "<details><summary>明细 / details</summary>" + pkdiff.diff_table_html(d) + "</details>"]
