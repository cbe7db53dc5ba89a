"""Handling records as RDF Data Cube observations, one named graph per region, written atomically.

``graph/handling/{code}`` holds the region's qb:DataSet (``id/handling/{code}``, structure
``pk:handlingStructure``) and one observation per (service item, month). Loading months
again replaces those months of that region (every item), never adds: the file is the new
report for each (region, month) it holds. All checks happen before the store is touched;
the new generation is a copy of the current one, published only if everything was written.

The default graph stays the merge of the named graphs without re-merging the whole store:
every triple of a handling graph is about its own data set, observations or files (IRIs under
``id/handling/{code}/``), so no other graph holds it, and the old graph's triples can be taken
out of the default graph and the new ones put in.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, Triple

from .. import iris
from ..config import ONTOLOGY_NS
from ..namespaces import PREFIXES
from ..store import new_generation, put_graph
from .records import Record

PK = ONTOLOGY_NS
QB = "http://purl.org/linked-data/cube#"
SDMX = "http://purl.org/linked-data/sdmx/2009/dimension#"
XSD = PREFIXES["xsd"]
A = NamedNode(PREFIXES["rdf"] + "type")
LABEL = NamedNode(PREFIXES["rdfs"] + "label")
DCT = PREFIXES["dct"]
PROV = PREFIXES["prov"]
PERIOD = NamedNode(SDMX + "refPeriod")
P = {name: NamedNode(PK + name) for name in (
    "casesReceived", "casesCompleted", "goodReviews", "badReviews", "refServiceItem", "handlingChannel",
    "averageDays", "fileRow", "sha256")}
OBS, DATASET, DATASET_OF = NamedNode(QB + "Observation"), NamedNode(QB + "DataSet"), NamedNode(QB + "dataSet")
AREA, DERIVED = NamedNode(SDMX + "refArea"), NamedNode(PROV + "wasDerivedFrom")


def _int(n: int) -> Literal:
    return Literal(str(n), datatype=NamedNode(XSD + "integer"))


@dataclass
class HandlingLoad:
    file: str
    records: int
    regions: dict[str, tuple[str, list[str]]] = field(default_factory=dict)   # code -> (name, months)
    replaced: int = 0                   # observations of those months the load replaced
    generation: str = ""
    seconds: float = 0.0

    def summary(self) -> str:
        parts = "；".join(f"{name}（{code}）{len(ms)} 个月 {ms[0]}–{ms[-1]}" for code, (name, ms) in
                         sorted(self.regions.items()))
        return (f"已加载办件记录 {self.file}：{self.records} 条观测值，{parts}；替换原有 {self.replaced} 条，"
                f"{self.seconds:.1f} 秒 / loaded {self.records} handling observations from {self.file} for "
                f"{len(self.regions)} region(s), replacing {self.replaced}, {self.seconds:.1f} s")


def dataset_triples(code: str, name: str) -> list[Triple]:
    ds = NamedNode(iris.handling_dataset(code))
    return [Triple(ds, A, DATASET), Triple(ds, NamedNode(QB + "structure"), NamedNode(PK + "handlingStructure")),
            Triple(ds, AREA, NamedNode(iris.region(code))),
            Triple(ds, LABEL, Literal(f"{name}服务事项办件情况", language="zh")),
            Triple(ds, LABEL, Literal(f"Service handling records of {code}", language="en"))]


def file_triples(code: str, file: str, sha: str) -> list[Triple]:
    f = NamedNode(iris.handling_file(code, sha))
    return [Triple(f, A, NamedNode(PK + "SourceDocument")), Triple(f, NamedNode(DCT + "title"), Literal(file)),
            Triple(f, P["sha256"], Literal(sha))]


def observation_triples(rec: Record, file_node: NamedNode) -> list[Triple]:
    o = NamedNode(iris.handling_observation(rec.region, rec.month, rec.item))
    out = [Triple(o, A, OBS), Triple(o, DATASET_OF, NamedNode(iris.handling_dataset(rec.region))),
           Triple(o, AREA, NamedNode(iris.region(rec.region))), Triple(o, P["refServiceItem"], NamedNode(rec.item)),
           Triple(o, PERIOD, Literal(rec.month, datatype=NamedNode(XSD + "gYearMonth"))),
           Triple(o, P["casesReceived"], _int(rec.received)), Triple(o, P["casesCompleted"], _int(rec.completed)),
           Triple(o, P["goodReviews"], _int(rec.good)), Triple(o, P["badReviews"], _int(rec.bad)),
           Triple(o, DERIVED, file_node), Triple(o, P["fileRow"], _int(rec.file_row))]
    if rec.channel:
        out.append(Triple(o, P["handlingChannel"], Literal(rec.channel)))
    if rec.days is not None:
        out.append(Triple(o, P["averageDays"], Literal(str(rec.days), datatype=NamedNode(XSD + "decimal"))))
    return out


def merged_graph(old: Iterable[Triple], records: list[Record], code: str, name: str, file: str,
                 sha: str) -> tuple[list[Triple], int]:
    """The region's new graph: old observations of other months kept, the file's months new.
    Returns (triples, observations replaced)."""
    months = {r.month for r in records}
    by_subject: dict[NamedNode, list[Triple]] = defaultdict(list)
    for t in old:
        by_subject[t.subject].append(t)
    dropped = set()
    for s, ts in by_subject.items():
        if any(t.predicate == PERIOD and t.object.value in months for t in ts):
            dropped.add(s)
    kept = [t for s, ts in by_subject.items() if s not in dropped for t in ts]
    file_node = NamedNode(iris.handling_file(code, sha))
    used = {t.object for t in kept if t.predicate == DERIVED} | {file_node}
    files = {s for s, ts in by_subject.items()
             if any(t.predicate == A and t.object.value == PK + "SourceDocument" for t in ts)}
    kept = [t for t in kept if t.subject not in files or t.subject in used]
    new = dataset_triples(code, name) + file_triples(code, file, sha)
    for rec in records:
        new += observation_triples(rec, file_node)
    seen = set(kept)
    return kept + [t for t in new if t not in seen], len(dropped)


def write(store_dir: Path | str, records: list[Record], file: str, sha: str,
          region_names: dict[str, str]) -> HandlingLoad:
    """Publish the records in a new store generation (each region's graph rewritten)."""
    t0 = time.monotonic()
    by_region: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        by_region[r.region].append(r)
    res = HandlingLoad(file=file, records=len(records))
    with new_generation(store_dir, copy_current=True, derive=False, merge=False) as (store, gen):
        for code, recs in sorted(by_region.items()):
            g = NamedNode(iris.handling_graph(code))
            old = [q.triple for q in store.quads_for_pattern(None, None, None, g)]
            triples, replaced = merged_graph(old, recs, code, region_names.get(code, code), file, sha)
            if old:
                store.update(f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH <{g.value}> {{ ?s ?p ?o }} }}")
            put_graph(store, g.value, triples)
            store.bulk_extend([Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in triples])
            res.replaced += replaced
            res.regions[code] = (region_names.get(code, code), sorted({r.month for r in recs}))
        res.generation = gen.name
    res.seconds = time.monotonic() - t0
    return res
