"""SPARQL 1.1 Graph Store HTTP Protocol at ``/rdf-graphs/service`` (indirect graph identification).

  GET|HEAD  ?graph=<IRI> | ?default     any public graph (the store holds only public data)
  PUT       ?graph=<region graph IRI>   replace a region's list (Turtle, N-Triples, RDF/XML, JSON-LD)
  POST      ?graph=<region graph IRI>   add triples to it
  DELETE    ?graph=<region graph IRI>   remove it
Writes are off unless ``WRITE_TOKEN`` (env ``POLICYKG_WRITE_TOKEN``) is set: then they need
``Authorization: Bearer <token>`` (401 without or with a wrong one; 403 while writes are
off, and for graphs other than ``graph/region/{GB/T 2260 code}``). An upload is checked as
``policykg load`` checks a list (SHACL Violations refuse it, 422) and is written as a new store
generation copied from the current one, published atomically: a refused or failed write
changes nothing. The upload must be that region's list (at least one pk:SourceRow of the region: an
empty PUT never wipes a region, emptying takes DELETE), graph IRIs are matched exactly (never
stripped or normalised), and every write holds the store-wide lock of ``policykg load`` and
appends a version (:mod:`policykg.versions`) naming the token (``WRITE_TOKEN_NAME``); version
graphs ``…/v/{n}`` are read from their files and never written. Phone numbers (vcard:hasTelephone) go to the restricted file, never the store;
a mobile number anywhere, or a phone number on a contact point, refuses the upload. Query workers see the new generation on their
next job; cached results are keyed by generation.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from urllib.parse import quote

from flask import Blueprint, Response, current_app, jsonify, redirect, request
from pyoxigraph import NamedNode, RdfFormat, Triple

from loaders import load
from policykg import versions
from policykg.core import iris, regions
from policykg.core.config import base_iri
from policykg.core.errors import LoadError, PolicyKGError, QueryError
from policykg.graph.locking import write_lock
from policykg.graph.store import generation_name, graph_sizes, open_read_only
from policykg.versions import count_rows

from . import executor, negotiation
from .changes import version_graph_body
from .common import bad, cors, error_response, one, url_params
from .upload import parse_upload

bp = Blueprint("graphstore", __name__)

UPLOAD_FORMATS = {
    "text/turtle": RdfFormat.TURTLE, "application/x-turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES, "text/plain": RdfFormat.N_TRIPLES,
    "application/rdf+xml": RdfFormat.RDF_XML, "application/ld+json": RdfFormat.JSON_LD,
}
_FORMAT_KEYS = {RdfFormat.TURTLE: "turtle", RdfFormat.N_TRIPLES: "ntriples", RdfFormat.RDF_XML: "rdfxml",
                RdfFormat.JSON_LD: "jsonld"}
_WRITE_LOCK = threading.Lock()
_GRAPH_QUERY = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
_DEFAULT_QUERY = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
_EXISTS_QUERY = "ASK { GRAPH ?g { ?s ?p ?o } }"


def _target(params: dict[str, list[str]]) -> str | None:
    """The graph IRI, or None for the default graph."""
    graph = one(params, "graph")
    if graph is not None and "default" in params:
        raise bad("graph 与 default 参数只能给一个", "give either graph= or default, not both")
    if graph is None:
        if "default" in params:
            return None
        raise bad("缺少 graph 参数（或 default）", "missing graph parameter (or default)")
    try:
        NamedNode(graph)
    except ValueError as exc:
        raise bad(f"graph 不是合法的 IRI：{graph}", f"graph is not a valid IRI: {graph}") from exc
    return graph


@bp.route("/rdf-graphs/service", methods=["GET", "HEAD", "OPTIONS"])
def read() -> Response:
    if request.method == "OPTIONS":
        return cors(Response(status=204), "GET, HEAD, PUT, POST, DELETE, OPTIONS")
    try:
        params = url_params()
        graph = _target(params)
        choice = negotiation.choose("graph", request.headers.get("Accept"), one(params, "format"))
        if choice is None:
            raise bad("没有可接受的 RDF 格式", "no acceptable RDF format", status=406)
        ex = executor.get(current_app)
        limit = int(current_app.config.get("GSP_MAX_TRIPLES") or 1_000_000)
        if graph is None:
            job = executor.Job(_DEFAULT_QUERY, fmt=choice.fmt, max_rows=limit, kind="graph")
        elif (body := _version_graph(graph, choice.fmt)) is not None:     # graph/region/{code}/v/{n}
            resp = Response(b"" if request.method == "HEAD" else body, content_type=choice.media_type)
            resp.headers["Vary"] = "Accept"
            return cors(resp, "GET, HEAD, PUT, POST, DELETE, OPTIONS")
        else:
            exists = ex.run(executor.Job(_EXISTS_QUERY, substitutions=(("g", NamedNode(graph)),), kind="ask"))
            if b"true" not in (exists.body or b""):
                raise bad(f"没有这个命名图：{graph}", f"no such graph: {graph}", status=404)
            job = executor.Job(_GRAPH_QUERY, fmt=choice.fmt, substitutions=(("g", NamedNode(graph)),),
                               max_rows=limit, kind="graph")
        ans = ex.run(job)
    except PolicyKGError as exc:
        return cors(error_response(exc))
    resp = Response(b"" if request.method == "HEAD" else ans.body, content_type=choice.media_type)
    resp.headers["Vary"] = "Accept"
    resp.headers["X-Policykg-Truncated"] = "true" if ans.truncated else "false"
    return cors(resp, "GET, HEAD, PUT, POST, DELETE, OPTIONS")


@bp.route("/graph/<path:rest>", methods=["GET", "HEAD"])
def graph_iri(rest: str) -> Response:
    """Named-graph IRIs under the base dereference to the graph store (303, as they name graphs)."""
    return redirect("/rdf-graphs/service?graph=" + quote(base_iri() + "graph/" + rest, safe=""), code=303)


def _version_graph(graph: str, fmt: str) -> bytes | None:
    """Versions live in files, outside the store (policykg.versions): served from there."""
    if "/v/" not in graph:
        return None
    return version_graph_body(current_app.config["STORE_PATH"], graph, fmt)


# ------------------------------------------------------------------ writes

def authorize() -> None:
    token = current_app.config.get("WRITE_TOKEN")
    if not token:
        raise bad("本服务未开放写入（未设置 POLICYKG_WRITE_TOKEN）", "writes are disabled (POLICYKG_WRITE_TOKEN is not set)",
                  status=403)
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), str(token).encode()):
        raise bad("需要有效的 Bearer 令牌", "a valid bearer token is required", status=401)
    if current_app.config.get("ENDPOINT"):
        raise bad("使用远程端点时不能在此写入；请用 policykg push", "cannot write here with a remote endpoint; use policykg push",
                  status=501)


def _region_of(graph: str | None) -> str:
    """The region code of a region graph IRI, matched exactly: never stripped or normalised
    (IRI + U+00A0, U+3000 or U+2003 would otherwise name an invisible duplicate graph)."""
    prefix = iris.graph("region/")
    code = graph[len(prefix):] if graph and graph.startswith(prefix) else ""
    if not code:
        raise bad(f"只能写入地区清单图（{prefix}<代码>）", f"only region list graphs ({prefix}<code>) can be written",
                  status=403)
    if "/v/" in code:
        raise bad(f"{graph} 是一个历史版本，版本不可修改", f"{graph} is a version: versions are immutable", status=403)
    if not (len(code) == 6 and code.isascii() and code.isdigit()) or iris.region_graph(code) != graph:
        raise bad(f"{graph!r} 不是地区清单图的 IRI（须为 {prefix} 加 6 位数字代码，不含空白或其他字符）",
                  f"{graph!r} is not a region graph IRI ({prefix} + a 6-digit code, nothing else)", status=403)
    try:
        return regions.get(code).code
    except PolicyKGError as exc:
        raise bad(f"{graph}：{exc.zh}", f"{graph}: {exc.en}", status=403) from exc


def _require_region_list(triples: list[Triple], code: str, graph: str) -> None:
    """What ``policykg load`` would accept: at least one source row of this region's list.

    An empty PUT would wipe the region (emptying takes an explicit DELETE), and triples about
    something else are not that region's list."""
    if not triples:
        raise bad(f"上传内容为空：不会清空 {graph}；清空地区请用 DELETE",
                  f"the upload is empty: {graph} is not wiped; use DELETE to empty a region", status=422)
    region = iris.region(code)
    if count_rows(triples) == 0 or not any(t.object.value == region for t in triples if isinstance(t.object, NamedNode)):
        raise bad(f"上传内容不是 {code} 的清单（没有属于该地区的 pk:SourceRow 行）",
                  f"the upload is not {code}'s list (no pk:SourceRow of that region)", status=422)


