"""The catalogue queries as a benchmark workload, with parameters at their defaults.

The project's store gets each query exactly as ``policykg query`` runs it (``queries.run``,
which writes the parameters into the text, :mod:`policykg.sparql.binding`). Engines that know nothing of the project (plain rdflib, the
Oxigraph server, Virtuoso) get a self-contained text: the project's prefixes declared and
the parameters bound as :func:`bind` explains (terms serialised by pyoxigraph from the
catalogue's defaults, never user input). The runner checks every engine returns the same number
of rows, so a wrong rewrite shows up as a mismatch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from policykg.core.namespaces import prefixes
from policykg.sparql import queries
from policykg.sparql.binding import inline


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


def bind(text: str, subs: dict[str, Any]) -> str:
    """The parameters written into the text, exactly as ``queries.run`` does (:mod:`policykg.sparql.binding`)."""
    return inline(text, subs)
