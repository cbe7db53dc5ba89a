"""Derived statistics: RDF Data Cube observations counted from the lists, in ``graph/statistics``.

Why materialize: the coverage questions (rows, measures and items per region and key task)
re-count every row of the graph. At 101 regions that is about 50 ms per count in Oxigraph,
100–150 ms per question, on every request. The lists change only on build or load, so the
counts are computed then, by the CONSTRUCT queries in ``queries/derive/`` (files, like every
query), and published as ``qb:Observation``s that name the list they were counted from.
Catalogue queries read the observations; tests check them against direct counts.
"""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import DefaultGraph, NamedNode, Quad, Store

from . import iris
from .config import QUERY_DIR
from .errors import PolicyKGError

DERIVE_DIR = QUERY_DIR / "derive"
GRAPH = "statistics"


def graph_iri() -> str:
    return iris.graph(GRAPH)


def refresh(store: Store, derive_dir: Path | str = DERIVE_DIR) -> int:
    """Make the default graph the merge of the named graphs, then recount ``graph/statistics``
    from it and add the statistics to both. Returns the number of triples derived."""
    from .queries import load_query, run
    from .store import merge_default_graph

    g = NamedNode(graph_iri())
    if store.contains_named_graph(g):
        store.remove_graph(g)            # stale counts: dropped before the merge, never merged
    merge_default_graph(store)
    triples = []
    for path in sorted(Path(derive_dir).glob("*.rq")):
        q = load_query(path)
        try:
            res = run(store, q.text, substitutions={"dataset": NamedNode(iris.dataset(path.stem))})
        except PolicyKGError as exc:
            raise PolicyKGError(f"统计查询 {path.name} 失败：{exc.zh}", f"derive query {path.name} failed: {exc.en}") \
                from exc
        triples += res.triples
    if triples:
        store.bulk_extend([Quad(t.subject, t.predicate, t.object, g) for t in triples])
        store.bulk_extend([Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in triples])
    return len(triples)
