"""Helpers for the load/export tests: graph comparison without provenance, store dumps.

``comparable(triples)`` drops what legitimately differs between two forms of the same
list — where a row was found (pk:startLine/endLine/page/sheetRow/sheet), the source
document (its node, title, sha256) and the table's printed title and attachment number
(a CSV export has none) — and returns an rdflib Graph. ``assert_same_graph`` compares
two such graphs by isomorphism and prints the difference on failure.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import rdflib
from pyoxigraph import Literal, NamedNode, Triple

from policykg.core import iris
from policykg.core.config import ONTOLOGY_NS as PK
from policykg.graph import store
from policykg.graph.rdfmap import to_rdflib

PROVENANCE = {PK + p for p in ("startLine", "endLine", "page", "sheetRow", "sheet", "attachment")}
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
REGIONS = {"330800": "quzhou", "330900": "zhoushan", "330114": "qiantang", "330521": "deqing"}


def comparable(triples, *, keep_title: bool = False, squeeze_spaces: bool = False) -> rdflib.Graph:
    """Triples without provenance. ``squeeze_spaces``: literals compared without whitespace
    (a PDF's line wrapping can swallow a space between two Chinese words)."""
    triples = list(triples)
    docs = {t.subject for t in triples if t.predicate.value == RDF_TYPE and t.object == NamedNode(PK + "SourceDocument")}
    tables = {t.subject for t in triples if t.predicate.value == RDF_TYPE and t.object == NamedNode(PK + "SourceTable")}
    keep = []
    for t in triples:
        if t.predicate.value in PROVENANCE or t.subject in docs or t.object in docs:
            continue
        if t.subject in tables and t.predicate.value == RDFS_LABEL and not keep_title:
            continue
        if squeeze_spaces and isinstance(t.object, Literal) and t.object.language:
            t = Triple(t.subject, t.predicate, Literal(re.sub(r"\s+", "", t.object.value), language=t.object.language))
        keep.append(t)
    return to_rdflib(keep)


def assert_same_graph(expected: rdflib.Graph, got: rdflib.Graph, label: str = "") -> None:
    from rdflib.compare import graph_diff, isomorphic, to_isomorphic

    if isomorphic(expected, got):
        return
    _, only_expected, only_got = graph_diff(to_isomorphic(expected), to_isomorphic(got))
    lines = [f"{label}: graphs differ ({len(expected)} vs {len(got)} triples)"]
    lines += [f"  - {s} {p} {o}"[:300] for s, p, o in sorted(only_expected)[:15]]
    lines += [f"  + {s} {p} {o}"[:300] for s, p, o in sorted(only_got)[:15]]
    raise AssertionError("\n".join(lines))


def region_triples(store_dir: Path, code: str) -> list[Triple]:
    st = store.open_read_only(store_dir)
    g = NamedNode(iris.region_graph(code))
    return [q.triple for q in st.quads_for_pattern(None, None, None, g)]


def all_quads(store_dir: Path) -> tuple[str, str, int, bytes]:
    """Everything a load could change: the current generation, every quad of every graph
    (as a digest of the N-Quads dump, plus the count) and the restricted file."""
    from pyoxigraph import RdfFormat

    gen = store.current(store_dir)
    st = store.open_read_only(store_dir)
    dump = st.dump(format=RdfFormat.N_QUADS)
    quads = len(st)
    restricted = gen.restricted_file.read_bytes() if gen.restricted_file.exists() else b""
    return gen.name, hashlib.sha256(dump).hexdigest(), quads, restricted


def copy_store(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, symlinks=True)
    return dst
