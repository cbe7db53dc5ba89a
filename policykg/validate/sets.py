"""The shapes' SHACL-SPARQL constraints evaluated set at a time: one query per constraint
over all its focus nodes, in Oxigraph, instead of pySHACL's one query per focus node.

Why. A load validates the new list before it touches the store. pySHACL ran 9,555 queries
for a 1,000-row list (8 of the 13 s of its validation), each through Python: pre-binding,
rdflib result rows, a report graph parsed back into findings. Here each constraint's
``sh:select`` is rewritten once (per shapes graph) so that every ``SELECT`` projecting
``$this`` first binds ``$this`` to the shape's focus nodes (the instances of its
``sh:targetClass``, through ``rdfs:subClassOf*`` as SHACL says), and the results become
:class:`~policykg.validate.model.Finding`\\ s as pySHACL's would (focus, path, value,
messages filled from ``sh:message``, severity, duplicates of a focus node dropped).

Pre-binding (SHACL §5.3.1) puts the focus node in for ``$this`` everywhere, also inside
nested SELECTs. Joining with the focus nodes gives the same solutions when every nested
SELECT projects ``$this`` (pySHACL requires that too) and each aggregate is grouped by it;
:func:`compile_shapes` checks those conditions and every other feature it relies on
(only ``sh:targetClass`` targets, one ``sh:select`` per shape, no core constraints, no
``$currentShape``/``$shapesGraph``/``?failure``) and returns None for anything else: the
caller then runs pySHACL. tests/test_validate_sets.py compares both on the real lists,
the shapes' examples and synthetic lists.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import rdflib
from pyoxigraph import BlankNode, Literal, NamedNode, Store, Variable

from policykg.core.errors import PolicyKGError
from policykg.sparql.tokens import keyword, significant, tokenize

from .model import SH, Finding

Locate = Callable[[Any, Any], tuple]   # (focus, value) as rdflib terms -> (region, row, key task)

RDF_TYPE = rdflib.RDF.type
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_PATH_VAR = re.compile(r"([\s{}()])[\$\?]PATH", flags=re.M)        # pySHACL's $PATH rule
_AGGREGATES = frozenset({"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"})
# the shape terms this engine understands; any other sh: term on a shape means pySHACL
_SHAPE_TERMS = frozenset(SH[t] for t in (
    "targetClass", "sparql", "path", "severity", "message", "name", "description", "group", "order"))


@dataclass(frozen=True)
class Constraint:
    """One shape's SPARQL constraint, rewritten to run over all its focus nodes."""

    shape: str                     # the shape's IRI (a finding's source shape)
    severity: str                  # Violation | Warning | Info
    property_shape: bool
    path: str | None               # the result path as a finding states it
    messages: tuple[rdflib.Literal, ...]
    query: str                     # all focus nodes at once
    per_node: str                  # the constraint as pySHACL runs it, $this substituted
    focus: str                     # the focus nodes


def _path(shapes: rdflib.Graph, node: Any) -> tuple[str, str] | None:
    """(SPARQL path text, the finding's path text) for an IRI or an inverse IRI path."""
    if isinstance(node, rdflib.URIRef):
        return f"<{node}>", str(node)
    inverse = shapes.value(node, SH.inversePath)
    if isinstance(node, rdflib.BNode) and isinstance(inverse, rdflib.URIRef) and \
            len(list(shapes.predicate_objects(node))) == 1:
        return f"^<{inverse}>", f"^<{inverse}>"
    return None


def _prefixes(shapes: rdflib.Graph, declaring: Any) -> str | None:
    lines = []
    for decl in shapes.objects(declaring, SH.declare):
        prefix, namespace = shapes.value(decl, SH.prefix), shapes.value(decl, SH.namespace)
        if prefix is None or namespace is None:
            return None
        lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(set(lines)))


def _focus_query(classes: list[str]) -> str:
    """The focus nodes of ``sh:targetClass`` C: instances of C or of a subclass of C."""
    values = " ".join(f"<{c}>" for c in classes)
    return ("SELECT DISTINCT ?this WHERE { VALUES ?pkFocusClass { " + values + " } "
            "?this <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/"
            "<http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?pkFocusClass }")


