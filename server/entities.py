"""Linked data: every IRI under ``{POLICYKG_BASE}id/`` dereferences at ``/id/...`` here.

One URL, several representations, chosen by Accept (or ``?format=``), answered directly
with 200 and ``Vary: Accept`` (no 303 redirect; the IRIs name records of a document, not
people or places, so the httpRange-14 distinction buys nothing here):
  text/html (and */*)   a readable Chinese page: labels, statements with local /id/ links,
                        incoming links, and the source row (document, 附件, 序号, lines);
  text/turtle, application/ld+json, application/n-triples, application/rdf+xml
                        the entity's statements and the statements pointing at it.
An IRI the graph does not mention is 404. Literals are escaped by Jinja (autoescape).
The page is ``templates/entity.html``; the queries are ``rq/entity-*.rq``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, current_app, render_template, request
from pyoxigraph import NamedNode

from policykg.core.config import base_iri
from policykg.core.errors import PolicyKGError
from policykg.core.namespaces import prefixes

from . import executor, negotiation, ratelimit
from .common import bad, cors, error_response, one, url_params

bp = Blueprint("entities", __name__)

RQ = Path(__file__).resolve().parent / "rq"
FORMATS = ("html", "turtle", "jsonld", "ntriples", "rdfxml")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
MAX_INCOMING = 500


def _rq(name: str) -> str:
    return (RQ / f"{name}.rq").read_text(encoding="utf-8")


def local_href(iri: str) -> str | None:
    """The server path of an IRI we serve: /id/… for entities, the graph store for graphs."""
    base = base_iri()
    if iri.startswith(base + "id/"):
        return "/id/" + iri[len(base) + 3:]
    if iri.startswith(base + "graph/"):
        return "/rdf-graphs/service?graph=" + quote(iri, safe="")
    return None


def short(iri: str) -> str:
    best, name = "", iri
    for p, ns in prefixes().items():
        if iri.startswith(ns) and len(ns) > len(best) and "/" not in iri[len(ns):]:
            best, name = ns, f"{p}:{iri[len(ns):]}"
    return name


def _table(name: str, iri: str, max_rows: int | None = None) -> tuple[list[dict[str, Any]], bool]:
    job = executor.Job(text=_rq(name), fmt="table", substitutions=(("entity", NamedNode(iri)),),
                       max_rows=max_rows or int(current_app.config.get("MAX_ROWS") or 10000), kind="select")
    ans = executor.get(current_app).run(job)
    return (ans.table or {}).get("rows", []), ans.truncated


def _value(term: dict[str, Any] | None, label: dict[str, Any] | None = None) -> dict[str, Any]:
    if term is None:
        return {}
    out = {"kind": term["type"], "value": term["value"], "lang": term.get("xml:lang"),
           "datatype": short(term["datatype"]) if term.get("datatype") else None,
           "label": (label or {}).get("value")}
    if term["type"] == "uri":
        out["href"] = local_href(term["value"]) or term["value"]
        out["short"] = short(term["value"])
    return out


def page_data(iri: str) -> dict[str, Any] | None:
    rows, _ = _table("entity-out", iri)
    incoming, more = _table("entity-in", iri, MAX_INCOMING)
    if not rows and not incoming:
        return None
    label = None
    types = []
    props: dict[str, dict[str, Any]] = {}
    for r in rows:
        p, o = r["p"]["value"], r["o"]
        if p == RDFS_LABEL and o.get("type") == "literal" and (label is None or o.get("xml:lang", "").startswith("zh")):
            label = o["value"]
        if p == RDF_TYPE:
            types.append(_value(o, r.get("ol")))
            continue
        entry = props.setdefault(p, {"iri": p, "short": short(p), "label": (r.get("pl") or {}).get("value"),
                                     "values": []})
        entry["values"].append(_value(o, r.get("ol")))
    sources, _ = _table("entity-source", iri)
    src = [{k: (v or {}).get("value") for k, v in s.items() if k != "entity"} for s in sources]
    for s in src:
        for k in ("row", "table", "doc"):
            if s.get(k):
                s[k + "_href"] = local_href(s[k]) or s[k]
    links = [{"subject": _value(r["s"], r.get("sl")), "predicate": _value(r["p"], r.get("pl"))} for r in incoming]
    return {"iri": iri, "label": label or short(iri), "types": types, "props": list(props.values()),
            "incoming": links, "incoming_more": more, "sources": src, "candidates": _candidates(iri)}


JUSTIFICATIONS = {"LexicalMatching": "文本匹配 lexical", "CompositeMatching": "印出编号内细化 within printed numbers",
                  "ManualMappingCuration": "人工审核 curated"}


def _candidates(iri: str) -> list[dict[str, Any]]:
    """The entity's alignment candidates (policykg.align), best first."""
    rows, _ = _table("entity-candidates", iri, 50)
    out = []
    for r in rows:
        just = (r.get("justification") or {}).get("value", "")
        out.append({"object": _value(r["object"], r.get("objectLabel")), "rank": r["rank"]["value"],
                    "confidence": f"{float(r['confidence']['value']):.2f}",
                    "justification": JUSTIFICATIONS.get(just.rsplit("/", 1)[-1], just),
                    "evidence": (r.get("evidence") or {}).get("value", ""),
                    "asserted": (r.get("asserted") or {}).get("value") == "true",
                    "rejected": (r.get("modifier") or {}).get("value") == "Not"})
    return out


