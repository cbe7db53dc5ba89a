"""SPARQL 1.1 Service Description of ``/sparql``, with a VoID/DCAT description of the dataset.

What it states: the endpoint, SPARQL 1.1 Query only (no Update, no federation), the result
formats, the union default graph, the limits (timeout, row cap), the project's prefixes
(as SHACL ``sh:declare``, the convention SPARQL editors read), and the dataset: title,
licence, source document, triples in total and per named graph. Counts come from the store
through the same executor as any query, so they are cached per store generation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Response, current_app, request, url_for
from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, serialize

from policykg.core.config import ONTOLOGY_NS, base_iri
from policykg.core.errors import PolicyKGError
from policykg.core.namespaces import PREFIXES, prefixes
from policykg.sparql.queries import Result, serialize_result

from . import executor, negotiation
from .common import bad, error_response

RQ = Path(__file__).resolve().parent / "rq"
SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
RDF, RDFS, XSD = PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["xsd"]
DCT, DCAT, VOID, SH = PREFIXES["dct"], PREFIXES["dcat"], PREFIXES["void"], PREFIXES["sh"]
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "JSON-LD", "RDF_XML")
SD_PREFIXES = {**{p: ns for p, ns in prefixes().items() if p not in ("pkid", "pkg")}, "sd": SD, "formats": FORMATS}


def _n(iri: str) -> NamedNode:
    return NamedNode(iri)


def _int(n: int) -> Literal:
    return Literal(str(n), datatype=_n(XSD + "integer"))


def _table(name: str) -> list[dict[str, Any]]:
    text = (RQ / f"{name}.rq").read_text(encoding="utf-8")
    ans = executor.get(current_app).run(executor.Job(text=text, fmt="table", max_rows=100000, kind="select"))
    return [{k: (v or {}).get("value") for k, v in row.items()} for row in (ans.table or {}).get("rows", [])]


def dataset_iri() -> str:
    return base_iri() + "dataset"


def triples(endpoint_url: str) -> list[Triple]:
    cfg = current_app.config
    out: list[Triple] = []

    def add(s: Any, p: str, o: Any) -> None:
        out.append(Triple(s, _n(p), o))

    svc = _n(endpoint_url)
    add(svc, RDF + "type", _n(SD + "Service"))
    add(svc, SD + "endpoint", svc)
    add(svc, SD + "supportedLanguage", _n(SD + "SPARQL11Query"))
    for f in RESULT_FORMATS:
        add(svc, SD + "resultFormat", _n(FORMATS + f))
    add(svc, SD + "feature", _n(SD + "UnionDefaultGraph"))
    add(svc, SD + "defaultEntailmentRegime", _n("http://www.w3.org/ns/entailment/Simple"))
    add(svc, DCT + "title", Literal("民营经济32条落地知识图谱 SPARQL 端点（只读）", language="zh"))
    add(svc, DCT + "title", Literal("policykg SPARQL endpoint (read-only)", language="en"))
    timeout, rows = float(cfg.get("QUERY_TIMEOUT_S") or 10), int(cfg.get("MAX_ROWS") or 10000)
    add(svc, RDFS + "comment", Literal(
        f"只读：不接受 SPARQL 更新，不执行 SERVICE（联邦查询）；单个查询超时 {timeout:g} 秒（HTTP 503）；"
        f"结果最多 {rows} 行，截断时响应头 X-Policykg-Truncated: true。默认图为各命名图的并集。", language="zh"))
    add(svc, RDFS + "comment", Literal(
        f"Read-only: no SPARQL Update, no SERVICE (federation); per-query timeout {timeout:g} s (HTTP 503); "
        f"at most {rows} rows, truncation flagged by X-Policykg-Truncated: true. The default graph is the "
        "union of the named graphs.", language="en"))
    for p, ns in sorted(prefixes().items()):
        d = BlankNode()
        add(svc, SH + "declare", d)
        add(d, SH + "prefix", Literal(p))
        add(d, SH + "namespace", Literal(ns, datatype=_n(XSD + "anyURI")))

    ds = _n(dataset_iri())
    add(svc, SD + "defaultDataset", ds)
    for t in (SD + "Dataset", VOID + "Dataset", DCAT + "Dataset"):
        add(ds, RDF + "type", _n(t))
    add(ds, DCT + "title", Literal("民营经济32条落地知识图谱", language="zh"))
    add(ds, DCT + "title", Literal("Landing of Zhejiang's 32 private-economy measures: a knowledge graph", language="en"))
    add(ds, DCT + "description", Literal(
        "浙江省“民营经济32条”（32项重点工作、146条省级细化措施）在衢州市、舟山市、杭州市钱塘区、湖州市德清县的细化举措、"
        "服务事项与承接板块；每个事实都可追溯到来源表格的行。", language="zh"))
    add(ds, DCT + "description", Literal(
        "How Zhejiang's 32 key tasks and 146 provincial measures for the private economy are refined into local "
        "measures, service items and undertaking blocks in four regions; every fact traces back to its source row.",
        language="en"))
    add(ds, DCT + "license", _n(cfg.get("DATA_LICENSE") or LICENSE))
    add(ds, VOID + "sparqlEndpoint", svc)
    add(ds, VOID + "uriSpace", Literal(base_iri() + "id/"))
    for v in (ONTOLOGY_NS, PREFIXES["skos"], PREFIXES["org"], PREFIXES["cpsv"], PREFIXES["cv"], PREFIXES["eli"],
              PREFIXES["prov"], PREFIXES["dct"]):
        add(ds, VOID + "vocabulary", _n(v))
    dist = BlankNode()
    add(ds, DCAT + "distribution", dist)
    add(dist, RDF + "type", _n(DCAT + "Distribution"))
    add(dist, DCAT + "accessURL", svc)
    add(dist, DCAT + "mediaType", Literal("application/sparql-results+json"))
    try:
        sizes = _table("graph-sizes")
        docs = _table("documents")
    except PolicyKGError:
        sizes, docs = [], []
    for d in docs:
        doc = _n(d["doc"])
        add(ds, DCT + "source", doc)
        if d.get("title"):
            add(doc, DCT + "title", Literal(d["title"]))
    total = sum(int(r["n"]) for r in sizes)
    dg = BlankNode()
    add(ds, SD + "defaultGraph", dg)
    add(dg, RDF + "type", _n(SD + "Graph"))
    add(dg, VOID + "triples", _int(total))
    add(dg, RDFS + "comment", Literal("各命名图的并集 / union of the named graphs", language="zh"))
    add(ds, VOID + "triples", _int(total))
    for r in sizes:
        ng, g = BlankNode(), BlankNode()
        add(ds, SD + "namedGraph", ng)
        add(ng, RDF + "type", _n(SD + "NamedGraph"))
        add(ng, SD + "name", _n(r["g"]))
        add(ng, SD + "graph", g)
        add(g, RDF + "type", _n(SD + "Graph"))
        add(g, VOID + "triples", _int(int(r["n"])))
    return out


def endpoint_url() -> str:
    return url_for("sparql.endpoint", _external=True)


def respond(override: str | None = None) -> Response:
    choice = negotiation.choose("graph", request.headers.get("Accept"), override)
    if choice is None:
        return error_response(bad("没有可接受的格式（服务描述为 RDF）", "no acceptable format (the service description is RDF)",
                                  status=406))
    found = triples(endpoint_url())
    if choice.fmt == "turtle":
        body = serialize(found, format=RdfFormat.TURTLE, prefixes=SD_PREFIXES) or b""
    else:
        body = serialize_result(Result("graph", triples=found), choice.fmt)
    resp = Response(body, content_type=choice.media_type)
    resp.headers["Vary"] = "Accept"
    return resp
