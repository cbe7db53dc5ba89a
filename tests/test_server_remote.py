"""A real Oxigraph server on loopback: ``policykg push`` fills it, ``serve --endpoint`` answers from it
with the same front (update/SERVICE refusal, timeout, row cap) and the same catalogue answers."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from server_support import Listener, app_for, free_port

from policykg.core import iris
from policykg.sparql import queries
from server.remote import push_graphs

pytestmark = pytest.mark.external

OXIGRAPH = Path(sys.executable).with_name("oxigraph")


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    binary = OXIGRAPH if OXIGRAPH.exists() else shutil.which("oxigraph")
    if not binary:
        pytest.skip("the oxigraph server binary (PyPI package oxigraph) is not installed")
    port = free_port()
    proc = subprocess.Popen([str(binary), "serve", "--location", str(tmp_path_factory.mktemp("oxigraph")),
                             "--bind", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/query?query=ASK%7B%7D", timeout=1).read()
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("oxigraph did not start")
    yield base
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def pushed(oxigraph, built_store):
    return dict(push_graphs(built_store, oxigraph + "/store"))


@pytest.fixture(scope="module")
def remote(oxigraph, pushed):
    return app_for(None, ENDPOINT=oxigraph + "/query", QUERY_TIMEOUT_S=3, MAX_ROWS=50).test_client()


@pytest.fixture(scope="module")
def local(built_store):
    return app_for(built_store, MAX_ROWS=50).test_client()


def test_push_uploads_every_graph(pushed, built_store, oxigraph):
    from policykg.graph.store import graph_sizes, open_read_only

    sizes = graph_sizes(open_read_only(built_store))
    assert {g: n for g, n in pushed.items() if g != "default"} == sizes
    assert pushed["default"] > 0
    data = urllib.request.urlopen(oxigraph + "/store?graph=" + urllib.request.quote(iris.region_graph("330800"), safe="")
                                  ).read()
    assert "税费优惠政策推送服务" in data.decode()


def _canon(rows: list) -> list:
    # GROUP_CONCAT order is the engine's: compare concatenations as sets
    return sorted(str([sorted(v.split("、")) if isinstance(v, str) and "、" in v else v for v in r]) for r in rows)


@pytest.mark.parametrize("name", sorted(queries.catalogue()))
def test_catalogue_gives_the_same_answers(remote, local, name):
    a = remote.get(f"/queries/{name}.json?_shape=arrays").json
    b = local.get(f"/queries/{name}.json?_shape=arrays").json
    assert a["ok"] is True, a
    assert a["columns"] == b["columns"]
    assert _canon(a["rows"]) == _canon(b["rows"])
    assert a["truncated"] == b["truncated"]


def test_parameters_are_bound_in_the_text(remote, local):
    for url in ("/queries/items-in-a-not-b.json?regionA=330521&regionB=330800&_shape=arrays",
                "/queries/keyword-search.json?keyword=%E4%BA%BA%E6%89%8D&_shape=arrays",
                "/queries/local-measures-implementing.json?measure=7&_shape=arrays",
                "/queries/service-item-provenance.json?_shape=arrays"):
        a, b = remote.get(url).json, local.get(url).json
        assert a["ok"] and _canon(a["rows"]) == _canon(b["rows"]), url


def test_same_refusals_in_front(remote, oxigraph):
    with Listener() as ear:
        q = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{ear.port}/> {{ ?s ?p ?o }} }}"
        assert remote.get("/sparql", query_string={"query": q}).status_code == 400
        assert remote.post("/sparql", data={"update": "CLEAR ALL"}).status_code == 403
        assert remote.get("/sparql", query_string={"query": "DROP ALL"}).status_code == 403
        time.sleep(0.2)
    assert ear.hits == []
    still = urllib.request.urlopen(oxigraph + "/query?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D").read()
    assert b"true" in still


def test_row_cap_and_protocol_formats(remote):
    resp = remote.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert resp.headers["X-Policykg-Truncated"] == "true" and len(resp.json["results"]["bindings"]) == 50
    ttl = remote.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s a pk:KeyTask }"},
                     headers={"Accept": "text/turtle"})
    assert ttl.status_code == 200 and ttl.mimetype == "text/turtle" and "key-task/1" in ttl.get_data(as_text=True)
    bad = remote.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p }"})
    assert bad.status_code == 400


def test_remote_timeout(remote):
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    t0 = time.monotonic()
    resp = remote.get("/sparql", query_string={"query": heavy}, headers={"Accept": "application/json"})
    assert resp.status_code == 503 and time.monotonic() - t0 < 3 + 1.5
    assert "超时" in resp.json["error"]


def test_entity_pages_from_the_remote(remote):
    resp = remote.get("/id/key-task/1", headers={"Accept": "text/html"})
    assert resp.status_code == 200 and "强化财税政策保障" in resp.get_data(as_text=True)


def test_unreachable_endpoint_is_502():
    client = app_for(None, ENDPOINT=f"http://127.0.0.1:{free_port()}/query").test_client()
    resp = client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Accept": "application/json"})
    assert resp.status_code == 502 and "无法连接" in resp.json["error"]


def test_push_cli(oxigraph, built_store):
    from click.testing import CliRunner

    from policykg.cli import main

    result = CliRunner().invoke(main, ["push", "--store", str(built_store), "--endpoint", oxigraph + "/store"])
    assert result.exit_code == 0, result.output
    assert f"{iris.region_graph('330521')}: " in result.output


def test_push_refused_by_our_own_server_without_token(built_store):
    from server_support import Waitress

    with Waitress(app_for(built_store)) as srv:
        with pytest.raises(Exception) as info:
            list(push_graphs(built_store, srv.url + "/rdf-graphs/service"))
    assert "403" in str(info.value)
