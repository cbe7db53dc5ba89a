"""Plain-text table rendering of query results for the terminal (CJK-width aware)."""

from __future__ import annotations

import unicodedata

from .queries import Result


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _cut(s: str, limit: int = 60) -> str:
    if _width(s) <= limit:
        return s
    out, w = "", 0
    for c in s:
        w += _width(c)
        if w > limit - 1:
            return out + "…"
        out += c
    return out


def render_table(res: Result) -> str:
    if res.kind == "ask":
        return "true" if res.boolean else "false"
    if res.kind == "graph":
        return "\n".join(str(t) for t in res.triples)
    cols = res.variables
    rows = [[_cut("" if v is None else v) for v in r.values()] for r in res.values()]
    widths = [max([_width(c)] + [_width(r[i]) for r in rows]) for i, c in enumerate(cols)]

    def line(cells: list[str]) -> str:
        return " | ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True))

    out = [line(cols), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    out.append(f"({len(rows)} 行 rows{'，已截断 truncated' if res.truncated else ''})")
    return "\n".join(out)
