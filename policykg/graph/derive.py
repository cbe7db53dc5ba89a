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

from pyoxigraph import DefaultGraph, NamedNode, Quad, QueryTriples, RdfFormat, Store, parse

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


MEMORY_LIMIT = 1 << 30
"""Up to this many bytes of N-Quads the recount runs on an in-memory copy (see :func:`refresh`)."""


def refresh(store: Store, derive_dir: Path | str = DERIVE_DIR) -> int:
    """Make the default graph the merge of the named graphs, then recount ``graph/statistics``
    from it and add the statistics to both. Returns the number of triples derived.

    The observations go from each CONSTRUCT to the store as N-Triples, in Rust: as Python
    quads, written twice, they took 1.5 of the 4.7 s this took at 101 regions (now 2.7 s).
    The merge and the CONSTRUCTs run on an in-memory copy of the named graphs (up to
    :data:`MEMORY_LIMIT`): on the RocksDB store being written they took 16 of the 38 s of a
    1,000-row load, several times the same queries in memory. The merge goes back in one
    bulk load; a load renames blank nodes, so the triples with one (the ontology's qb
    component specifications) are copied into the merge as the named graphs have them.
    """
    g = NamedNode(graph_iri())
    if store.contains_named_graph(g):
        store.remove_graph(g)            # stale counts: dropped before the merge, never merged
    named = store.dump(format=RdfFormat.N_QUADS)
    if len(named) > MEMORY_LIMIT:
        merge_default_graph(store)
        return _derive(store, store, derive_dir)
    work = Store()
    if named:
        work.bulk_load(named, format=RdfFormat.N_QUADS)
    merge_default_graph(work)
    store.clear_graph(DefaultGraph())
    merged = work.dump(format=RdfFormat.N_TRIPLES, from_graph=DefaultGraph())
    plain = b"".join(line for line in merged.splitlines(keepends=True) if not _has_blank_node(line))
    if plain:
        store.bulk_load(plain, format=RdfFormat.N_TRIPLES, to_graph=DefaultGraph())
    blank = b"".join(line for line in named.splitlines(keepends=True) if _has_blank_node(line))
    if blank:
        store.extend([Quad(q.subject, q.predicate, q.object, DefaultGraph())
                      for q in parse(blank, format=RdfFormat.N_QUADS)])
    del named, merged, plain
    return _derive(work, store, derive_dir)


def _derive(source: Store, store: Store, derive_dir: Path | str) -> int:
    """The derive CONSTRUCTs over ``source``'s default graph, into ``store``'s statistics
    graph and default graph."""
    g = NamedNode(graph_iri())
    chunks = []
    # in file-name order, each query's observations in the default graph before the next runs, so
    # one may read another's (region-pairs.rq reads item-names.rq's). bulk_load, not load: the store
    # is a generation not yet published (or a snapshot in memory), so nothing needs the transaction,
    # which made loading 320,000 triples twice the largest part of a 101-region build.
    for path in sorted(Path(derive_dir).glob("*.rq")):
        chunk = _construct(source, path, prefixes())
        if chunk:
            source.bulk_load(chunk, format=RdfFormat.N_TRIPLES, to_graph=DefaultGraph())
            if source is not store:
                store.bulk_load(chunk, format=RdfFormat.N_TRIPLES, to_graph=DefaultGraph())
            chunks.append(chunk)
    data = b"".join(chunks)
    if data:
        store.bulk_load(data, format=RdfFormat.N_TRIPLES, to_graph=g)
    return data.count(b"\n")           # N-Triples: one triple per line


_OBJECT_BLANK = re.compile(rb" _:[^\s]+ (?:<[^>]*> |_:[^\s]+ )?\.\s*$")   # an object (N-Triples / N-Quads)


def _has_blank_node(line: bytes) -> bool:
    """Whether an N-Triples or N-Quads line has a blank node as subject or object (a
    literal's text cannot end a line with `` _:x .``: its closing quote comes last)."""
    return line.startswith(b"_:") or _OBJECT_BLANK.search(line) is not None


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
