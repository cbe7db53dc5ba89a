"""The W3C SPARQL 1.1 Protocol tests (vendored manifest) against /sparql, plus negotiation.

Every request of every manifest entry is sent as written (method, path, headers, body in
its declared encoding); status class, result format and ASK answer are checked. The
endpoint is read-only: ``update_*`` entries get 403 and their follow-up queries are skipped.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import rdflib
from rdflib.collection import Collection
from server_support import W3C_DIR, app_for, make_protocol_store

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
HTS = rdflib.Namespace("http://www.w3.org/2011/http-statusCodes#")


def _manifest() -> tuple[rdflib.Graph, list[rdflib.URIRef]]:
    g = rdflib.Graph()
    g.parse(W3C_DIR / "manifest.ttl", format="turtle", publicID="http://example/manifest.ttl")
    head = g.value(rdflib.URIRef("http://example/manifest.ttl"), MF.entries)
    return g, list(Collection(g, head))


GRAPH, ENTRIES = _manifest()


def _requests(test: rdflib.URIRef) -> list[dict]:
    action = GRAPH.value(test, MF.action)
    out = []
    for req in Collection(GRAPH, GRAPH.value(action, HT.requests)):
        headers = {}
        hlist = GRAPH.value(req, HT.headers)
        if hlist is not None:
            for h in Collection(GRAPH, hlist):
                headers[str(GRAPH.value(h, HT.fieldName))] = str(GRAPH.value(h, HT.fieldValue))
        body = None
        b = GRAPH.value(req, HT.body)
        if b is not None:
            enc = str(GRAPH.value(b, CNT.characterEncoding) or "UTF-8")
            body = str(GRAPH.value(b, CNT.chars)).encode(enc.lower())
        resp = GRAPH.value(req, HT.resp)
        statuses = {str(s).rsplit("StatusCode", 1)[-1] for s in GRAPH.objects(resp, MF.expectedStatus)}
        boolean = GRAPH.value(resp, MF.expectedBoolean)
        fmt = GRAPH.value(resp, MF.expectedFormat)
        out.append({"method": str(GRAPH.value(req, HT.methodName)), "path": str(GRAPH.value(req, HT.absolutePath)),
                    "headers": headers, "body": body, "statuses": statuses,
                    "boolean": None if boolean is None else boolean.toPython(), "format": None if fmt is None else str(fmt)})
    return out


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    root = make_protocol_store(tmp_path_factory.mktemp("protocol-store"))
    return app_for(root).test_client()


def _send(client, r: dict):
    headers = dict(r["headers"])
    kwargs = {}
    ctype = headers.pop("content-type", None)
    if ctype:
        kwargs["content_type"] = ctype
    if r["body"] is not None:
        kwargs["data"] = r["body"]
    return client.open(r["path"], method=r["method"], headers=headers, **kwargs)


def _boolean(resp) -> bool:
    ctype = resp.mimetype
    if ctype.endswith("json"):
        return json.loads(resp.data)["boolean"]
    root = ET.fromstring(resp.data)
    return root.find("{http://www.w3.org/2005/sparql-results#}boolean").text == "true"


FORMAT_TYPES = {
    "boolean": {"application/sparql-results+json", "application/sparql-results+xml"},
    "tabular": {"application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                "text/tab-separated-values"},
    "RDF": {"text/turtle", "application/rdf+xml", "application/n-triples", "application/ld+json"},
}


@pytest.mark.parametrize("test", ENTRIES, ids=[str(t).rsplit("#", 1)[-1] for t in ENTRIES])
def test_w3c_protocol(client, test):
    name = str(test).rsplit("#", 1)[-1]
    reqs = _requests(test)
    assert reqs, name
    if name.startswith("update_"):
        # read-only endpoint: the update is refused (and not run); the follow-up checks are moot
        resp = _send(client, reqs[0])
        assert resp.status_code == 403, (name, resp.status_code, resp.data[:300])
        assert "只读" in resp.get_data(as_text=True)
        return
    for r in reqs:
        resp = _send(client, r)
        got = f"{resp.status_code // 100}xx"
        assert got in r["statuses"], (name, resp.status_code, resp.data[:300])
        if got == "2xx" and r["format"]:
            assert resp.mimetype in FORMAT_TYPES[r["format"]], (name, resp.mimetype)
        if got == "2xx" and r["boolean"] is not None:
            assert _boolean(resp) is r["boolean"], name


def test_manifest_is_the_whole_suite():
    assert len(ENTRIES) == 34
    assert Path(W3C_DIR / "LICENSE.md").read_text(encoding="utf-8").startswith("This repository is covered")


# ------------------------------------------------------------------ negotiation, beyond the suite

SELECT_ONE = "SELECT (1 AS ?value) {}"


@pytest.mark.parametrize("accept, mimetype", [
    (None, "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ("application/json", "application/json"),
])
def test_select_negotiation(client, accept, mimetype):
    headers = {"Accept": accept} if accept else {}
    resp = client.get("/sparql", query_string={"query": SELECT_ONE}, headers=headers)
    assert resp.status_code == 200
    assert resp.mimetype == mimetype
    assert resp.headers["Vary"] == "Accept"
    assert b"1" in resp.data


def test_csv_and_tsv_bodies(client):
    csv = client.get("/sparql", query_string={"query": SELECT_ONE, "format": "csv"})
    assert csv.data == b"value\r\n1\r\n"
    tsv = client.get("/sparql", query_string={"query": SELECT_ONE, "format": "tsv"})
    assert tsv.data.decode().splitlines() == ["?value", '"1"^^<http://www.w3.org/2001/XMLSchema#integer>']


@pytest.mark.parametrize("accept, mimetype", [
    (None, "text/turtle"), ("application/n-triples", "application/n-triples"),
    ("application/ld+json", "application/ld+json"), ("application/rdf+xml", "application/rdf+xml"),
    ("text/turtle;q=0.2, application/ld+json;q=0.8", "application/ld+json"),
])
def test_construct_negotiation(client, accept, mimetype):
    headers = {"Accept": accept} if accept else {}
    q = "CONSTRUCT { ?s a ?t } WHERE { GRAPH ?g { ?s a ?t } }"
    resp = client.get("/sparql", query_string={"query": q}, headers=headers)
    assert resp.status_code == 200 and resp.mimetype == mimetype
    assert b"kasei.us/2009/09/sparql/data/data1.rdf" in resp.data


def test_format_parameter_overrides_accept(client):
    resp = client.get("/sparql", query_string={"query": SELECT_ONE, "format": "xml"}, headers={"Accept": "text/csv"})
    assert resp.mimetype == "application/sparql-results+xml"
    resp = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "json"})
    assert resp.mimetype == "application/ld+json"          # Fuseki: json on a graph query is JSON-LD
    resp = client.get("/sparql", query_string={"query": SELECT_ONE, "output": "tsv"})
    assert resp.mimetype == "text/tab-separated-values"


def test_406_when_nothing_fits(client):
    resp = client.get("/sparql", query_string={"query": SELECT_ONE}, headers={"Accept": "image/png"})
    assert resp.status_code == 406
    assert "application/sparql-results+json" in resp.get_data(as_text=True)
    resp = client.get("/sparql", query_string={"query": SELECT_ONE, "format": "turtle"})
    assert resp.status_code == 406


def test_cors_on_reads(client):
    resp = client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Origin": "https://example.org"})
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    pre = client.options("/sparql", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"})
    assert pre.status_code == 204 and "POST" in pre.headers["Access-Control-Allow-Methods"]


def test_from_selects_store_graphs_only(client):
    """FROM names graphs of the store (never fetched); the protocol dataset overrides it."""
    data1 = "http://kasei.us/2009/09/sparql/data/data1.rdf"
    q = f"ASK FROM <{data1}> {{ <{data1}> a ?t }}"
    assert client.get("/sparql", query_string={"query": q}).json["boolean"] is True
    q2 = f"ASK FROM <{data1}> {{ <http://kasei.us/2009/09/sparql/data/data2.rdf> a ?t }}"
    assert client.get("/sparql", query_string={"query": q2}).json["boolean"] is False
    q3 = "SELECT ?g FROM NAMED <http://kasei.us/2009/09/sparql/data/data3.rdf> WHERE { GRAPH ?g { ?s ?p ?o } }"
    rows = client.get("/sparql", query_string={"query": q3}).json["results"]["bindings"]
    assert [r["g"]["value"] for r in rows] == ["http://kasei.us/2009/09/sparql/data/data3.rdf"]