def _parse_body(graph: str) -> list[Triple]:
    limit = int(current_app.config.get("MAX_UPLOAD_BYTES") or 32 << 20)
    if request.content_length is not None and request.content_length > limit:
        raise bad(f"上传过大：{request.content_length} 字节，上限 {limit}", f"upload too large: limit {limit} bytes",
                  status=413)
    mimetype = (request.mimetype or "").lower()
    fmt = UPLOAD_FORMATS.get(mimetype)
    if fmt is None:
        raise bad(f"不支持的 Content-Type：{mimetype or '（无）'}；可用 {', '.join(UPLOAD_FORMATS)}",
                  f"unsupported Content-Type {mimetype or '(none)'}; use one of {', '.join(UPLOAD_FORMATS)}", status=415)
    body = request.get_data()
    if len(body) > limit:
        raise bad(f"上传过大：上限 {limit} 字节", f"upload too large: limit {limit} bytes", status=413)
    return parse_upload(body, _FORMAT_KEYS[fmt], graph)


def _current_triples(root: str, graph: str) -> list[Triple]:
    if generation_name(root) is None:
        return []
    st = open_read_only(root)
    return [q.triple for q in st.quads_for_pattern(None, None, None, NamedNode(graph))]


def _refused(exc: PolicyKGError) -> QueryError:
    """A check of the load pipeline refused the upload: 422."""
    return bad(exc.zh, exc.en, status=422)


