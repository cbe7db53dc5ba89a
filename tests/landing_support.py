"""Shared by tests/test_landing_*.py: stores from the real build, with a crafted alignment or none.

The alignment engine (issue 14, ``policykg.align``) writes predicted links to
``graph/alignment/{code}`` at build: asserted links ``<local measure or item> eli:implements
<provincial measure>`` and ``sssom:Mapping`` records (subject, object as IRIs, justification,
confidence, ``pk:rank``, ``predicate_modifier "Not"`` when rejected). :func:`build_aligned_store`
REPLACES the real graphs of 德清 and 舟山 with a small crafted one, so the tests know every link:

- 德清 row 1's local measure implements provincial measure 16 (record: confidence 0.83; a
  rejected record for the same pair at 0.99 must be ignored). 德清 row 1 has a service item,
  so 德清 × 16 becomes ``service-item``, predicted, 0.83.
- 舟山 row 1's first local measure implements measure 20 (confidence 0.6). 舟山 has no
  service items: 舟山 × 20 becomes ``local-measure``, predicted, 0.6.
- A rejected record only (no asserted link) from that measure to 21 leaves 舟山 × 21 ``none``.

:func:`build_printed_store` drops the alignment graphs: the printed links only. Both recount
the statistics graph (``finish=refresh``, as the write pipelines do).
"""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import Literal, NamedNode, Triple

from loaders.build import build
from policykg.core import iris
from policykg.core.namespaces import PREFIXES
from policykg.graph.derive import refresh
from policykg.graph.store import new_generation, open_read_only, put_graph

SSSOM = "https://w3id.org/sssom/"
SEMAPV = "https://w3id.org/semapv/vocab/"
ELI = PREFIXES["eli"]
RDF_TYPE = PREFIXES["rdf"] + "type"
XSD = PREFIXES["xsd"]


def first_local_measure(store, code: str, row: int) -> str:
    q = f"""PREFIX pk: <{PREFIXES['pk']}>
SELECT ?m WHERE {{ ?m a pk:LocalMeasure ; pk:sourceRow <{iris.row(code, row)}> }} ORDER BY STR(?m) LIMIT 1"""
    return next(iter(store.query(q)))["m"].value


def _mapping(iri: str, subject: str, obj: str, confidence: float, *, rejected: bool = False) -> list[Triple]:
    s = NamedNode(iri)
    out = [Triple(s, NamedNode(RDF_TYPE), NamedNode(SSSOM + "Mapping")),
           Triple(s, NamedNode(SSSOM + "subject_id"), NamedNode(subject)),
           Triple(s, NamedNode(SSSOM + "object_id"), NamedNode(obj)),
           Triple(s, NamedNode(SSSOM + "predicate_id"), NamedNode(ELI + "implements")),
           Triple(s, NamedNode(SSSOM + "mapping_justification"), NamedNode(SEMAPV + "LexicalMatching")),
           Triple(s, NamedNode(SSSOM + "confidence"), Literal(str(confidence), datatype=NamedNode(XSD + "double"))),
           Triple(s, NamedNode(PREFIXES["pk"] + "rank"), Literal("1", datatype=NamedNode(XSD + "integer")))]
    if rejected:
        out.append(Triple(s, NamedNode(SSSOM + "predicate_modifier"), Literal("Not")))
    return out


def build_aligned_store(root: Path) -> dict[str, str]:
    """``policykg build`` from data/, then a generation with the crafted alignment graphs."""
    build(root)
    st = open_read_only(root)
    deqing = first_local_measure(st, "330521", 1)
    zhoushan = first_local_measure(st, "330900", 1)
    del st
    pm = iris.provincial_measure
    base = iris.graph("alignment/")
    with new_generation(root, copy_current=True, finish=refresh, in_memory=True) as (store, _gen):
        put_graph(store, base + "330521", [
            Triple(NamedNode(deqing), NamedNode(ELI + "implements"), NamedNode(pm(16))),
            *_mapping(base + "330521#m1", deqing, pm(16), 0.83),
            *_mapping(base + "330521#m2", deqing, pm(16), 0.99, rejected=True),
        ])
        put_graph(store, base + "330900", [
            Triple(NamedNode(zhoushan), NamedNode(ELI + "implements"), NamedNode(pm(20))),
            *_mapping(base + "330900#m1", zhoushan, pm(20), 0.6),
            *_mapping(base + "330900#m2", zhoushan, pm(21), 0.7, rejected=True),
        ])
    return {"deqing": deqing, "zhoushan": zhoushan}


def build_printed_store(root: Path) -> None:
    """``policykg build`` from data/, then a generation without ``graph/alignment/*``: the
    printed links only (衢州's numbers, 钱塘's reprinted texts), statistics recounted."""
    build(root)
    prefix = iris.alignment_graph_prefix()
    with new_generation(root, copy_current=True, finish=refresh, in_memory=True) as (store, _gen):
        for g in list(store.named_graphs()):
            if g.value.startswith(prefix):
                store.remove_graph(g)
