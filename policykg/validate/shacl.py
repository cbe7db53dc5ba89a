"""``policykg validate``: the graph against ``shapes/`` (pySHACL) and ``queries/checks/``.

Three groups of shapes, three severities: structure (sh:Violation), completeness
(sh:Warning), standardization (sh:Info). ``Report.conforms`` is True when no Violation
was found; warnings and infos are findings about the policy's landing, not data errors.

Speed. pySHACL runs each SHACL-SPARQL constraint once per focus node. Over an rdflib
graph every run re-parses the query with pyparsing (~7 ms) and evaluates it in Python,
which took 44 s for four small regions. pySHACL also accepts a pyoxigraph Store: queries
are then parsed and evaluated in Rust. We copy the graphs to validate into an in-memory
pyoxigraph Store (a copy of quads, no parsing), and work around two per-focus-node costs
of pySHACL (see :class:`_OxigraphData` and :class:`_CachingQueryHelper`). A whole store
is validated region by region in worker processes (:mod:`policykg.validate.split`): one
run over 101 regions took 400 s, growing with the square of the store.

Inference is "none": RDFS inference would hide real sh:class errors; rdfmap states types.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import rdflib
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, RdfFormat, Store, Triple

from policykg.core import iris
from policykg.core.config import SHAPES_DIR
from policykg.core.errors import PolicyKGError, UsageError
from policykg.core.namespaces import PREFIXES
from policykg.core.regions import get as get_region

from .checks import run_checks
from .model import CHECKS_DIR, PK, SH, Finding, Report, report_graph_of
from .sets import compile_shapes, run_constraints

_UNBOUND = re.compile(r"\{[?$]\w+\}")  # a message variable the query left unbound


# ------------------------------------------------------------------ pySHACL over Oxigraph

def _oxigraph_data_graph(store: Store):
    # pySHACL: heavy optional dependency, imported only when validation runs
    from pyshacl.graph_abstraction import OxigraphDataGraph

    class _OxigraphData(OxigraphDataGraph):
        """pySHACL writes ``datagraph or shapes_graph`` for every result: ``bool()`` falls back
        on ``__len__``, a COUNT over the whole store, per result (5 s of 6 s on small data)."""

        def __bool__(self) -> bool:
            return True

    return _OxigraphData(store)


def _install_caching_query_helper() -> None:
    """pySHACL checks and rewrites a constraint's query text with ~10 regexes for every focus
    node. The outcome depends on the text alone, so keep it per constraint and only swap in
    the focus node (pySHACL looks the helper class up through this module attribute)."""
    # pySHACL: heavy optional dependency, imported only when validation runs
    import pyshacl.helper as helper
    from pyshacl.helper.sparql_query_helper import SPARQLQueryHelper

    if getattr(helper, "SPARQLQueryHelperCls", None) is not None and \
            getattr(helper.SPARQLQueryHelperCls, "_policykg", False):
        return

    class _CachingQueryHelper(SPARQLQueryHelper):
        _policykg = True

        def pre_bind_variables(self, thisnode, valuenode=None, extravars=None):
            key = (valuenode is not None, tuple(sorted(extravars or ())))
            cache = self.__dict__.setdefault("_pk_prebind", {})
            if key not in cache:
                cache[key] = super().pre_bind_variables(thisnode, valuenode, extravars)
            binds, text = cache[key]
            fresh = dict(binds)
            if "this" in fresh:
                fresh["this"] = thisnode
            if "value" in fresh:
                fresh["value"] = valuenode
            return fresh, text

    helper.SPARQLQueryHelperCls = _CachingQueryHelper


_SHAPE_PARAMETERS = ("node", "property", "and", "or", "xone", "not", "qualifiedValueShape")


@lru_cache(maxsize=8)
def _focus_filter_safe(shapes: rdflib.Graph) -> bool:
    """pySHACL applies ``focus_nodes`` to every shape it evaluates, also to the value nodes
    that sh:node, sh:property & co. hand to another shape, whose results it would then
    miss. The filter is safe only when no shape refers to another one; otherwise every
    target is validated (callers keep the findings they want)."""
    return not any(True for p in _SHAPE_PARAMETERS for _ in shapes.triples((None, SH[p], None)))


def _install_focus_set() -> None:
    """pySHACL keeps the ``focus_nodes`` option as a list and tests every target against it
    (``in``), quadratic for the thousands of nodes of a region: make it a set."""
    # pySHACL: heavy optional dependency, imported only when validation runs
    from pyshacl.validator import Validator

    if getattr(Validator.make_executor, "_policykg", False):
        return
    original = Validator.make_executor

    def make_executor(self):
        executor = original(self)
        if executor.focus_nodes:
            executor.focus_nodes = frozenset(executor.focus_nodes)
        return executor

    make_executor._policykg = True  # type: ignore[attr-defined]
    Validator.make_executor = make_executor


@lru_cache(maxsize=8)
def _shapes_graph(shapes_dir: str, stamp: tuple) -> rdflib.Graph:  # noqa: ARG001 - stamp keys the cache
    g = rdflib.Graph()
    for path in sorted(Path(shapes_dir).glob("*.ttl")):
        try:
            g.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises many kinds for bad Turtle
            raise PolicyKGError(f"形状文件 {path.name} 无法解析：{exc}", f"cannot parse shapes file {path.name}: {exc}") \
                from exc
    return g


def load_shapes(shapes_dir: Path | str = SHAPES_DIR) -> rdflib.Graph:
    d = Path(shapes_dir)
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(d.glob("*.ttl")))
    if not stamp:
        raise UsageError(f"目录 {d} 中没有形状文件（*.ttl）", f"no shapes (*.ttl) in {d}")
    return _shapes_graph(str(d), stamp)


@lru_cache(maxsize=8)
def _templates(shapes: rdflib.Graph) -> dict[str, list[tuple[str, re.Pattern]]]:
    """Per shape IRI: (language, regex) for each sh:message, to tell pySHACL's filled-in
    messages apart (it drops the language tag when it fills a template)."""
    out: dict[str, list[tuple[str, re.Pattern]]] = defaultdict(list)
    for shape, msg in shapes.subject_objects(SH.message):
        if isinstance(msg, rdflib.Literal) and msg.language:
            parts = re.split(r"\{[?$]\w+\}", str(msg))
            rx = re.compile("(?:.*?)".join(re.escape(p) for p in parts), re.S)
            out[str(shape)].append((msg.language, rx))
    return out


# ------------------------------------------------------------------ inputs

def _to_store(data: Any) -> Store:
    """rdflib Graph, pyoxigraph Store, or iterable of pyoxigraph Triples/Quads -> one in-memory
    Store with everything in its default graph (pySHACL validates each named graph apart)."""
    mem = Store()
    if isinstance(data, rdflib.Graph):
        nt = data.serialize(format="nt", encoding="utf-8")
        if nt:
            mem.load(nt, format=RdfFormat.N_TRIPLES, to_graph=DefaultGraph())
        return mem
    if isinstance(data, Store):
        data = data.quads_for_pattern(None, None, None, None)
    quads = []
    for t in data:
        if isinstance(t, (Triple, Quad)):
            quads.append(Quad(t.subject, t.predicate, t.object, DefaultGraph()))
        else:
            raise TypeError(f"cannot validate {type(t).__name__}; give an rdflib Graph or pyoxigraph triples")
    mem.bulk_extend(quads)
    return mem


# ------------------------------------------------------------------ running

def run(data: Any, shapes_dir: Path | str = SHAPES_DIR, region: str | None = None, *,
        checks_dir: Path | str | None = CHECKS_DIR, sets: bool = False) -> Report:
    """Validate ``data`` (rdflib Graph, pyoxigraph Store or triples) against the shapes.

    With ``region`` the findings are narrowed to that region's (and those of no region,
    e.g. the backbone's); :func:`run_store` instead reads only that region's graph.
    ``sets``: each constraint once over all its focus nodes (:mod:`.sets`; the same
    findings, pySHACL's report graph is not made) when the shapes allow it, as a load does.
    """
    t0 = time.monotonic()
    code = get_region(region).code if region else None
    store = data if isinstance(data, Store) and _default_graph_only(data) else _to_store(data)
    shapes = load_shapes(shapes_dir)
    compiled = compile_shapes(shapes) if sets else None
    if compiled is not None:
        findings, report_graph = run_constraints(store, compiled, _Context(store).locate, _UNBOUND), None
    else:
        findings, report_graph = validate_store(store, shapes)
    if checks_dir is not None:
        findings += run_checks(store, Path(checks_dir))
    if code:
        findings = [f for f in findings if f.region in (None, code)]
    findings.sort(key=Finding.sort_key)
    tables = list_regions(store)
    conforms = not any(f.severity == "Violation" for f in findings)
    return Report(conforms, findings, report_graph, time.monotonic() - t0,
                  tuple(c for c in tables if code in (None, c)))


def validate_store(store: Store, shapes: rdflib.Graph, focus: Iterable[str] | None = None,
                   roots: list[str] | None = None) -> tuple[list[Finding], rdflib.Graph]:
    """pySHACL over ``store`` (everything in its default graph): findings and report graph.

    ``roots``, if given, receives for each finding the focus node of the top-level result
    it belongs to (itself, or the result whose sh:detail it is).

    ``focus`` (IRIs) limits validation to those focus nodes where pySHACL can do that
    soundly (:func:`_focus_filter_safe`); callers must keep only the findings they want.
    """
    # pySHACL: heavy optional dependency, imported only when validation runs
    import pyshacl

    focus_nodes = None
    if focus is not None and _focus_filter_safe(shapes):
        focus_nodes = sorted(focus)
        if not focus_nodes:
            return [], report_graph_of(True, [])
        _install_focus_set()
    _install_caching_query_helper()
    try:
        _, report_graph, _ = pyshacl.validate(
            _oxigraph_data_graph(store), shacl_graph=shapes, inference="none", advanced=False,
            inplace=True, allow_warnings=True, allow_infos=True, focus_nodes=focus_nodes)
    except Exception as exc:  # pySHACL's errors carry its own message
        raise PolicyKGError(f"SHACL 校验失败：{exc}", f"SHACL validation failed: {exc}") from exc
    return _findings(report_graph, shapes, store, roots), report_graph


def list_regions(store: Store) -> list[str]:
    """Codes of the regions that have a list (a pk:SourceTable) in ``store``."""
    ctx = _Context(store)
    rdf_type = NamedNode(PREFIXES["rdf"] + "type")
    tables = [q.subject for q in store.quads_for_pattern(None, rdf_type, NamedNode(PK + "SourceTable"), None)]
    return sorted({c for t in tables if (c := ctx._code(t))})


def _default_graph_only(store: Store) -> bool:
    return not any(True for _ in store.named_graphs())




def copy_graph(disk: Store, graph: str, mem: Store, data: bytes | None = None) -> None:
    """Add named graph ``graph`` of ``disk`` (``data``: its N-Triples, when at hand) to the
    default graph of ``mem``.

    Through N-Triples in Rust, 6x faster than quad by quad in Python, unless the graph has
    blank nodes, which a load would rename (a finding's focus must keep its name)."""
    if data is None:
        data = disk.dump(format=RdfFormat.N_TRIPLES, from_graph=NamedNode(graph))
    if b"_:" not in data:
        mem.load(data, format=RdfFormat.N_TRIPLES, to_graph=DefaultGraph())
        return
    mem.bulk_extend([Quad(q.subject, q.predicate, q.object, DefaultGraph())
                     for q in disk.quads_for_pattern(None, None, None, NamedNode(graph))])


def alignment_graph(region_graph: str) -> str:
    """The alignment graph validated with a region's list (issue 14/15): graph/alignment/{code}."""
    return region_graph.replace("/graph/region/", "/graph/alignment/", 1)


def shared_graphs(names: Iterable[str]) -> list[str]:
    """The graphs every region's list is validated with, in this order, when present."""
    have = set(names)
    return [g for g in (iris.graph("ontology"), iris.graph("regions"), iris.graph("backbone")) if g in have]


# ------------------------------------------------------------------ report graph -> findings

def _findings(rg: rdflib.Graph, shapes: rdflib.Graph, store: Store, roots: list[str] | None = None) -> list[Finding]:
    templates = _templates(shapes)
    ctx = _Context(store)
    top = _top_level_focus(rg) if roots is not None else {}
    out = []
    for r in rg.subjects(rdflib.RDF.type, SH.ValidationResult):
        shape = str(rg.value(r, SH.sourceShape) or "")
        focus = rg.value(r, SH.focusNode)
        value = rg.value(r, SH.value)
        path = rg.value(r, SH.resultPath)
        sev = str(rg.value(r, SH.resultSeverity) or SH.Violation).rsplit("#", 1)[-1]
        zh = en = ""
        for m in list(rg.objects(r, SH.resultMessage)):
            lang = m.language if isinstance(m, rdflib.Literal) else None
            text = _UNBOUND.sub("?", str(m))
            if not lang:
                lang = next((lg for lg, rx in templates.get(shape, []) if rx.fullmatch(str(m))), None)
            if lang and (text != str(m) or m.language != lang):
                # pySHACL drops the language tag when it fills a template and leaves unbound
                # variables as they are: repair both, so the report graph reads right too
                rg.remove((r, SH.resultMessage, m))
                rg.add((r, SH.resultMessage, rdflib.Literal(text, lang=lang)))
            if lang == "zh" and not zh:
                zh = text
            elif lang == "en" and not en:
                en = text
            elif not zh:
                zh = text
        region, row, kt = ctx.locate(focus, value)
        out.append(Finding(sev, str(focus), _path_text(rg, path), shape, zh, en, region, row, kt,
                           str(value) if value is not None else None))
        if roots is not None:
            roots.append(top.get(r, str(focus)))
    return out


def _top_level_focus(rg: rdflib.Graph) -> dict[Any, str]:
    """Each result -> the focus node of the report's result it is (a detail of)."""
    out: dict[Any, str] = {}
    stack = [(r, str(rg.value(r, SH.focusNode))) for r in rg.objects(None, SH.result)]
    while stack:
        r, focus = stack.pop()
        if r not in out:
            out[r] = focus
            stack += [(d, focus) for d in rg.objects(r, SH.detail)]
    return out


def _path_text(g: rdflib.Graph, path: Any) -> str | None:
    if path is None:
        return None
    if isinstance(path, rdflib.URIRef):
        return str(path)
    inv = g.value(path, SH.inversePath)
    if inv is not None:
        return f"^<{inv}>"
    return None


class _Context:
    """Finds a focus node's region code, 序号 and key task number in the validated data."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._cache: dict[tuple, tuple] = {}

    def _objs(self, s: Any, p: str) -> list:
        if not isinstance(s, NamedNode):
            return []
        return [q.object for q in self.store.quads_for_pattern(s, NamedNode(PK + p), None, None)]

    def _types(self, s: Any) -> set[str]:
        if not isinstance(s, NamedNode):
            return set()
        rdf_type = NamedNode(PREFIXES["rdf"] + "type")
        return {q.object.value for q in self.store.quads_for_pattern(s, rdf_type, None, None)}

    def _int(self, terms: Iterable) -> int | None:
        vals = []
        for t in terms:
            if isinstance(t, Literal):
                try:
                    vals.append(int(t.value))
                except ValueError:
                    pass
        return min(vals) if vals else None

    def _code(self, node: Any) -> str | None:
        for r in self._objs(node, "region"):
            for c in self._objs(r, "divisionCode"):
                return c.value
        return None

    def locate(self, focus: Any, value: Any) -> tuple[str | None, int | None, int | None]:
        key = (str(focus), str(value))
        if key not in self._cache:
            f = NamedNode(str(focus)) if isinstance(focus, rdflib.URIRef) else None
            v = NamedNode(str(value)) if isinstance(value, rdflib.URIRef) else None
            self._cache[key] = self._locate(f, v)
        return self._cache[key]

    def _locate(self, f: NamedNode | None, v: NamedNode | None) -> tuple:
        ftypes, vtypes = self._types(f), self._types(v)
        rows = self._objs(f, "sourceRow")
        region = self._code(f)
        if region is None and PK + "Region" in ftypes:
            region = next((c.value for c in self._objs(f, "divisionCode")), None)
        for r in rows:
            region = region or self._code(r)
        if region is None and PK + "Region" in vtypes:
            region = next((c.value for c in self._objs(v, "divisionCode")), None)
        if PK + "SourceRow" in ftypes:
            row = self._int(self._objs(f, "rowNumber"))
        else:
            row = self._int(n for r in rows for n in self._objs(r, "rowNumber"))
        if PK + "KeyTask" in ftypes:
            kt = self._int(self._objs(f, "number"))
        elif PK + "KeyTask" in vtypes:
            kt = self._int(self._objs(v, "number"))
        else:
            kt = self._int(n for k in self._objs(f, "keyTask") for n in self._objs(k, "number"))
            if kt is None and v is not None:
                kt = self._int(n for k in self._objs(v, "keyTask") for n in self._objs(k, "number"))
        return region, row, kt