@bp.route("/rdf-graphs/service", methods=["PUT", "POST", "DELETE"])
def write() -> Response:
    try:
        authorize()
        params = url_params()
        graph = _target(params)
        code = _region_of(graph)
        root = current_app.config["STORE_PATH"]
        with _WRITE_LOCK, write_lock(root):      # the same store-wide lock as policykg load
            existing = _current_triples(root, graph)
            if request.method == "DELETE":
                if not existing:
                    raise bad(f"没有这个命名图：{graph}", f"no such graph: {graph}", status=404)
                public, restricted, warnings = None, [], []
            else:
                try:       # the checks of ``policykg load``: the phone-number rule, then SHACL
                    public, restricted = load.split_personal(_parse_body(graph))
                    if request.method == "POST":
                        seen = set(existing)
                        public = existing + [t for t in public if t not in seen]
                        restricted = load.restricted_triples_of(root, graph) + restricted
                    _require_region_list(public, code, graph)
                    warnings = load.check_region_graph(root, public, code, graph)
                except LoadError as exc:
                    raise _refused(exc) from exc
            pending = versions.Pending(source=f"HTTP {request.method}", sha256=hashlib.sha256(request.get_data()).hexdigest(),
                                       token=str(current_app.config.get("WRITE_TOKEN_NAME") or "write-token"),
                                       action=request.method.lower(), note=one(params, "note"))
            aligned = iris.alignment_graph(code)      # computed from the list's records: stale after this write
            if aligned in graph_sizes(open_read_only(root)):
                warnings = [*warnings, f"地区 {code} 的对齐结果已移除，请用 policykg load 重新加载清单以重新对齐 / "
                                       f"the alignment of {code} was dropped: load the list with policykg load to re-align"]
            n, name, made = load.publish_region_graph(
                root, graph, public, restricted, replace={aligned: None},
                record=lambda gen: versions.record(gen, code, public or [], restricted, pending))
    except PolicyKGError as exc:
        return cors(error_response(exc, json_default=True))
    status = 200 if existing or request.method == "DELETE" else 201
    body = {"ok": True, "graph": graph, "region": code, "method": request.method, "generation": name,
            "triples": 0 if request.method == "DELETE" else n, "restricted": len(restricted), "warnings": warnings,
            "version": made.version if made else None, "version_graph": made.graph if made else None}
    return cors(jsonify(body), "GET, HEAD, PUT, POST, DELETE, OPTIONS"), status