def _focus_pattern(classes: list[str]) -> str:
    return "{ " + _focus_query(classes) + " } "


def _is_this(tok) -> bool:
    return tok.kind == "var" and tok.text[1:] == "this"


def bind_focus(text: str, classes: list[str]) -> str | None:
    """``text`` with the focus pattern at the start of the WHERE group of every SELECT, or
    None when a SELECT does not project ``$this``, an aggregate is not grouped by it, or the
    text uses a variable pySHACL would pre-bind and we do not. A group of FILTERs alone
    (``{ SELECT $this WHERE { FILTER (NOT EXISTS {…} || …) } }``) gets its EXISTS hoisted
    (:func:`_hoist_exists`)."""
    toks = tokenize(text)
    if any(t.kind == "error" for t in toks):
        return None
    sig = significant(toks)
    if any(t.kind == "var" and t.text[1:] in ("currentShape", "shapesGraph", "failure") for t in sig):
        return None
    edits: list[tuple[int, int, str]] = []           # (start, end, replacement) in ``text``
    counter = [0]
    pattern = _focus_pattern(classes)
    for i, t in enumerate(sig):
        if keyword(t) != "SELECT":
            continue
        j, projects_this, aggregated, star = i + 1, False, False, False
        while j < len(sig) and keyword(sig[j]) != "WHERE" and not (sig[j].kind == "punct" and sig[j].text == "{"):
            projects_this = projects_this or _is_this(sig[j])
            aggregated = aggregated or keyword(sig[j]) in _AGGREGATES
            star = star or sig[j].text == "*"
            j += 1
        if j < len(sig) and keyword(sig[j]) == "WHERE":
            j += 1
        if j >= len(sig) or sig[j].text != "{" or not projects_this:
            return None
        if aggregated and not _grouped_by_this(sig, j):
            return None
        hoisted = None if star else _hoist_exists(text, sig, j, counter)
        optionals = ""
        if hoisted is not None:
            optionals, inner = hoisted
            edits += inner
        edits.append((sig[j].pos + 1, sig[j].pos + 1, " " + pattern + optionals))
    if not edits:
        return None
    out, last = [], 0
    for start, end, new in sorted(edits):
        if start < last:
            return None                            # overlapping edits: not a form we know
        out += [text[last:start], new]
        last = end
    out.append(text[last:])
    return "".join(out)


def _close(sig: list, k: int) -> int:
    """Index of the bracket closing the one at ``sig[k]``."""
    pairs = {"{": "}", "(": ")"}
    opener, depth = sig[k].text, 0
    for m in range(k, len(sig)):
        if sig[m].kind == "punct" and sig[m].text == opener:
            depth += 1
        elif sig[m].kind == "punct" and sig[m].text == pairs[opener]:
            depth -= 1
            if depth == 0:
                return m
    return len(sig)


