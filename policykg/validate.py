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
is validated region by region in worker processes (:mod:`policykg.validate_split`): one
run over 101 regions took 400 s, growing with the square of the store.

Inference is "none": RDFS inference would hide real sh:class errors; rdfmap states types.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import rdflib
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, RdfFormat, Store, Triple

from . import iris
from .config import QUERY_DIR, SHAPES_DIR
from .errors import PolicyKGError, UsageError
from .namespaces import PREFIXES, prefixes
from .progress import Progress
from .queries import load_query
from .regions import get as get_region

PK = PREFIXES["pk"]
SH = rdflib.Namespace(PREFIXES["sh"])
SHAPES_NS = "https://w3id.org/policykg/shapes#"
CHECKS_DIR = QUERY_DIR / "checks"
SEVERITIES = ("Violation", "Warning", "Info")
_RANK = {s: i for i, s in enumerate(SEVERITIES)}
_ZH = {"Violation": "违规", "Warning": "警告", "Info": "提示"}
_UNBOUND = re.compile(r"\{[?$]\w+\}")  # a message variable the query left unbound


@dataclass(frozen=True)
class Finding:
    """One result. ``region`` is the GB/T 2260 code, ``row`` the 序号, ``key_task`` 1–32."""

    severity: str                 # Violation | Warning | Info
    focus: str                    # IRI of the focus node
    path: str | None              # IRI (or SPARQL path) of the result path
    shape: str                    # IRI of the source shape (or of the check query)
    message_zh: str
    message_en: str
    region: str | None = None
    row: int | None = None
    key_task: int | None = None
    value: str | None = None      # sh:value: e.g. the key task a region's list lacks

    @property
    def message(self) -> str:
        """Chinese, then " / ", then English (the JSON and CSV rule)."""
        if self.message_zh and self.message_en:
            return f"{self.message_zh} / {self.message_en}"
        return self.message_zh or self.message_en

    @property
    def shape_name(self) -> str:
        return short(self.shape)

    def sort_key(self) -> tuple:
        return (_RANK.get(self.severity, 9), self.region or "", self.row if self.row is not None else 0,
                self.key_task or 0, self.shape, _natural(self.focus), _natural(self.value or ""), self.message)

    def to_json(self) -> dict[str, Any]:
        return {"severity": self.severity, "focus": self.focus, "path": self.path, "shape": self.shape,
                "message": self.message, "region": self.region, "row": self.row}


@dataclass(frozen=True)
class Report:
    conforms: bool
    results: list[Finding]
    graph: rdflib.Graph | None = field(default=None, repr=False, compare=False)
    seconds: float = field(default=0.0, compare=False)
    regions: tuple[str, ...] = ()           # codes of the lists that were validated

    @property
    def report_graph(self) -> rdflib.Graph:
        """pySHACL's sh:ValidationReport; for a region-by-region run (no single pySHACL
        report) one is made from the findings on first use."""
        if self.graph is None:
            object.__setattr__(self, "graph", report_graph_of(self.conforms, self.results))
        assert self.graph is not None
        return self.graph

    def counts(self) -> Counter:
        return Counter(f.severity for f in self.results)

    def by_shape(self) -> Counter:
        return Counter(f.shape_name for f in self.results)


