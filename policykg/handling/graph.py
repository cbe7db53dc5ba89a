"""Handling records as RDF Data Cube observations, one named graph per region, written atomically.

``graph/handling/{code}`` holds the region's qb:DataSet (``id/handling/{code}``, structure
``pk:handlingStructure``) and one observation per (service item, month). Loading months
again replaces those months of that region (every item), never adds: the file is the new
report for each (region, month) it holds. All checks happen before the store is touched;
the new generation is a copy of the current one, published only if everything was written.

The default graph stays the merge of the named graphs without re-merging the whole store:
every triple of a handling graph is about its own data set, observations or files (IRIs under
``id/handling/{code}``), so no other graph holds it, and the replaced observations can be
taken out of the default graph and the new ones put in (N-Triples parsed by the store).
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import DefaultGraph, Literal, NamedNode, RdfFormat, Triple, serialize

from ..core import iris
from ..core.config import ONTOLOGY_NS
from ..core.namespaces import PREFIXES, prefixes
from ..graph.store import new_generation
from ..sparql import binding
from ..sparql.queries import load_query
from .catalogue import HANDLING_QUERIES
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



def keep_default_graph(store: object) -> None:
    """The generation's finish step for a handling load: nothing to redo. The load writes its
    observations to the default graph itself (and drops the replaced months there), so the
    default graph stays the merge of the named graphs without re-merging the whole store."""

def iris_node(iri: str) -> str:
    return str(NamedNode(iri))


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


def observation_lines(records: list[Record], file_node: NamedNode) -> bytes:
    """The records' observations as N-Triples, built as text (parsed in Rust by the store:
    Python Triple objects cost more than the store's own write at 100,000 observations)."""
    xsd_int, xsd_month, xsd_dec = f"^^<{XSD}integer>", f"^^<{XSD}gYearMonth>", f"^^<{XSD}decimal>"
    p = {k: str(v) for k, v in P.items()}
    a, obs_t, ds_p, area, period, derived = (str(A), str(OBS), str(DATASET_OF), str(AREA), str(PERIOD), str(DERIVED))
    f = str(file_node)
    out: list[str] = []
    heads: dict[str, tuple[str, str]] = {}
    for r in records:
        if r.region not in heads:
            heads[r.region] = (str(NamedNode(iris.handling_dataset(r.region))), str(NamedNode(iris.region(r.region))))
        ds, reg = heads[r.region]
        o = str(NamedNode(iris.handling_observation(r.region, r.month, r.item)))
        out.append(
            f"{o} {a} {obs_t} .\n{o} {ds_p} {ds} .\n{o} {area} {reg} .\n{o} {p['refServiceItem']} <{r.item}> .\n"
            f'{o} {period} "{r.month}"{xsd_month} .\n{o} {p["casesReceived"]} "{r.received}"{xsd_int} .\n'
            f'{o} {p["casesCompleted"]} "{r.completed}"{xsd_int} .\n{o} {p["goodReviews"]} "{r.good}"{xsd_int} .\n'
            f'{o} {p["badReviews"]} "{r.bad}"{xsd_int} .\n{o} {derived} {f} .\n'
            f'{o} {p["fileRow"]} "{r.file_row}"{xsd_int} .\n')
        if r.channel:
            out.append(f"{o} {p['handlingChannel']} {Literal(r.channel)} .\n")
        if r.days is not None:
            out.append(f'{o} {p["averageDays"]} "{r.days}"{xsd_dec} .\n')
    return "".join(out).encode("utf-8")