def _hoist_exists(text: str, sig: list, open_at: int, counter: list[int]) -> tuple[str, list] | None:
    """In a group of FILTERs alone, ``[NOT] EXISTS { P }`` -> ``(!)BOUND(?pkHasN)`` with
    ``OPTIONAL { SELECT DISTINCT ?this (1 AS ?pkHasN) WHERE { P } }`` after the focus pattern.

    Why. Oxigraph evaluates a FILTER (NOT) EXISTS once per candidate, joining P in an order
    chosen without the candidate (every row's source row, for each item: quadratic); the
    OPTIONAL evaluates P once. The same solutions: the group's only variable is ?this
    (bound by the focus pattern), P is correlated with it alone, and DISTINCT makes the
    OPTIONAL add at most one row per focus node. None when the group is anything else."""
    close = _close(sig, open_at)
    k, spans = open_at + 1, []
    while k < close:
        if keyword(sig[k]) != "FILTER" or k + 1 >= close:
            return None
        if sig[k + 1].text == "(":
            end = _close(sig, k + 1)
        elif keyword(sig[k + 1]) in ("NOT", "EXISTS"):
            m = k + 1 + (keyword(sig[k + 1]) == "NOT")
            if keyword(sig[m]) != "EXISTS" or sig[m + 1].text != "{":
                return None
            end = _close(sig, m + 1)
        else:
            return None
        spans.append((k + 1, end))
        k = end + 1
    optionals, edits = [], []
    for first, last in spans:
        m = first
        while m <= last:
            word = keyword(sig[m])
            if word == "NOT" and m + 1 <= last and keyword(sig[m + 1]) == "EXISTS":
                negated, e = True, m + 1
            elif word == "EXISTS":
                negated, e = False, m
            else:
                m += 1
                continue
            if e + 1 > last or sig[e + 1].text != "{":
                return None
            g_end = _close(sig, e + 1)
            body = sig[e + 2:g_end]
            if any(keyword(b) == "SELECT" for b in body) or not any(_is_this(b) for b in body):
                return None
            counter[0] += 1
            var = f"?pkHas{counter[0]}"
            inner = text[sig[e + 1].pos + 1:sig[g_end].pos]
            optionals.append(f"OPTIONAL {{ SELECT DISTINCT ?this (1 AS {var}) WHERE {{{inner}}} }} ")
            edits.append((sig[m].pos, sig[g_end].pos + 1, f"({'!' if negated else ''}BOUND({var}))"))
            m = g_end + 1
    if not edits:
        return None
    return "".join(optionals), edits


def _grouped_by_this(sig: list, open_at: int) -> bool:
    """After the group opened at ``sig[open_at]`` closes: GROUP BY ... $this ..."""
    depth, k = 0, open_at
    while k < len(sig):
        if sig[k].kind == "punct" and sig[k].text == "{":
            depth += 1
        elif sig[k].kind == "punct" and sig[k].text == "}":
            depth -= 1
            if depth == 0:
                break
        k += 1
    if k + 2 >= len(sig) or keyword(sig[k + 1]) != "GROUP" or keyword(sig[k + 2]) != "BY":
        return False
    k += 3
    while k < len(sig) and (sig[k].kind == "var" or (sig[k].kind == "punct" and sig[k].text in "()")):
        if _is_this(sig[k]):
            return True
        k += 1
    return False


@lru_cache(maxsize=8)
def compile_shapes(shapes: rdflib.Graph) -> tuple[Constraint, ...] | None:
    """The shapes as set-at-a-time constraints, or None if any shape needs pySHACL."""
    out = []
    shape_nodes = set(shapes.subjects(SH.sparql, None)) | set(shapes.subjects(SH.targetClass, None)) | \
        set(shapes.subjects(RDF_TYPE, SH.NodeShape)) | set(shapes.subjects(RDF_TYPE, SH.PropertyShape))
    for shape in sorted(shape_nodes, key=str):
        if not isinstance(shape, rdflib.URIRef):
            return None
        if any(p.startswith(str(SH)) and p not in _SHAPE_TERMS for p in shapes.predicates(shape, None)):
            return None
        if (None, SH.property, shape) in shapes or (None, SH.node, shape) in shapes:
            return None
        sparqls = list(shapes.objects(shape, SH.sparql))
        classes = sorted(str(c) for c in shapes.objects(shape, SH.targetClass))
        if len(sparqls) != 1 or not classes:
            return None
        sq = sparqls[0]
        if any(p not in (SH.select, SH.prefixes) for p in shapes.predicates(sq, None)):
            return None
        selects = list(shapes.objects(sq, SH.select))
        if len(selects) != 1 or not isinstance(selects[0], rdflib.Literal):
            return None
        text = str(selects[0])
        path_node = shapes.value(shape, SH.path)
        path = None
        if path_node is not None:
            path = _path(shapes, path_node)
            if path is None:
                return None
            text = _PATH_VAR.sub(r"\g<1>" + path[0].replace("\\", "\\\\"), text)
        elif _PATH_VAR.search(text):
            return None
        bound = bind_focus(text, classes)
        prefixes = "\n".join(p for p in (_prefixes(shapes, d) for d in shapes.objects(sq, SH.prefixes)) if p is not None)
        if bound is None:
            return None
        severity = str(shapes.value(shape, SH.severity) or SH.Violation).rsplit("#", 1)[-1]
        messages = tuple(m for m in shapes.objects(shape, SH.message) if isinstance(m, rdflib.Literal))
        out.append(Constraint(str(shape), severity, path_node is not None, path[1] if path else None,
                              messages, f"{prefixes}\n{bound}", f"{prefixes}\n{text}",
                              _focus_query(classes)))
    return tuple(out)


