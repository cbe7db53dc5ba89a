"""The web pages: the query page at ``/``, ``/coverage`` and ``/validation``.

The pages are static HTML shells; their scripts (server/static/js) talk to the JSON routes
of the other blueprints (``/queries``, ``/queries/<name>.json``, ``/sparql``,
``/api/validation``). Configuration reaches the scripts in a JSON data block, never in an
inline script, so the Content-Security-Policy can say ``script-src 'self'``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, redirect, render_template, request
from pyoxigraph import Literal, NamedNode, RdfFormat, parse

from policykg.core.config import ONTOLOGY_DIR, base_iri
from policykg.core.errors import QueryError
from policykg.core.namespaces import prefixes
from policykg.core.regions import ATTACHMENT_REGIONS, regions
from policykg.sparql.queries import get as get_query

from .i18n import LANGS, lang_or_default, strings, translate

bp = Blueprint("pages", __name__)

LANG_COOKIE = "lang"

# Every script, style sheet, font and request stays on this server.
CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))


def current_lang() -> str:
    return lang_or_default(request.cookies.get(LANG_COOKIE))


@bp.app_context_processor
def _template_globals() -> dict[str, Any]:
    lang = current_lang()
    return {
        "lang": lang,
        "t": lambda key, **kw: translate(key, lang, **kw),
        "other_lang": LANGS[1 - LANGS.index(lang)],
    }


@bp.after_app_request
def _security_headers(resp: Response) -> Response:
    """CSP on every HTML page (entity pages too), unless a view set its own."""
    if resp.mimetype == "text/html":
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
    return resp


@lru_cache(maxsize=1)
def ontology_terms() -> tuple[dict[str, str], ...]:
    """Classes and properties with their labels, as prefixed names, for completion."""
    rdf_type = NamedNode(prefixes()["rdf"] + "type")
    label = NamedNode(prefixes()["rdfs"] + "label")
    owl = prefixes()["owl"]
    kinds = {owl + "Class": "class", owl + "ObjectProperty": "property", owl + "DatatypeProperty": "property",
             owl + "AnnotationProperty": "property", prefixes()["rdf"] + "Property": "property"}
    found: dict[str, dict[str, str]] = {}
    for path in sorted(ONTOLOGY_DIR.glob("*.ttl")):
        for quad in parse(path=str(path), format=RdfFormat.TURTLE):
            s, p, o = quad.subject, quad.predicate, quad.object
            if not isinstance(s, NamedNode):
                continue
            name = _prefixed(s.value)
            if name is None:
                continue
            entry = found.setdefault(name, {"name": name})
            if p == rdf_type and isinstance(o, NamedNode) and o.value in kinds:
                entry["kind"] = kinds[o.value]
            elif p == label and isinstance(o, Literal) and o.language in LANGS:
                entry[o.language] = o.value
    return tuple(sorted((e for e in found.values() if "kind" in e), key=lambda e: e["name"]))


def _prefixed(iri: str) -> str | None:
    for p, ns in prefixes().items():
        if iri.startswith(ns) and len(iri) > len(ns):
            local = iri[len(ns):]
            if all(c.isalnum() or c in "_-" for c in local):
                return f"{p}:{local}"
    return None


def page_config(page: str) -> dict[str, Any]:
    """What the page scripts need: endpoints, prefixes, IRI base, region names, UI strings."""
    lang = current_lang()
    return {
        "page": page,
        "lang": lang,
        "strings": strings(lang),
        "base": base_iri(),
        "idBase": base_iri() + "id/",
        "prefixes": prefixes(),
        "regions": {code: r.full_name for code, r in regions().items()},
        # A list, not an object: the order is the document's (附件1–4) and JSON objects are re-sorted.
        "listRegions": [{"code": code, "name": regions()[code].full_name}
                        for _, code in sorted(ATTACHMENT_REGIONS.items())],
        "endpoints": {"sparql": "/sparql", "queries": "/queries", "validation": "/api/validation"},
    }


def _render(template: str, page: str, **extra: Any) -> str:
    config = page_config(page)
    config.update(extra)
    return render_template(template, page=page, page_config=config)


@bp.route("/")
def index() -> str:
    return _render("index.html", "query", terms=list(ontology_terms()))


COVERAGE_QUERY = "page-key-task-coverage"
ROWS_QUERY = "page-rows-for-key-task"


@bp.route("/coverage")
def coverage() -> str:
    """The matrix is counted by the page's script with the catalogue query below (via /sparql)."""
    try:
        text = get_query(COVERAGE_QUERY, current_app.config["QUERY_DIR"]).text
    except QueryError:
        text = None
    return _render("coverage.html", "coverage", coverageQuery=COVERAGE_QUERY, coverageText=text,
                   rowsQuery=ROWS_QUERY)


@bp.route("/validation")
def validation() -> str:
    return _render("validation.html", "validation")


@bp.route("/lang/<code>")
def set_lang(code: str) -> Response:
    """Remember the interface language in a cookie and go back where the user was."""
    target = request.args.get("next", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        target = "/"
    resp = redirect(target, code=303)
    resp.set_cookie(LANG_COOKIE, lang_or_default(code), max_age=365 * 24 * 3600, samesite="Lax")
    return resp
