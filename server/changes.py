"""The change feed at ``/changes``: a Linked Data Event Stream of the lists' versions.

One ``ldes:EventStream`` (``ldes:versionOfPath dct:isVersionOf``, ``ldes:timestampPath
prov:generatedAtTime``) whose members are the versions (:mod:`policykg.versions`), oldest
first, each a ``pk:ListVersion`` named by its version graph ``graph/region/{code}/v/{n}``
with its metadata (PROV, DCTERMS) and a link to its triples (``rdfs:seeAlso`` the Graph
Store URL). Pages of ``PAGE_SIZE`` members are ``tree:Node``s linked by a
``tree:GreaterThanOrEqualToRelation`` on the timestamp, so a client replicates the stream
by following the relations and stays in sync by re-reading the last page. Turtle by
default, JSON-LD on ``Accept: application/ld+json`` or ``format=jsonld``.

Also here: ``GET /rdf-graphs/service?graph=…/v/{n}`` is answered from the version files.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, current_app, request
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, RdfFormat, serialize

from policykg import versions
from policykg.core import iris
from policykg.core.errors import PolicyKGError

from . import negotiation
from .common import bad, cors, error_response, one, url_params

bp = Blueprint("changes", __name__)
PAGE_SIZE = 100
LDES = "https://w3id.org/ldes#"
TREE = "https://w3id.org/tree#"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
PK = "https://w3id.org/policykg/def#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
FORMATS = {"turtle": RdfFormat.TURTLE, "jsonld": RdfFormat.JSON_LD, "ntriples": RdfFormat.N_TRIPLES}


def all_versions(root: str) -> list[versions.Version]:
    """Every version of every region, in the order they were made (loaded time, then region)."""
    out = [v for code in versions.regions_with_history(root) for v in versions.history(root, code)]
    return sorted(out, key=lambda v: (v.loaded, v.region, v.version))


def member_triples(v: versions.Version, url_root: str) -> list[tuple]:
    s = NamedNode(v.graph)
    t = [(s, RDF_TYPE, NamedNode(PK + "ListVersion")), (s, RDF_TYPE, NamedNode(PROV + "Entity")),
         (s, NamedNode(DCT + "isVersionOf"), NamedNode(iris.region_graph(v.region))),
         (s, NamedNode(PROV + "generatedAtTime"), Literal(v.loaded, datatype=NamedNode(XSD + "dateTime"))),
         (s, NamedNode(DCT + "issued"), Literal(versions.list_date(v), datatype=NamedNode(XSD + "date"))),
         (s, NamedNode(PK + "versionNumber"), Literal(str(v.version), datatype=NamedNode(XSD + "integer"))),
         (s, NamedNode(PK + "sourceSha256"), Literal(v.sha256)),
         (s, NamedNode(PK + "contentSha256"), Literal(v.content)),
         (s, NamedNode(PK + "versionAction"), Literal(v.action)),
         (s, NamedNode(PK + "rowCount"), Literal(str(v.rows), datatype=NamedNode(XSD + "integer"))),
         (s, NamedNode(DCT + "source"), Literal(v.source)),
         (s, NamedNode(PK + "region"), NamedNode(iris.region(v.region))),
         (s, NamedNode(RDFS + "seeAlso"),
          NamedNode(url_root + "rdf-graphs/service?graph=" + quote(v.graph, safe="")))]
    if v.previous:
        t.append((s, NamedNode(PROV + "wasRevisionOf"), NamedNode(versions.version_graph(v.region, v.previous))))
    if v.reverted_from:
        t.append((s, NamedNode(PROV + "wasDerivedFrom"), NamedNode(versions.version_graph(v.region, v.reverted_from))))
    if v.note:
        t.append((s, NamedNode(RDFS + "comment"), Literal(v.note, language="zh")))
    if v.token:
        t.append((s, NamedNode(PROV + "wasAttributedTo"), Literal(v.token)))
    return t


def feed(root: str, url_root: str, page: int, size: int = PAGE_SIZE) -> list[tuple]:
    """The triples of one page of the stream (page 0 is the stream's view)."""
    members = all_versions(root)
    pages = max(1, -(-len(members) // size))
    if page < 0 or page >= pages:
        raise bad(f"没有第 {page} 页（共 {pages} 页）", f"no page {page} (there are {pages})", status=404)
    stream = NamedNode(url_root + "changes#stream")
    node = NamedNode(url_root + f"changes?page={page}")
    t: list[tuple] = [
        (stream, RDF_TYPE, NamedNode(LDES + "EventStream")),
        (stream, NamedNode(LDES + "versionOfPath"), NamedNode(DCT + "isVersionOf")),
        (stream, NamedNode(LDES + "timestampPath"), NamedNode(PROV + "generatedAtTime")),
        (stream, NamedNode(TREE + "view"), NamedNode(url_root + "changes?page=0")),
        (stream, NamedNode(RDFS + "label"), Literal("各地区清单的版本变更流", language="zh")),
        (stream, NamedNode(RDFS + "label"), Literal("versions of the regions' lists", language="en")),
        (node, RDF_TYPE, NamedNode(TREE + "Node")),
    ]
    chunk = members[page * size:(page + 1) * size]
    for v in chunk:
        t.append((stream, NamedNode(TREE + "member"), NamedNode(v.graph)))
        t += member_triples(v, url_root)
    if page + 1 < pages:
        rel = NamedNode(url_root + f"changes?page={page}#next")
        nxt = members[(page + 1) * size]
        t += [(node, NamedNode(TREE + "relation"), rel),
              (rel, RDF_TYPE, NamedNode(TREE + "GreaterThanOrEqualToRelation")),
              (rel, NamedNode(TREE + "path"), NamedNode(PROV + "generatedAtTime")),
              (rel, NamedNode(TREE + "value"), Literal(nxt.loaded, datatype=NamedNode(XSD + "dateTime"))),
              (rel, NamedNode(TREE + "node"), NamedNode(url_root + f"changes?page={page + 1}"))]
    return t


def _serialize(triples: list[tuple], fmt: str) -> bytes:

    quads = [Quad(s, p, o, DefaultGraph()) for s, p, o in triples]
    fmt_ = FORMATS[fmt]
    prefixes = {"ldes": LDES, "tree": TREE, "prov": PROV, "dct": DCT, "pk": PK, "rdfs": RDFS, "xsd": XSD}
    kwargs = {"prefixes": prefixes} if fmt == "turtle" else {}
    return serialize([q.triple for q in quads], format=fmt_, **kwargs) or b""


@bp.route("/changes", methods=["GET", "HEAD"])
def changes() -> Response:
    try:
        params = url_params()
        page_text = one(params, "page") or "0"
        if not page_text.isdigit():
            raise bad(f"参数 page 应为非负整数：{page_text!r}", f"page must be a non-negative integer: {page_text!r}")
        choice = negotiation.choose("graph", request.headers.get("Accept"), one(params, "format"))
        if choice is None or choice.fmt not in FORMATS:
            raise bad("可用格式：Turtle、JSON-LD、N-Triples", "formats: Turtle, JSON-LD, N-Triples", status=406)
        body = _serialize(feed(current_app.config["STORE_PATH"], request.url_root, int(page_text)), choice.fmt)
    except PolicyKGError as exc:
        return cors(error_response(exc))
    resp = Response(b"" if request.method == "HEAD" else body, content_type=choice.media_type)
    resp.headers["Vary"] = "Accept"
    return cors(resp)


def version_graph_body(root: str, graph: str, fmt: str) -> bytes | None:
    """A version graph's triples (None when ``graph`` names no version)."""
    prefix = iris.graph("region/")
    if not graph.startswith(prefix) or "/v/" not in graph:
        return None
    code, _, n = graph[len(prefix):].partition("/v/")
    if not n.isascii() or not n.isdigit() or versions.version_graph(code, int(n)) != graph:
        return None
    try:
        versions.get(root, code, int(n))
    except PolicyKGError:
        return None
    triples = versions.version_triples(root, code, int(n))
    fmts = {"turtle": RdfFormat.TURTLE, "ntriples": RdfFormat.N_TRIPLES, "jsonld": RdfFormat.JSON_LD,
            "rdfxml": RdfFormat.RDF_XML}
    return serialize(triples, format=fmts.get(fmt, RdfFormat.TURTLE)) or b""