_DROP_MONTHS = """
DELETE { GRAPH ?g { ?o ?p ?v } ?o ?p ?v }
WHERE { GRAPH ?g { ?o <%s> ?m . FILTER (STR(?m) IN (%s)) ?o ?p ?v } }
"""
_DROP_FILES = """
DELETE { GRAPH ?g { ?f ?p ?v } ?f ?p ?v }
WHERE { GRAPH ?g { ?f a <%sSourceDocument> ; ?p ?v . FILTER NOT EXISTS { ?o <%s> ?f } } }
"""
_COUNT_MONTHS = ("SELECT (COUNT(?o) AS ?n) WHERE { GRAPH ?g { ?o <%s> ?m ; <%s> ?ds . FILTER (STR(?m) IN (%s)) } }")
_DROP_DATASET = """
DELETE { GRAPH ?g { ?s ?p ?v } ?s ?p ?v }
WHERE { GRAPH ?g { { ?s <%s> ?ds } UNION { BIND (?ds AS ?s) } ?s ?p ?v } }
"""
DERIVED_TOTALS = (("derive-item-totals", iris.handling_item_totals), ("derive-month-totals", iris.handling_month_totals))


def refresh_totals(store: object, code: str) -> int:
    """Recount the region's derived totals (queries/handling/derive-*.rq) from its observations,
    in its handling graph and the default graph. Returns the triples written."""
    g = NamedNode(iris.handling_graph(code))
    n = 0
    for name, iri in DERIVED_TOTALS:
        ds = NamedNode(iri(code))
        store.update(_DROP_DATASET.replace("?g", str(g)).replace("?ds", str(ds)) % DATASET_OF.value)
        text = binding.inline(load_query(HANDLING_QUERIES / f"{name}.rq").text,
                              {"graph": g, "dataset": NamedNode(iris.handling_dataset(code)), "totals": ds})
        data = store.query(text, prefixes=prefixes()).serialize(format=RdfFormat.N_TRIPLES) or b""
        if data:
            store.load(data, format=RdfFormat.N_TRIPLES, to_graph=g)
            store.load(data, format=RdfFormat.N_TRIPLES, to_graph=DefaultGraph())
        n += data.count(b"\n")
    return n


def as_quads(data: bytes, graph: NamedNode) -> bytes:
    """N-Triples -> N-Quads in ``graph`` (a literal never holds a raw newline in N-Triples,
    so every " .\\n" ends a statement)."""
    return data.replace(b" .\n", f" {graph} .\n".encode())


def write(store_dir: Path | str, records: list[Record], file: str, sha: str,
          region_names: dict[str, str]) -> HandlingLoad:
    """Publish the records in a new store generation: per region, the file's months replace
    those months (every item) in its graph and in the default graph; other months stay.

    The new observations of every region go to the store in one N-Quads bulk load (the
    region's graph and the default graph); the store is a private new generation, published
    only if every step succeeded, so a bulk load (not a transaction) is safe.
    """
    t0 = time.monotonic()
    by_region: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        by_region[r.region].append(r)
    res = HandlingLoad(file=file, records=len(records))
    with new_generation(store_dir, copy_current=True, finish=keep_default_graph) as (store, gen):
        blobs: list[bytes] = []
        for code, recs in sorted(by_region.items()):
            g = NamedNode(iris.handling_graph(code))
            months = sorted({r.month for r in recs})
            if store.contains_named_graph(g):
                listed = ", ".join(f'"{m}"' for m in months)
                count = _COUNT_MONTHS.replace("?g", str(g)).replace("?ds", iris_node(iris.handling_dataset(code)))
                sol = next(iter(store.query(count % (PERIOD.value, DATASET_OF.value, listed))))
                res.replaced += int(sol["n"].value)
                store.update(_DROP_MONTHS.replace("?g", str(g)) % (PERIOD.value, listed))
            file_node = NamedNode(iris.handling_file(code, sha))
            head = serialize(dataset_triples(code, region_names.get(code, code)) + file_triples(code, file, sha),
                             format=RdfFormat.N_TRIPLES)
            data = head + observation_lines(recs, file_node)
            blobs += [as_quads(data, g), data]
            res.regions[code] = (region_names.get(code, code), months)
        store.bulk_load(b"".join(blobs), format=RdfFormat.N_QUADS)
        for code in sorted(by_region):
            g = NamedNode(iris.handling_graph(code))
            store.update(_DROP_FILES.replace("?g", str(g)) % (PK, DERIVED.value))
            refresh_totals(store, code)
        res.generation = gen.name
    res.seconds = time.monotonic() - t0
    return res
