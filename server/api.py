"""JSON API: the query catalogue, running a catalogue query, free queries, validation findings.

Routes (the contract with the web page):
  GET /queries                      [{name, title{zh,en}, description{zh,en}, params, tags, text}]
  GET /queries/<name>.json          run it; parameters from the query string (typed by the
                                    query's #+ header). Success (Datasette's shape)
                                    ``{"ok": true, "query", "kind", "columns", "rows", "truncated",
                                    "time_ms", "params"}`` (+ ``"boolean"`` for ASK). ``rows`` are
                                    objects ``{column: SPARQL-JSON term or null}``; ``?_shape=arrays``
                                    gives lists of plain values instead.
  GET /queries/<name>.csv|.tsv      SPARQL 1.1 CSV/TSV results; .ttl|.nt|.jsonld for CONSTRUCT
  GET|POST /api/query.json          the same JSON shape for a free query (``query=``)
  GET /api/validation[?region=]     findings of policykg.validate for the current store generation
  GET /api/status                   store generation, workers, cache, limits
  GET /api/prefixes                 the project's prefixes
Errors: ``{"ok": false, "error", "errors", "status"}`` (+ ``position`` [line, column]).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from policykg.core import regions
from policykg.core.errors import PolicyKGError, QueryError
from policykg.core.namespaces import prefixes
from policykg.sparql import queries

from . import executor, negotiation, ratelimit
from .common import bad, cors, error_response, form_params, one, result_headers, url_params
from .sparql import run_text
from .validation_worker import ValidationWorker

bp = Blueprint("api", __name__)

EXTENSIONS = {"json": "table", "csv": "csv", "tsv": "tsv", "srj": "json", "srx": "xml",
              "ttl": "turtle", "nt": "ntriples", "jsonld": "jsonld"}


_CATALOGUES: dict[str, tuple[tuple, dict[str, queries.Query]]] = {}


def _catalogue() -> dict[str, queries.Query]:
    """The catalogue, re-read only when a .rq file changes (parsing every YAML header costs ~0.1 s)."""
    folder = Path(current_app.config["QUERY_DIR"])
    stamp = tuple(sorted((p.name, st.st_mtime_ns, st.st_size) for p in folder.glob("*.rq") for st in [p.stat()]))
    hit = _CATALOGUES.get(str(folder))
    if hit is None or hit[0] != stamp:
        hit = _CATALOGUES[str(folder)] = (stamp, queries.catalogue(folder))
    return hit[1]


@bp.route("/queries", methods=["GET", "OPTIONS"])
def catalogue() -> Response:
    if request.method == "OPTIONS":
        return cors(Response(status=204), "GET, OPTIONS")
    try:
        items = [q.to_dict() for q in _catalogue().values()]
    except PolicyKGError as exc:
        return cors(error_response(exc, json_default=True))
    return cors(jsonify(items))


def _table_json(answer: executor.Answer, shape: str, extra: dict[str, Any]) -> Response:
    table = answer.table or {}
    columns = table.get("columns", [])
    rows = table.get("rows", [])
    if shape == "arrays":
        rows = [[(r.get(c) or {}).get("value") for c in columns] for r in rows]
    body: dict[str, Any] = {"ok": True, **extra, "kind": answer.kind, "columns": columns, "rows": rows,
                            "truncated": answer.truncated, "time_ms": answer.time_ms}
    if "boolean" in table:
        body["boolean"] = table["boolean"]
    resp = jsonify(body)
    return result_headers(resp, answer)


def _shape(params: dict[str, list[str]]) -> str:
    shape = one(params, "_shape") or "objects"
    if shape not in ("objects", "arrays"):
        raise bad(f"未知的 _shape：{shape}（可用 objects、arrays）", f"unknown _shape {shape!r} (objects, arrays)")
    return shape


@bp.route("/queries/<name>.<ext>", methods=["GET", "OPTIONS"])
def run_named(name: str, ext: str) -> Response:
    if request.method == "OPTIONS":
        return cors(Response(status=204), "GET, OPTIONS")
    try:
        fmt = EXTENSIONS.get(ext)
        if fmt is None:
            raise bad(f"不支持的扩展名 .{ext}（可用：{', '.join(EXTENSIONS)}）",
                      f"unsupported extension .{ext} (available: {', '.join(EXTENSIONS)})", status=404)
        q = _catalogue().get(name)
        if q is None:
            raise bad(f"目录中没有名为 {name!r} 的查询", f"no catalogue query named {name!r}", status=404)
        params = url_params()
        shape = _shape(params)
        values = {}
        for k in params:
            if not k.startswith("_"):
                values[k] = one(params, k)
        subs = queries.bind(q, values)
        ratelimit.check()

        def pick(kind: str) -> negotiation.Choice | None:
            if fmt == "table":
                return negotiation.Choice("table", "application/json")
            offered, _ = negotiation.for_kind(kind)
            return negotiation.Choice(fmt, negotiation.MEDIA[fmt]) if fmt in offered else None

        answer, choice = run_text(q.text, pick, substitutions=subs)
    except PolicyKGError as exc:
        return cors(error_response(exc, json_default=True))
    if fmt == "table":
        shown = {k: (v.value if hasattr(v, "value") else v) for k, v in subs.items()}
        return cors(_table_json(answer, shape, {"query": name, "params": shown}))
    resp = Response(answer.body, content_type=choice.media_type)
    resp.headers["Content-Disposition"] = f'inline; filename="{name}.{ext}"'
    return cors(result_headers(resp, answer))


@bp.route("/api/query.json", methods=["GET", "POST", "OPTIONS"])
def free_query() -> Response:
    if request.method == "OPTIONS":
        return cors(Response(status=204))
    try:
        params = url_params()
        if request.method == "POST":
            if (request.mimetype or "") != "application/x-www-form-urlencoded":
                raise bad("请用 application/x-www-form-urlencoded 提交 query", "POST query as application/x-www-form-urlencoded")
            for k, v in form_params(request.get_data(cache=True)).items():
                params.setdefault(k, []).extend(v)
        text = one(params, "query")
        if not text:
            raise bad("缺少 query 参数", "missing query parameter")
        shape = _shape(params)
        ratelimit.check()
        answer, _ = run_text(text, lambda kind: negotiation.Choice("table", "application/json"),
                             default_graph=params.get("default-graph-uri"),
                             named_graphs=params.get("named-graph-uri"))
    except PolicyKGError as exc:
        return cors(error_response(exc, json_default=True))
    return cors(_table_json(answer, shape, {}))


# ------------------------------------------------------------------ validation

_VALIDATION_LOCK = threading.Lock()


def validation_findings(store_dir: str, generation: str, region: str | None, timeout: float) -> dict[str, Any]:
    """Findings for one generation (cached), computed in one reused process (pySHACL is slow)."""
    ext = current_app.extensions.setdefault("policykg", {})
    cache = ext.setdefault("validation", {})
    key = (generation, region)
    if key in cache:
        return cache[key]
    with _VALIDATION_LOCK:
        worker = ext.get("validation_worker")
        if worker is None:
            worker = ext["validation_worker"] = ValidationWorker()
    with worker.lock:
        if key in cache:
            return cache[key]
        data = worker.run(store_dir, region, timeout)
        for old in [k for k in cache if k[0] != generation]:
            del cache[old]
        cache[key] = data
        return data


@bp.route("/api/validation", methods=["GET"])
def validation() -> Response:
    try:
        if current_app.config.get("ENDPOINT"):
            raise QueryError("使用远程端点时不提供校验结果", "validation is not available with a remote endpoint",
                             status=501)
        params = url_params()
        region = one(params, "region") or None
        ratelimit.check()
        if region is not None:
            try:
                region = regions.get(region).code       # a bad code is a 404 before any work
            except PolicyKGError as exc:
                raise QueryError(exc.zh, exc.en, status=404) from exc
        ex = executor.get(current_app)
        gen = ex.generation()
        if gen is None:
            raise QueryError("图谱尚未构建", "the store is not built", status=503)
        data = validation_findings(current_app.config["STORE_PATH"], gen, region,
                                   float(current_app.config.get("VALIDATION_TIMEOUT_S") or 300))
    except PolicyKGError as exc:
        return cors(error_response(exc, json_default=True), "GET")
    body = {"ok": True, "generation": gen, "region": region, **data}
    return cors(jsonify(body), "GET")


@bp.route("/api/status", methods=["GET"])
def status() -> Response:
    cfg = current_app.config
    ex = executor.get(current_app)
    body = {"ok": True, **ex.status(), "limits": {
        "timeout_s": float(cfg.get("QUERY_TIMEOUT_S") or 10), "max_rows": int(cfg.get("MAX_ROWS") or 0),
        "max_query_bytes": int(cfg.get("MAX_QUERY_BYTES") or 0),
        "rate_limit_per_min": float(cfg.get("RATE_LIMIT_PER_MIN") or 0)},
        "writes": bool(cfg.get("WRITE_TOKEN"))}
    return cors(jsonify(body), "GET")


@bp.route("/api/prefixes", methods=["GET"])
def prefix_list() -> Response:
    return cors(jsonify(prefixes()), "GET")
