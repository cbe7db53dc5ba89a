"""Shared by tests/test_web_*.py: a store from the real build plus one planted literal, the
app on it, stand-ins for API routes another blueprint has not provided yet, a server thread.

The planted service item's label holds a ``<script>`` tag, to prove the pages show literals
as text. It lives in its own named graph, so the document's graphs stay as built.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, Triple

from loaders.build import build
from policykg.core import iris
from policykg.core.namespaces import PREFIXES
from policykg.graph.derive import refresh
from policykg.graph.store import new_generation, put_graph

XSS_TITLE = "<script>window.__pwned=1</script>测试事项"
XSS_IRI = iris.service_item("330800", 9999)
XSS_GRAPH = iris.graph("test/xss")


def build_test_store(root: Path) -> Path:
    """``policykg build`` from data/, then a generation that adds the planted item."""
    build(root)
    with new_generation(root, copy_current=True, finish=refresh, in_memory=True) as (store, _gen):
        s = NamedNode(XSS_IRI)
        put_graph(store, XSS_GRAPH, [
            Triple(s, NamedNode(PREFIXES["rdf"] + "type"), NamedNode(PREFIXES["pk"] + "ServiceItem")),
            Triple(s, NamedNode(PREFIXES["rdfs"] + "label"), Literal(XSS_TITLE, language="zh")),
        ])
    return root


# ------------------------------------------------------------------ stand-ins

FINDINGS = [
    {"severity": "http://www.w3.org/ns/shacl#Violation", "focus": iris.service_item("330800", 3),
     "path": "http://purl.org/dc/terms/title", "shape": "https://w3id.org/policykg/shapes#ServiceItemShape",
     "message": "服务事项缺少名称 / service item has no title", "region": "330800", "row": 3},
    {"severity": "http://www.w3.org/ns/shacl#Warning", "focus": iris.local_measure("330900", "1-1"),
     "path": "https://w3id.org/policykg/def#responsibleUnit", "shape": "https://w3id.org/policykg/shapes#LocalMeasureShape",
     "message": "细化举措未写明责任单位 / local measure names no responsible unit", "region": "330900", "row": 1},
]


def add_missing_api(app: Any) -> list[str]:
    """Register minimal versions of the API routes (the contract in the brief) that the app lacks.

    Returns the rules that were added, so a test can say which side it exercised.
    """
    from flask import jsonify, request

    from policykg.core.errors import QueryError
    from policykg.graph.store import open_read_only
    from policykg.sparql import queries

    existing = {r.rule for r in app.url_map.iter_rules()}
    added: list[str] = []
    holder: dict[str, Any] = {}

    def store():
        if "s" not in holder:
            holder["s"] = open_read_only(app.config["STORE_PATH"])
        return holder["s"]

    def error(exc: QueryError):
        body = {"ok": False, "error": exc.message, "errors": [exc.zh, exc.en], "status": exc.status}
        if exc.position:
            body["position"] = list(exc.position)
        return jsonify(body), exc.status

    def sparql():
        text = request.form.get("query") or request.args.get("query") or ""
        try:
            res = queries.run(store(), text, max_rows=app.config["MAX_ROWS"])
        except QueryError as exc:
            return error(exc)
        resp = jsonify(res.to_json())
        resp.mimetype = "application/sparql-results+json"
        resp.headers["X-Policykg-Truncated"] = "true" if res.truncated else "false"
        return resp

    def catalogue():
        return jsonify([q.to_dict() for q in queries.catalogue(app.config["QUERY_DIR"]).values()])

    def run_named(name: str):
        t0 = time.monotonic()
        try:
            q = queries.get(name, app.config["QUERY_DIR"])
            subs = {k: request.args.get(k, (spec or {}).get("default")) for k, spec in q.params.items()}
            res = queries.run(store(), q.text, substitutions={k: v for k, v in subs.items() if v is not None},
                              max_rows=app.config["MAX_ROWS"])
        except QueryError as exc:
            return error(exc)
        rows = [{v: (queries.term_json(r[v]) if r.get(v) is not None else None) for v in res.variables}
                for r in res.rows]
        return jsonify({"ok": True, "columns": res.variables, "rows": rows, "truncated": res.truncated,
                        "time_ms": round((time.monotonic() - t0) * 1000, 1)})

    def validation():
        return jsonify({"conforms": False, "results": FINDINGS})

    for rule, view, methods in (("/sparql", sparql, ["GET", "POST"]), ("/queries", catalogue, ["GET"]),
                                ("/queries/<name>.json", run_named, ["GET"]), ("/api/validation", validation, ["GET"])):
        if rule not in existing:
            app.add_url_rule(rule, endpoint="standin_" + view.__name__, view_func=view, methods=methods)
            added.append(rule)
    return added


class ServerThread:
    """The app under werkzeug's threaded server on a free loopback port."""

    def __init__(self, app: Any) -> None:
        from werkzeug.serving import WSGIRequestHandler, make_server

        class Quiet(WSGIRequestHandler):
            def log(self, *args: object, **kwargs: object) -> None:
                pass

        self.server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ServerThread:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)
