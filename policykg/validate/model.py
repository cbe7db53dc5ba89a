"""What validation finds: :class:`Finding`, :class:`Report`, severities and the shapes' namespaces."""


from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import rdflib

from policykg.core.config import QUERY_DIR
from policykg.core.namespaces import PREFIXES

PK = PREFIXES["pk"]
SH = rdflib.Namespace(PREFIXES["sh"])
SHAPES_NS = "https://w3id.org/policykg/shapes#"
CHECKS_DIR = QUERY_DIR / "checks"
SEVERITIES = ("Violation", "Warning", "Info")
RANK = {s: i for i, s in enumerate(SEVERITIES)}
SEVERITY_ZH = {"Violation": "违规", "Warning": "警告", "Info": "提示"}


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
        return (RANK.get(self.severity, 9), self.region or "", self.row if self.row is not None else 0,
                self.key_task or 0, self.shape, natural_key(self.focus), natural_key(self.value or ""), self.message)

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


def natural_key(text: str) -> tuple:
    """Numbers inside IRIs compare as numbers (provincial-measure/8 before /10)."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


def short(iri: str | None) -> str:
    """``pkshape:X`` / ``pk:X`` / ``checks:X`` for the terms we name, else the IRI."""
    if not iri:
        return ""
    for prefix, ns in (("pkshape", SHAPES_NS), ("pk", PK), ("checks", checks_ns())):
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def checks_ns() -> str:
    return SHAPES_NS.replace("shapes#", "checks#")


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
