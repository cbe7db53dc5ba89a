"""Content negotiation for SPARQL results and RDF: Accept with q-values, ``format=`` override.

Formats are short names used everywhere in the server (and by :func:`policykg.sparql.queries.serialize_result`):
json, xml, csv, tsv for SELECT/ASK; turtle, ntriples, jsonld, rdfxml for graphs. The
``format`` (or Fuseki's ``output``) parameter wins over Accept, as in Jena Fuseki; it takes a
short name or a media type. A missing Accept, or one allowing ``*/*``, gets the default
(JSON results, Turtle graphs). When nothing offered is acceptable the caller answers 406.
"""

from __future__ import annotations

from dataclasses import dataclass

# short name -> media type sent by default
MEDIA = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "html": "text/html; charset=utf-8",
}

# media types a client may name -> short name (aliases included)
ACCEPTED = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/turtle": "turtle",
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
    "text/html": "html",
    "application/xhtml+xml": "html",
}

# format= / output= values -> short name
NAMES = {
    "json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv",
    "turtle": "turtle", "ttl": "turtle", "ntriples": "ntriples", "nt": "ntriples", "n-triples": "ntriples",
    "jsonld": "jsonld", "json-ld": "jsonld", "rdfxml": "rdfxml", "rdf": "rdfxml", "rdf/xml": "rdfxml",
    "text": "tsv",
}

RESULT_FORMATS = ("json", "xml", "csv", "tsv")
GRAPH_FORMATS = ("turtle", "ntriples", "jsonld", "rdfxml")


@dataclass(frozen=True)
class Choice:
    fmt: str
    media_type: str       # what to put in Content-Type


def parse_accept(header: str | None) -> list[tuple[str, float, int]]:
    """[(media range, q, order)], best first; malformed parts are skipped."""
    out = []
    for order, part in enumerate((header or "").split(",")):
        bits = [b.strip() for b in part.split(";")]
        mtype = bits[0].lower()
        if not mtype or "/" not in mtype:
            continue
        q = 1.0
        for b in bits[1:]:
            k, _, v = b.partition("=")
            if k.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(v)))
                except ValueError:
                    q = 0.0
        out.append((mtype, q, order))
    return out


def _specificity(mrange: str) -> int:
    if mrange == "*/*":
        return 0
    if mrange.endswith("/*"):
        return 1
    return 2


def negotiate(accept: str | None, offered: tuple[str, ...], default: str) -> Choice | None:
    """The best offered format for an Accept header, or None (-> 406)."""
    ranges = parse_accept(accept)
    if not ranges:
        return Choice(default, MEDIA[default])
    best: tuple[float, int, int, int] | None = None
    choice: Choice | None = None
    for pos, fmt in enumerate(offered):
        names = [m for m, f in ACCEPTED.items() if f == fmt] + (["application/json"] if fmt == "jsonld" else [])
        # the most specific match over the format's media types decides (text/turtle;q=0 is not
        # undone by */* matching an alias such as application/x-turtle)
        matches = [(_quality(ranges, m), m) for m in names]
        (q, spec, order), mtype = max(matches, key=lambda x: (x[0][1], x[0][0], -x[0][2]))
        if q <= 0:
            continue
        # prefer: higher q, then more specific match, then the client's order, then ours;
        # the default wins a tie on a wildcard
        rank = (q, spec, -order, 1 if (spec == 0 and fmt == default) else -pos)
        if best is None or rank > best:
            best = rank
            sent = MEDIA[fmt] if spec == 0 else mtype + ("; charset=utf-8" if mtype.startswith("text/") else "")
            choice = Choice(fmt, sent)
    return choice


def _quality(ranges: list[tuple[str, float, int]], mtype: str) -> tuple[float, int, int]:
    """q for one media type: the most specific matching range decides (RFC 9110)."""
    found: tuple[float, int, int] | None = None
    major = mtype.split("/")[0]
    for mrange, q, order in ranges:
        if mrange == mtype or mrange == "*/*" or mrange == f"{major}/*":
            spec = _specificity(mrange)
            if found is None or spec > found[1]:
                found = (q, spec, order)
    return found or (0.0, -1, 0)


def from_name(value: str) -> str | None:
    """A ``format=`` value (short name or media type) -> short name."""
    v = value.strip().lower()
    if v in NAMES:
        return NAMES[v]
    return ACCEPTED.get(v.split(";")[0].strip())


def for_kind(kind: str) -> tuple[tuple[str, ...], str]:
    """(offered formats, default) for a query kind."""
    if kind == "graph":
        return GRAPH_FORMATS, "turtle"
    return RESULT_FORMATS, "json"


def choose(kind: str, accept: str | None, override: str | None) -> Choice | None:
    offered, default = for_kind(kind)
    if override:
        fmt = from_name(override)
        if fmt == "json" and kind == "graph":
            fmt = "jsonld"            # Fuseki: format=json on CONSTRUCT gives JSON-LD
        if fmt is None or fmt not in offered:
            return None
        return Choice(fmt, MEDIA[fmt])
    return negotiate(accept, offered, default)
