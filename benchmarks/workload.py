"""The catalogue queries as a benchmark workload, with parameters at their defaults.

The project's store gets each query exactly as ``policykg query`` runs it (parameters by
pyoxigraph substitutions). Engines that know nothing of the project (plain rdflib, the
Oxigraph server, Virtuoso) get a self-contained text: the project's prefixes declared and
each parameter replaced by its term in N-Triples syntax (a catalogue default, serialised
by pyoxigraph, never user input). The runner checks every engine returns the same number
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
        subs = {p: queries.to_term(spec["default"]) for p, spec in (q.params or {}).items()
                if isinstance(spec, dict) and spec.get("default") is not None}
        out.append(Item(name, q.text, subs, portable(q.text, subs)))
    return out


_PREFIX_DECL = re.compile(r"^\s*PREFIX\s+([A-Za-z][\w.-]*)?:", re.IGNORECASE | re.MULTILINE)


def portable(text: str, subs: dict[str, Any]) -> str:
    declared = {m.group(1) or "" for m in _PREFIX_DECL.finditer(queries.strip_comments(text))}
    used = set(re.findall(r"(?<![\w<\"'?$])([A-Za-z][\w-]*):", queries.strip_comments(text)))
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes().items() if p in used and p not in declared)
    return prologue + bind(text, subs)


_TOKEN = re.compile(r"""("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|<[^\s<>"{}|^`\\]*>|\#[^\n]*|[?$][A-Za-z_]\w*|\w+|.)""",
                    re.DOTALL)


def bind(text: str, subs: dict[str, Any]) -> str:
    """Replace variables ``?v``/``$v`` by terms, as SEP-0007 substitution does.

    In a SELECT projection a bare ``?v`` becomes ``(term AS ?v)`` so the column stays, in
    ORDER BY / GROUP BY ``(term)``; after AS the variable is left alone.
    """
    if not subs:
        return text
    out: list[str] = []
    in_select = in_modifier = False
    depth = 0
    prev_word = ""
    for tok in _TOKEN.findall(text):
        upper = tok.upper()
        if upper == "SELECT":
            in_select, depth = True, 0
        elif in_select and (upper == "WHERE" or tok == "{"):
            in_select = False
        elif upper == "BY" and prev_word in ("ORDER", "GROUP"):
            in_modifier, depth = True, 0
        elif in_modifier and (upper in ("LIMIT", "OFFSET", "HAVING", "VALUES", "ORDER", "GROUP") or tok == "}"):
            in_modifier = False
        if tok == "(":
            depth += 1
        elif tok == ")":
            depth -= 1
        if tok[:1] in "?$" and len(tok) > 1 and tok[1:] in subs and prev_word != "AS":
            term = str(subs[tok[1:]])
            if depth == 0 and in_select:
                tok = f"({term} AS ?{tok[1:]})"
            elif depth == 0 and in_modifier:
                tok = f"({term})"
            else:
                tok = term
        out.append(tok)
        if tok.strip() and not tok.startswith("#"):
            prev_word = upper
    return "".join(out)
