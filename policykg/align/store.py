"""A region's alignment as the store holds it (``graph/alignment/{code}``), as dataclasses."""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import NamedNode, Store

from ..core import iris
from ..core.config import QUERY_DIR
from ..core.namespaces import PREFIXES
from ..graph.store import open_read_only
from ..sparql import queries
from .engine import Candidate

_NS = {PREFIXES["semapv"]: "semapv:", "https://w3id.org/policykg/def#": "pk:"}


def _curie(iri: str) -> str:
    for ns, p in _NS.items():
        if iri.startswith(ns):
            return p + iri[len(ns):]
    return iri


def candidates(store: Store | Path | str, code: str) -> list[Candidate]:
    """Every mapping record of region ``code`` (rank 0: added by a curator), best first per subject."""
    st = store if isinstance(store, Store) else open_read_only(store)
    q = queries.load_query(QUERY_DIR / "align" / "candidates.rq")
    res = queries.run(st, q.text, substitutions={"graph": NamedNode(iris.alignment_graph(code))})
    out = []
    for r in res.values():
        out.append(Candidate(
            r["subject"], r["subjectLabel"] or "", r["kind"] or "measure", code, int(r["row"] or 0),
            int(r["number"] or 0), r["object"], r["objectLabel"] or "", int(r["rank"]), float(r["score"])
            if r.get("score") else float(r["confidence"]), float(r["confidence"]), _curie(r["justification"]),
            r["evidence"] or "", r["asserted"] == "true", r["modifier"] or "", r["sourceRow"] or ""))
    return out


def highlights(store: Store | Path | str, code: str) -> list[str]:
    """IRIs of the region's local measures flagged pk:LocalHighlight (特色亮点)."""
    st = store if isinstance(store, Store) else open_read_only(store)
    g = NamedNode(iris.alignment_graph(code))
    kind = NamedNode("https://w3id.org/policykg/def#LocalHighlight")
    return sorted(q.subject.value for q in st.quads_for_pattern(None, NamedNode(PREFIXES["rdf"] + "type"), kind, g))


def regions_aligned(store: Store | Path | str) -> list[str]:
    """Region codes that have an alignment graph in the store."""
    st = store if isinstance(store, Store) else open_read_only(store)
    prefix = iris.alignment_graph("")
    return sorted(g.value[len(prefix):] for g in st.named_graphs() if g.value.startswith(prefix))
