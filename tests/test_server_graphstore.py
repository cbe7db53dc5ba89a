"""SPARQL 1.1 Graph Store Protocol: public reads; token-authenticated writes of region graphs,
checked like ``policykg load``, written as a new generation that the query workers pick up."""

from __future__ import annotations

import pytest
from server_support import app_for, copy_store

from policykg.core import iris
from policykg.graph.store import current, generation_name

TOKEN = "test-token-8f1c"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
QUZHOU = iris.region_graph("330800")
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <%s> { ?s ?p ?o } }"


@pytest.fixture(scope="module")
def store(built_store, tmp_path_factory):
    return copy_store(built_store, tmp_path_factory.mktemp("gsp") / "store")


@pytest.fixture(scope="module")
def client(store):
    return app_for(store, WRITE_TOKEN=TOKEN).test_client()


@pytest.fixture(scope="module")
def quzhou_nt(client) -> bytes:
    resp = client.get("/rdf-graphs/service", query_string={"graph": QUZHOU}, headers={"Accept": "application/n-triples"})
    assert resp.status_code == 200
    return resp.data


def _count(client, graph: str = QUZHOU) -> int:
    resp = client.get("/sparql", query_string={"query": COUNT % graph})
    return int(resp.json["results"]["bindings"][0]["n"]["value"])


def _put(client, data: bytes, graph: str = QUZHOU, ctype: str = "application/n-triples", headers=AUTH, method="PUT"):
    return client.open("/rdf-graphs/service", method=method, query_string={"graph": graph}, data=data,
                       content_type=ctype, headers=headers)


def test_read_graphs(client, quzhou_nt):
    assert quzhou_nt.count(b"\n") == _count(client)
    ttl = client.get("/rdf-graphs/service", query_string={"graph": iris.graph("backbone")})
    assert ttl.status_code == 200 and ttl.mimetype == "text/turtle" and "强化财税政策保障" in ttl.get_data(as_text=True)
    assert client.get("/rdf-graphs/service", query_string={"graph": "http://e/none"}).status_code == 404
    assert client.get("/rdf-graphs/service?default", headers={"Accept": "application/n-triples"}).status_code == 200
    assert client.get("/rdf-graphs/service").status_code == 400


def test_writes_are_off_by_default(built_store, quzhou_nt):
    plain = app_for(built_store).test_client()
    resp = _put(plain, quzhou_nt)
    assert resp.status_code == 403 and "POLICYKG_WRITE_TOKEN" in resp.json["error"]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}])
def test_bad_or_missing_token_is_401(client, quzhou_nt, headers):
    resp = _put(client, quzhou_nt, headers=headers)
    assert resp.status_code == 401 and resp.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("graph", [iris.graph("backbone"), iris.graph("ontology"), iris.graph("region/999999"),
                                   "http://example.org/g"])
def test_only_region_graphs_are_writable(client, quzhou_nt, graph):
    assert _put(client, quzhou_nt, graph=graph).status_code == 403


def test_put_replaces_and_workers_see_the_new_generation(client, store, quzhou_nt):
    before_gen = generation_name(store)
    n = _count(client)
    resp = _put(client, quzhou_nt)
    assert resp.status_code == 200, resp.json
    body = resp.json
    assert body["ok"] is True and body["triples"] == n and body["region"] == "330800"
    assert generation_name(store) == body["generation"] != before_gen
    check = client.get("/sparql", query_string={"query": COUNT % QUZHOU})
    assert check.headers["X-Policykg-Generation"] == body["generation"]
    assert int(check.json["results"]["bindings"][0]["n"]["value"]) == n


def test_post_adds_and_cache_follows(client, store):
    n = _count(client)
    extra = f'<{iris.service_item("330800", 1)}> <http://www.w3.org/2000/01/rdf-schema#comment> "追加的说明"@zh .\n'
    resp = _put(client, extra.encode(), method="POST")
    assert resp.status_code == 200 and resp.json["triples"] == n + 1
    assert _count(client) == n + 1
    # the merged default graph follows too
    ask = client.get("/sparql", query_string={"query": 'ASK { ?s rdfs:comment "追加的说明"@zh }'}).json
    assert ask["boolean"] is True


def test_violations_refuse_and_nothing_is_written(client, store, quzhou_nt):
    gen = generation_name(store)
    dirs = sorted(p.name for p in store.glob("gen-*"))
    broken = b"\n".join(line for line in quzhou_nt.splitlines() if b"/def#level1>" not in line) + b"\n"
    resp = _put(client, broken)
    assert resp.status_code == 422
    assert "违规" in resp.json["error"] and "Violation" in resp.json["error"]
    assert generation_name(store) == gen
    assert sorted(p.name for p in store.glob("gen-*")) == dirs


@pytest.mark.parametrize("data, ctype, status", [
    (b"<a> <b> .", "text/turtle", 400),
    (b"<http://e/s> <http://e/p> <http://e/o> .", "application/pdf", 415),
    (b"<http://e/s> <http://e/p> <http://e/o> <http://e/g> .", "application/n-triples", 400),
    ("<http://e/s> <http://e/p> \"手机 13912345678\" .".encode(), "application/n-triples", 422),
])
def test_bad_uploads(client, store, data, ctype, status):
    gen = generation_name(store)
    resp = _put(client, data, ctype=ctype)
    assert resp.status_code == status, resp.json
    assert generation_name(store) == gen


def test_telephone_goes_to_the_restricted_file(client, store, quzhou_nt):
    contact = iris.contact("330800", "测试联系人")
    extra = (f'<{contact}> <http://www.w3.org/2006/vcard/ns#hasTelephone> "0570-1234567" .\n'
             f'<{contact}> <http://www.w3.org/2000/01/rdf-schema#label> "测试联系人"@zh .\n').encode()
    resp = _put(client, extra, method="POST")
    assert resp.status_code == 200 and resp.json["restricted"] == 1
    ask = client.get("/sparql", query_string={"query": "ASK { ?s <http://www.w3.org/2006/vcard/ns#hasTelephone> ?t }"})
    assert ask.json["boolean"] is False
    assert "0570-1234567" in current(store).restricted_file.read_text(encoding="utf-8")
    assert oct(current(store).restricted_file.stat().st_mode & 0o777) == "0o600"


def test_delete_removes_the_graph(client, store):
    zhoushan = iris.region_graph("330900")
    assert _count(client, zhoushan) > 0
    resp = client.delete("/rdf-graphs/service", query_string={"graph": zhoushan}, headers=AUTH)
    assert resp.status_code == 200
    assert _count(client, zhoushan) == 0
    assert client.get("/rdf-graphs/service", query_string={"graph": zhoushan}).status_code == 404
    again = client.delete("/rdf-graphs/service", query_string={"graph": zhoushan}, headers=AUTH)
    assert again.status_code == 404