@bp.route("/id/<path:rest>", methods=["GET", "HEAD", "OPTIONS"])
def entity(rest: str) -> Response:
    if request.method == "OPTIONS":
        return cors(Response(status=204), "GET, HEAD, OPTIONS")
    iri = base_iri() + "id/" + rest
    try:
        NamedNode(iri)
    except ValueError:
        return cors(error_response(bad(f"不是合法的 IRI：{iri}", f"not a valid IRI: {iri}", status=404)))
    try:
        params = url_params()
        override = one(params, "format")
        if override:
            fmt = "html" if override.lower() == "html" else negotiation.from_name(override)
            if fmt == "json":
                fmt = "jsonld"
            if fmt not in FORMATS:
                raise bad(f"不支持的格式：{override}", f"unsupported format: {override}", status=406)
            choice = negotiation.Choice(fmt, negotiation.MEDIA[fmt])
        else:
            choice = negotiation.negotiate(request.headers.get("Accept"), FORMATS, "html")
            if choice is None:
                raise bad("没有可接受的格式（可用 text/html、text/turtle、application/ld+json、application/n-triples、"
                          "application/rdf+xml）", "no acceptable format (text/html, text/turtle, application/ld+json, "
                          "application/n-triples, application/rdf+xml)", status=406)
        ratelimit.check()
        if choice.fmt == "html":
            data = page_data(iri)
            if data is None:
                return _not_found(iri)
            html = render_template("entity.html", e=data, formats=_format_links(rest))
            resp = Response(html, content_type="text/html; charset=utf-8")
        else:
            job = executor.Job(text=_rq("entity-describe"), fmt=choice.fmt,
                               substitutions=(("entity", NamedNode(iri)),),
                               max_rows=int(current_app.config.get("MAX_ROWS") or 10000), kind="graph")
            ans = executor.get(current_app).run(job)
            if ans.count == 0:
                return _not_found(iri)
            resp = Response(ans.body, content_type=choice.media_type)
            resp.headers["X-Policykg-Truncated"] = "true" if ans.truncated else "false"
    except PolicyKGError as exc:
        return cors(error_response(exc))
    resp.headers["Vary"] = "Accept"
    resp.headers["Link"] = f'<{iri}>; rel="canonical"'
    return cors(resp, "GET, HEAD, OPTIONS")


def _format_links(rest: str) -> list[tuple[str, str]]:
    return [(name, f"/id/{rest}?format={fmt}") for name, fmt in
            (("Turtle", "turtle"), ("JSON-LD", "jsonld"), ("N-Triples", "ntriples"), ("RDF/XML", "rdfxml"))]


def _not_found(iri: str) -> Response:
    resp = error_response(bad(f"图谱中没有这个实体：{iri}", f"the graph does not mention this entity: {iri}", status=404))
    return cors(resp)
