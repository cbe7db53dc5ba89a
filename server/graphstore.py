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
changes nothing. Phone numbers (vcard:hasTelephone) go to the restricted file, never the store;
a mobile number anywhere, or a phone number on a contact point, refuses the upload. Query workers see the new generation on their
next job; cached results are keyed by generation.
"""

from __future__ import annotations

import hmac
import re
import threading
from urllib.parse import quote

from flask import Blueprint, Response, current_app, jsonify, redirect, request
from pyoxigraph import NamedNode, RdfFormat, Triple, parse

from policykg import iris, regions
from policykg.config import base_iri
from policykg.errors import PolicyKGError, QueryError
from policykg.store import generation_name, new_generation, open_read_only, put_graph, write_restricted

from . import executor, negotiation
from .common import bad, cors, error_response, one, url_params

bp = Blueprint("graphstore", __name__)

VCARD_TEL = "http://www.w3.org/2006/vcard/ns#hasTelephone"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
CONTACT = "https://w3id.org/policykg/def#ContactPoint"
MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
PHONE = re.compile(r"(?<![0-9])(?:1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})(?![0-9])")
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


# ------------------------------------------------------------------ writes

def _authorize() -> None:
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
    prefix = iris.graph("region/")
    code = graph[len(prefix):] if graph and graph.startswith(prefix) else ""
    if not code:
        raise bad(f"只能写入地区清单图（{prefix}<代码>）", f"only region list graphs ({prefix}<code>) can be written",
                  status=403)
    try:
        return regions.get(code).code
    except PolicyKGError as exc:
        raise bad(f"{graph}：{exc.zh}", f"{graph}: {exc.en}", status=403) from exc


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
    from .upload import parse_upload  # size per format, nesting, then a child process (issue 19)

    return parse_upload(body, _FORMAT_KEYS[fmt], graph)


def _split_personal(triples: list[Triple]) -> tuple[list[Triple], list[Triple]]:
    """vcard:hasTelephone -> restricted. A mobile number anywhere, or any phone number on a
    contact point, refuses the upload; an office hotline in a service's text is public."""
    contacts = {t.subject for t in triples if t.predicate.value == RDF_TYPE and t.object.value == CONTACT}
    public, restricted = [], []
    for t in triples:
        if t.predicate.value == VCARD_TEL:
            restricted.append(t)
            continue
        text = t.object.value if hasattr(t.object, "language") else ""
        if text and (MOBILE.search(text) or (t.subject in contacts and PHONE.search(text))):
            raise bad(f"上传中含疑似电话号码（{t.subject.value} {t.predicate.value}）：个人信息不能进入公开图谱",
                      f"the upload contains what looks like a phone number ({t.subject.value} {t.predicate.value}): "
                      "personal data cannot enter the public graph", status=422)
        public.append(t)
    return public, restricted


def _current_triples(root: str, graph: str) -> list[Triple]:
    if generation_name(root) is None:
        return []
    st = open_read_only(root)
    return [q.triple for q in st.quads_for_pattern(None, None, None, NamedNode(graph))]


def _current_restricted(gen_file: str, graph: str) -> list[Triple]:
    from pathlib import Path

    if not Path(gen_file).exists():
        return []
    return [q.triple for q in parse(path=gen_file, format=RdfFormat.N_QUADS) if q.graph_name == NamedNode(graph)]


def _check(root: str, triples: list[Triple], code: str, graph: str) -> list[str]:
    """The structural check of ``policykg load`` (SHACL Violations refuse; warnings returned).

    The same function ``load`` runs (the new graph with the store's shared graphs)."""
    from policykg.load import _validate

    try:
        return _validate(root, triples, code, graph)
    except PolicyKGError as exc:
        raise QueryError(exc.zh, exc.en, status=422) from exc


@bp.route("/rdf-graphs/service", methods=["PUT", "POST", "DELETE"])
def write() -> Response:
    try:
        _authorize()
        params = url_params()
        graph = _target(params)
        code = _region_of(graph)
        root = current_app.config["STORE_PATH"]
        with _WRITE_LOCK:
            existing = _current_triples(root, graph)
            if request.method == "DELETE":
                if not existing:
                    raise bad(f"没有这个命名图：{graph}", f"no such graph: {graph}", status=404)
                public, restricted, warnings = [], [], []
            else:
                public, restricted = _split_personal(_parse_body(graph))
                if request.method == "POST":
                    seen = set(existing)
                    public = existing + [t for t in public if t not in seen]
                warnings = _check(root, public, code, graph)
            with new_generation(root, copy_current=True) as (store, gen):
                if request.method == "DELETE":
                    store.remove_graph(NamedNode(graph))
                    write_restricted(gen, graph, [])
                else:
                    n = put_graph(store, graph, public)
                    if request.method == "POST":
                        restricted = _current_restricted(str(gen.restricted_file), graph) + restricted
                    if restricted or request.method == "PUT":
                        write_restricted(gen, graph, restricted)
                name = gen.name
    except PolicyKGError as exc:
        return cors(error_response(exc, json_default=True))
    status = 200 if existing or request.method == "DELETE" else 201
    body = {"ok": True, "graph": graph, "region": code, "method": request.method, "generation": name,
            "triples": 0 if request.method == "DELETE" else n, "restricted": len(restricted), "warnings": warnings}
    return cors(jsonify(body), "GET, HEAD, PUT, POST, DELETE, OPTIONS"), status

