"""The catalogue queries as a benchmark workload, with parameters at their defaults.

The project's store gets each query exactly as ``policykg query`` runs it (parameters by
pyoxigraph substitutions). Engines that know nothing of the project (plain rdflib, the
Oxigraph server, Virtuoso) get a self-contained text: the project's prefixes declared and
the parameters bound as :func:`bind` explains (terms serialised by pyoxigraph from the
catalogue's defaults, never user input). The runner checks every engine returns the same number
of rows, so a wrong rewrite shows up as a mismatch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from policykg import queries
from policykg.namespaces import prefixes


@dataclass(frozen=True)
class Item:
    name: str
    text: str                                               # the catalogue text
    substitutions: dict[str, Any] = field(default_factory=dict)   # name -> pyoxigraph term
    portable: str = ""                                      # self-contained SPARQL for other engines


def workload(names: list[str] | None = None) -> list[Item]:
    out = []
    for name, q in queries.catalogue().items():
        if names and name not in names:
            continue
        subs = {k: queries.to_term(v) for k, v in queries.bind(q, {}).items()}   # defaults, as the API binds them
        out.append(Item(name, q.text, subs, portable(q.text, subs)))
    return out


_PREFIX_DECL = re.compile(r"^\s*PREFIX\s+([A-Za-z][\w.-]*)?:", re.IGNORECASE | re.MULTILINE)


def portable(text: str, subs: dict[str, Any]) -> str:
    """Comments dropped (Virtuoso rejects non-ASCII in them), missing prefixes declared, parameters bound."""
    text = "\n".join(line for line in queries.strip_comments(text).splitlines() if line.strip())
    declared = {m.group(1) or "" for m in _PREFIX_DECL.finditer(text)}
    used = set(re.findall(r"(?<![\w<\"'?$])([A-Za-z][\w-]*):", text))
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes().items() if p in used and p not in declared)
    return prologue + bind(text, subs)


_TOKEN = re.compile(r"""("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|<[^\s<>"{}|^`\\]*>|\#[^\n]*|[?$][A-Za-z_]\w*|\w+|.)""",
                    re.DOTALL)


def bind(text: str, subs: dict[str, Any]) -> str:
    """Emulate SEP-0007 substitution in plain SPARQL.

    Inside the outer WHERE group each ``?v``/``$v`` becomes its term (so MINUS, NOT EXISTS
    and subqueries see the value, as with substitution); a ``VALUES`` block opening that
    group binds ``?v`` for the projection, GROUP BY and ORDER BY outside it. In a nested
    SELECT projection ``?v`` becomes ``(term AS ?v)``, in a nested GROUP/ORDER BY ``(term)``.
    """
    if not subs:
        return text
    toks = _TOKEN.findall(text)
    at = next((i for i, t in enumerate(toks) if t.upper() == "WHERE"), 0)
    open_i = next((i for i in range(at, len(toks)) if toks[i] == "{"), None)
    if open_i is None:
        raise ValueError("query has no WHERE group to bind parameters in")
    depth, close_i = 0, len(toks)
    for i in range(open_i, len(toks)):
        depth += {"{": 1, "}": -1}.get(toks[i], 0)
        if depth == 0:
            close_i = i
            break
    body = _replace(toks[open_i + 1:close_i], subs)
    names = sorted(subs)
    block = " VALUES (" + " ".join(f"?{n}" for n in names) + ") { (" + " ".join(str(subs[n]) for n in names) + ") } "
    return "".join(toks[:open_i + 1] + [block] + body + toks[close_i:])


def _replace(toks: list[str], subs: dict[str, Any]) -> list[str]:
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
        if tok[:1] in "?$" and tok[1:] in subs and prev != "AS":
            term = str(subs[tok[1:]])
            tok = (f"({term} AS ?{tok[1:]})" if depth == 0 and in_select
                   else f"({term})" if depth == 0 and in_modifier else term)
        out.append(tok)
        if tok.strip():
            prev = upper
    return out