# ------------------------------------------------------------------ running

def _rdflib(term: Any) -> Any:
    """A pyoxigraph term as the rdflib term pySHACL would report (its text for messages)."""
    if isinstance(term, NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, Literal):
        dt = term.datatype.value
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        if dt in (_XSD_STRING, _LANG_STRING):
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(dt))
    return rdflib.Literal(str(term))


def _fill(msg: str, bound: dict[str, Any]) -> str:
    """pySHACL's message templating: each bound ``{?var}`` / ``{$var}`` becomes its text."""
    for var, val in bound.items():
        msg = re.sub(f"{{[?$]{var}}}", str(val), msg)
    return msg


PER_NODE_MAX = 64
"""Up to this many focus nodes a constraint runs once per node, as pySHACL does (with
Oxigraph's substitution, in Rust): the coverage shapes have one focus node per list, and
their set-at-a-time form made Oxigraph join every row's citations before the list's."""


def _query(store: Store, c: Constraint, text: str, **kw: Any):
    try:
        return store.query(text, **kw)
    except (SyntaxError, OSError, RuntimeError) as exc:
        raise PolicyKGError(f"SHACL 约束 {c.shape} 无法执行：{exc}", f"SHACL constraint {c.shape} failed: {exc}") \
            from exc


def _solutions(store: Store, c: Constraint, focus_cache: dict[str, list]) -> Iterable[dict[str, Any]]:
    """The constraint's solutions (bound variables only), with ``this`` always bound."""
    if c.focus not in focus_cache:
        focus_cache[c.focus] = [sol["this"] for sol in _query(store, c, c.focus)]
    nodes = focus_cache[c.focus]
    if len(nodes) <= PER_NODE_MAX:
        this = Variable("this")
        for node in nodes:
            sols = _query(store, c, c.per_node, substitutions={this: node})
            names = [v.value for v in sols.variables]
            for sol in sols:
                row = {n: sol[n] for n in names if sol[n] is not None}
                row["this"] = row.get("this") or node
                yield row
        return
    sols = _query(store, c, c.query)
    names = [v.value for v in sols.variables]
    for sol in sols:
        yield {n: sol[n] for n in names if sol[n] is not None}


def run_constraints(store: Store, constraints: Iterable[Constraint], locate: Locate,
                    unbound: re.Pattern) -> list[Finding]:
    """Every constraint over ``store`` (everything in its default graph): the findings.

    ``locate`` places a finding (region, 序号, key task) as pySHACL-based validation does;
    ``unbound`` matches a message variable the query left unbound (printed as "?")."""
    out: list[Finding] = []
    focus_cache: dict[str, list] = {}
    for c in constraints:
        seen: set = set()
        for found in _solutions(store, c, focus_cache):
            row = {n: _rdflib(term) for n, term in found.items()}
            row.pop("failure", None)
            p, v, t = row.pop("path", None), row.pop("value", None), row.pop("this", None)
            if t is None:
                continue
            key = (t, p, v, tuple(sorted(row.items())))
            if key in seen:
                continue
            seen.add(key)
            value = v if v is not None else (None if c.property_shape else t)
            bound = dict(row)
            bound["this"] = t
            if p is not None:
                bound["path"] = p
            if value is not None:
                bound["value"] = value
            zh = en = ""
            for m in c.messages:
                text = unbound.sub("?", _fill(str(m.value), bound))
                if m.language == "zh" and not zh:
                    zh = text
                elif m.language == "en" and not en:
                    en = text
                elif not zh:
                    zh = text
            path = str(p) if isinstance(p, rdflib.URIRef) else c.path
            region, row_no, kt = locate(t, value)
            out.append(Finding(c.severity, str(t), path, c.shape, zh, en, region, row_no, kt,
                               str(value) if value is not None else None))
    return out
