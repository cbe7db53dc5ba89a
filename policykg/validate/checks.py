"""The SPARQL checks of ``queries/checks/``: each row of a ``*-violation.rq`` (``-warning``,
``-info``) query is a finding."""


from __future__ import annotations

import re
from pathlib import Path

from pyoxigraph import Store

from policykg.core.errors import PolicyKGError
from policykg.core.namespaces import prefixes
from policykg.sparql.queries import load_query

from .model import Finding, checks_ns

# ------------------------------------------------------------------ SPARQL checks

def run_checks(store: Store, checks_dir: Path) -> list[Finding]:
    """``queries/checks/*-violation.rq`` (and ``-warning``, ``-info``): each row is a finding.
    Variables: ?focus ?messageZh ?messageEn, optionally ?region (code) ?row ?keyTask ?path."""
    out = []
    for path in sorted(checks_dir.glob("*.rq")):
        m = re.search(r"-(violation|warning|info)$", path.stem)
        if not m:
            continue
        q = load_query(path)
        try:
            sols = store.query(q.text, prefixes=prefixes())
        except SyntaxError as exc:
            raise PolicyKGError(f"检查查询 {path.name} 有语法错误：{exc}", f"check query {path.name}: {exc}") from exc
        names = [v.value for v in sols.variables]
        for sol in sols:
            row = {n: (sol[n].value if sol[n] is not None else None) for n in names}
            out.append(Finding(
                m.group(1).capitalize(), row.get("focus") or "", row.get("path"), checks_ns() + path.stem,
                row.get("messageZh") or "", row.get("messageEn") or "", row.get("region"),
                maybe_int(row.get("row")), maybe_int(row.get("keyTask"))))
    return out


def maybe_int(v: str | None) -> int | None:
    try:
        return int(v) if v not in (None, "") else None
    except ValueError:
        return None