def _natural(text: str) -> tuple:
    """Numbers inside IRIs compare as numbers (provincial-measure/8 before /10)."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


def short(iri: str | None) -> str:
    """``pkshape:X`` / ``pk:X`` / ``checks:X`` for the terms we name, else the IRI."""
    if not iri:
        return ""
    for prefix, ns in (("pkshape", SHAPES_NS), ("pk", PK), ("checks", _checks_ns())):
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _checks_ns() -> str:
    return SHAPES_NS.replace("shapes#", "checks#")


# ------------------------------------------------------------------ pySHACL over Oxigraph

def _oxigraph_data_graph(store: Store):
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
        checks_dir: Path | str | None = CHECKS_DIR) -> Report:
    """Validate ``data`` (rdflib Graph, pyoxigraph Store or triples) against the shapes.

    With ``region`` the findings are narrowed to that region's (and those of no region,
    e.g. the backbone's); :func:`run_store` instead reads only that region's graph.
    """
    t0 = time.monotonic()
    code = get_region(region).code if region else None
    store = data if isinstance(data, Store) and _default_graph_only(data) else _to_store(data)
    findings, report_graph = validate_store(store, load_shapes(shapes_dir))
    if checks_dir is not None:
        findings += _checks(store, Path(checks_dir))
    if code:
        findings = [f for f in findings if f.region in (None, code)]
    findings.sort(key=Finding.sort_key)
    tables = _list_regions(store)
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


def _list_regions(store: Store) -> list[str]:
    """Codes of the regions that have a list (a pk:SourceTable) in ``store``."""
    ctx = _Context(store)
    rdf_type = NamedNode(PREFIXES["rdf"] + "type")
    tables = [q.subject for q in store.quads_for_pattern(None, rdf_type, NamedNode(PK + "SourceTable"), None)]
    return sorted({c for t in tables if (c := ctx._code(t))})


def _default_graph_only(store: Store) -> bool:
    return not any(True for _ in store.named_graphs())


def run_store(store_dir: Path | str, region: str | None = None, *, shapes_dir: Path | str = SHAPES_DIR,
              per_region: bool = True, workers: int | None = None, progress: Progress | None = None,
              cache_dir: Path | str | None = None) -> Report:
    """Validate a built store: everything, or one region's list with the shared graphs
    (ontology, regions, backbone), never the other regions'.

    Everything is validated region by region in ``workers`` processes (default: one per
    CPU; see :mod:`policykg.validate_split`), with the same findings as one run over all
    graphs together (``per_region=False``, whose cost grows with the square of the store).
    With ``cache_dir`` (or ``POLICYKG_VALIDATION_CACHE``) a region whose graph did not
    change since a run with the same shapes and code is not validated again
    (:mod:`policykg.validate_cache`).
    """
    from .store import open_read_only

    code = get_region(region).code if region else None
    if code is None and per_region:
        from .validate_split import run_split

        return run_split(store_dir, shapes_dir=shapes_dir, workers=workers, progress=progress,
                         cache_dir=cache_dir)
    disk = open_read_only(store_dir)
    names = {g.value for g in disk.named_graphs()}
    lists = sorted(n for n in names if n.startswith(iris.graph("region/")))
    if code:
        if iris.region_graph(code) not in names:
            have = "、".join(n.rsplit("/", 1)[-1] for n in lists) or "无 none"
            raise UsageError(f"图谱中没有地区 {code}（{get_region(code).full_name}）的清单；已有：{have}",
                             f"the store has no list for region {code}; it has: {have}")
        lists = [iris.region_graph(code)]
    mem = Store()
    for g in shared_graphs(names) + lists + [a for a in map(alignment_graph, lists) if a in names]:
        copy_graph(disk, g, mem)
    return run(mem, shapes_dir, region=code)


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


def report_graph_of(conforms: bool, findings: Iterable[Finding]) -> rdflib.Graph:
    """An sh:ValidationReport stating the findings (focus, path, value, severity, source
    shape, messages with their language): the report of a run made of several pySHACL runs."""
    g = rdflib.Graph()
    g.bind("sh", SH)
    report = rdflib.BNode()
    g.add((report, rdflib.RDF.type, SH.ValidationReport))
    g.add((report, SH.conforms, rdflib.Literal(conforms)))
    for f in findings:
        r = rdflib.BNode()
        g.add((report, SH.result, r))
        g.add((r, rdflib.RDF.type, SH.ValidationResult))
        g.add((r, SH.focusNode, _term(f.focus)))
        g.add((r, SH.resultSeverity, SH[f.severity]))
        g.add((r, SH.sourceShape, rdflib.URIRef(f.shape)))
        if f.path and f.path.startswith("^<") and f.path.endswith(">"):
            inverse = rdflib.BNode()
            g.add((inverse, SH.inversePath, rdflib.URIRef(f.path[2:-1])))
            g.add((r, SH.resultPath, inverse))
        elif f.path:
            g.add((r, SH.resultPath, rdflib.URIRef(f.path)))
        if f.value is not None:
            g.add((r, SH.value, _term(f.value)))
        for text, lang in ((f.message_zh, "zh"), (f.message_en, "en")):
            if text:
                g.add((r, SH.resultMessage, rdflib.Literal(text, lang=lang)))
    return g


def _term(text: str) -> rdflib.term.Node:
    """A finding keeps terms as text: IRIs back to IRIs, anything else as a literal."""
    return rdflib.URIRef(text) if re.match(r"^[a-z][a-z0-9+.-]*:\S*$", text, re.I) else rdflib.Literal(text)


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


# ------------------------------------------------------------------ SPARQL checks

def _checks(store: Store, checks_dir: Path) -> list[Finding]:
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
                m.group(1).capitalize(), row.get("focus") or "", row.get("path"), _checks_ns() + path.stem,
                row.get("messageZh") or "", row.get("messageEn") or "", row.get("region"),
                _maybe_int(row.get("row")), _maybe_int(row.get("keyTask"))))
    return out


def _maybe_int(v: str | None) -> int | None:
    try:
        return int(v) if v not in (None, "") else None
    except ValueError:
        return None


# ------------------------------------------------------------------ rendering

def render(report: Report, fmt: str = "text") -> str | bytes:
    if fmt == "json":
        return json.dumps({"conforms": report.conforms, "results": [f.to_json() for f in report.results]},
                          ensure_ascii=False, indent=1) + "\n"
    if fmt == "csv":
        return _csv(report)
    if fmt == "html":
        return _html(report)
    if fmt == "text":
        return _text(report)
    raise UsageError(f"不支持的格式 {fmt}（text、json、html、csv）", f"unknown format {fmt} (text, json, html, csv)")


def _region_name(code: str | None) -> str:
    if not code:
        return "省级骨架及其他 / provincial backbone and other"
    try:
        return f"{get_region(code).full_name}（{code}）"
    except UsageError:
        return code


def _grouped(report: Report) -> dict[str | None, dict[str, dict[int | None, list[Finding]]]]:
    out: dict = {}
    for f in report.results:
        out.setdefault(f.region, {}).setdefault(f.severity, {}).setdefault(f.key_task, []).append(f)
    return out


def _summary_line(c: Counter) -> str:
    return "，".join(f"{_ZH[s]} {s} {c.get(s, 0)}" for s in SEVERITIES)


def _text(report: Report) -> str:
    c = report.counts()
    lines = [
        f"SHACL 校验：{'通过' if report.conforms else '未通过'} / {'conforms' if report.conforms else 'does not conform'}"
        f"（{len(report.results)} 条结果 results：{_summary_line(c)}）",
        "",
        "按地区 / by region:",
    ]
    groups = _grouped(report)
    for region in sorted(groups, key=lambda r: r or ""):
        rc = Counter({s: sum(len(v) for v in groups[region].get(s, {}).values()) for s in SEVERITIES})
        lines.append(f"  {_region_name(region)}：{_summary_line(rc)}")
    lines += ["", "按形状 / by shape:"]
    for (shape, sev), n in sorted(Counter((f.shape_name, f.severity) for f in report.results).items(),
                                  key=lambda kv: (_RANK[kv[0][1]], kv[0][0])):
        lines.append(f"  {sev:<9} {n:>5}  {shape}")
    for region in sorted(groups, key=lambda r: r or ""):
        lines += ["", f"== {_region_name(region)} =="]
        for sev in SEVERITIES:
            by_kt = groups[region].get(sev)
            if not by_kt:
                continue
            lines.append(f"-- {_ZH[sev]} {sev}（{sum(len(v) for v in by_kt.values())}）--")
            for kt in sorted(by_kt, key=lambda k: k or 0):
                items = by_kt[kt]
                head = f"重点工作 {kt} / key task {kt}" if kt else "未关联重点工作 / no key task"
                lines.append(f"  [{head}]（{len(items)}）")
                for f in items:
                    lines.append(f"    {f.shape_name}: {f.message_zh}")
                    if f.message_en:
                        lines.append(f"      {f.message_en}")
    return "\n".join(lines) + "\n"


def _csv(report: Report) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["severity", "region", "row", "key_task", "shape", "focus", "path", "value", "message_zh", "message_en"])
    for f in report.results:
        w.writerow([f.severity, f.region or "", "" if f.row is None else f.row, f.key_task or "", f.shape_name,
                    f.focus, f.path or "", f.value or "", f.message_zh, f.message_en])
    return buf.getvalue()


_CSS = """body{font-family:"Noto Sans CJK SC","Noto Sans SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}td,th{border:1px solid #ccc;padding:.25em .5em;vertical-align:top}
th{background:#f3f3f3}.Violation{color:#a40000}.Warning{color:#8a5a00}.Info{color:#245c9a}
.en{color:#666;font-size:.9em}details{margin:.3em 0}summary{cursor:pointer}"""


def _html(report: Report) -> str:
    e = html.escape
    c = report.counts()
    status = ("通过（无违规）", "conforms: no Violation") if report.conforms else ("未通过（有违规）", "does not conform")
    out = ["<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
           "<title>SHACL 校验报告 / Validation report</title>", f"<style>{_CSS}</style></head><body>",
           "<h1>SHACL 校验报告 <span class='en'>Validation report</span></h1>",
           f"<p><b>{e(status[0])}</b> <span class='en'>{e(status[1])}</span>："
           + "，".join(f"<span class='{s}'>{_ZH[s]} {s} {c.get(s, 0)}</span>" for s in SEVERITIES) + "</p>",
           "<table><tr><th>地区 region</th>" + "".join(f"<th class='{s}'>{_ZH[s]} {s}</th>" for s in SEVERITIES)
           + "</tr>"]
    groups = _grouped(report)
    order = sorted(groups, key=lambda r: r or "")
    for region in order:
        out.append(f"<tr><td>{e(_region_name(region))}</td>" + "".join(
            f"<td>{sum(len(v) for v in groups[region].get(s, {}).values())}</td>" for s in SEVERITIES) + "</tr>")
    out.append("</table>")
    for region in order:
        out.append(f"<h2>{e(_region_name(region))}</h2>")
        for sev in SEVERITIES:
            by_kt = groups[region].get(sev)
            if not by_kt:
                continue
            n = sum(len(v) for v in by_kt.values())
            out.append(f"<details{' open' if sev == 'Violation' else ''}><summary class='{sev}'>"
                       f"{_ZH[sev]} {sev}（{n}）</summary><table><tr><th>重点工作 key task</th><th>序号 row</th>"
                       "<th>形状 shape</th><th>说明 message</th></tr>")
            for kt in sorted(by_kt, key=lambda k: k or 0):
                for f in by_kt[kt]:
                    out.append(f"<tr><td>{kt or ''}</td><td>{'' if f.row is None else f.row}</td>"
                               f"<td>{e(f.shape_name)}</td><td>{e(f.message_zh)}<br>"
                               f"<span class='en'>{e(f.message_en)}</span></td></tr>")
            out.append("</table></details>")
    out.append("</body></html>\n")
    return "\n".join(out)
