"""The SPARQL 1.1 Protocol endpoint at ``/sparql`` (read-only), after the W3C protocol tests.

Query operation: GET ``?query=``, POST form-encoded ``query=``, POST ``application/sparql-query``;
``default-graph-uri`` / ``named-graph-uri`` select the dataset (they override FROM / FROM
NAMED; without either the default graph is the merge of the named graphs). Results are
negotiated (:mod:`server.negotiation`); ``format=`` / ``output=`` override Accept.
``GET /sparql`` without a query returns the service description (:mod:`server.service_description`).

Statuses (where the standard leaves room we follow Jena Fuseki, except as noted):
  400  malformed request or query (message with line and column), two queries, query and
       update together, a wrong or missing Content-Type (Fuseki: 415), non-UTF-8 input
  400  also: any SERVICE clause, however spelled; nesting deeper than guard.MAX_DEPTH; an
       invalid IRI in default-graph-uri, named-graph-uri or FROM (relative FROM IRIs resolve
       against the query's BASE, else the endpoint's URL)
  403  any SPARQL Update (also via ``update=``/``application/sparql-update``)
  405  a method other than GET/POST/OPTIONS
  406  no acceptable result format
  413  a query longer than MAX_QUERY_BYTES
  429  over the per-client rate limit
  503  the query ran out of time (QUERY_TIMEOUT_S; the worker is killed), or no worker was free
Results carry ``X-Policykg-Truncated: true|false`` (row cap MAX_ROWS), ``X-Policykg-Rows``,
``X-Policykg-Time-Ms`` and ``Vary: Accept``. Reads allow CORS from any origin.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, current_app, request

from policykg.core.errors import PolicyKGError, QueryError
from policykg.sparql import guard
from policykg.versions import parse_when

from . import executor, negotiation, ratelimit
from .common import bad, cors, error_response, form_params, max_rows, one, result_headers, url_params
from .jobs import EMPTY_GRAPH
from .service_description import respond

bp = Blueprint("sparql", __name__)

UPDATE_WORDS = "INSERT/DELETE/LOAD/CLEAR/DROP/CREATE/ADD/MOVE/COPY"


def init_app(app: Flask) -> None:
    app.config.setdefault("QUERY_WORKERS", 2)
    app.config.setdefault("QUERY_SANDBOX", True)


# ------------------------------------------------------------------ running one query

def dataset(info: guard.QueryInfo, default_graph: list[str], named_graphs: list[str]) -> tuple[tuple, tuple]:
    """The dataset to query: the protocol's, else the query's FROM/FROM NAMED, else the union default.

    A dataset given in part leaves the other part empty (SPARQL 1.1 Query §13.2), which
    :data:`server.jobs.EMPTY_GRAPH` expresses.
    """
    if default_graph or named_graphs:
        return tuple(default_graph or [EMPTY_GRAPH]), tuple(named_graphs or [EMPTY_GRAPH])
    if info.from_graphs or info.from_named:
        return (tuple(info.from_graphs or [EMPTY_GRAPH]),
                tuple(info.from_named or [EMPTY_GRAPH]))
    return (), ()


def check_size(text: str) -> None:
    limit = int(current_app.config.get("MAX_QUERY_BYTES") or 64 * 1024)
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limit:
        raise bad(f"查询过长：{size} 字节，上限 {limit} 字节", f"query too large: {size} bytes, limit {limit}", status=413)


def run_text(text: str, fmt_for: Any, *, default_graph: list[str] | None = None,
             named_graphs: list[str] | None = None, substitutions: dict[str, Any] | None = None,
             base: str | None = None, as_of: str | None = None) -> tuple[executor.Answer, negotiation.Choice]:
    """Check, negotiate and run one query. ``fmt_for(kind) -> Choice | None`` picks the format."""
    check_size(text)
    info = guard.check_query(text, base)
    for name, iris in (("default-graph-uri", default_graph), ("named-graph-uri", named_graphs)):
        for iri in iris or []:
            guard.check_iri(iri, name)
    kind = info.kind or "select"          # not a query form: the engine will say why (400 + position)
    choice = fmt_for(kind)
    if choice is None:
        offered = ", ".join(negotiation.MEDIA[f].split(";")[0] for f in negotiation.for_kind(kind)[0])
        raise bad(f"没有可接受的结果格式；本端点对此类查询提供：{offered}",
                  f"no acceptable result format; for this query the endpoint offers: {offered}", status=406)
    dg, ng = dataset(info, default_graph or [], named_graphs or [])
    job = executor.Job(text=text, fmt=choice.fmt, substitutions=tuple(sorted((substitutions or {}).items())),
                       default_graph=dg, named_graphs=ng, max_rows=max_rows(), kind=info.kind, base=base,
                       as_of=_as_of(as_of), client=request.remote_addr or "-")
    return executor.get(current_app).run(job), choice


def _as_of(text: str | None) -> str | None:
    """The ``as-of`` parameter, checked here (400) and passed on normalised (UTC, ISO 8601)."""
    if not text:
        return None
    if current_app.config.get("ENDPOINT"):
        raise bad("使用远程端点时不支持 as-of", "as-of is not available with a remote endpoint", status=501)

    try:
        return parse_when(text).isoformat()
    except PolicyKGError as exc:
        raise bad(exc.zh, exc.en) from None


# ------------------------------------------------------------------ the endpoint

def _read_request() -> tuple[str | None, dict[str, list[str]]]:
    """(query text or None, all parameters); raises for protocol errors."""
    params = url_params()
    limit = int(current_app.config.get("MAX_QUERY_BYTES") or 64 * 1024)
    if request.method == "GET":
        if "update" in params:
            raise bad("更新操作不能用 GET，且本端点只读", "update via GET is not allowed, and this endpoint is read-only",
                      status=403)
        return _single_query(params), params
    if request.content_length is not None and request.content_length > limit * 4:
        raise bad(f"请求体过大：{request.content_length} 字节", f"request body too large: {request.content_length} bytes",
                  status=413)
    mimetype = (request.mimetype or "").lower()
    charset = (request.mimetype_params.get("charset") or "utf-8").lower()
    body = request.get_data(cache=True)
    if mimetype == "application/x-www-form-urlencoded":
        for k, v in form_params(body).items():
            params.setdefault(k, []).extend(v)
        return _single_query(params), params
    if mimetype == "application/sparql-update":
        raise _update_refused()
    if mimetype == "application/sparql-query":
        if charset not in ("utf-8", "utf8"):
            raise bad(f"查询必须以 UTF-8 编码（收到 charset={charset}）", f"the query must be UTF-8 (got charset={charset})")
        if "query" in params or "update" in params:
            raise bad("请求体已是查询，URL 中不能再有 query/update 参数",
                      "the body is the query: no query/update parameter allowed in the URL")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise bad(f"查询不是合法的 UTF-8：{exc}", f"the query is not valid UTF-8: {exc}") from exc
        return text, params
    shown = mimetype or "（无 / none）"
    raise bad(f"不支持的 Content-Type：{shown}；请用 application/x-www-form-urlencoded 或 application/sparql-query",
              f"unsupported Content-Type: {shown}; use application/x-www-form-urlencoded or application/sparql-query")


def _single_query(params: dict[str, list[str]]) -> str | None:
    queries = params.get("query") or []
    updates = params.get("update") or []
    if queries and updates:
        raise bad("一个请求不能同时包含 query 和 update", "a request cannot carry both query and update")
    if updates:
        raise _update_refused()
    if len(queries) > 1:
        raise bad("一个请求只能包含一个查询（query 参数出现了多次）", "one query per request (query given more than once)")
    return queries[0] if queries else None


def _update_refused() -> QueryError:
    return bad(f"只读端点：不接受 SPARQL 更新（{UPDATE_WORDS}），未执行任何操作",
               f"read-only endpoint: SPARQL Update ({UPDATE_WORDS}) is not accepted; nothing was executed", status=403)


@bp.route("/sparql/", methods=["GET", "POST", "OPTIONS"])
@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"])
def endpoint() -> Response:
    if request.method == "OPTIONS":
        return cors(Response(status=204))
    try:
        text, params = _read_request()
        override = one(params, "format") or one(params, "output")
        if text is None:
            if request.method == "GET" and not (params.keys() - {"format", "output"}):
                return cors(respond(override))
            raise bad("缺少 query 参数", "missing query parameter")
        ratelimit.check()
        answer, choice = run_text(
            text, lambda kind: negotiation.choose(kind, request.headers.get("Accept"), override),
            default_graph=params.get("default-graph-uri"), named_graphs=params.get("named-graph-uri"),
            base=request.base_url, as_of=one(params, "as-of"))
    except PolicyKGError as exc:
        return cors(error_response(exc))
    resp = Response(answer.body, content_type=choice.media_type)
    resp.headers["Vary"] = "Accept"
    return cors(result_headers(resp, answer))


@bp.route("/sparql/", methods=["PUT", "DELETE", "PATCH"])
@bp.route("/sparql", methods=["PUT", "DELETE", "PATCH"])
def wrong_method() -> Response:
    resp = error_response(bad(f"方法 {request.method} 不适用于查询端点；请用 GET 或 POST",
                              f"method {request.method} is not allowed on the query endpoint; use GET or POST",
                              status=405))
    resp.headers["Allow"] = "GET, POST, OPTIONS"
    return cors(resp)
