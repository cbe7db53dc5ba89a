"""Derived statistics: RDF Data Cube observations counted from the lists, in ``graph/statistics``.

Why materialize: the coverage questions (rows, measures and items per region and key task)
re-count every row of the graph. At 101 regions that is about 50 ms per count in Oxigraph,
100–150 ms per question, on every request. The lists change only on build or load, so the
counts are computed then, by the CONSTRUCT queries in ``queries/derive/`` (files, like every
query), and published as ``qb:Observation``s that name the list they were counted from.
Catalogue queries read the observations; tests check them against direct counts.
"""

from __future__ import annotations

import re
from pathlib import Path

from pyoxigraph import DefaultGraph, NamedNode, QueryTriples, RdfFormat, Store

from policykg.core import iris
from policykg.core.config import QUERY_DIR
from policykg.core.errors import PolicyKGError
from policykg.core.namespaces import prefixes
from policykg.sparql import binding
from policykg.sparql.queries import load_query

from .store import merge_default_graph

DERIVE_DIR = QUERY_DIR / "derive"
GRAPH = "statistics"


def graph_iri() -> str:
    return iris.graph(GRAPH)


def rewrites() -> tuple[str, ...]:
    """The named graphs :func:`refresh` rewrites (``new_generation``'s ``derived``)."""
    return (graph_iri(),)


def refresh(store: Store, derive_dir: Path | str = DERIVE_DIR) -> int:
    """Make the default graph the merge of the named graphs, then recount ``graph/statistics``
    from it and add the statistics to both. Returns the number of triples derived.

    The write pipelines pass it as ``finish`` to a generation staged in memory
    (``new_generation(..., in_memory=True)``): on the RocksDB store being written the merge
    and the CONSTRUCTs took 16 of the 38 s of a 1,000-row load, several times the same
    queries in memory. The observations go from each CONSTRUCT to the store as N-Triples,
    in Rust: as Python quads, written twice, they took 1.5 of the 4.7 s this took at
    101 regions.
    """
    g = NamedNode(graph_iri())
    if store.contains_named_graph(g):
        store.remove_graph(g)            # stale counts: dropped before the merge, never merged
    merge_default_graph(store)
    return _derive(store, derive_dir)


def _derive(store: Store, derive_dir: Path | str) -> int:
    """The derive CONSTRUCTs over ``store``'s default graph, into its statistics graph and
    default graph."""
    g = NamedNode(graph_iri())
    chunks = []
    # in file-name order, each query's observations in the default graph before the next runs, so
    # one may read another's (region-pairs.rq reads item-names.rq's). bulk_load, not load: the store
    # is a generation not yet published (or a snapshot in memory), so nothing needs the transaction,
    # which made loading 320,000 triples twice the largest part of a 101-region build.
    for path in sorted(Path(derive_dir).glob("*.rq")):
        chunk = _construct(store, path, prefixes())
        if chunk:
            store.bulk_load(chunk, format=RdfFormat.N_TRIPLES, to_graph=DefaultGraph())
            chunks.append(chunk)
    data = b"".join(chunks)
    if data:
        store.bulk_load(data, format=RdfFormat.N_TRIPLES, to_graph=g)
    return data.count(b"\n")           # N-Triples: one triple per line


def _construct(store: Store, path: Path, known: dict[str, str]) -> bytes:
    """One derive query's observations, as N-Triples."""
    text = binding.inline(load_query(path).text, {"dataset": NamedNode(iris.dataset(path.stem))})
    try:
        res = store.query(text, prefixes=known)
    except (SyntaxError, RuntimeError, ValueError) as exc:
        raise PolicyKGError(f"统计查询 {path.name} 失败：{exc}", f"derive query {path.name} failed: {exc}") from exc
    if not isinstance(res, QueryTriples):
        raise PolicyKGError(f"统计查询 {path.name} 须是 CONSTRUCT", f"derive query {path.name} must be a CONSTRUCT")
    data = res.serialize(format=RdfFormat.N_TRIPLES) or b""
    if _BLANK_NODE.search(data):      # a load renames blank nodes: the two copies would differ
        raise PolicyKGError(f"统计查询 {path.name} 生成了空白节点；观测值须有 IRI",
                            f"derive query {path.name} made blank nodes; observations need IRIs")
    return data


_BLANK_NODE = re.compile(rb"(?:^|> )_:", re.MULTILINE)     # a subject or an object, in N-Triples
