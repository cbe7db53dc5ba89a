"""The endpoint as a researcher meets it: SPARQLWrapper against waitress on a loopback port,
the service description, ``policykg serve --get``, and latency of the catalogue over HTTP."""

from __future__ import annotations

import json
import statistics
import threading
import time
import urllib.parse
import urllib.request

import pytest
from pyoxigraph import RdfFormat, parse
from server_support import Waitress, app_for
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

from policykg.core import iris
from policykg.sparql import queries

SD = "http://www.w3.org/ns/sparql-service-description#"


@pytest.fixture(scope="module")
def server(built_store):
    with Waitress(app_for(built_store)) as srv:
        yield srv


def wrapper(server, query: str, fmt=JSON, method: str = "GET") -> SPARQLWrapper:
    sw = SPARQLWrapper(server.url + "/sparql", agent="policykg-tests")
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    sw.setMethod(method)
    return sw


def test_select_json_get_and_post(server):
    q = "SELECT ?n ?title WHERE { ?k a pk:KeyTask ; pk:number ?n ; rdfs:label ?title } ORDER BY ?n"
    for method in ("GET", "POST"):
        res = wrapper(server, q, method=method).query().convert()
        rows = res["results"]["bindings"]
        assert len(rows) == 32
        assert rows[0]["title"] == {"type": "literal", "value": "强化财税政策保障", "xml:lang": "zh"}


def test_select_xml_and_csv(server):
    q = "SELECT ?code WHERE { ?t a pk:SourceTable ; pk:region/pk:divisionCode ?code } ORDER BY ?code"
    doc = wrapper(server, q, XML).query().convert()
    codes = [n.firstChild.data for n in doc.getElementsByTagName("literal")]
    assert codes == ["330114", "330521", "330800", "330900"]
    csv_text = wrapper(server, q, CSV).query().convert().decode("utf-8")
    assert csv_text.split() == ["code", "330114", "330521", "330800", "330900"]


def test_ask_and_construct(server):
    assert wrapper(server, "ASK { ?s a pk:ServiceItem }").query().convert()["boolean"] is True
    ttl = wrapper(server, "CONSTRUCT WHERE { ?k a pk:KeyTask ; pk:number ?n }", TURTLE).query().convert()
    triples = [q.triple for q in parse(ttl, format=RdfFormat.TURTLE)]
    assert len(triples) == 64
    assert any(t.subject.value == iris.key_task(32) for t in triples)


def test_errors_reach_the_client(server):
    import urllib.error

    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    with pytest.raises(QueryBadFormed) as bad:
        wrapper(server, "SELECT * WHERE { ?s ?p }").query()
    assert '"position":[1,25]' in str(bad.value)
    with pytest.raises(QueryBadFormed) as refused:               # SERVICE is a 400 (issue 19)
        wrapper(server, "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }").query()
    assert "SERVICE" in str(refused.value)
    with pytest.raises(urllib.error.HTTPError) as update:        # SPARQLWrapper passes 403 through
        wrapper(server, "CLEAR ALL").query()
    assert update.value.code == 403


def test_service_description(server):
    req = urllib.request.Request(server.url + "/sparql", headers={"Accept": "text/turtle"})
    body = urllib.request.urlopen(req).read()
    triples = [q.triple for q in parse(body, format=RdfFormat.TURTLE)]
    p = {}
    for t in triples:
        p.setdefault(t.predicate.value, []).append(t.object)
    endpoint = server.url + "/sparql"
    assert any(t.subject.value == endpoint and t.object.value == SD + "Service" for t in triples)
    assert {o.value for o in p[SD + "resultFormat"]} >= {"http://www.w3.org/ns/formats/SPARQL_Results_JSON",
                                                       "http://www.w3.org/ns/formats/Turtle"}
    assert {o.value for o in p[SD + "name"]} >= {iris.region_graph(c) for c in ("330800", "330900", "330114", "330521")}
    assert "https://creativecommons.org/licenses/by/4.0/" in {o.value for o in p["http://purl.org/dc/terms/license"]}
    assert "000_ae2937e95410f861.txt" in {o.value for o in p["http://purl.org/dc/terms/title"]}
    assert "pk" in {o.value for o in p["http://www.w3.org/ns/shacl#prefix"]}
    triples_total = [int(o.value) for o in p["http://rdfs.org/ns/void#triples"]]
    assert max(triples_total) > 10000
    jsonld = urllib.request.urlopen(urllib.request.Request(server.url + "/sparql",
                                                           headers={"Accept": "application/ld+json"})).read()
    assert json.loads(jsonld)


def test_serve_get_smoke_check(built_store, capsys):
    from server.run import serve

    assert serve(store_dir=built_store, get_path="/queries/general-tasks.json") == 0
    out = capsys.readouterr().out
    assert json.loads(out)["rows"][0]["generalTask"]["value"] == "强化资源要素支持"
    assert serve(store_dir=built_store, get_path="/queries/nope.json") == 1


def test_serve_without_store_explains(tmp_path):
    from policykg.core.errors import StoreError
    from server.run import serve

    with pytest.raises(StoreError) as info:
        serve(store_dir=tmp_path / "none", get_path="/sparql")
    assert "policykg build" in info.value.message


@pytest.mark.slow
def test_catalogue_latency_over_http(server, capsys):
    """p50/p95 of every catalogue query with its defaults (cold = first run, warm = cached)."""
    names = sorted(queries.catalogue())

    def timed(url: str) -> float:
        t0 = time.perf_counter()
        with urllib.request.urlopen(server.url + url) as resp:
            resp.read()
            assert resp.status == 200
        return (time.perf_counter() - t0) * 1000

    cold = [timed(f"/queries/{n}.json") for n in names]
    warm = [timed(f"/queries/{n}.json") for n in names for _ in range(2)]
    # concurrent clients (4 threads) on uncached free queries
    results: list[float] = []

    def client(k: int) -> None:
        for n in names:
            q = queries.get(n).text + f"\n# client {k}"
            data = urllib.parse.urlencode({"query": q}).encode()
            t0 = time.perf_counter()
            urllib.request.urlopen(urllib.request.Request(server.url + "/sparql", data=data)).read()
            results.append((time.perf_counter() - t0) * 1000)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()

    def p(values: list[float], q: float) -> float:
        return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]

    report = (f"catalogue over HTTP ({len(names)} queries): cold p50 {statistics.median(cold):.1f} ms, "
              f"p95 {p(cold, 95):.1f} ms; cached p50 {statistics.median(warm):.1f} ms, p95 {p(warm, 95):.1f} ms; "
              f"4 concurrent clients uncached p50 {statistics.median(results):.1f} ms, p95 {p(results, 95):.1f} ms")
    with capsys.disabled():
        print("\n" + report)
    assert len(results) == 4 * len(names)
