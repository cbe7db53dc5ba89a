"""Parameters bound into a query's text, so the planner sees constants.

Oxigraph applies ``substitutions`` after planning, as a join with the solutions: a
parameterised catalogue query then scans the whole graph and filters at the end (95 ms
against 0.9 ms for one region's rows under one key task, at 101 regions). Written into the
text, the same values become constants the planner starts from.

:func:`inline` emulates SEP-0007 substitution in plain SPARQL. Inside the outer WHERE group
each ``?v``/``$v`` becomes its term (so MINUS, NOT EXISTS and subqueries see the value, as
with substitution); a ``VALUES`` block opening that group binds ``?v`` for the projection,
GROUP BY and ORDER BY outside it. In a nested SELECT projection ``?v`` becomes
``(term AS ?v)``, in a nested GROUP/ORDER BY ``(term)``. Terms are pyoxigraph terms,
serialised by pyoxigraph (N-Triples syntax, quotes escaped), never raw user text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pyoxigraph import Literal, NamedNode

from .tokens import tokenize


class NotInlinableError(ValueError):
    """The text has no WHERE group to bind in (the caller falls back on substitutions)."""


def inline(text: str, terms: Mapping[str, Any]) -> str:
    """``text`` with each variable of ``terms`` bound to its pyoxigraph term (see the module doc)."""
    if not terms:
        return text
    for name, term in terms.items():
        if not isinstance(term, (NamedNode, Literal)):
            raise NotInlinableError(f"cannot write {type(term).__name__} for ?{name} into a query")
    toks = [t.text for t in tokenize(text)]
    at = next((i for i, t in enumerate(toks) if t.upper() == "WHERE"), None)
    if at is None:
        raise NotInlinableError("query has no WHERE keyword")
    open_i = next((i for i in range(at, len(toks)) if toks[i] == "{"), None)
    if open_i is None:
        raise NotInlinableError("query has no WHERE group")
    depth, close_i = 0, len(toks)
    for i in range(open_i, len(toks)):
        depth += {"{": 1, "}": -1}.get(toks[i], 0)
        if depth == 0:
            close_i = i
            break
    body = _replace(toks[open_i + 1:close_i], terms)
    names = sorted(terms)
    block = " VALUES (" + " ".join(f"?{n}" for n in names) + ") { (" + " ".join(str(terms[n]) for n in names) + ") } "
    return "".join(toks[:open_i + 1] + [block] + body + toks[close_i:])


def _replace(toks: list[str], terms: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    in_select = in_modifier = False
    depth = 0
    prev = ""
    for tok in toks:
        upper = tok.upper()
        if upper == "SELECT":
            in_select, depth = True, 0
        elif in_select and (upper == "WHERE" or tok == "{"):
            in_select = False
        elif upper == "BY" and prev in ("ORDER", "GROUP"):
            in_modifier, depth = True, 0
        elif in_modifier and (upper in ("LIMIT", "OFFSET", "HAVING", "VALUES", "ORDER", "GROUP") or tok in "{}"):
            in_modifier = False
        if tok == "(":
            depth += 1
        elif tok == ")":
            depth -= 1
        if tok[:1] in "?$" and tok[1:] in terms and prev != "AS":
            term = str(terms[tok[1:]])
            tok = (f"({term} AS ?{tok[1:]})" if depth == 0 and in_select
                   else f"({term})" if depth == 0 and in_modifier else term)
        out.append(tok)
        if tok.strip():
            prev = upper
    return out
