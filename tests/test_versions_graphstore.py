"""Issue 19.4 and 16: Graph Store writes go through load's checks and make versions.

Reproductions: an empty PUT wiped region 330800 (4,841 -> 0 triples, 200); a PUT of one
unrelated triple as region 330800 got 201; the region graph IRI followed by U+00A0, U+3000
or U+2003 got 201 (invisible duplicate region graphs)."""

from __future__ import annotations

import pytest
from server_support import app_for, copy_store

from policykg import versions
from policykg.core import iris

TOKEN = "test-token-19-4"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
QUZHOU = iris.region_graph("330800")
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <%s> { ?s ?p ?o } }"
GRAPHS = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture(scope="module")
def store(built_store, tmp_path_factory):
    return copy_store(built_store, tmp_path_factory.mktemp("gsp-versions") / "store")


@pytest.fixture(scope="module")
def client(store):
    return app_for(store, WRITE_TOKEN=TOKEN, WRITE_TOKEN_NAME="衢州市数据局").test_client()


@pytest.fixture(scope="module")
def quzhou_nt(client) -> bytes:
    resp = client.get("/rdf-graphs/service", query_string={"graph": QUZHOU}, headers={"Accept": "application/n-triples"})
    assert resp.status_code == 200
    return resp.data


def _n(client, text: str) -> int:
    return int(client.get("/sparql", query_string={"query": text}).json["results"]["bindings"][0]["n"]["value"])


def _write(client, data: bytes, graph: str = QUZHOU, method: str = "PUT", ctype: str = "application/n-triples"):
    return client.open("/rdf-graphs/service", method=method, query_string={"graph": graph}, data=data,
                       content_type=ctype, headers=AUTH)


@pytest.mark.parametrize("body,ctype", [(b"", "application/n-triples"), (b"   \n", "text/turtle"),
                                        (b"[]", "application/ld+json")])
def test_empty_put_does_not_wipe_a_region(client, store, body, ctype):
    before = _n(client, COUNT % QUZHOU)
    resp = _write(client, body, ctype=ctype)
    assert resp.status_code == 422 and "DELETE" in resp.json["error"]
    assert _n(client, COUNT % QUZHOU) == before == 4841
    assert [v.version for v in versions.history(store, "330800")] == [1]


@pytest.mark.parametrize("method,code", [("PUT", "330800"), ("PUT", "330100"), ("POST", "330100")])
def test_unrelated_triple_is_not_a_region_list(client, store, method, code):
    """PUT replaces, so one unrelated triple would be the whole list; a POST to a region
    without a list (杭州市 330100) would be all of it too."""
    graph = iris.region_graph(code)
    before = _n(client, COUNT % graph)
    resp = _write(client, b"<http://example.org/s> <http://example.org/p> \"x\" .\n", graph=graph, method=method)
    assert resp.status_code == 422 and "pk:SourceRow" in resp.json["error"]
    assert _n(client, COUNT % graph) == before
    assert versions.history(store, "330100") == [] and len(versions.history(store, "330800")) == 1


@pytest.mark.parametrize("suffix", ["\u00a0", "\u3000", "\u2003", " ", "%20", "/", "0"])
def test_region_graph_iris_are_matched_exactly(client, quzhou_nt, suffix):
    graphs = _n(client, GRAPHS)
    resp = _write(client, quzhou_nt, graph=QUZHOU + suffix)
    assert resp.status_code in (400, 403), resp.json
    assert _n(client, GRAPHS) == graphs


def test_versions_are_immutable(client, quzhou_nt):
    resp = _write(client, quzhou_nt, graph=versions.version_graph("330800", 1))
    assert resp.status_code == 403 and "immutable" in resp.json["error"]


def test_put_post_delete_make_versions(client, store, quzhou_nt):
    text = quzhou_nt.decode().replace("天使基金", "天使基金（线上）")
    resp = _write(client, text.encode())
    assert resp.status_code == 200 and resp.json["version"] == 2
    assert resp.json["version_graph"] == versions.version_graph("330800", 2)
    v = versions.get(store, "330800", 2)
    assert (v.action, v.source, v.token, v.rows) == ("put", "HTTP PUT", "衢州市数据局", 93)
    d = client.get("/history/330800").get_data(as_text=True)
    assert "天使基金（线上）" in d and "衢州市数据局" in d
    # the version graph is readable by name; the old one too
    old = client.get("/rdf-graphs/service", query_string={"graph": versions.version_graph("330800", 1)},
                     headers={"Accept": "application/n-triples"})
    assert old.status_code == 200 and old.data.count(b"\n") == 4841
    # DELETE is the explicit way to empty a region: a version too, and as-of before it still sees the list
    resp = client.delete("/rdf-graphs/service", query_string={"graph": QUZHOU}, headers=AUTH)
    assert resp.status_code == 200 and resp.json["version"] == 3
    assert _n(client, COUNT % QUZHOU) == 0
    assert [(v.version, v.action) for v in versions.history(store, "330800")] == [(1, "build"), (2, "put"),
                                                                                   (3, "delete")]
    from policykg.asof import snapshot
    from policykg.sparql.queries import run

    at = snapshot(store, versions.get(store, "330800", 2).loaded)
    assert int(run(at, COUNT % QUZHOU).values()[0]["n"]) == 4841
    resp = _write(client, quzhou_nt)
    assert resp.status_code == 201 and resp.json["version"] == 4
    assert _n(client, COUNT % QUZHOU) == 4841
