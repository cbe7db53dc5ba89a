"""The golden build: the graph built from the four lists is isomorphic to a committed one.

The refactoring of issue 18 was checked this way against the build of commit b068b67 (it
moved modules, not facts: commit 21da341's fixture). The work merged after it changes the
graph on purpose (issue 13's rows and listings, 14's alignment graphs, 15's landing
statistics), so the fixture is now the build of the integrated code, and any change that alters the graph fails here until the
fixture is regenerated with ``python scripts/golden_build.py`` (say why in the commit).

``tests/data/build-golden.nq.xz`` holds the named graphs as sorted N-Quads (the ontology
graph left out: it is ``ontology/*.ttl`` verbatim). The restricted file (officials' phone
numbers) is not committed: only the SHA-256 of its sorted lines is.
"""

from __future__ import annotations

import hashlib
import lzma
from pathlib import Path

from pyoxigraph import DefaultGraph, RdfFormat, serialize
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from policykg.core import iris
from policykg.graph.store import current, open_read_only

FIXTURE = Path(__file__).parent / "data" / "build-golden.nq.xz"
RESTRICTED_SHA256 = "4e2797a7a79c1446b2b853dbc2de61232805d9b7de9238c6dac74988f6b893bf"


def _graphs(nquads: str) -> dict[str, Graph]:
    ds = Dataset()
    ds.parse(data=nquads, format="nquads")
    return {str(g.identifier): g for g in ds.graphs() if len(g)}


def _built_nquads(store_dir: Path) -> str:
    st = open_read_only(store_dir)
    ontology = iris.graph("ontology")
    quads = [q for q in st if not isinstance(q.graph_name, DefaultGraph) and q.graph_name.value != ontology]
    return serialize(quads, format=RdfFormat.N_QUADS).decode("utf-8")


def test_fixture_holds_the_real_build():
    before = lzma.decompress(FIXTURE.read_bytes()).decode("utf-8")
    graphs = _graphs(before)
    assert len(before.splitlines()) == 65027      # + the 3 region pairs (issue 21: 1 dataset, 3 × 9)
    codes = ("330114", "330521", "330800", "330900")
    assert sorted(graphs) == sorted([iris.graph("backbone"), iris.graph("regions"), iris.graph("statistics")]
                                    + [iris.region_graph(c) for c in codes] + [iris.alignment_graph(c) for c in codes])
    assert len(graphs[iris.region_graph("330800")]) == 4841          # as at b068b67
    assert len(graphs[iris.region_graph("330900")]) == 4993          # 舟山: 33 rows, ordered units (issue 13)
    assert len(graphs[iris.graph("backbone")]) == 1532


def test_build_is_isomorphic_to_the_golden_build(built_store):
    before = _graphs(lzma.decompress(FIXTURE.read_bytes()).decode("utf-8"))
    after = _graphs(_built_nquads(built_store))
    assert sorted(after) == sorted(before)
    for name, graph in before.items():
        assert len(after[name]) == len(graph), name
        assert isomorphic(after[name], graph), name
    assert isinstance(next(iter(after[iris.graph("backbone")].subjects())), URIRef)


def test_restricted_file_is_unchanged(built_store):
    lines = sorted(current(built_store).restricted_file.read_text(encoding="utf-8").splitlines())
    assert len(lines) == 33
    assert hashlib.sha256(("\n".join(lines) + "\n").encode("utf-8")).hexdigest() == RESTRICTED_SHA256
