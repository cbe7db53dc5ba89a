"""Small pieces every blueprint of the server uses: strict parameters, errors, CORS, headers.

Errors share one JSON shape (Datasette's): ``{"ok": false, "error", "errors", "status"}``
plus ``position`` / ``line`` / ``column`` for a syntax error. A client that does not
accept JSON gets the same message as ``text/plain``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from flask import Request, Response, current_app, jsonify, request

from policykg.core.errors import PolicyKGError, QueryError

from .negotiation import parse_accept


class RequestError(QueryError):
    """A protocol-level error with an HTTP status (default 400)."""


def bad(zh: str, en: str, status: int = 400) -> RequestError:
    return RequestError(zh, en, status=status)


def _decode_pairs(raw: bytes, where: str) -> list[tuple[str, str]]:
    try:
        text = raw.decode("ascii") if raw else ""
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeError as exc:
        raise bad(f"{where}不是合法的 UTF-8 编码：{exc}", f"{where} is not valid UTF-8: {exc}") from exc
    except ValueError as exc:
        raise bad(f"{where}无法解析：{exc}", f"cannot parse {where}: {exc}") from exc


def url_params(req: Request | None = None) -> dict[str, list[str]]:
    """Query-string parameters, decoded strictly as UTF-8 (werkzeug would replace bad bytes)."""
    req = req or request
    out: dict[str, list[str]] = {}
    for k, v in _decode_pairs(req.query_string, "查询字符串 / query string: "):
        out.setdefault(k, []).append(v)
    return out


def form_params(body: bytes) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for k, v in _decode_pairs(body, "表单 / form body: "):
        out.setdefault(k, []).append(v)
    return out


def one(params: dict[str, list[str]], name: str) -> str | None:
    vals = params.get(name) or []
    if len(vals) > 1:
        raise bad(f"参数 {name} 只能出现一次", f"parameter {name!r} given more than once")
    return vals[0] if vals else None


def wants_json(req: Request | None = None) -> bool:
    req = req or request
    for mtype, q, _ in parse_accept(req.headers.get("Accept")):
        if q > 0 and (mtype in ("application/json", "application/sparql-results+json") or mtype.endswith("+json")):
            return True
    return False


def error_body(exc: PolicyKGError, status: int) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "error": exc.message, "errors": [exc.zh, exc.en], "status": status}
    pos = getattr(exc, "position", None)
    if pos:
        body["position"] = [pos[0], pos[1]]
        body["line"], body["column"] = pos
    return body


def error_response(exc: PolicyKGError, *, json_default: bool = False) -> Response:
    status = int(getattr(exc, "status", 0) or 500)
    if status < 400 or status > 599:
        status = 500
    body = error_body(exc, status)
    if json_default or wants_json():
        resp = jsonify(body)
    else:
        text = exc.message
        if body.get("position"):
            text += f"\n位置 / position: 第 {body['line']} 行第 {body['column']} 列 / line {body['line']}, column {body['column']}"
        resp = Response(text + "\n", mimetype="text/plain")
        resp.charset = "utf-8"
    resp.status_code = status
    if status == 503:
        resp.headers["Retry-After"] = "5"
    if status == 429:
        resp.headers["Retry-After"] = str(getattr(exc, "retry_after", 60))
    if status == 401:
        resp.headers["WWW-Authenticate"] = 'Bearer realm="policykg"'
    return resp


def cors(resp: Response, methods: str = "GET, POST, OPTIONS") -> Response:
    """Reads are open to any origin (like Fuseki and Oxigraph with --cors); no credentials."""
    resp.headers["Access-Control-Allow-Origin"] = "*"
    resp.headers["Access-Control-Allow-Methods"] = methods
    resp.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
    resp.headers["Access-Control-Expose-Headers"] = (
        "X-Policykg-Truncated, X-Policykg-Rows, X-Policykg-Time-Ms, X-Policykg-Cache, X-Policykg-Generation")
    resp.headers["Access-Control-Max-Age"] = "3600"
    return resp


def result_headers(resp: Response, answer: Any) -> Response:
    resp.headers["X-Policykg-Truncated"] = "true" if answer.truncated else "false"
    resp.headers["X-Policykg-Rows"] = str(answer.count)
    resp.headers["X-Policykg-Time-Ms"] = f"{answer.time_ms:.1f}"
    resp.headers["X-Policykg-Cache"] = "hit" if answer.cached else "miss"
    if answer.generation:
        resp.headers["X-Policykg-Generation"] = answer.generation
    return resp


def max_rows() -> int:
    return int(current_app.config.get("MAX_ROWS") or 10000)
